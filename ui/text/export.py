"""Text classification, Export tab: the zip with model.keras, classes, metrics, model card, predict.py."""

from __future__ import annotations

import streamlit as st

from dl.text.export import export_zip, model_card
from dl.text.train import TrainedTextClassifier
from ui.export import download_section
from ui.i18n import t
from ui.text.training import PAGE


def render_export_tab(trained: TrainedTextClassifier | None) -> None:
    if trained is None:
        st.info(t("text_classification.train_first"))
        return
    download_section(PAGE, trained.path, lambda: export_zip(trained), f"text-classifier-{trained.config.model}.zip",
                     "text_classification.download", "text_classification.export_help", model_card(trained),
                     "text_classification.model_card")
