"""Gradient lab results: one run in tabs, the doctor with its fix buttons, before/after, the runs table.

Runs shown on the page live in ``lab_state().runs`` (id -> RunRecord); a run's id is its model-store
key (background runs) or ``steps-<key>`` (step-by-step runs).
"""

from __future__ import annotations

import math
from typing import Any

import streamlit as st

from dl.gradient_lab import doctor
from dl.gradient_lab import trainer as lab
from dl.gradient_lab.trainer import GradientRun
from ui.gradient_lab import charts
from ui.gradient_lab.controls import set_widgets
from ui.gradient_lab.state import RunRecord, lab_state
from ui.i18n import t
from ui.plots import history_figure
from ui.tabs import KEEP, lazy_tabs, run_open_tab


# ------------------------------------------------------------------ session bookkeeping
def remember_run(run_id: str, run: GradientRun, from_cache: bool = False) -> None:
    """Add (or refresh) a run in the session's runs table, labelled with the change that led to it."""
    state = lab_state()
    if run_id in state.runs:
        state.runs[run_id].run = run
        return
    label, state.next_label = state.next_label or t("gradient_lab.run_label_custom"), None
    state.runs[run_id] = RunRecord(run, f"#{len(state.runs) + 1} {label}", from_cache)


def _format(value: Any) -> Any:
    """Numbers as people read them: 3.5e-12, 0.742, 20287762 -> 2.0e+07."""
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        return f"{value:.1e}" if value != 0 and (abs(value) < 1e-2 or abs(value) >= 1e4) else f"{value:.3g}"
    return value


def _apply_fix(run_id: str, fix: doctor.Fix) -> None:
    """Button callback: the fixed config goes into the form and trains at once, compared with ``run_id``."""
    state = lab_state()
    set_widgets(doctor.apply_fix(state.runs[run_id].run.lab_config, fix))
    st.session_state["gl_how"] = "epochs"  # a widget's key: the fix trains in the background
    state.before, state.autostart = run_id, True
    state.next_label = f"+ {t(f'gradient_lab.fix_{fix.code}')}"


# ------------------------------------------------------------------ the doctor
def doctor_panel(run_id: str) -> None:
    """Verdict, findings in plain words, ranked fixes as buttons (the first one highlighted)."""
    run = lab_state().runs[run_id].run
    diagnosis = doctor.diagnose(run)
    with st.container(border=True):
        st.subheader(f"🩺 {t('gradient_lab.doctor_header')}")
        verdict = t(f"gradient_lab.verdict_{diagnosis.verdict}")
        {"healthy": st.success, "vanishing": st.warning, "exploding": st.error}[diagnosis.verdict](verdict)
        for finding in diagnosis.findings:
            values = {name: _format(value) for name, value in finding.values.items()}
            if "what" in values:
                values["what"] = t(f"gradient_lab.nonfinite_{values['what']}")
            if "activation" in values:
                values["activation"] = t(f"gradient_lab.activation_{values['activation']}")
            st.markdown(f"- {t(f'gradient_lab.finding_{finding.code}', **values)}")
        if not diagnosis.fixes:
            return
        st.markdown(f"**{t('gradient_lab.fixes_header')}**")
        for rank, fix in enumerate(diagnosis.fixes, start=1):
            st.button(
                f"{rank}. {t(f'gradient_lab.fix_{fix.code}')}", key=f"fix-{run_id}-{fix.code}",
                type="primary" if rank == 1 else "secondary", on_click=_apply_fix, args=(run_id, fix),
                help=t(f"gradient_lab.fix_{fix.code}_why"),
            )


# ------------------------------------------------------------------ one run
def nonfinite_banner(run: GradientRun) -> None:
    if run.nonfinite:
        info = run.nonfinite
        what = t(f"gradient_lab.nonfinite_{info['what']}")
        st.error(t("gradient_lab.nonfinite_banner", step=info["step"], epoch=info["epoch"], batch=info["batch"],
                   what=what, layers=", ".join(info.get("layers", [])[:6]) or "-"), icon="💥")


def run_details(run_id: str) -> None:
    """Tabs: gradient heatmaps and flow ratio, distributions, update ratios, curves."""
    run: GradientRun = lab_state().runs[run_id].run
    summary = run.summary()
    columns = st.columns(4)
    columns[0].metric(t("gradient_lab.metric_ratio"), _format(summary["flow_ratio"]))
    columns[1].metric(t("gradient_lab.metric_max_norm"), _format(summary["max_gradient_norm"]))
    columns[2].metric(t("gradient_lab.metric_val_accuracy"), _format(summary["val_accuracy"]))
    columns[3].metric(t("gradient_lab.metric_nan_step"), summary["nonfinite_step"] or "—")
    tabs = lazy_tabs("gradient_lab_run", [t("gradient_lab.tab_gradients"), t("gradient_lab.tab_distributions"),
                                          t("gradient_lab.tab_updates"), t("gradient_lab.tab_curves")])
    run_open_tab([  # only the open tab draws its figures (a deep network's heatmaps take a moment each)
        (tabs[0], lambda: _gradients(run_id, run)),
        (tabs[1], lambda: _distributions(run_id, run)),
        (tabs[2], lambda: _updates(run_id, run)),
        (tabs[3], lambda: _curves(run_id, run)),
    ])


def _gradients(run_id: str, run: GradientRun) -> None:
    applied = True
    if run.lab_config.clipping != "none":
        applied = not st.toggle(t("gradient_lab.show_raw"), key=f"raw-{run_id}", persist_state=KEEP)
    st.plotly_chart(charts.gradient_heatmap(run, applied=applied), key=f"heat-{run_id}-{applied}")
    if run.time_gradient_norms is not None:
        st.plotly_chart(charts.time_heatmap(run), key=f"time-{run_id}")
    st.plotly_chart(charts.flow_ratio_figure({run_label(run_id): run}), key=f"ratio-{run_id}")


def _updates(run_id: str, run: GradientRun) -> None:
    st.caption(t("gradient_lab.update_caption"))
    st.plotly_chart(charts.update_heatmap(run), key=f"update-{run_id}")


def _curves(run_id: str, run: GradientRun) -> None:
    st.plotly_chart(charts.step_curves_figure({run_label(run_id): run}), key=f"curves-{run_id}")
    if run.history:
        st.plotly_chart(history_figure(run.history, title=t("gradient_lab.epochs_title")), key=f"hist-{run_id}")


def _distributions(run_id: str, run: GradientRun) -> None:
    if not run.snapshots:
        return
    steps = [snapshot["step"] for snapshot in run.snapshots]
    finite = [snapshot["step"] for snapshot in run.snapshots
              if all(stats["nonfinite_fraction"] == 0 for stats in snapshot["weights"].values())]
    default = finite[-1] if finite else steps[-1]  # after a NaN, open on the last snapshot that still has numbers
    chosen = st.select_slider(t("gradient_lab.snapshot_step"), steps, value=default, key=f"snap-{run_id}",
                              persist_state=KEEP) \
        if len(steps) > 1 else steps[0]
    snapshot = run.snapshots[steps.index(chosen)]
    if chosen not in finite:
        st.warning(t("gradient_lab.snapshot_nonfinite"))
    st.caption(t("gradient_lab.dist_caption"))
    left, right = st.columns(2)
    left.plotly_chart(charts.distribution_figure(snapshot, "activations"), key=f"act-{run_id}-{chosen}")
    right.plotly_chart(charts.distribution_figure(snapshot, "weights"), key=f"wt-{run_id}-{chosen}")
    layer = st.selectbox(t("gradient_lab.histogram_layer"), list(snapshot["activations"]), key=f"layer-{run_id}",
                         persist_state=KEEP)
    left, right = st.columns(2)
    left.plotly_chart(charts.histogram_figure(snapshot["activations"][layer], t("gradient_lab.hist_activation",
                      layer=layer)), key=f"ha-{run_id}-{chosen}-{layer}")
    weight_layer = layer.replace("activation_", "dense_") if layer.startswith("activation_") else run.layer_names[-1]
    if weight_layer in snapshot["weights"]:
        right.plotly_chart(charts.histogram_figure(snapshot["weights"][weight_layer], t("gradient_lab.hist_weight",
                           layer=weight_layer)), key=f"hw-{run_id}-{chosen}-{layer}")


def run_label(run_id: str) -> str:
    return lab_state().runs[run_id].label


# ------------------------------------------------------------------ comparison and table
def compare_view(before_id: str, after_id: str) -> None:
    """Before/after side by side: heatmaps on one colour scale, then both runs' curves on one chart."""
    with st.container(key="gl_compare"):
        _compare(before_id, after_id)


def _compare(before_id: str, after_id: str) -> None:
    runs = {run_label(run_id): lab_state().runs[run_id].run for run_id in (before_id, after_id)}
    st.subheader(t("gradient_lab.compare_header"))
    color_range = charts.log_range(*(run.gradient_norms for run in runs.values()))
    longest = max(run.steps for run in runs.values())  # one step axis for both, so a run cut short by NaN looks short
    columns = st.columns(2)
    for column, (label, run), side in zip(columns, runs.items(), ("before", "after"), strict=True):
        with column:
            st.markdown(f"**{t(f'gradient_lab.{side}')}: {label}**")
            verdict = doctor.diagnose(run).verdict
            st.caption(f"{t(f'gradient_lab.verdict_short_{verdict}')} · {t('gradient_lab.metric_val_accuracy')} "
                       f"{_format(run.summary()['val_accuracy'])}")
            figure = charts.gradient_heatmap(run, color_range, title=t("gradient_lab.heatmap_title"))
            figure.update_xaxes(range=[0.5, longest + 0.5])
            st.plotly_chart(figure, key=f"cmp-{side}-{before_id}-{after_id}")
    left, right = st.columns(2)
    left.plotly_chart(charts.flow_ratio_figure(runs), key=f"cmp-ratio-{before_id}-{after_id}")
    right.plotly_chart(charts.step_curves_figure(runs), key=f"cmp-curves-{before_id}-{after_id}")


def runs_table() -> None:
    """Every run of this session with its settings and headline numbers."""
    runs = lab_state().runs
    if len(runs) < 1:
        return
    rows = []
    for record in runs.values():
        config, summary = record.run.lab_config, record.run.summary()
        rows.append({
            t("gradient_lab.col_run"): record.label,
            t("gradient_lab.col_network"): _network_text(config),
            t("gradient_lab.col_training"): f"{config.optimizer} lr={config.learning_rate:g}"
            + (f" clip={config.clipping}:{config.clip_threshold:g}" if config.clipping != "none" else "")
            + (f" wd={config.weight_decay:g}" if config.weight_decay else ""),
            t("gradient_lab.col_ratio"): _format(summary["flow_ratio"]),
            t("gradient_lab.col_val_accuracy"): _format(summary["val_accuracy"]),
            t("gradient_lab.col_nan_step"): summary["nonfinite_step"] or "",
            t("gradient_lab.col_cached"): "✓" if record.from_cache else "",
        })
    st.subheader(t("gradient_lab.runs_header"))
    st.dataframe(rows, hide_index=True, width="stretch")


def _network_text(config: lab.GradientLabConfig) -> str:
    if config.mode == "dense":
        shape = f"{config.depth}×{config.width} dense"
    else:
        shape = f"{config.recurrent_cell} {config.width}, T={config.sequence_length}"
    init = config.initializer + (f"({config.init_stddev:g})" if config.initializer == "random_normal" else "")
    extras = [name for name, on in (("BN", config.batch_norm), ("residual", config.residual)) if on]
    return " · ".join([shape, config.activation, init, *extras])


def live_heatmap(job: Any) -> None:
    """While ``job`` trains: its gradient heatmap so far (the job widget's fragment redraws it every second)."""
    run = lab.live_run(job.key)
    if run is None or run.steps == 0:
        return
    st.plotly_chart(charts.gradient_heatmap(run), key=f"live-heat-{job.key}-{run.steps}")
