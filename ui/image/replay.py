"""Image page, Results tab: the recorded training replayed epoch by epoch (``dl.replay``): the first
convolution's kernels as one tiled picture with a Play button, and every layer's weights over time."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from dl.image.dataset import TrainedImageClassifier
from ui.i18n import t
from ui.replay import add_player, pick_frames, weights_figure

KERNELS_PER_ROW = 8  # 32 kernels: four rows of eight


def render_replay(trained: TrainedImageClassifier) -> None:
    st.subheader(t("replay.image_title"))
    epochs = trained.replay
    if len(epochs) < 2 or epochs[0].get("first_kernels") is None:
        st.caption(t("replay.image_none"))
        return
    st.caption(t("replay.image_intro", filters=len(epochs[0]["first_kernels"])))
    kernels_column, weights_column = st.columns([1, 1])
    kernels_column.plotly_chart(kernels_figure(epochs), key="image_replay_kernels")
    weights_column.plotly_chart(weights_figure([row["epoch"] for row in epochs], [
        (layer["layer"], [row["layers"][index]["spread"] for row in epochs], [row["layers"][index]["mean_size"] for row in epochs])
        for index, layer in enumerate(epochs[0]["layers"])]), key="image_replay_weights")


def tile(kernels: np.ndarray) -> np.ndarray:
    """(filters, height, width) kernels as one picture, ``KERNELS_PER_ROW`` a row, one empty (NaN) pixel between."""
    filters, height, width = kernels.shape
    rows = math.ceil(filters / KERNELS_PER_ROW)
    picture = np.full((rows * (height + 1) - 1, KERNELS_PER_ROW * (width + 1) - 1), np.nan)
    for index, kernel in enumerate(kernels):
        row, column = divmod(index, KERNELS_PER_ROW)
        picture[row * (height + 1):row * (height + 1) + height, column * (width + 1):column * (width + 1) + width] = kernel
    return picture


def kernels_figure(epochs: list[dict]) -> go.Figure:
    """The last epoch's kernels, with a frame for each of (at most 30 of) the recorded epochs; one colour
    scale for all epochs, centred on zero, so a kernel that grows is seen growing."""
    pictures = [tile(np.asarray(row["first_kernels"], dtype=np.float64)) for row in epochs]
    largest = max(float(np.nanmax(np.abs(picture))) for picture in pictures) or 1.0

    def title(row: dict) -> str:
        accuracy = row["metrics"].get("val_accuracy", row["metrics"].get("accuracy"))
        shown = t("replay.image_frame_title", epoch=row["epoch"])
        return shown + (" · " + t("replay.image_frame_accuracy", accuracy=accuracy * 100) if accuracy is not None else "")

    figure = go.Figure(go.Heatmap(z=pictures[-1].round(4), colorscale="RdBu", reversescale=True, zmin=-largest, zmax=largest,
                                  showscale=False, hoverinfo="skip"))
    figure.update_layout(title={"text": title(epochs[-1]), "x": 0.01, "font": {"size": 14}}, height=330,
                         margin={"l": 10, "r": 10, "t": 40}, plot_bgcolor="white",
                         xaxis={"visible": False}, yaxis={"visible": False, "autorange": "reversed", "scaleanchor": "x"})
    frames = [go.Frame(data=[go.Heatmap(z=pictures[index].round(4))], traces=[0], name=str(epochs[index]["epoch"]),
                       layout={"title": {"text": title(epochs[index])}}) for index in pick_frames(len(epochs))]
    return add_player(figure, frames, t("replay.epoch"))
