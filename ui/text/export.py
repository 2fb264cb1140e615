"""Text classification, Export tab: the network's zip (model.keras, classes, metrics, model card,
predict.py) and the TF-IDF baseline's zip (baseline.json and a NumPy-only predict.py), the better
one on this data first."""

from __future__ import annotations

import streamlit as st

from dl.text.export import baseline_card, export_baseline_zip, export_zip, model_card
from dl.text.train import TrainedTextClassifier
from ui.export import download_section
from ui.i18n import current_language, t
from ui.text.results import baseline_wins
from ui.text.training import PAGE


def render_export_tab(trained: TrainedTextClassifier | None) -> None:
    if trained is None:
        st.info(t("text_classification.train_first"))
        return
    sections = [_network_section, _baseline_section]
    if trained.has_baseline and baseline_wins(trained.metrics):
        st.info(t("text_classification.export_baseline_first"), icon="⚖️")
        sections.reverse()
    for section in sections:
        section(trained)


def _network_section(trained: TrainedTextClassifier) -> None:
    st.subheader(t("text_classification.export_network", model=t(f"text_classification.model_{trained.config.model}")))
    language = current_language()
    download_section(PAGE, trained.path, lambda: export_zip(trained, language), f"text-classifier-{trained.config.model}.zip",
                     "text_classification.download", "text_classification.export_help", model_card(trained, language),
                     "text_classification.model_card")


def _baseline_section(trained: TrainedTextClassifier) -> None:
    st.subheader(t("text_classification.export_baseline"))
    if not trained.has_baseline:
        st.caption(t("text_classification.baseline_not_kept"))
        return
    language = current_language()
    download_section(PAGE, trained.path, lambda: export_baseline_zip(trained, language), "text-classifier-tfidf-baseline.zip",
                     "text_classification.download_baseline", "text_classification.export_baseline_help",
                     baseline_card(trained, language), "text_classification.model_card", slot="baseline_zip")
