"""Text classification, Inside-the-model tab: a word's nearest neighbours in the model's embedding,
a 2-D map of the most frequent tokens coloured by the class the model gives each alone, and for the
1-D CNN the filters that fire on a typed text (dl.text.inside)."""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from dl.data.errors import DataError
from dl.text.data import TextDataset
from dl.text.inside import (
    TextEmbedding,
    TokenMap,
    filter_activations,
    frequent_token_map,
    has_filters,
    nearest_words,
    text_embedding,
)
from dl.text.train import TrainedTextClassifier
from ui.errors import show_data_error
from ui.i18n import t
from ui.loaders import load_model_once
from ui.plots import LEGEND_BELOW
from ui.tabs import KEEP
from ui.text.predict import held_out_examples
from ui.text.training import PAGE
from ui.training import page_state

WORD_KEY = "text_inside_word"
FILTER_TEXT_KEY = "text_inside_filter_text"
NEIGHBOURS = 12  # a bar chart of a dozen words reads at a glance
MAP_TOKENS = 300  # the most frequent tokens: enough to see groups, few enough for labels on hover
FILTERS_SHOWN = 16  # rows of the heat map: the filters with the largest activation in the text
CLASS_COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]


def render_inside_tab(trained: TrainedTextClassifier | None, dataset: TextDataset | None) -> None:
    if trained is None or dataset is None:
        st.info(t("text_classification.train_first"))
        return
    load_model_once(trained)
    embedding, token_map = model_views(trained)
    fill_once(trained, dataset, token_map)
    st.caption(t("inside_text.intro"))
    show_nearest_words(embedding)
    show_token_map(trained, token_map)
    show_filters(trained, embedding)


def model_views(trained: TrainedTextClassifier) -> tuple[TextEmbedding, TokenMap]:
    """The embedding and the token map of this model, computed once per model and session."""
    state = page_state(PAGE)
    kept = state.get("inside")
    if not kept or kept["path"] != str(trained.path):
        embedding = text_embedding(trained.model)
        kept = {"path": str(trained.path), "embedding": embedding,
                "map": frequent_token_map(trained.model, embedding, MAP_TOKENS)}
        state["inside"] = kept
    return kept["embedding"], kept["map"]


def fill_once(trained: TrainedTextClassifier, dataset: TextDataset, token_map: TokenMap) -> None:
    """Pre-fill the word box with the frequent token the model is surest about alone (an opinion word
    rather than "the"), and the filter box with a held-out text, once per model."""
    state = page_state(PAGE)
    if state.get("inside_filled_for") == str(trained.path) and WORD_KEY in st.session_state:
        return
    state["inside_filled_for"] = str(trained.path)
    st.session_state[WORD_KEY] = token_map.tokens[int(np.argmax(token_map.confidence))] if token_map.tokens else ""
    st.session_state[FILTER_TEXT_KEY] = next(iter(held_out_examples(trained, dataset, 1)), "")


def show_nearest_words(embedding: TextEmbedding) -> None:
    st.subheader(t("inside_text.nearest_title"))
    word = st.text_input(t("inside_text.word"), key=WORD_KEY, persist_state=KEEP, help=t("inside_text.word_help"))
    if not word.strip():
        return
    try:
        neighbours = nearest_words(embedding, word, NEIGHBOURS)
    except DataError as error:
        show_data_error(error)
        return
    figure = go.Figure(go.Bar(x=[similarity for _, similarity in neighbours][::-1], y=[token for token, _ in neighbours][::-1],
                              orientation="h", marker={"color": "#1565c0"},
                              text=[f"{similarity:.2f}" for _, similarity in neighbours][::-1], textposition="auto"))
    figure.update_layout(title=t("inside_text.nearest_chart", word=word.strip()), height=40 + 26 * len(neighbours),
                         margin={"l": 10, "r": 10, "t": 40, "b": 10},
                         xaxis={"title": t("inside_text.similarity"), "range": [min(0.0, *(s for _, s in neighbours)), 1]})
    st.plotly_chart(figure, key="text_inside_nearest")
    st.caption(t("inside_text.nearest_help"))


def show_token_map(trained: TrainedTextClassifier, token_map: TokenMap) -> None:
    st.subheader(t("inside_text.map_title", count=len(token_map.tokens)))
    figure = go.Figure()
    for label, name in enumerate(trained.class_names):
        chosen = np.flatnonzero(token_map.leaning == label)
        figure.add_trace(go.Scatter(
            x=token_map.x[chosen], y=token_map.y[chosen], mode="markers+text" if len(token_map.tokens) <= 60 else "markers",
            name=name, text=[token_map.tokens[index] for index in chosen], customdata=token_map.confidence[chosen],
            hovertemplate="%{text}<br>" + t("inside_text.map_hover", label=name) + "<extra></extra>",
            marker={"color": CLASS_COLOURS[label % len(CLASS_COLOURS)], "size": 7, "opacity": 0.75}))
    first, second = (share * 100 for share in token_map.explained)
    figure.update_layout(height=460, margin={"l": 10, "r": 10, "t": 10, "b": 10}, legend=LEGEND_BELOW,
                         xaxis={"title": t("inside_text.axis", number=1, share=first)},
                         yaxis={"title": t("inside_text.axis", number=2, share=second)})
    st.plotly_chart(figure, key="text_inside_map")
    st.caption(t("inside_text.map_help", count=len(token_map.tokens)))


def show_filters(trained: TrainedTextClassifier, embedding: TextEmbedding) -> None:
    st.subheader(t("inside_text.filters_title"))
    if not has_filters(trained.model):
        st.info(t("inside_text.filters_cnn_only", model=t(f"text_classification.model_{trained.config.model}")))
        return
    text = st.text_area(t("inside_text.filter_text"), key=FILTER_TEXT_KEY, persist_state=KEEP, height=90)
    if not text.strip():
        return
    found = filter_activations(trained.model, text, embedding)
    top = found.top_filters(FILTERS_SHOWN)
    st.plotly_chart(filter_figure(found.activations, found.tokens, top), key="text_inside_filters")
    st.caption(t("inside_text.filters_help", size=found.kernel_size, count=found.activations.shape[1]))
    st.dataframe([{t("inside_text.filter"): row["filter"], t("inside_text.activation"): round(row["activation"], 3),
                   t("inside_text.fired_at"): row["token"], t("inside_text.window"): row["window"]} for row in top],
                 hide_index=True, width="stretch")


def filter_figure(activations: np.ndarray, tokens: list[str], top: list[dict[str, Any]]) -> go.Figure:
    """Filters (rows, strongest first) x token positions (columns, labelled by the token)."""
    rows = [row["filter"] for row in top]
    figure = go.Figure(go.Heatmap(z=activations[:, rows].T, x=list(range(len(tokens))), y=[f"#{index}" for index in rows],
                                  colorscale="Oranges", colorbar={"title": t("inside_text.activation")},
                                  customdata=np.array([tokens] * len(rows)),
                                  hovertemplate="%{customdata} · %{y}: %{z:.3f}<extra></extra>"))
    figure.update_layout(height=120 + 22 * len(rows), margin={"l": 10, "r": 10, "t": 10, "b": 10},
                         xaxis={"tickmode": "array", "tickvals": list(range(len(tokens))), "ticktext": tokens, "tickangle": -45,
                                "title": t("inside_text.positions")},
                         yaxis={"title": t("inside_text.filter"), "autorange": "reversed", "type": "category"})
    return figure
