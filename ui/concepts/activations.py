"""Concepts tab 2: neurons and activation functions, their slopes, softmax, and vanishing gradients."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from dl.lessons import activations
from ui.concepts.common import colour, explain, labels, tidy, try_this
from ui.i18n import t
from ui.tabs import KEEP


def render() -> None:
    explain("activations")
    names = list(activations.ACTIVATIONS)
    chosen = st.multiselect(t("lessons.activations_pick"), names, default=["sigmoid", "tanh", "relu"],
                            format_func=labels("activation_"), key="lessons_activations_pick", persist_state=KEEP)
    chosen = [name for name in names if name in chosen] or ["relu"]
    st.plotly_chart(_curves_figure(chosen), key="lessons_activations_curves")

    st.markdown(f"#### {t('lessons.activations_saturation_title')}")
    st.markdown(t("lessons.activations_saturation_intro"))
    depth_column, scale_column = st.columns(2)
    depth = depth_column.slider(t("lessons.activations_depth"), 2, 40, 15, key="lessons_activations_depth", persist_state=KEEP)
    weight_scale = scale_column.select_slider(t("lessons.activations_weight_scale"), [0.25, 0.5, 1.0, 2.0, 4.0],
                                              value=1.0, key="lessons_activations_scale", persist_state=KEEP,
                                              help=t("lessons.activations_weight_scale_help"))
    table = activations.gradient_through_layers(chosen, depth, weight_scale)
    st.plotly_chart(_gradient_figure(table, chosen), key="lessons_activations_gradients")
    first = table[table["layer"] == 1].set_index("activation")["gradient_norm"]
    last = table[table["layer"] == depth].set_index("activation")["gradient_norm"]
    columns = st.columns(len(chosen))
    for column, name in zip(columns, chosen, strict=True):
        column.metric(t("lessons.activations_ratio", name=_name(name)), f"{first[name] / last[name]:.2e}")
    st.page_link("app_pages/gradient_lab.py", label=t("lessons.activations_gradient_lab_link"), icon="🩺")

    st.markdown(f"#### {t('lessons.activations_softmax_title')}")
    st.markdown(t("lessons.activations_softmax_intro"))
    z2_column, z3_column, temperature_column = st.columns(3)
    z2 = z2_column.slider("z₂", -4.0, 4.0, 1.0, 0.5, key="lessons_softmax_z2", persist_state=KEEP)
    z3 = z3_column.slider("z₃", -4.0, 4.0, -1.0, 0.5, key="lessons_softmax_z3", persist_state=KEEP)
    temperature = temperature_column.select_slider(t("lessons.activations_temperature"), [0.25, 0.5, 1.0, 2.0, 5.0],
                                                   value=1.0, key="lessons_softmax_temperature", persist_state=KEEP)
    st.plotly_chart(_softmax_figure(activations.softmax_sweep((z2, z3), temperature)), key="lessons_softmax")
    try_this("activations")


def _name(name: str) -> str:
    return t(f"lessons.activation_{name}")


def _curves_figure(chosen: list[str]) -> go.Figure:
    curves = activations.activation_curves(chosen)
    figure = make_subplots(rows=1, cols=2, subplot_titles=(t("lessons.activations_value"), t("lessons.activations_derivative")))
    for index, name in enumerate(chosen):
        rows = curves[curves["activation"] == name]
        style = {"color": colour(index)}
        figure.add_trace(go.Scatter(x=rows["x"], y=rows["value"], name=_name(name), line=style, legendgroup=name), 1, 1)
        figure.add_trace(go.Scatter(x=rows["x"], y=rows["derivative"], name=_name(name), line=style,
                                    legendgroup=name, showlegend=False), 1, 2)
    figure.update_xaxes(title_text="z")
    return tidy(figure)


def _gradient_figure(table, chosen: list[str]) -> go.Figure:
    figure = go.Figure()
    for index, name in enumerate(chosen):
        rows = table[table["activation"] == name]
        figure.add_trace(go.Scatter(x=rows["layer"], y=rows["gradient_norm"], name=_name(name), mode="lines+markers",
                                    line={"color": colour(index)}))
    figure.update_yaxes(type="log", title_text=t("lessons.activations_gradient_axis"), exponentformat="power")
    figure.update_xaxes(title_text=t("lessons.activations_layer_axis"))
    return tidy(figure, height=320)


def _softmax_figure(sweep) -> go.Figure:
    figure = go.Figure()
    for index in sorted(sweep["class"].unique()):
        rows = sweep[sweep["class"] == index]
        figure.add_trace(go.Scatter(x=rows["logit"], y=rows["probability"], name=f"p{index + 1}",
                                    line={"color": colour(index)}))
    first = sweep[sweep["class"] == 0]
    figure.add_trace(go.Scatter(x=first["logit"], y=first["derivative"], name=t("lessons.activations_softmax_slope"),
                                line={"color": colour(0), "dash": "dot"}))
    figure.update_xaxes(title_text="z₁")
    figure.update_yaxes(range=[-0.05, 1.05])
    return tidy(figure, height=300)
