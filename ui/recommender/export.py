"""Movie recommender, Export tab: the zip (arrays, Keras model, model card, NumPy-only predict.py)."""

from __future__ import annotations

import streamlit as st

from dl.recommender.export import export_zip, model_card
from dl.recommender.train import TrainedRecommender
from ui.formatting import human_size
from ui.i18n import t
from ui.recommender.training import PAGE
from ui.training import page_state


def render_export_tab(trained: TrainedRecommender | None) -> None:
    if trained is None:
        st.info(t("movie_recommender.train_first"))
        return
    state = page_state(PAGE)
    if state.get("zip_of") != str(trained.path):  # one zip at a time: built once per model
        state["zip"], state["zip_of"] = export_zip(trained), str(trained.path)
    st.download_button(t("movie_recommender.download", size=human_size(len(state["zip"]))), state["zip"],
                       file_name=f"recommender-{trained.kind}.zip", mime="application/zip", icon="📦",
                       key="recommender_download")
    st.caption(t("movie_recommender.export_help"))
    with st.expander(t("movie_recommender.model_card")):
        st.markdown(model_card(trained))
