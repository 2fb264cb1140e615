"""BERT labeling, Label tab: sentences -> label and probability, integrated-gradients view of one,
a table labelled in batches with a progress bar and a download."""

from __future__ import annotations

import html

import streamlit as st

from dl.bert.attribution import integrated_gradients
from dl.bert.train import TrainedLabeler, predict_probabilities
from ui.i18n import t
from ui.labelling import label_uploaded_table


def render_label_tab(trained: TrainedLabeler | None) -> None:
    if trained is None:
        st.info(t("bert_labeling.train_first"))
        return
    typed = st.text_area(t("bert_labeling.type_sentences"), t("bert_labeling.example_sentences"), key="bert_predict_input", height=110)
    texts = [line.strip() for line in typed.splitlines() if line.strip()]
    if texts:
        probabilities = trained.predict(texts)
        st.dataframe([{t("bert_labeling.sentence"): text, t("bert_labeling.label"): trained.class_names[row.argmax()],
                       t("bert_labeling.probability"): round(float(row.max()), 3)}
                      for text, row in zip(texts, probabilities, strict=True)], hide_index=True, width="stretch")
        chosen = st.selectbox(t("bert_labeling.explain_which"), texts, key="bert_explain_choice")
        show_attribution(trained, chosen)
    st.subheader(t("bert_labeling.label_a_table"))
    label_table(trained)


def show_attribution(trained: TrainedLabeler, text: str) -> None:
    attribution = integrated_gradients(trained.model, trained.tokenizer, text, trained.config.max_length)
    scale = max([abs(score) for score in attribution.scores] + [1e-6])
    spans = "".join(
        f'<span title="{score:+.3f}" style="background:rgba({"46,160,67" if score > 0 else "218,54,51"},{min(1.0, abs(score) / scale):.2f});'
        f'padding:2px 3px;margin:1px;border-radius:4px;display:inline-block">{html.escape(piece)}</span>'
        for piece, score in zip(attribution.pieces, attribution.scores, strict=True))
    st.markdown(t("bert_labeling.explained", label=trained.class_names[attribution.label], probability=attribution.probability * 100))
    st.html(f'<div style="line-height:2.2;font-size:1.05rem">{spans}</div>')
    st.caption(t("bert_labeling.explain_help"))


def label_table(trained: TrainedLabeler) -> None:
    label_uploaded_table("bert", "bert_labeling", "sentence_column", trained.class_names,
                         lambda texts, progress: predict_probabilities(trained.model, trained.tokenizer, texts,
                                                                       trained.config.max_length, progress=progress))
