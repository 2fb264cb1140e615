"""BERT labeling, Label tab: sentences -> label and probability, integrated-gradients view of one,
a table labelled in batches with a progress bar and a download."""

from __future__ import annotations

import streamlit as st

from dl.bert.attribution import integrated_gradients
from dl.bert.backbone import unknown_share
from dl.bert.config import BUILTIN_MODEL
from dl.bert.train import TrainedLabeler, predict_probabilities
from dl.data_doctor.texts import UNKNOWN_SHARE_WARNING
from dl.text.coverage import SAMPLE_TEXTS
from ui.bert.data import ENGLISH_TO_LABEL
from ui.i18n import t
from ui.labelling import coloured_tokens, label_uploaded_table
from ui.tabs import KEEP


def render_label_tab(trained: TrainedLabeler | None) -> None:
    if trained is None:
        st.info(t("bert_labeling.train_first"))
        return
    # the built-in MiniLM reads English only: its examples are English whatever the page's language
    examples = t("bert_labeling.example_sentences") if trained.config.model != BUILTIN_MODEL else ENGLISH_TO_LABEL
    typed = st.text_area(t("bert_labeling.type_sentences"), examples, key="bert_predict_input", persist_state=KEEP, height=110)
    texts = [line.strip() for line in typed.splitlines() if line.strip()]
    if texts:
        probabilities = trained.predict(texts)
        st.dataframe([{t("bert_labeling.sentence"): text, t("bert_labeling.label"): trained.class_names[row.argmax()],
                       t("bert_labeling.probability"): round(float(row.max()), 3)}
                      for text, row in zip(texts, probabilities, strict=True)], hide_index=True, width="stretch")
        chosen = st.selectbox(t("bert_labeling.explain_which"), texts, key="bert_explain_choice", persist_state=KEEP)
        show_attribution(trained, chosen)
    st.subheader(t("bert_labeling.label_a_table"))
    label_table(trained)


def show_attribution(trained: TrainedLabeler, text: str) -> None:
    attribution = integrated_gradients(trained.model, trained.tokenizer, text, trained.config.max_length)
    st.markdown(t("bert_labeling.explained", label=trained.class_names[attribution.label], probability=attribution.probability * 100))
    st.html(coloured_tokens(attribution.pieces, attribution.scores))
    st.caption(t("bert_labeling.explain_help"))


def label_table(trained: TrainedLabeler) -> None:
    def check(texts: list[str]) -> str | None:
        share = unknown_share(trained.tokenizer, texts[:SAMPLE_TEXTS])
        return t("bert_labeling.table_unknown_pieces", share=share * 100) if share >= UNKNOWN_SHARE_WARNING else None

    label_uploaded_table("bert", "bert_labeling", "sentence_column", trained.class_names,
                         lambda texts, progress: predict_probabilities(trained.model, trained.tokenizer, texts,
                                                                       trained.config.max_length, progress=progress),
                         model_id=str(trained.path), check=check)
