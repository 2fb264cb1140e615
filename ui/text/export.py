"""Text classification, Export tab: the zip with model.keras, classes, metrics, model card, predict.py."""

from __future__ import annotations

import streamlit as st

from dl.text.export import export_zip, model_card
from dl.text.train import TrainedTextClassifier
from ui.formatting import human_size
from ui.i18n import t
from ui.text.training import PAGE
from ui.training import page_state


def render_export_tab(trained: TrainedTextClassifier | None) -> None:
    if trained is None:
        st.info(t("text_classification.train_first"))
        return
    state = page_state(PAGE)
    if state.get("zip_of") != str(trained.path):
        state["zip"], state["zip_of"] = export_zip(trained), str(trained.path)
    st.download_button(t("text_classification.download", size=human_size(len(state["zip"]))), state["zip"],
                       file_name=f"text-classifier-{trained.config.model}.zip", mime="application/zip", icon="📦",
                       key="text_download")
    st.caption(t("text_classification.export_help"))
    with st.expander(t("text_classification.model_card")):
        st.markdown(model_card(trained))
