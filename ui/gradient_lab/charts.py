"""Plotly figures of a recorded gradient-lab run (pure functions of a ``dl.gradient_lab.trainer.GradientRun``)."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from dl.gradient_lab.trainer import GradientRun
from ui.i18n import t
from ui.plots import LEGEND_BELOW

COLOR_SCALE = "Viridis"
NONFINITE_COLOR = "#d62728"
HEIGHT = 340


def log_range(*arrays: np.ndarray) -> tuple[float, float]:
    """A shared log10 colour range over several arrays (so before/after heatmaps compare honestly)."""
    values = np.concatenate([np.ravel(array) for array in arrays if array is not None and array.size])
    good = values[np.isfinite(values) & (values > 0)]
    if not good.size:
        return -8.0, 1.0
    return float(np.floor(np.log10(good.min()))), float(np.ceil(np.log10(good.max())))


def _log10(values: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        logged = np.log10(values)
    logged[~np.isfinite(logged)] = np.nan  # NaN, Inf and exact zeros show as gaps, marked separately
    return logged


def heatmap(values: np.ndarray, row_names: list[str], title: str, color_range: tuple[float, float] | None = None,
            nonfinite_step: int | None = None, colorbar_title: str = "", height: int = HEIGHT) -> go.Figure:
    """Rows × training steps with a log10 colour scale; ``values`` has shape (steps, rows).

    The first row (the input end) is drawn at the bottom so the gradient visibly flows downwards
    from the output. A red dashed line marks the step where NaN/Inf appeared.
    """
    low, high = color_range or log_range(values)
    steps = np.arange(1, values.shape[0] + 1)
    figure = go.Figure(
        go.Heatmap(
            z=_log10(np.asarray(values, dtype=float)).T, x=steps, y=row_names, zmin=low, zmax=high,
            colorscale=COLOR_SCALE, hoverongaps=False,
            colorbar={"title": colorbar_title, "tickvals": list(range(int(low), int(high) + 1)),
                      "ticktext": [f"1e{power}" for power in range(int(low), int(high) + 1)]},
            hovertemplate=t("gradient_lab.hover_heatmap") + "<extra></extra>",
            customdata=np.asarray(values, dtype=float).T,
        )
    )
    if nonfinite_step:
        figure.add_vline(x=nonfinite_step, line={"color": NONFINITE_COLOR, "dash": "dash", "width": 2},
                         annotation_text=t("gradient_lab.nan_marker", step=nonfinite_step),
                         annotation_font_color=NONFINITE_COLOR)
    figure.update_layout(title=title, height=height, margin={"l": 10, "r": 10, "t": 40, "b": 10},
                         xaxis_title=t("gradient_lab.axis_step"))
    return figure


def gradient_heatmap(run: GradientRun, color_range: tuple[float, float] | None = None, applied: bool = True,
                     title: str | None = None) -> go.Figure:
    """Per-layer gradient norm per step (after clipping when ``applied``, else as back-propagated)."""
    values = run.gradient_norms if applied else run.raw_gradient_norms
    return heatmap(values, run.layer_names, title or t("gradient_lab.heatmap_title"), color_range,
                   run.nonfinite["step"] if run.nonfinite else None, t("gradient_lab.colorbar_norm"))


def time_heatmap(run: GradientRun, color_range: tuple[float, float] | None = None) -> go.Figure:
    """Recurrent mode: gradient reaching each input time step, per training step."""
    names = [str(step) for step in range(1, run.time_gradient_norms.shape[1] + 1)]
    figure = heatmap(run.time_gradient_norms, names, t("gradient_lab.time_heatmap_title"), color_range,
                     run.nonfinite["step"] if run.nonfinite else None, t("gradient_lab.colorbar_norm"))
    figure.update_yaxes(title=t("gradient_lab.axis_time_step"))
    return figure


def update_heatmap(run: GradientRun) -> go.Figure:
    """||Δw|| / ||w|| per layer and step; ~1e-3 is the healthy rule of thumb."""
    return heatmap(run.update_ratios, run.layer_names, t("gradient_lab.update_title"), None,
                   run.nonfinite["step"] if run.nonfinite else None, t("gradient_lab.colorbar_ratio"))


def _mode(points: int) -> str:
    """Lines, plus markers when a run has so few steps (cut short by NaN) that a line alone is invisible."""
    return "lines+markers" if points < 30 else "lines"


def flow_ratio_figure(runs: dict[str, GradientRun]) -> go.Figure:
    """First-layer (or first-time-step) / last gradient per step for one or more labelled runs."""
    figure = go.Figure()
    for label, run in runs.items():
        ratios = run.flow_ratio_per_step()
        ratios = np.where(np.isfinite(ratios) & (ratios > 0), ratios, np.nan)
        figure.add_trace(go.Scatter(x=np.arange(1, len(ratios) + 1), y=ratios, name=label, mode=_mode(len(ratios))))
    figure.add_hline(y=1e-3, line={"dash": "dot", "color": "grey"}, annotation_text=t("gradient_lab.vanishing_line"))
    figure.update_layout(title=t("gradient_lab.ratio_title"), height=280,
                         yaxis={"type": "log", "exponentformat": "power"},
                         xaxis_title=t("gradient_lab.axis_step"), margin={"l": 10, "r": 10, "t": 40, "b": 10},
                         legend=LEGEND_BELOW)
    return figure


def step_curves_figure(runs: dict[str, GradientRun]) -> go.Figure:
    """Training loss (left, log) and batch accuracy (right) per step for one or more labelled runs."""
    figure = go.Figure()
    for label, run in runs.items():
        steps = np.arange(1, run.steps + 1)
        loss = np.where(np.isfinite(run.step_loss), run.step_loss, np.nan)
        figure.add_trace(go.Scatter(x=steps, y=loss, name=f"{label} · {t('gradient_lab.loss')}",
                                    mode=_mode(run.steps)))
        figure.add_trace(go.Scatter(x=steps, y=run.step_accuracy, name=f"{label} · {t('gradient_lab.accuracy')}",
                                    mode=_mode(run.steps), yaxis="y2", line={"dash": "dot"}))
        if run.nonfinite:
            figure.add_vline(x=run.nonfinite["step"], line={"color": NONFINITE_COLOR, "dash": "dash"})
    figure.update_layout(
        title=t("gradient_lab.curves_title"), height=300, margin={"l": 10, "r": 10, "t": 40, "b": 10},
        xaxis_title=t("gradient_lab.axis_step"), yaxis={"title": t("gradient_lab.loss"), "type": "log", "exponentformat": "power"},
        yaxis2={"title": t("gradient_lab.accuracy"), "overlaying": "y", "side": "right", "range": [0, 1], "dtick": 0.2,
                "showgrid": False},
        legend=LEGEND_BELOW,
    )
    return figure


def distribution_figure(snapshot: dict, kind: str) -> go.Figure:
    """Box per layer from stored quantiles (whiskers at the 5th and 95th percentile).

    ``kind`` is "activations" or "weights". The hover text adds the saturated or dead share.
    """
    figure = go.Figure()
    for name, stats in snapshot[kind].items():
        low, p5, p25, p50, p75, p95, high = stats["quantiles"]
        if not all(math.isfinite(value) for value in (p5, p25, p50, p75, p95)):
            continue
        extra = []
        if "saturated_fraction" in stats:
            extra.append(t("gradient_lab.saturated_share", share=stats["saturated_fraction"]))
        if "dead_fraction" in stats:
            extra.append(t("gradient_lab.dead_share", share=stats["dead_fraction"]))
        figure.add_trace(go.Box(
            name=name, q1=[p25], median=[p50], q3=[p75], lowerfence=[p5], upperfence=[p95], x=[name],
            showlegend=False, hovertext=" · ".join(extra) or None, marker_color="#4c78a8",
        ))
    title_key = "dist_activations_title" if kind == "activations" else "dist_weights_title"
    figure.update_layout(title=t(f"gradient_lab.{title_key}", step=snapshot["step"]), height=320,
                         margin={"l": 10, "r": 10, "t": 40, "b": 10})
    return figure


def histogram_figure(stats: dict, title: str) -> go.Figure:
    """One layer's stored histogram as bars."""
    edges = np.asarray(stats.get("edges", []))
    figure = go.Figure()
    if edges.size:
        centers = (edges[:-1] + edges[1:]) / 2
        figure.add_trace(go.Bar(x=centers, y=stats["counts"], width=np.diff(edges), marker_color="#4c78a8"))
    figure.update_layout(title=title, height=260, margin={"l": 10, "r": 10, "t": 40, "b": 10}, bargap=0)
    return figure
