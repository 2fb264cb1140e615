"""BERT labeling, Export tab: the fine-tuned folder as a zip with a model card and predict.py."""

from __future__ import annotations

import streamlit as st

from dl.bert.export import export_zip, model_card
from dl.bert.train import TrainedLabeler
from ui.bert.training import PAGE
from ui.export import download_section
from ui.i18n import current_language, t


def render_export_tab(trained: TrainedLabeler | None) -> None:
    if trained is None:
        st.info(t("bert_labeling.train_first"))
        return
    language = current_language()  # the model card in the zip and on the page
    download_section(PAGE, trained.path, lambda: export_zip(trained, language), "bert-labeler.zip", "bert_labeling.download",
                     "bert_labeling.export_help", model_card(trained, language), "bert_labeling.model_card")
