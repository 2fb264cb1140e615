"""BERT labeling, "Inside the model" tab: a typed sentence's attention in every layer and head of the
fine-tuned model, how far fine-tuning moved each head, and one head drawn as arcs beside the same
head before fine-tuning."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from dl.bert.attention import ARC_THRESHOLD, SentenceAttention, strongest_links
from dl.bert.config import BUILTIN_MODEL
from dl.bert.train import TrainedLabeler
from dl.data.errors import DataError
from ui.bert.data import ENGLISH_TO_LABEL
from ui.errors import show_data_error
from ui.i18n import t
from ui.tabs import KEEP

ARC_POINTS = 24  # points along each drawn arc: smooth at any width
MOST_ARCS = 60  # at most this many arcs a head: a long sentence's head is readable, not a hairball


def render_inside_tab(trained: TrainedLabeler | None) -> None:
    if trained is None:
        st.info(t("bert_labeling.train_first"))
        return
    st.caption(t("inside_bert.intro"))
    text = st.text_input(t("inside_bert.sentence"), first_example(trained), key="bert_inside_sentence", persist_state=KEEP)
    try:
        with st.spinner(t("inside_bert.computing")):
            attention = trained.attention(text)
    except DataError as error:
        show_data_error(error)
        return
    st.subheader(t("inside_bert.change_title"))
    st.plotly_chart(change_figure(attention), key="bert_head_change")
    st.caption(t("inside_bert.change_help"))
    layer, head = choose_head(attention)
    left, right = st.columns(2)
    left.plotly_chart(arcs_figure(attention.pieces, attention.tuned[layer, head], t("inside_bert.tuned")), key="bert_arcs_tuned")
    right.plotly_chart(arcs_figure(attention.pieces, attention.pretrained[layer, head], t("inside_bert.pretrained")),
                       key="bert_arcs_pretrained")
    st.caption(t("inside_bert.arcs_help", threshold=ARC_THRESHOLD, change=attention.change[layer, head] * 100))
    with st.expander(t("inside_bert.matrices")):
        left, right = st.columns(2)
        left.plotly_chart(matrix_figure(attention.pieces, attention.tuned[layer, head], t("inside_bert.tuned")), key="bert_matrix_tuned")
        right.plotly_chart(matrix_figure(attention.pieces, attention.pretrained[layer, head], t("inside_bert.pretrained")),
                           key="bert_matrix_pretrained")


def first_example(trained: TrainedLabeler) -> str:
    """The Label tab's first example sentence (English for the built-in MiniLM, which reads English only)."""
    examples = ENGLISH_TO_LABEL if trained.config.model == BUILTIN_MODEL else t("bert_labeling.example_sentences")
    return next(line.strip() for line in examples.splitlines() if line.strip())


def choose_head(attention: SentenceAttention) -> tuple[int, int]:
    """Layer and head selects (shown from 1), starting at the head fine-tuning moved most on this sentence."""
    layer, head = attention.most_changed_head()
    left, right = st.columns(2)
    chosen_layer = left.selectbox(t("inside_bert.layer"), range(attention.layers), index=layer, format_func=lambda row: str(row + 1),
                                  key="bert_inside_layer")
    chosen_head = right.selectbox(t("inside_bert.head"), range(attention.heads), index=head, format_func=lambda column: str(column + 1),
                                  key="bert_inside_head")
    return int(chosen_layer), int(chosen_head)


def change_figure(attention: SentenceAttention) -> go.Figure:
    """Layer × head heat map of how far each head's attention moved in fine-tuning, in percent."""
    figure = go.Figure(go.Heatmap(
        z=np.round(attention.change * 100, 1), x=list(range(1, attention.heads + 1)), y=list(range(1, attention.layers + 1)),
        colorscale="Reds", zmin=0, colorbar={"title": "%"},
        hovertemplate=t("inside_bert.change_hover") + "<extra></extra>",
    ))
    figure.update_layout(height=90 + 34 * attention.layers, margin={"t": 10, "b": 40, "l": 50, "r": 10},
                         xaxis={"title": t("inside_bert.head"), "dtick": 1}, yaxis={"title": t("inside_bert.layer"), "dtick": 1})
    return figure


def arcs_figure(pieces: list[str], matrix: np.ndarray, title: str) -> go.Figure:
    """One head as arcs over the sentence: from each word piece to the pieces it attends to, thicker and
    darker the larger the weight (above the line: attending to a later piece; below: to an earlier one)."""
    figure = go.Figure()
    for source, target, weight in strongest_links(matrix)[:MOST_ARCS]:
        if source == target:  # attending to itself: a dot on the piece
            figure.add_trace(go.Scatter(x=[source], y=[0], mode="markers", hoverinfo="skip", showlegend=False,
                                        marker={"size": 6 + 14 * weight, "color": f"rgba(200,40,40,{0.25 + 0.75 * weight:.2f})"}))
            continue
        span = np.linspace(0, np.pi, ARC_POINTS)
        middle, radius = (source + target) / 2, abs(target - source) / 2
        side = 1 if target > source else -1
        figure.add_trace(go.Scatter(
            x=middle - (target - source) / 2 * np.cos(span), y=side * radius * np.sin(span) * 0.6, mode="lines", showlegend=False,
            line={"width": 0.5 + 5 * weight, "color": f"rgba(200,40,40,{0.2 + 0.8 * weight:.2f})"},
            hovertemplate=f"{pieces[source]} → {pieces[target]}: {weight:.2f}<extra></extra>",
        ))
    reach = max(1.0, (len(pieces) - 1) / 2 * 0.6)
    figure.update_layout(
        title={"text": title, "x": 0}, height=320, margin={"t": 40, "b": 60, "l": 10, "r": 10}, plot_bgcolor="white",
        xaxis={"tickvals": list(range(len(pieces))), "ticktext": pieces, "tickangle": -60, "showgrid": False, "zeroline": False,
               "range": [-0.8, len(pieces) - 0.2]},
        yaxis={"visible": False, "range": [-reach - 0.3, reach + 0.3]},
    )
    return figure


def matrix_figure(pieces: list[str], matrix: np.ndarray, title: str) -> go.Figure:
    """The head's full attention matrix: row = the piece looking, column = the piece looked at."""
    labels = [f"{index}·{piece}" for index, piece in enumerate(pieces)]  # repeated pieces stay separate rows
    figure = go.Figure(go.Heatmap(z=np.round(matrix, 3), x=labels, y=labels, colorscale="Reds", zmin=0, zmax=1,
                                  hovertemplate="%{y} → %{x}: %{z}<extra></extra>"))
    figure.update_layout(title={"text": title, "x": 0}, height=360, margin={"t": 40, "b": 10, "l": 10, "r": 10},
                         yaxis={"autorange": "reversed"}, xaxis={"tickangle": -60})
    return figure
