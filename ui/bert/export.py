"""BERT labeling, Export tab: the fine-tuned folder as a zip with a model card and predict.py, and the
frozen-encoder + logistic-regression baseline's zip (its numbers, the pretrained encoder and its own
predict.py), the better one on this data first."""

from __future__ import annotations

import streamlit as st

from dl.bert.export import baseline_card, export_baseline_zip, export_zip, model_card
from dl.bert.probe import baseline_wins
from dl.bert.train import TrainedLabeler
from ui.bert.training import PAGE
from ui.export import download_section
from ui.i18n import current_language, t


def render_export_tab(trained: TrainedLabeler | None) -> None:
    if trained is None:
        st.info(t("bert_labeling.train_first"))
        return
    sections = [_fine_tuned_section, _baseline_section]
    if trained.has_baseline and baseline_wins(trained.metrics):
        st.info(t("bert_labeling.export_baseline_first"), icon="⚖️")
        sections.reverse()
    for section in sections:
        section(trained)


def _fine_tuned_section(trained: TrainedLabeler) -> None:
    st.subheader(t("bert_labeling.export_fine_tuned", model=trained.config.model))
    language = current_language()  # the model card in the zip and on the page
    download_section(PAGE, trained.path, lambda: export_zip(trained, language), "bert-labeler.zip", "bert_labeling.download",
                     "bert_labeling.export_help", model_card(trained, language), "bert_labeling.model_card")


def _baseline_section(trained: TrainedLabeler) -> None:
    st.subheader(t("bert_labeling.export_baseline", model=trained.config.model))
    if not trained.has_baseline:
        st.caption(t("bert_labeling.baseline_not_kept"))
        return
    language = current_language()
    with st.spinner(t("bert_labeling.export_baseline_building")):
        download_section(PAGE, trained.path, lambda: export_baseline_zip(trained, language), "bert-labeler-frozen-baseline.zip",
                         "bert_labeling.download_baseline", "bert_labeling.export_baseline_help",
                         baseline_card(trained, language), "bert_labeling.model_card", slot="baseline_zip")
