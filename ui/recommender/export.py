"""Movie recommender, Export tab: the zip (arrays, Keras model, model card, NumPy-only predict.py)."""

from __future__ import annotations

import streamlit as st

from dl.recommender.export import export_zip, model_card
from dl.recommender.train import TrainedRecommender
from ui.export import download_section
from ui.i18n import current_language, t
from ui.recommender.training import PAGE


def render_export_tab(trained: TrainedRecommender | None) -> None:
    if trained is None:
        st.info(t("movie_recommender.train_first"))
        return
    language = current_language()  # the model card in the zip and on the page
    download_section(PAGE, trained.path, lambda: export_zip(trained, language), f"recommender-{trained.kind}.zip",
                     "movie_recommender.download", "movie_recommender.export_help", model_card(trained, language),
                     "movie_recommender.model_card")
