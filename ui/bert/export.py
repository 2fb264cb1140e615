"""BERT labeling, Export tab: the fine-tuned folder as a zip with a model card and predict.py."""

from __future__ import annotations

import streamlit as st

from dl.bert.export import export_zip, model_card
from dl.bert.train import TrainedLabeler
from ui.bert.training import PAGE
from ui.formatting import human_size
from ui.i18n import t
from ui.training import page_state


def render_export_tab(trained: TrainedLabeler | None) -> None:
    if trained is None:
        st.info(t("bert_labeling.train_first"))
        return
    state = page_state(PAGE)
    if state.get("zip_of") != str(trained.path):
        state["zip"], state["zip_of"] = export_zip(trained), str(trained.path)
    st.download_button(t("bert_labeling.download", size=human_size(len(state["zip"]))), state["zip"], file_name="bert-labeler.zip",
                       mime="application/zip", icon="📦", key="bert_download")
    st.caption(t("bert_labeling.export_help"))
    with st.expander(t("bert_labeling.model_card")):
        st.markdown(model_card(trained))
