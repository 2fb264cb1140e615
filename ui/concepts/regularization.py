"""Concepts tab 6: regularization (L1/L2/elastic-net paths, under- vs over-fitting, dropout and early stopping)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from dl.lessons import regularization
from ui.i18n import t
from ui.plots import LEGEND_BELOW
from ui.tabs import KEEP

ALPHAS = [0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0]
WEIGHT_DECAYS = [0.0, 0.0001, 0.0003, 0.001, 0.003, 0.01]
TRAIN_COLOUR, VALIDATION_COLOUR = "#0877bd", "#f59322"


def render() -> None:
    """Draw the three regularization experiments, each with its controls and a hint."""
    st.markdown(t("concepts.regularization_intro"))
    _weight_paths_section()
    st.divider()
    _capacity_section()
    st.divider()
    _dropout_section()


# ----------------------------------------------------------------------------------------- L1 / L2 paths
@st.cache_data(show_spinner=False, max_entries=16)
def _weight_paths(penalty: str, l1_ratio: float):
    return regularization.weight_paths(penalty, l1_ratio)


def _weight_paths_section() -> None:
    st.subheader(t("concepts.regularization_paths_header"))
    st.markdown(t("concepts.regularization_paths_text"))
    controls, chart = st.columns([1, 2.6], gap="medium")
    with controls:
        penalty = st.radio(t("concepts.regularization_penalty"), regularization.PENALTIES, key="regularization_penalty", persist_state=KEEP,
                           format_func={name: t(f"concepts.regularization_penalty_{name}") for name in regularization.PENALTIES}.get)
        l1_ratio = st.slider(t("concepts.regularization_l1_ratio"), 0.1, 0.9, 0.5, step=0.1,
                             key="regularization_l1_ratio", persist_state=KEEP, disabled=penalty != "elasticnet")
        alpha = st.select_slider(t("concepts.regularization_alpha"), ALPHAS, value=0.03, key="regularization_alpha", persist_state=KEEP)
    paths = _weight_paths(penalty, l1_ratio if penalty == "elasticnet" else 0.5)
    strengths = np.sort(paths["alpha"].unique())
    nearest = strengths[np.argmin(np.abs(np.log(strengths) - np.log(alpha)))]
    at_alpha = paths[paths["alpha"] == nearest]
    zeros = int((at_alpha["weight"] == 0).sum())
    with controls:
        st.metric(t("concepts.regularization_zero_weights"), f"{zeros} / {len(at_alpha)}")
    figure = go.Figure()
    for feature, rows in paths.groupby("feature", sort=False):
        figure.add_trace(go.Scatter(x=rows["alpha"], y=rows["weight"], mode="lines", name=feature))
    figure.add_vline(x=nearest, line={"dash": "dash", "color": "#555"})
    figure.update_layout(height=380, margin={"l": 10, "r": 10, "t": 10, "b": 10},
                         xaxis={"type": "log", "title": t("concepts.regularization_alpha")},
                         yaxis={"title": t("concepts.regularization_weight")}, legend={"title": t("concepts.regularization_feature")})
    chart.plotly_chart(figure, key="regularization_paths_chart", width="stretch")
    st.info(t("concepts.regularization_paths_try"), icon="💡")


# ----------------------------------------------------------------------------------------- capacity
@st.cache_data(show_spinner=False, max_entries=32)
def _capacity(data: regularization.NoisySineConfig):
    return regularization.capacity_sweep(data), regularization.noisy_sine(data)


def _capacity_section() -> None:
    st.subheader(t("concepts.regularization_capacity_header"))
    st.markdown(t("concepts.regularization_capacity_text"))
    controls, fit_chart, error_chart = st.columns([1, 1.3, 1.3], gap="medium")
    with controls:
        degree = st.slider(t("concepts.regularization_degree"), 0, 15, 3, key="regularization_degree", persist_state=KEEP)
        noise = st.slider(t("concepts.regularization_noise"), 0.0, 0.6, 0.25, step=0.05, key="regularization_noise", persist_state=KEEP)
        num_train = st.slider(t("concepts.regularization_points"), 8, 60, 20, step=2, key="regularization_points", persist_state=KEEP)
    data = regularization.NoisySineConfig(num_train=num_train, noise=noise)
    sweep, (x_train, y_train, x_validation, y_validation) = _capacity(data)
    degree = min(degree, num_train - 1)
    polynomial = regularization.fit_polynomial(degree, x_train, y_train)
    grid = np.linspace(0, 1, 300)
    figure = _points_figure(x_train, y_train, x_validation, y_validation)
    figure.add_trace(go.Scatter(x=grid, y=np.clip(polynomial(grid), -3, 3), mode="lines", line={"width": 3, "color": "#d62728"},
                                name=t("concepts.regularization_fit", degree=degree)))
    fit_chart.plotly_chart(figure, key="regularization_fit_chart", width="stretch")
    errors = go.Figure()
    errors.add_trace(go.Scatter(x=sweep["degree"], y=sweep["train_mse"], mode="lines+markers",
                                name=t("concepts.regularization_train"), line={"color": TRAIN_COLOUR}))
    errors.add_trace(go.Scatter(x=sweep["degree"], y=sweep["validation_mse"], mode="lines+markers",
                                name=t("concepts.regularization_validation"), line={"color": VALIDATION_COLOUR}))
    errors.add_vline(x=degree, line={"dash": "dash", "color": "#555"})
    errors.update_layout(height=340, margin={"l": 10, "r": 10, "t": 10, "b": 10}, legend=LEGEND_BELOW,
                         xaxis={"title": t("concepts.regularization_degree")},
                         yaxis={"type": "log", "title": t("concepts.regularization_mse")})
    error_chart.plotly_chart(errors, key="regularization_error_chart", width="stretch")
    best = int(sweep.loc[sweep["validation_mse"].idxmin(), "degree"])
    with controls:
        st.metric(t("concepts.regularization_best_degree"), best)
    st.info(t("concepts.regularization_capacity_try"), icon="💡")


# ----------------------------------------------------------------------------------------- dropout, early stopping
@st.cache_data(show_spinner=False, max_entries=32)
def _train(config: regularization.RegularizedMLPConfig) -> regularization.RegularizedMLPResult:
    return regularization.train_regularized_mlp(config, regularization.NoisySineConfig())


def _dropout_section() -> None:
    st.subheader(t("concepts.regularization_dropout_header"))
    st.markdown(t("concepts.regularization_dropout_text"))
    controls, curve_chart, fit_chart = st.columns([1, 1.3, 1.3], gap="medium")
    with controls:
        dropout = st.slider(t("concepts.regularization_dropout"), 0.0, 0.6, 0.0, step=0.1, key="regularization_dropout", persist_state=KEEP)
        weight_decay = st.select_slider(t("concepts.regularization_weight_decay"), WEIGHT_DECAYS, value=0.0,
                                        key="regularization_weight_decay", persist_state=KEEP)
        patience = st.slider(t("concepts.regularization_patience"), 50, 500, 200, step=50, key="regularization_patience", persist_state=KEEP)
    result = _train(regularization.RegularizedMLPConfig(dropout=dropout, weight_decay=weight_decay, patience=patience))
    curves = result.curves
    figure = go.Figure()
    figure.add_trace(go.Scatter(x=curves["step"], y=curves["train_loss"], mode="lines", name=t("concepts.regularization_train"),
                                line={"color": TRAIN_COLOUR}))
    figure.add_trace(go.Scatter(x=curves["step"], y=curves["validation_loss"], mode="lines",
                                name=t("concepts.regularization_validation"), line={"color": VALIDATION_COLOUR}))
    figure.add_vline(x=result.best_step, line={"dash": "dot", "color": "#2ca02c"},
                     annotation_text=t("concepts.regularization_best_step"), annotation_position="top left")
    figure.add_vline(x=result.stop_step, line={"dash": "dash", "color": "#555"},
                     annotation_text=t("concepts.regularization_stop_step"), annotation_position="top right")
    figure.update_layout(height=340, margin={"l": 10, "r": 10, "t": 30, "b": 10}, legend=LEGEND_BELOW,
                         xaxis={"title": t("concepts.regularization_step")},
                         yaxis={"type": "log", "title": t("concepts.regularization_mse")})
    curve_chart.plotly_chart(figure, key="regularization_curve_chart", width="stretch")
    x_train, y_train, x_validation, y_validation = regularization.noisy_sine(regularization.NoisySineConfig())
    fits = _points_figure(x_train, y_train, x_validation, y_validation)
    fits.add_trace(go.Scatter(x=result.grid, y=result.fit_at_end, mode="lines", line={"width": 3, "color": "#d62728"},
                              name=t("concepts.regularization_fit_end")))
    fits.add_trace(go.Scatter(x=result.grid, y=result.fit_at_best, mode="lines", line={"width": 3, "color": "#2ca02c"},
                              name=t("concepts.regularization_fit_best", step=result.best_step)))
    fit_chart.plotly_chart(fits, key="regularization_dropout_fit_chart", width="stretch")
    with controls:
        st.metric(t("concepts.regularization_final_validation"), f"{curves['validation_loss'].iloc[-1]:.3f}",
                  delta=f"{curves['validation_loss'].iloc[-1] - curves['validation_loss'].min():+.3f}",
                  delta_color="inverse", help=t("concepts.regularization_final_validation_help"))
    st.info(t("concepts.regularization_dropout_try"), icon="💡")


def _points_figure(x_train, y_train, x_validation, y_validation) -> go.Figure:
    grid = np.linspace(0, 1, 300)
    figure = go.Figure()
    figure.add_trace(go.Scatter(x=grid, y=np.sin(2 * np.pi * grid), mode="lines", name="sin(2πx)",
                                line={"dash": "dot", "color": "#888"}))
    figure.add_trace(go.Scatter(x=x_validation, y=y_validation, mode="markers", name=t("concepts.regularization_validation"),
                                marker={"color": VALIDATION_COLOUR, "size": 5, "opacity": 0.5}))
    figure.add_trace(go.Scatter(x=x_train, y=y_train, mode="markers", name=t("concepts.regularization_train"),
                                marker={"color": TRAIN_COLOUR, "size": 9}))
    figure.update_layout(height=340, margin={"l": 10, "r": 10, "t": 10, "b": 10}, legend=LEGEND_BELOW,
                         xaxis={"title": "x"}, yaxis={"title": "y", "range": [-2.2, 2.2]})
    return figure
