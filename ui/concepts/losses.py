"""Concepts tab 3: loss functions against the prediction, and how a confident mistake is charged."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from dl.lessons import losses
from ui.concepts.common import colour, explain, labels, tidy, try_this
from ui.i18n import t
from ui.tabs import KEEP

FAMILIES = ["regression", "probability", "margin"]


def render() -> None:
    explain("losses")
    family = st.radio(t("lessons.losses_family"), FAMILIES, horizontal=True,
                      format_func=labels("losses_family_"), key="lessons_losses_family", persist_state=KEEP)
    if family == "regression":
        target_column, delta_column = st.columns(2)
        target = target_column.slider(t("lessons.losses_target"), -3.0, 3.0, 0.0, 0.5, key="lessons_losses_target", persist_state=KEEP)
        delta = delta_column.slider(t("lessons.losses_delta"), 0.25, 3.0, 1.0, 0.25, key="lessons_losses_delta", persist_state=KEEP)
        curves, x_name = losses.regression_curves(target, delta), "prediction"
        st.caption(t("lessons.losses_regression_caption"))
    elif family == "probability":
        target = st.slider(t("lessons.losses_target_probability"), 0.0, 1.0, 1.0, 0.1, key="lessons_losses_soft_target", persist_state=KEEP)
        curves, x_name = losses.probability_curves(target), "probability"
        st.caption(t("lessons.losses_probability_caption"))
    else:
        sign = st.radio(t("lessons.losses_target_sign"), [1.0, -1.0], horizontal=True, format_func=lambda s: f"{s:+.0f}",
                        key="lessons_losses_sign", persist_state=KEEP)
        curves, x_name = losses.hinge_curve(sign), "score"
        st.caption(t("lessons.losses_margin_caption"))
    st.plotly_chart(_curves_figure(curves, x_name), key="lessons_losses_curves")

    st.markdown(f"#### {t('lessons.losses_mistake_title')}")
    probability = st.select_slider(t("lessons.losses_mistake_probability"),
                                   [0.99, 0.9, 0.7, 0.5, 0.3, 0.1, 0.01, 0.001, 0.0001], value=0.01,
                                   key="lessons_losses_mistake", persist_state=KEEP)
    table = losses.confident_mistake_table([0.99, 0.9, 0.7, 0.5, 0.3, 0.1, 0.01, 0.001, 0.0001])
    chosen = table[table["probability_of_true_class"] == probability].iloc[0]
    columns = st.columns(3)
    for column, name in zip(columns, ["cross_entropy", "mse_on_probability", "hinge"], strict=True):
        column.metric(t(f"lessons.loss_{name}"), f"{chosen[name]:.3f}")
    st.plotly_chart(_mistake_figure(table, probability), key="lessons_losses_mistake_chart")
    try_this("losses")


def _curves_figure(curves, x_name: str) -> go.Figure:
    figure = make_subplots(rows=1, cols=2, subplot_titles=(t("lessons.losses_value"), t("lessons.losses_gradient")))
    for index, name in enumerate(curves["loss"].unique()):
        rows = curves[curves["loss"] == name]
        style = {"color": colour(index)}
        figure.add_trace(go.Scatter(x=rows[x_name], y=rows["value"], name=t(f"lessons.loss_{name}"), line=style,
                                    legendgroup=name), 1, 1)
        figure.add_trace(go.Scatter(x=rows[x_name], y=rows["gradient"], name=t(f"lessons.loss_{name}"), line=style,
                                    legendgroup=name, showlegend=False), 1, 2)
    figure.update_xaxes(title_text=t(f"lessons.losses_axis_{x_name}"))
    if x_name == "probability":  # cross-entropy's slope near 0 is huge; keep the interesting part in view
        figure.update_yaxes(range=[0, 6], row=1, col=1)
        figure.update_yaxes(range=[-20, 20], row=1, col=2)
    return tidy(figure)


def _mistake_figure(table, probability: float) -> go.Figure:
    figure = go.Figure()
    labels = [f"{p:g}" for p in table["probability_of_true_class"]]
    for index, name in enumerate(["cross_entropy", "mse_on_probability", "hinge"]):
        figure.add_trace(go.Bar(x=labels, y=table[name], name=t(f"lessons.loss_{name}"), marker_color=colour(index)))
    figure.add_vline(x=labels.index(f"{probability:g}"), line_dash="dot")
    figure.update_xaxes(title_text=t("lessons.losses_axis_true_class"), type="category")
    figure.update_yaxes(title_text=t("lessons.losses_value"))
    return tidy(figure, height=300, barmode="group")
