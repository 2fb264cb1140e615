"""Concepts tab 8: kinds of learning, deep learning vs classic ML, frameworks, and making models small."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dl.lessons import activations, quantization
from ui.concepts.common import colour, explain, tidy, try_this
from ui.i18n import t
from ui.tabs import KEEP

# kind of learning -> the pages where the app does it (empty: explained here only)
LEARNING_TYPES = {
    "supervised": ["image_classification", "text_classification"],
    "unsupervised": ["movie_recommender"],
    "reinforcement": [],
    "transfer": ["bert_labeling", "image_classification"],
    "multitask": [],
    "generative": [],
}
PAGE_ICONS = {"image_classification": "🖼️", "text_classification": "📝", "movie_recommender": "🎬",
              "bert_labeling": "🏷️", "gradient_lab": "🩺", "concepts": "📚"}
FRAMEWORKS = ["tensorflow", "pytorch", "jax", "sklearn", "paddle"]
FRAMEWORK_COLUMNS = ["origin", "style", "strengths", "here"]
COMPARISON_ROWS = ["features", "data", "compute", "interpretability", "best_for"]


def render() -> None:
    explain("landscape")
    st.markdown(f"#### {t('lessons.landscape_types_title')}")
    columns = st.columns(3)
    for index, (kind, pages) in enumerate(LEARNING_TYPES.items()):
        with columns[index % 3].container(border=True):
            st.markdown(f"**{t(f'lessons.type_{kind}')}**")
            st.caption(t(f"lessons.type_{kind}_text"))
            for page in pages:
                _link(page)

    st.markdown(f"#### {t('lessons.landscape_versus_title')}")
    st.table(pd.DataFrame({
        t("lessons.versus_aspect"): [t(f"lessons.versus_{row}") for row in COMPARISON_ROWS],
        t("lessons.versus_classic"): [t(f"lessons.versus_{row}_classic") for row in COMPARISON_ROWS],
        t("lessons.versus_deep"): [t(f"lessons.versus_{row}_deep") for row in COMPARISON_ROWS],
    }).set_index(t("lessons.versus_aspect")))
    _link("text_classification", "lessons.versus_link")

    st.markdown(f"#### {t('lessons.landscape_frameworks_title')}")
    st.table(pd.DataFrame(
        {t(f"lessons.framework_column_{column}"): [t(f"lessons.framework_{name}_{column}") for name in FRAMEWORKS]
         for column in ["name", *FRAMEWORK_COLUMNS]}
    ).set_index(t("lessons.framework_column_name")))

    st.markdown(f"#### {t('lessons.landscape_compression_title')}")
    st.markdown(t("lessons.landscape_compression_intro"))
    bits = st.select_slider(t("lessons.quantization_bits"), [1, 2, 3, 4, 6, 8, 16], value=4, key="lessons_quant_bits", persist_state=KEEP)
    weights = quantization.example_weights()
    dequantized, scale, _ = quantization.quantize(weights, bits)
    report = quantization.quantization_report(weights, [bits]).iloc[0]
    metric_columns = st.columns(3)
    metric_columns[0].metric(t("lessons.quantization_levels"), f"{int(report['distinct_values'])}")
    metric_columns[1].metric(t("lessons.quantization_size"), f"{report['size_ratio']:.0f}×")
    metric_columns[2].metric(t("lessons.quantization_snr"), f"{report['signal_to_noise_db']:.1f} dB")
    st.plotly_chart(_quantization_figure(weights, dequantized), key="lessons_quant_chart")
    _link("image_classification", "lessons.quantization_link")

    st.markdown(t("lessons.landscape_distillation_intro"))
    temperature = st.select_slider(t("lessons.distillation_temperature"), [1.0, 2.0, 4.0, 8.0], value=1.0,
                                   key="lessons_distill_temperature", persist_state=KEEP)
    teacher_logits = np.array([6.0, 3.5, 2.0, 0.5, -1.0])
    probabilities = activations.softmax(teacher_logits, temperature)
    classes = [t(f"lessons.distillation_class_{index}") for index in range(len(teacher_logits))]
    figure = go.Figure(go.Bar(x=classes, y=probabilities, marker_color=colour(1), text=[f"{p:.2f}" for p in probabilities]))
    figure.update_yaxes(range=[0, 1], title_text=t("lessons.distillation_axis"))
    st.plotly_chart(tidy(figure, height=260), key="lessons_distill_chart")
    _link("bert_labeling", "lessons.distillation_link")
    st.markdown(t("lessons.landscape_pruning"))
    _link("gradient_lab", "lessons.pruning_link")
    try_this("landscape")


def _link(page: str, label_key: str | None = None) -> None:
    label = t(label_key) if label_key else t("lessons.landscape_see", page=t(f"nav.{page}"))
    st.page_link(f"app_pages/{page}.py", label=label, icon=PAGE_ICONS[page])


def _quantization_figure(weights: np.ndarray, dequantized: np.ndarray) -> go.Figure:
    figure = go.Figure()
    bins = {"start": -0.4, "end": 0.4, "size": 0.005}
    figure.add_trace(go.Histogram(x=weights, xbins=bins, name=t("lessons.quantization_original"), opacity=0.5,
                                  marker_color=colour(0)))
    figure.add_trace(go.Histogram(x=dequantized, xbins=bins, name=t("lessons.quantization_quantized"), opacity=0.7,
                                  marker_color=colour(3)))
    figure.update_xaxes(range=[-0.4, 0.4], title_text=t("lessons.quantization_axis"))
    return tidy(figure, height=280, barmode="overlay")
