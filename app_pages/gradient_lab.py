"""Gradient lab: build a deep or recurrent network, watch its per-layer gradients, let the doctor fix it."""

import streamlit as st

from dl.gradient_lab import trainer as lab
from dl.gradient_lab.config import GradientLabConfig
from ui.errors import data_errors_stop_page
from ui.gradient_lab import controls, views
from ui.gradient_lab.state import PAGE, lab_state
from ui.i18n import t
from ui.links import check_link, keep_config_in_link, link_box
from ui.loaders import model_store
from ui.projects import open_pending_project, save_project_button
from ui.training import training_section

controls.ensure_defaults()
st.session_state.setdefault("gl_how", "epochs")
state = lab_state()

st.title(f"🩺 {t('nav.gradient_lab')}")
st.caption(t("gradient_lab.intro"))
with st.expander(t("gradient_lab.how_header")):
    st.markdown(t("gradient_lab.how_body"))

link = check_link((), (controls.PREFIX,), controls.LINKED)  # before the form: parameters no setting reads
controls.preset_buttons()
config = controls.config_form()
keep_config_in_link(config, GradientLabConfig(), controls.PREFIX)  # the settings in the address, as a link to share
link_box(link, st.session_state.pop(controls.LINK_IGNORED, []))
with data_errors_stop_page():
    lab.validate_config(config)
    table = controls.load_table(config)
key = lab.model_key(config, table.fingerprint)
open_pending_project(PAGE, controls.reopener(table))  # a project file opened here: its run, from the store

how = st.segmented_control(t("gradient_lab.how_to_train"), ["epochs", "steps"], key="gl_how",
                           format_func=controls.option_labels("train_", ["epochs", "steps"]))
current_id = None
if how == "steps":
    trainer_key, trainer = state.trainer or (None, None)
    buttons = st.columns(4)
    counts = {"1": 1, "10": 10, "epoch": None}
    pressed = [name for column, name in zip(buttons, counts, strict=False)
               if column.button(t(f"gradient_lab.step_{name}"), key=f"step-{name}", width="stretch")]
    if buttons[3].button(t("gradient_lab.step_reset"), width="stretch"):
        state.trainer = None
        trainer_key, trainer = None, None
    if pressed and trainer_key != key:
        with st.spinner(t("jobs.message_loading_tensorflow")), data_errors_stop_page():
            trainer = lab.GradientTrainer(config, lab.prepare_data(config, table))
        trainer_key = key
        state.trainer = (key, trainer)
        state.next_label = t("gradient_lab.run_label_steps")
    if pressed and trainer is not None:
        count = counts[pressed[0]] or trainer.steps_per_epoch - trainer.batch_in_epoch
        trainer.step(count)
    if trainer is not None:
        current_id = f"steps-{trainer_key}"
        views.remember_run(current_id, trainer.run())
        st.caption(t("gradient_lab.steps_done", steps=trainer.steps_done, epoch=trainer.epoch + 1))
        if trainer.stopped:
            st.warning(t("gradient_lab.steps_stopped"))
else:
    def start_fresh() -> None:
        """Train pressed by hand: no before/after, and the run is named after the preset that filled the form."""
        state.before = None
        state.next_label = t(f"gradient_lab.preset_{state.preset}") if state.preset else None
        state.preset = None

    autostart, state.autostart = state.autostart, False
    store = model_store()
    result = training_section(PAGE, key, lambda reporter: lab.train_gradient_lab(config, table, reporter, store),
                              f"gradient lab {config.mode}", table.fingerprint, start_now=autostart,
                              button_label=t("gradient_lab.train_button", epochs=config.epochs),
                              on_press=start_fresh, chart=False, live_view=views.live_heatmap)
    if result is not None:
        views.remember_run(result.key, result.run, from_cache=result.from_cache)
        save_project_button(PAGE, result)
        current_id = result.key
        if result.from_cache:
            st.success(t("gradient_lab.from_cache"), icon="⚡")

if current_id is not None:
    views.nonfinite_banner(state.runs[current_id].run)
    if state.before and state.before != current_id and state.before in state.runs:
        views.compare_view(state.before, current_id)
    views.doctor_panel(current_id)
    views.run_details(current_id)
views.runs_table()
