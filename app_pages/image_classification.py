"""Image classification: bring images (or built-in digits), train a CNN in the background, see how
it did and where it looked, look inside it layer by layer, classify new photos, try a pretrained ImageNet model, export."""

import streamlit as st

from ui.i18n import t
from ui.image.data import apply_fixes, choose_dataset, show_dataset, show_doctor
from ui.image.export import render_export_tab
from ui.image.inside import render_inside_tab
from ui.image.predict import render_predict_tab
from ui.image.pretrained import render_pretrained_tab
from ui.image.results import render_results_tab
from ui.image.training import (
    RUN_TASKS,
    STATE,
    choose_model_kind,
    link_settings,
    reopener,
    seed_work,
    setting_fixes,
    settings_form,
    train_and_attach,
    transfer_work,
    weights_on,
)
from ui.links import settings_from_link, settings_link_box
from ui.projects import open_pending_project, save_project_button
from ui.runs import render_runs_tab
from ui.tabs import lazy_tabs, run_open_tab

st.title(f"🖼️ {t('nav.image_classification')}")
st.caption(t("image_classification.intro"))

data_tab, results_tab, inside_tab, predict_tab, pretrained_tab, export_tab, runs_tab = lazy_tabs("image_classification", [
    t("image_classification.tab_data"),
    t("image_classification.tab_results"),
    t("inside_image.tab"),
    t("image_classification.tab_predict"),
    t("image_classification.tab_pretrained"),
    t("image_classification.tab_export"),
    t("runs.tab"),
])

trained = None
with data_tab:  # always runs: its uploads and job feed the other tabs, which run only when open
    link_widgets, link_defaults = link_settings()
    ignored_in_link = settings_from_link(link_widgets)  # a shared link's data set and settings, before their widgets
    st.subheader(t("image_classification.step_data"))
    source = choose_dataset()
    dataset = None if source is None else apply_fixes(source, STATE)
    if dataset is not None:
        show_dataset(dataset)
        doctor_slot = st.container()  # filled below, once the settings it depends on are known
        st.subheader(t("image_classification.step_model"))
        model_kind = choose_model_kind()
        config = None if model_kind == "transfer" else settings_form(dataset, model_kind)
        with doctor_slot:
            show_doctor(dataset, source, STATE, weights_on(config, dataset), setting_fixes(model_kind))
        job_spec = seed_work(config, dataset) if config is not None else transfer_work(dataset)
        open_pending_project(STATE, reopener(dataset, t("image_classification.tab_results")))  # a project file opened here
        if job_spec is not None:
            trained = train_and_attach(*job_spec, dataset)
        if trained is not None:
            save_project_button(STATE, trained)
    settings_link_box(link_widgets, link_defaults, source is not None and source.builtin, ignored_in_link)

# the other tabs run only when open; a cached model loads when one of them first needs it
run_open_tab([
    (results_tab, lambda: render_results_tab(trained, dataset)),
    (inside_tab, lambda: render_inside_tab(trained, dataset)),
    (predict_tab, lambda: render_predict_tab(trained)),
    (pretrained_tab, lambda: render_pretrained_tab()),
    (export_tab, lambda: render_export_tab(trained, dataset)),
    (runs_tab, lambda: render_runs_tab(STATE, RUN_TASKS, reopener(dataset, t("image_classification.tab_results")))),
])
