"""Concepts tab 4: the real Keras optimizers racing over 2-D loss surfaces, with a step slider."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dl.lessons import optimizer_race
from ui.concepts.common import colour, explain, labels, tidy, try_this
from ui.i18n import t
from ui.links import BIND, check_link, keep_choice, link_box, seed_choice
from ui.replay import add_player, pick_frames
from ui.tabs import KEEP

SGD_RATES = [0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2]
ADAPTIVE_RATES = [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5]


@st.cache_data(max_entries=64, show_spinner=False)
def _race(surface: str, steps: int, sgd_rate: float, adaptive_rate: float, momentum: float,
          optimizers: tuple[str, ...]) -> pd.DataFrame:
    config = optimizer_race.RaceConfig(surface=surface, steps=steps, sgd_learning_rate=sgd_rate,
                                       adaptive_learning_rate=adaptive_rate, momentum=momentum, optimizers=optimizers)
    return optimizer_race.run_race(config)


@st.cache_data(max_entries=8, show_spinner=False)
def _grid(surface: str):
    return optimizer_race.surface_grid(surface)


LINKED = ("lessons_opt_surface", "lessons_opt_pick", "lessons_opt_momentum", "lessons_opt_steps", "lessons_opt_show_step",
          *(f"lessons_opt_{kind}_rate_{name}" for kind in ("sgd", "adaptive") for name in optimizer_race.SURFACES))  # in the address


def render() -> None:
    explain("optimizers")
    link = check_link(LINKED, ("lessons_opt_",))
    controls, chart = st.columns([1, 2.4], gap="medium")
    with controls:
        surfaces = list(optimizer_race.SURFACES)
        seed_choice("lessons_opt_surface", surfaces)
        surface_name = st.selectbox(t("lessons.optimizers_surface"), surfaces, format_func=labels("surface_"),
                                    key="lessons_opt_surface", persist_state=KEEP)
        keep_choice("lessons_opt_surface", surface_name, surfaces[0])
        surface = optimizer_race.SURFACES[surface_name]
        seed_choice("lessons_opt_pick", optimizer_race.OPTIMIZERS, many=True)
        chosen = st.multiselect(t("lessons.optimizers_pick"), optimizer_race.OPTIMIZERS,
                                default=optimizer_race.OPTIMIZERS, format_func=labels("optimizer_"), key="lessons_opt_pick", persist_state=KEEP)
        keep_choice("lessons_opt_pick", chosen, optimizer_race.OPTIMIZERS)
        chosen = tuple(name for name in optimizer_race.OPTIMIZERS if name in chosen) or ("sgd",)
        # each surface opens on learning rates that make a fair race there
        sgd_rate = st.select_slider(t("lessons.optimizers_sgd_rate"), SGD_RATES, value=surface.sgd_learning_rate,
                                    key=f"lessons_opt_sgd_rate_{surface_name}", persist_state=KEEP, bind=BIND, help=t("lessons.optimizers_sgd_rate_help"))
        adaptive_rate = st.select_slider(t("lessons.optimizers_adaptive_rate"), ADAPTIVE_RATES,
                                         value=surface.adaptive_learning_rate,
                                         key=f"lessons_opt_adaptive_rate_{surface_name}", persist_state=KEEP, bind=BIND,
                                         help=t("lessons.optimizers_adaptive_rate_help"))
        momentum = st.slider(t("lessons.optimizers_momentum"), 0.0, 0.99, 0.9, 0.01, key="lessons_opt_momentum", persist_state=KEEP, bind=BIND,
                             help=t("lessons.optimizers_momentum_help"))
        steps = st.slider(t("lessons.optimizers_steps"), 50, 1000, 300, 50, key="lessons_opt_steps", persist_state=KEEP, bind=BIND)
    with st.spinner(t("lessons.optimizers_running")):
        race = _race(surface_name, steps, sgd_rate, adaptive_rate, momentum, chosen)
    with chart:
        shown_step = st.slider(t("lessons.optimizers_show_step"), 0, steps, steps, key="lessons_opt_show_step", persist_state=KEEP, bind=BIND)
        st.plotly_chart(_race_figure(surface_name, race, shown_step), key="lessons_opt_race")
    summary = optimizer_race.race_summary(race[race["step"] <= shown_step])
    loss_column, table_column = st.columns([1.4, 1])
    loss_column.plotly_chart(_loss_figure(race, shown_step), key="lessons_opt_losses")
    table_column.dataframe(_summary_table(summary), hide_index=True, key="lessons_opt_summary")
    try_this("optimizers")
    link_box(link)


def _name(name: str) -> str:
    return t(f"lessons.optimizer_{name}")


def _race_figure(surface_name: str, race: pd.DataFrame, shown_step: int) -> go.Figure:
    surface = optimizer_race.SURFACES[surface_name]
    xs, ys, values = _grid(surface_name)
    # log of the height above the lowest point: the valleys of Rosenbrock and Beale stay visible
    shaded = np.log10(values - values.min() + 1e-3)
    figure = go.Figure(go.Contour(x=xs, y=ys, z=shaded, colorscale="Greys", reversescale=True, showscale=False,
                                  contours={"coloring": "heatmap"}, ncontours=30, hoverinfo="skip", opacity=0.6))
    for index, name in enumerate(race["optimizer"].unique()):
        path = race[(race["optimizer"] == name) & (race["step"] <= shown_step)]
        label = _name(name) + (" 💥" if path["diverged"].any() else "")
        figure.add_trace(go.Scatter(x=path["x"], y=path["y"], mode="lines", name=label, legendgroup=name,
                                    line={"color": colour(index), "width": 2}))
        figure.add_trace(go.Scatter(x=path["x"].tail(1), y=path["y"].tail(1), mode="markers", legendgroup=name,
                                    showlegend=False, marker={"color": colour(index), "size": 10,
                                                              "line": {"color": "white", "width": 1}}))
    figure.add_trace(go.Scatter(x=[surface.start[0]], y=[surface.start[1]], mode="markers", name=t("lessons.optimizers_start"),
                                marker={"symbol": "circle-open", "size": 14, "color": "black"}))
    figure.add_trace(go.Scatter(x=[surface.minimum[0]], y=[surface.minimum[1]], mode="markers",
                                name=t("lessons.optimizers_minimum"), marker={"symbol": "star", "size": 14, "color": "gold",
                                                                              "line": {"color": "black", "width": 1}}))
    figure.update_xaxes(range=list(surface.x_range), title_text="x")
    figure.update_yaxes(range=list(surface.y_range), title_text="y")
    return add_player(tidy(figure, height=540), _race_frames(race, shown_step), t("lessons.optimizers_step_axis"),
                      milliseconds=120)


def _race_frames(race: pd.DataFrame, shown_step: int) -> list[go.Frame]:
    """Play: the paths drawn step by step up to ``shown_step`` (at most 30 frames; each redraws every path
    and its head, traces 1 to 2 x optimizers of ``_race_figure``)."""
    names = list(race["optimizer"].unique())
    frames = []
    for step in pick_frames(shown_step + 1):
        traces = []
        for name in names:
            path = race[(race["optimizer"] == name) & (race["step"] <= step)]
            traces += [go.Scatter(x=path["x"].round(4), y=path["y"].round(4)),
                       go.Scatter(x=path["x"].tail(1), y=path["y"].tail(1))]
        frames.append(go.Frame(data=traces, traces=list(range(1, 1 + 2 * len(names))), name=str(step)))
    return frames


def _loss_figure(race: pd.DataFrame, shown_step: int) -> go.Figure:
    figure = go.Figure()
    lowest = race["loss"].min()
    offset = -lowest + 1e-6 if lowest <= 0 else 0.0  # the saddle goes below zero; keep a log axis possible
    for index, name in enumerate(race["optimizer"].unique()):
        path = race[(race["optimizer"] == name) & (race["step"] <= shown_step)]
        figure.add_trace(go.Scatter(x=path["step"], y=path["loss"] + offset, name=_name(name), line={"color": colour(index)}))
    title = t("lessons.optimizers_loss_axis") + (f" (+{offset:.3g})" if offset else "")
    figure.update_yaxes(type="log", title_text=title, exponentformat="power")
    figure.update_xaxes(title_text=t("lessons.optimizers_step_axis"))
    return tidy(figure, height=300, showlegend=False)


def _summary_table(summary: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        t("lessons.optimizers_column_optimizer"): [_name(name) for name in summary["optimizer"]],
        t("lessons.optimizers_column_final"): summary["final_loss"].map(lambda value: f"{value:.4g}"),
        t("lessons.optimizers_column_best"): summary["best_loss"].map(lambda value: f"{value:.4g}"),
        t("lessons.optimizers_column_diverged"): summary["diverged"].map(lambda flag: "💥" if flag else ""),
    })
