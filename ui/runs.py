"""The "All runs" tab of every training page: each model of the page's task in the store, compared.

The list comes from the store's meta.json files (``dl.runs``), so it holds runs of every session and
of the CLI, not only this browser's. A reader picks runs to overlay their curves, sees settings
against a metric as parallel coordinates, downloads the table as CSV, deletes a run, or opens one:
opening starts the page's own training job for the run's settings, which the store answers at once,
so the Results, Inside and Predict tabs come back without training again.

On a shared server (``DL_HOSTED=1``) the list holds runs on built-in data and this session's own
runs (trained here, or opened), never a model trained on another visitor's upload.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go
import streamlit as st

from dl.runs import (
    Run,
    curve_metrics,
    curve_points,
    hosted_mode,
    list_runs,
    runs_csv,
    setting_cell,
    varying_settings,
    visible_runs,
)
from ui.i18n import DEFAULT_LANGUAGE, load_strings, t
from ui.loaders import model_store
from ui.plots import LEGEND_BELOW, SHARE_METRICS, metric_label
from ui.projects import open_project_uploader
from ui.tabs import KEEP, tabs_key
from ui.training import Reopener, Work, own_runs, page_state, start_opened_run

SHOWN_METRICS = ("accuracy", "macro_f1", "balanced_accuracy", "rmse", "mae", "ndcg_at_10", "precision_at_10",
                 "recall_at_10", "test_size", "epochs_run")  # the table's metric columns; the CSV has every number
LOWER_IS_BETTER = ("rmse", "mae")
OVERLAY_DEFAULT = 3  # the newest runs overlaid when the tab opens: enough to compare, few enough to read


def render_runs_tab(page: str, tasks: Sequence[str], reopener: Reopener | None) -> None:
    """The whole tab: table, overlay, parallel coordinates, CSV, open and delete."""
    hosted = hosted_mode()
    with st.expander(t("projects.section")):
        open_project_uploader(f"{page}_open_project")
    st.caption(t("runs.intro"))
    if hosted:
        st.caption(t("runs.intro_hosted"))
    runs = visible_runs(list_runs(model_store(), tasks), hosted=hosted, own_keys=own_runs())
    if not runs:
        st.info(t("runs.none"), icon="📚")
        return
    metrics = [name for name in SHOWN_METRICS if any(run.number(name) is not None for run in runs)]
    metric_names = {name: metric_name(name) for name in metrics}  # a dict, not t() in format_func: AppTest calls it outside a run
    metric = st.selectbox(t("runs.metric"), metrics, format_func=metric_names.get, key=f"{page}_runs_metric",
                          persist_state=KEEP) if metrics else None
    settings = varying_settings(runs)
    st.markdown(f"**{t('runs.count', count=len(runs))}**")
    st.dataframe(runs_table(runs, settings, metrics), hide_index=True, width="stretch")
    st.download_button(t("runs.csv"), runs_csv(runs), file_name=f"{page}-runs.csv", mime="text/csv", icon="⬇️",
                       key=f"{page}_runs_csv")
    show_overlay(page, runs, metric)
    if metric is not None:
        show_parallel_coordinates(page, runs, settings, metric)
    run_actions(page, runs, metric, reopener, hosted)


def runs_table(runs: list[Run], settings: list[str], metrics: list[str]) -> list[dict[str, Any]]:
    """The table's rows with translated column titles (settings that differ between runs only)."""
    rows = []
    for number, run in zip(run_numbers(runs), runs, strict=True):
        row: dict[str, Any] = {"#": number, t("runs.column_when"): run.when, t("runs.column_data"): run.data_source}
        row.update({metric_name(name): _shown_number(name, run.number(name)) for name in metrics})
        row.update({setting_name(name): _text(run.config.get(name)) for name in settings})  # one type per column
        row[t("runs.column_seconds")] = run.train_seconds
        rows.append(row)
    return rows


def show_overlay(page: str, runs: list[Run], metric: str | None) -> None:
    """The picked runs' curves of one history column on one chart."""
    labels = run_labels(runs, metric)
    picked = st.multiselect(t("runs.compare"), list(labels), default=list(labels)[:OVERLAY_DEFAULT], format_func=labels.get,
                            key=f"{page}_runs_compare", help=t("runs.compare_help"), persist_state=KEEP)
    chosen = [run for run in runs if run.key in picked]
    if len(chosen) < 2:
        st.caption(t("runs.pick_two"))
        return
    curves = curve_metrics(chosen)
    if not curves:
        st.caption(t("runs.no_curves"))
        return
    preferred = next((name for name in (f"val_{metric}", metric, "val_loss") if name in curves), curves[0])
    curve_names = {name: metric_label(name) for name in curves}
    curve = st.selectbox(t("runs.curve"), curves, index=curves.index(preferred), format_func=curve_names.get,
                         key=f"{page}_runs_curve", persist_state=KEEP)
    st.plotly_chart(overlay_figure(chosen, curve, labels), key=f"{page}_runs_overlay")


def overlay_figure(runs: list[Run], curve: str, labels: dict[str, str]) -> go.Figure:
    figure = go.Figure()
    points = curve_points(runs, curve)
    for run in runs:
        mine = [point for point in points if point["run"] == run.key]
        figure.add_trace(go.Scatter(x=[point["epoch"] for point in mine], y=[point["value"] for point in mine],
                                    name=labels[run.key], mode="lines+markers"))
    share = curve.removeprefix("val_") in SHARE_METRICS
    figure.update_layout(title=t("runs.overlay_title", metric=metric_label(curve)), height=360, legend=LEGEND_BELOW,
                         margin={"l": 10, "r": 10, "t": 40, "b": 10},
                         xaxis={"title": t("common.axis_epoch"), "dtick": 1 if len({point["epoch"] for point in points}) <= 12 else None},
                         yaxis={"title": metric_label(curve), "tickformat": ".0%" if share else ".3~f"})
    return figure


def show_parallel_coordinates(page: str, runs: list[Run], settings: list[str], metric: str) -> None:
    """Settings against the metric, one line per run (only when two runs differ in a setting)."""
    scored = [run for run in runs if run.number(metric) is not None]
    if len(scored) < 2 or not settings:
        st.caption(t("runs.parallel_needs"))
        return
    st.plotly_chart(parallel_figure(scored, settings, metric), key=f"{page}_runs_parallel")
    st.caption(t("runs.parallel_help", metric=metric_name(metric)))


def parallel_figure(runs: list[Run], settings: list[str], metric: str) -> go.Figure:
    """``go.Parcoords``: a numeric setting is an axis of its values, any other one of its choices."""
    dimensions = [_dimension(setting_name(name), [setting_cell(run.config.get(name)) for run in runs]) for name in settings]
    values = [run.number(metric) for run in runs]
    dimensions.append({"label": metric_name(metric), "values": values})
    colours = "Viridis_r" if metric in LOWER_IS_BETTER else "Viridis"
    figure = go.Figure(go.Parcoords(dimensions=dimensions, line={"color": values, "colorscale": colours, "showscale": True}))
    figure.update_layout(title=t("runs.parallel_title", metric=metric_name(metric)), height=380,
                         margin={"l": 60, "r": 60, "t": 80, "b": 20})
    return figure


def run_actions(page: str, runs: list[Run], metric: str | None, reopener: Reopener | None, hosted: bool) -> None:
    """Pick one run: open it (on the data loaded now) or delete it."""
    labels = run_labels(runs, metric)
    key = st.selectbox(t("runs.run"), list(labels), format_func=labels.get, key=f"{page}_runs_pick", persist_state=KEEP)
    run = next(run for run in runs if run.key == key)
    left, right = st.columns(2)
    with left:
        open_button(page, run, reopener)
    with right:
        delete_button(page, run, hosted)


def open_button(page: str, run: Run, reopener: Reopener | None) -> None:
    if reopener is None:
        return
    if run.data_fingerprint != reopener.data_fingerprint:
        st.button(t("runs.open"), icon="📂", disabled=True, key=f"{page}_runs_open")
        st.caption(t("runs.open_other_data", data=run.data_source))
        return
    reopened = reopener.reopen(run)
    if reopened is None:
        st.button(t("runs.open"), icon="📂", disabled=True, key=f"{page}_runs_open")
        st.caption(t("runs.open_outdated"))
        return
    st.button(t("runs.open"), icon="📂", key=f"{page}_runs_open", help=t("runs.open_help"), on_click=open_run,
              args=(page, run, *reopened, reopener))


def open_run(page: str, run: Run, key: str, work: Work, reopener: Reopener) -> None:
    """The Open button's callback: the page's job for the run (a cache hit), then its Results tab."""
    start_opened_run(page, run, key, work, reopener)
    st.session_state.update(reopener.settings(run.task, run.config))  # a callback: the widgets are drawn after it
    st.session_state[tabs_key(reopener.tabs_page)] = reopener.results_tab


def delete_button(page: str, run: Run, hosted: bool) -> None:
    on_screen = page_state(page).get("last_job", {}).get("key") == run.key
    allowed = not hosted or run.key in own_runs()
    clicked = st.button(t("runs.delete"), icon="🗑️", key=f"{page}_runs_delete", disabled=not allowed or on_screen)
    if not allowed:
        st.caption(t("runs.delete_not_yours"))
    elif on_screen:
        st.caption(t("runs.delete_running"))
    if clicked:
        model_store().delete(run.key)
        own_runs().discard(run.key)
        st.toast(t("runs.deleted", when=run.when), icon="🗑️")
        st.rerun()


def run_numbers(runs: list[Run]) -> list[int]:
    """Runs are listed newest first and numbered oldest first: #1 is the first run, and a new one adds the next."""
    return list(range(len(runs), 0, -1))


def run_labels(runs: list[Run], metric: str | None) -> dict[str, str]:
    """Store key -> "#2 · 2026-12-06 17:48 · rotten_tomatoes · accuracy 71.2%" (the number keeps two alike apart)."""
    labels = {}
    for number, run in zip(run_numbers(runs), runs, strict=True):
        value = run.number(metric) if metric else None
        shown = f"{metric_name(metric)} {_shown_number(metric, value)}" if metric and value is not None else "–"
        labels[run.key] = t("runs.run_label", number=number, when=run.when, data=_short(run.data_source), metric=shown)
    return labels


def setting_name(name: str) -> str:
    key = f"runs.setting_{name}"
    return t(key) if key in load_strings(DEFAULT_LANGUAGE) else name


def metric_name(name: str) -> str:
    key = f"runs.metric_{name}"
    return t(key) if key in load_strings(DEFAULT_LANGUAGE) else metric_label(name)


def _shown_number(metric: str, value: float | None) -> Any:
    if value is None:
        return None
    if metric in SHARE_METRICS or metric == "balanced_accuracy":
        return f"{value * 100:.1f}%"
    return round(value, 4) if not float(value).is_integer() else int(value)


def _text(value: Any) -> str:
    value = setting_cell(value)
    return "–" if value is None else str(value)


def _dimension(label: str, values: list[Any]) -> dict[str, Any]:
    if all(isinstance(value, (int, float)) and not isinstance(value, bool) for value in values):
        return {"label": label, "values": values}
    choices = sorted({str(value) for value in values})
    return {"label": label, "values": [choices.index(str(value)) for value in values],
            "tickvals": list(range(len(choices))), "ticktext": choices}


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
