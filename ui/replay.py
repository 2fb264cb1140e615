"""A Play button and an epoch (or step) slider on a plotly figure: a recorded run replayed in the browser.

The frames travel with the figure, so playing, pausing and dragging the slider happen in plotly.js
without a rerun and without any training. ``pick_frames`` keeps the number of frames (and so the
figure's size) bounded however long the run was.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from ui.i18n import t
from ui.plots import LEGEND_BELOW

PALETTE = ["#f59322", "#0877bd", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]  # one colour a layer
MOST_FRAMES = 30  # frames a replay carries at most: a 200-epoch run stays a ~1 MB figure
FRAME_MILLISECONDS = 250  # per frame while playing: 30 frames in about 8 seconds


def pick_frames(count: int, most: int = MOST_FRAMES) -> list[int]:
    """Indices of at most ``most`` of ``count`` recorded moments, evenly spread, first and last included."""
    if count <= most:
        return list(range(count))
    return sorted({int(index) for index in np.linspace(0, count - 1, most).round()})


def add_player(figure: go.Figure, frames: Sequence[go.Frame], label: str, milliseconds: int = FRAME_MILLISECONDS) -> go.Figure:
    """Attach ``frames`` (each with a ``name`` shown on the slider) and the Play / Pause buttons and slider.

    ``label`` prefixes the slider's current value ("Epoch: 12"). The figure keeps its own drawing as the
    starting picture; Play always runs from the first frame (after a run to the end there is no "current" frame left to
    continue from)."""
    figure.frames = list(frames)
    playing = {"frame": {"duration": milliseconds, "redraw": True}, "transition": {"duration": 0}, "fromcurrent": False}
    still = {"frame": {"duration": 0, "redraw": True}, "transition": {"duration": 0}, "mode": "immediate"}
    figure.update_layout(
        updatemenus=[{
            "type": "buttons", "direction": "left", "x": 0, "y": -0.2, "xanchor": "left", "yanchor": "top",
            "pad": {"t": 0, "r": 10}, "showactive": False,
            "buttons": [{"label": "▶ " + t("replay.play"), "method": "animate", "args": [None, playing]},
                        {"label": "⏸ " + t("replay.pause"), "method": "animate", "args": [[None], still]}],
        }],
        sliders=[{
            "active": len(frames) - 1, "x": 0.3, "len": 0.7, "y": -0.17, "yanchor": "top", "pad": {"t": 0},
            "currentvalue": {"prefix": f"{label}: ", "font": {"size": 13}, "xanchor": "right"},
            "steps": [{"label": frame.name, "method": "animate", "args": [[frame.name], still]} for frame in frames],
        }],
    )
    figure.update_layout(margin={"b": max(figure.layout.margin.b or 0, 140)})  # room under the axis for the player
    return figure


def weights_figure(epochs: Sequence[int], layers: Sequence[tuple[str, Sequence[float], Sequence[float]]]) -> go.Figure:
    """Each layer's weight spread (solid) and mean size (dotted) over the recorded epochs; ``layers`` holds
    (name, spreads, mean sizes), one value per epoch."""
    figure = go.Figure()
    for index, (name, spreads, sizes) in enumerate(layers):
        colour = PALETTE[index % len(PALETTE)]
        figure.add_trace(go.Scatter(x=list(epochs), y=list(spreads), mode="lines", name=t("replay.spread", layer=name),
                                    line={"color": colour}))
        figure.add_trace(go.Scatter(x=list(epochs), y=list(sizes), mode="lines", name=t("replay.mean_size", layer=name),
                                    line={"color": colour, "dash": "dot"}))
    figure.update_layout(height=300, margin={"l": 10, "r": 10, "t": 10, "b": 10}, legend=LEGEND_BELOW,
                         xaxis={"title": t("replay.epoch")}, yaxis={"title": t("replay.weights_axis")})
    return figure
