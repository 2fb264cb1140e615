"""Plotly figures shared by several pages."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from ui.i18n import t

KNOWN_METRICS = ("loss", "accuracy", "macro_f1", "rmse", "mae")  # names with a string in common.json
SHARE_METRICS = ("accuracy", "macro_f1")  # 0-1 scores: the metric axis shows them as percentages
# A legend under the chart, anchored to the bottom of the figure rather than a fraction of the plot's
# height: at -0.3 of a short plot with many entries it ran into the x-axis title.
LEGEND_BELOW = {"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom", "x": 0}


def metric_label(name: str) -> str:
    """``'val_accuracy'`` -> ``'validation accuracy'`` (``'验证准确率'``); an unknown name stays as it is."""
    base = name.removeprefix("val_")
    label = t(f"common.metric_{base}") if base in KNOWN_METRICS else base
    return t("common.validation_metric", metric=label) if name.startswith("val_") else label


def history_figure(history: Sequence[dict[str, float]], title: str = "", height: int = 300) -> go.Figure:
    """Loss and metric curves per epoch: losses on the left axis, other metrics on the right.

    ``history`` is a list of rows like ``{"epoch": 1, "loss": 0.5, "val_loss": 0.6, "accuracy": 0.8}``.
    Names, legends and axes are in the page's language; the metric axis shows shares as percentages
    (0.7694 would read as noise) and other metrics with at most three decimals.
    """
    figure = go.Figure()
    names = sorted({name for row in history for name in row if name != "epoch"})
    epochs = [row.get("epoch") for row in history]
    for name in names:
        is_loss = "loss" in name
        figure.add_trace(
            go.Scatter(
                x=epochs,
                y=[row.get(name) for row in history],
                name=metric_label(name),
                mode="lines+markers",
                yaxis="y" if is_loss else "y2",
                line={"dash": "dot" if name.startswith("val_") else "solid"},
            )
        )
    metrics = [name.removeprefix("val_") for name in names if "loss" not in name]
    shares = bool(metrics) and all(name in SHARE_METRICS for name in metrics)
    figure.update_layout(
        title=title,
        height=height,
        margin={"l": 10, "r": 10, "t": 40 if title else 10, "b": 10},
        xaxis={"title": t("common.axis_epoch"), "dtick": 1 if len(epochs) <= 20 else None},
        yaxis={"title": t("common.metric_loss"), "tickformat": ".3~f"},
        yaxis2={"title": t("common.axis_metric"), "overlaying": "y", "side": "right", "showgrid": False,
                "tickformat": ".0%" if shares else ".3~f"},
        legend=LEGEND_BELOW,
    )
    return figure
