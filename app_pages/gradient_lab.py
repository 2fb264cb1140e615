"""Gradient lab: build a deep or recurrent network, watch its per-layer gradients, let the doctor fix it."""

import streamlit as st

from dl.gradient_lab import trainer as lab
from ui.errors import data_errors_stop_page
from ui.gradient_lab import controls, views
from ui.i18n import t
from ui.job_widget import attached_job, show_job, start_or_attach
from ui.loaders import model_store

controls.ensure_defaults()
st.session_state.setdefault("gl_how", "epochs")

st.title(f"🩺 {t('nav.gradient_lab')}")
st.caption(t("gradient_lab.intro"))
with st.expander(t("gradient_lab.how_header")):
    st.markdown(t("gradient_lab.how_body"))

controls.preset_buttons()
config = controls.config_form()
with data_errors_stop_page():
    lab.validate_config(config)
    table = controls.load_table(config)
key = lab.model_key(config, table.fingerprint)

how = st.segmented_control(t("gradient_lab.how_to_train"), ["epochs", "steps"], key="gl_how",
                           format_func=controls.option_labels("train_", ["epochs", "steps"]))
current_id = None
if how == "steps":
    trainer_key, trainer = st.session_state.get("gl_trainer", (None, None))
    buttons = st.columns(4)
    counts = {"1": 1, "10": 10, "epoch": None}
    pressed = [name for column, name in zip(buttons, counts, strict=False)
               if column.button(t(f"gradient_lab.step_{name}"), key=f"step-{name}", width="stretch")]
    if buttons[3].button(t("gradient_lab.step_reset"), width="stretch"):
        st.session_state.pop("gl_trainer", None)
        trainer_key, trainer = None, None
    if pressed and trainer_key != key:
        with st.spinner(t("jobs.message_loading_tensorflow")), data_errors_stop_page():
            trainer = lab.GradientTrainer(config, lab.prepare_data(config, table))
        trainer_key = key
        st.session_state["gl_trainer"] = (key, trainer)
        st.session_state["gl_next_label"] = t("gradient_lab.run_label_steps")
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
    autostart = st.session_state.pop("gl_autostart", False)
    if st.button(t("gradient_lab.train_button", epochs=config.epochs), type="primary", icon="🚀") or autostart:
        store = model_store()
        start_or_attach(key, lambda reporter: lab.train_gradient_lab(config, table, reporter, store),
                        name=f"gradient lab {config.mode}")
        st.session_state["gl_active"] = key
        if not autostart:
            st.session_state["gl_before"] = None
            preset = st.session_state.pop("gl_preset", None)
            st.session_state["gl_next_label"] = t(f"gradient_lab.preset_{preset}") if preset else None
    job = attached_job(st.session_state.get("gl_active"))
    if job is not None:
        if not job.finished:
            views.live_charts(job)
        if show_job(job, chart=False):
            result = job.result
            views.remember_run(result.key, result.run, from_cache=result.from_cache)
            current_id = result.key
            if result.from_cache:
                st.success(t("gradient_lab.from_cache"), icon="⚡")

if current_id is not None:
    views.nonfinite_banner(st.session_state[views.RUNS][current_id]["run"])
    before_id = st.session_state.get("gl_before")
    if before_id and before_id != current_id and before_id in st.session_state[views.RUNS]:
        views.compare_view(before_id, current_id)
    views.doctor_panel(current_id)
    views.run_details(current_id)
views.runs_table()
