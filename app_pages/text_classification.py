"""Text classification: built-in reviews (English, Chinese) or your own table, Keras text models
trained in the background beside a TF-IDF baseline, per-token explanations, export."""

import streamlit as st

from ui.i18n import t
from ui.links import settings_from_link, settings_link_box
from ui.projects import open_pending_project, save_project_button
from ui.runs import render_runs_tab
from ui.tabs import lazy_tabs, run_open_tab
from ui.text.data import apply_fixes, choose_texts, show_doctor, show_texts
from ui.text.export import render_export_tab
from ui.text.inside import render_inside_tab
from ui.text.predict import render_predict_tab
from ui.text.results import render_results_tab
from ui.text.training import CLASS_WEIGHTS_WIDGET, PAGE, TASK, link_settings, reopener, settings_form, train_and_attach

st.title(f"📝 {t('nav.text_classification')}")
st.caption(t("text_classification.intro"))

data_tab, results_tab, inside_tab, predict_tab, export_tab, runs_tab = lazy_tabs("text_classification", [
    t("text_classification.tab_data"),
    t("text_classification.tab_results"),
    t("inside_text.tab"),
    t("text_classification.tab_predict"),
    t("text_classification.tab_export"),
    t("runs.tab"),
])

trained = None
with data_tab:  # always runs: its uploads and job feed the other tabs, which run only when open
    link_widgets, link_defaults = link_settings()
    ignored_in_link = settings_from_link(link_widgets)  # a shared link's data set and settings, before their widgets
    st.subheader(t("text_classification.step_data"))
    source = choose_texts()
    dataset = None if source is None else apply_fixes(source, PAGE)
    if dataset is not None:
        show_texts(dataset)
        doctor_slot = st.container()  # filled below, once the settings it depends on are known
        st.subheader(t("text_classification.step_model"))
        config = settings_form(dataset)
        with doctor_slot:
            show_doctor(dataset, source, PAGE, config.sequence_length, config.weights_on(dataset.labels, dataset.num_classes),
                        CLASS_WEIGHTS_WIDGET)
        open_pending_project(PAGE, reopener(dataset, t("text_classification.tab_results")))  # a project file opened here
        trained = train_and_attach(config, dataset)
        if trained is not None:
            save_project_button(PAGE, trained)
    settings_link_box(link_widgets, link_defaults, source is not None and source.builtin, ignored_in_link)

# the other tabs run only when open; a cached model loads when one of them first needs it
run_open_tab([
    (results_tab, lambda: render_results_tab(trained, dataset)),
    (inside_tab, lambda: render_inside_tab(trained, dataset)),
    (predict_tab, lambda: render_predict_tab(trained, dataset)),
    (export_tab, lambda: render_export_tab(trained)),
    (runs_tab, lambda: render_runs_tab(PAGE, [TASK], reopener(dataset, t("text_classification.tab_results")))),
])
