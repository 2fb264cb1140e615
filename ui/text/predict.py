"""Text classification, Predict tab: type texts -> label, probability and each token's push
(occlusion); upload a table -> a labelled table to download."""

from __future__ import annotations

import numpy as np
import streamlit as st

from dl.text.data import TextDataset
from dl.text.explain import explain
from dl.text.train import TrainedTextClassifier, working_set
from ui.i18n import t
from ui.labelling import coloured_tokens, label_uploaded_table
from ui.loaders import load_model_once
from ui.tabs import KEEP
from ui.text.training import PAGE
from ui.training import page_state

BATCH = 512
INPUT_KEY = "text_predict_input"
EXAMPLE_CHARS = 300  # a pre-filled example is a line to read, not a whole document


def render_predict_tab(trained: TrainedTextClassifier | None, dataset: TextDataset | None) -> None:
    if trained is None or dataset is None:
        st.info(t("text_classification.train_first"))
        return
    load_model_once(trained)
    fill_examples_once(trained, dataset)
    typed = st.text_area(t("text_classification.type_texts"), key=INPUT_KEY, persist_state=KEEP, height=120)
    st.caption(t("text_classification.examples_help"))
    texts = [line.strip() for line in typed.splitlines() if line.strip()]
    if texts:
        probabilities = trained.predict(texts)
        st.dataframe([{t("text_classification.text"): text, t("text_classification.label"): trained.class_names[row.argmax()],
                       t("text_classification.probability"): round(float(row.max()), 3)}
                      for text, row in zip(texts, probabilities, strict=True)], hide_index=True, width="stretch")
        chosen = st.selectbox(t("text_classification.explain_which"), texts, key="text_explain_choice", persist_state=KEEP)
        show_explanation(trained, chosen)
    st.subheader(t("text_classification.label_a_table"))
    label_table(trained)


def fill_examples_once(trained: TrainedTextClassifier, dataset: TextDataset) -> None:
    """Pre-fill the box with held-out texts of this model's own data, one a class, once per model
    (movie reviews in the box of a model of Chinese novels read as a mistake)."""
    state = page_state(PAGE)
    if state.get("examples_for") == str(trained.path) and INPUT_KEY in st.session_state:
        return
    state["examples_for"] = str(trained.path)
    st.session_state[INPUT_KEY] = "\n".join(held_out_examples(trained, dataset))


def held_out_examples(trained: TrainedTextClassifier, dataset: TextDataset, limit: int = 4) -> list[str]:
    """The first held-out text of each class (up to ``limit`` classes), on one line each."""
    working = working_set(dataset, trained.config)
    examples: dict[int, str] = {}
    for index in trained.test_indices:
        label = int(working.labels[index])
        if label not in examples and len(examples) < limit:
            examples[label] = " ".join(working.texts[index].split())[:EXAMPLE_CHARS]
    return list(examples.values())


def show_explanation(trained: TrainedTextClassifier, text: str) -> None:
    """Tokens coloured by their two-sided occlusion score (dl.text.explain)."""
    explanation = explain(trained.model, text)
    label = trained.class_names[explanation.label]
    st.markdown(t("text_classification.explained", label=label, probability=explanation.probability * 100))
    st.html(coloured_tokens(explanation.tokens, explanation.contributions))
    st.caption(t("text_classification.explain_help"))


def label_table(trained: TrainedTextClassifier) -> None:
    def predict(texts: list[str], progress) -> np.ndarray:
        rows = []
        for start in range(0, len(texts), BATCH):
            rows.append(trained.predict(texts[start:start + BATCH]))
            progress(min(len(texts), start + BATCH), len(texts))
        return np.concatenate(rows) if rows else np.zeros((0, len(trained.class_names)), np.float32)

    def check(texts: list[str]) -> str | None:
        coverage = trained.coverage(texts)
        return t("text_classification.low_coverage", share=coverage.known_share * 100) if coverage.low else None

    label_uploaded_table("text", "text_classification", "text_column", trained.class_names, predict,
                         model_id=str(trained.path), check=check)
