"""BERT sentence labeling: fine-tune a pretrained BERT (offline MiniLM, or any Hugging Face model
online) on labelled sentences in the background, compare with frozen-embedding baselines, label
new sentences with word-piece attributions, export the model folder."""

import streamlit as st

from ui.bert.data import choose_sentences, show_sentences
from ui.bert.doctor import fixed_sentences, sentences_doctor
from ui.bert.export import render_export_tab
from ui.bert.inside import render_inside_tab
from ui.bert.label import render_label_tab
from ui.bert.results import render_results_tab
from ui.bert.training import (
    BUILTIN_MODEL,
    PAGE,
    TASK,
    choose_model,
    link_settings,
    reopener,
    settings_form,
    train_and_attach,
)
from ui.i18n import current_language, t
from ui.links import settings_from_link, settings_link_box
from ui.projects import open_pending_project, save_project_button
from ui.runs import render_runs_tab
from ui.tabs import lazy_tabs, run_open_tab

st.title(f"🏷️ {t('nav.bert_labeling')}")
st.caption(t("bert_labeling.intro"))

data_tab, results_tab, inside_tab, label_tab, export_tab, runs_tab = lazy_tabs("bert_labeling", [
    t("bert_labeling.tab_data"),
    t("bert_labeling.tab_results"),
    t("inside_bert.tab"),
    t("bert_labeling.tab_label"),
    t("bert_labeling.tab_export"),
    t("runs.tab"),
])

trained = None
with data_tab:  # always runs: its uploads and job feed the other tabs, which run only when open
    link_widgets, link_defaults = link_settings()
    ignored_in_link = settings_from_link(link_widgets)  # a shared link's data set and settings, before their widgets
    st.subheader(t("bert_labeling.step_model"))
    model = choose_model()
    st.subheader(t("bert_labeling.step_data"))
    original = choose_sentences(current_language(), model)
    dataset = fixed_sentences(original) if original is not None else None  # what fine-tuning uses: the doctor's fixes applied
    if dataset is not None:
        show_sentences(dataset, model)
        sentences_doctor(original, dataset, model)
        st.subheader(t("bert_labeling.step_train"))
        open_pending_project(PAGE, reopener(dataset, t("bert_labeling.tab_results")))  # a project file opened here
        trained = train_and_attach(settings_form(dataset, model), dataset)
        if trained is not None:
            save_project_button(PAGE, trained)
    built_in = original is not None and original.builtin and model == BUILTIN_MODEL  # another model is typed in, not linked
    settings_link_box(link_widgets, link_defaults, built_in, ignored_in_link)

# the other tabs run only when open; a cached model loads when one of them first needs it
run_open_tab([
    (results_tab, lambda: render_results_tab(trained)),
    (inside_tab, lambda: render_inside_tab(trained)),
    (label_tab, lambda: render_label_tab(trained)),
    (export_tab, lambda: render_export_tab(trained)),
    (runs_tab, lambda: render_runs_tab(PAGE, [TASK], reopener(dataset, t("bert_labeling.tab_results")))),
])
