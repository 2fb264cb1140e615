"""Plotly figures shared by several pages."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go


def history_figure(history: Sequence[dict[str, float]], title: str = "", height: int = 300) -> go.Figure:
    """Loss and metric curves per epoch: losses on the left axis, other metrics on the right.

    ``history`` is a list of rows like ``{"epoch": 1, "loss": 0.5, "val_loss": 0.6, "accuracy": 0.8}``.
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
                name=name,
                mode="lines+markers",
                yaxis="y" if is_loss else "y2",
                line={"dash": "dot" if name.startswith("val_") else "solid"},
            )
        )
    figure.update_layout(
        title=title,
        height=height,
        margin={"l": 10, "r": 10, "t": 40 if title else 10, "b": 10},
        xaxis={"title": "epoch", "dtick": 1 if len(epochs) <= 20 else None},
        yaxis={"title": "loss"},
        yaxis2={"title": "metric", "overlaying": "y", "side": "right", "showgrid": False},
        legend={"orientation": "h", "y": -0.25},
    )
    return figure
