"""Pieces shared by the Concepts lessons 2-5, 7 and 8 (explanation, "try this" hint, figure style)."""

from __future__ import annotations

from collections.abc import Callable

import plotly.graph_objects as go
import streamlit as st

from ui.i18n import DEFAULT_LANGUAGE, current_language, load_strings, t

# one colour per curve name, the same in every lesson so "relu" or "adam" always looks alike
PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#17becf"]


def explain(section: str) -> None:
    """The lesson's short explanation: ``lessons.<section>_intro``."""
    st.markdown(t(f"lessons.{section}_intro"))


def try_this(section: str) -> None:
    """The lesson's hint: ``lessons.<section>_try``."""
    st.info(t(f"lessons.{section}_try"), icon="💡")


def labels(prefix: str) -> Callable[[object], str]:
    """A ``format_func`` for options named ``lessons.<prefix><option>``.

    The language is fixed when the widget is drawn: Streamlit (and AppTest) may call the function
    later, outside the script run, where ``t()`` could no longer see the session's language.
    """
    strings, fallback = load_strings(current_language()), load_strings(DEFAULT_LANGUAGE)

    def label(option: object) -> str:
        key = f"lessons.{prefix}{option}"
        return strings.get(key) or fallback.get(key) or key

    return label


def tidy(figure: go.Figure, height: int = 360, **layout) -> go.Figure:
    """Compact margins and a legend above the plot, the look of every lesson figure."""
    has_subplot_titles = bool(figure.layout.annotations)  # leave room so the legend clears the titles
    figure.update_layout(
        height=height, margin={"l": 10, "r": 10, "t": 70 if has_subplot_titles else 40, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.1 if has_subplot_titles else 1.02, "x": 0}, **layout,
    )
    return figure


def colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]
