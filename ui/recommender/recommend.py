"""Movie recommender, Recommend and New-visitor tabs: top unseen movies with a reason."""

from __future__ import annotations

import streamlit as st

from dl.data.errors import DataError
from dl.recommender import recommend
from dl.recommender.train import TrainedRecommender
from ui.errors import show_data_error
from ui.i18n import t
from ui.tabs import KEEP

RATING_STEPS = [1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0]


def render_recommend_tab(trained: TrainedRecommender | None) -> None:
    if trained is None:
        st.info(t("movie_recommender.train_first"))
        return
    catalog = trained.catalog
    user_id = st.selectbox(t("movie_recommender.pick_user"), catalog.user_ids, key="recommender_user", persist_state=KEEP)
    count = st.slider(t("movie_recommender.how_many"), 5, 50, 10, key="recommender_count", persist_state=KEEP)
    user = catalog.user_ids.index(user_id)
    left, right = st.columns([2, 3])
    with left:
        st.markdown(f"**{t('movie_recommender.best_rated')}**")
        st.dataframe([{t("movie_recommender.title"): title, t("movie_recommender.rating"): value}
                      for title, value in recommend.best_rated(catalog, user, count)], hide_index=True, width="stretch")
    with right:
        st.markdown(f"**{t('movie_recommender.recommended')}**")
        show_recommendations(recommend.recommend_for_user(trained.factors, catalog, user, count))


def render_visitor_tab(trained: TrainedRecommender | None) -> None:
    """Rate a few movies, get recommendations at once (fold-in; no retraining)."""
    if trained is None:
        st.info(t("movie_recommender.train_first"))
        return
    catalog = trained.catalog
    st.caption(t("movie_recommender.visitor_intro", reliable=recommend.RELIABLE_VISITOR_RATINGS))
    order = recommend.popular_items(catalog, len(catalog.titles))
    chosen = st.multiselect(t("movie_recommender.visitor_pick"), order, key="recommender_visitor_movies", persist_state=KEEP,
                            format_func=lambda item: _label(catalog, item), placeholder=t("movie_recommender.visitor_search"))
    ratings = {}
    cells = st.columns(3)
    for position, item in enumerate(chosen):
        ratings[item] = cells[position % 3].select_slider(_label(catalog, item), RATING_STEPS, 4.0,
                                                          key=f"recommender_visitor_rating_{item}", persist_state=KEEP)
    given = len(ratings)
    if given < recommend.MIN_VISITOR_RATINGS:
        st.info(t("movie_recommender.visitor_more", minimum=recommend.MIN_VISITOR_RATINGS, given=given))
        return
    if given < recommend.RELIABLE_VISITOR_RATINGS:
        st.warning(t("movie_recommender.visitor_unreliable", given=given, reliable=recommend.RELIABLE_VISITOR_RATINGS))
    try:
        recommendations = recommend.recommend_for_visitor(trained.factors, catalog, ratings, 10)
    except DataError as error:
        show_data_error(error)
        return
    st.markdown(f"**{t('movie_recommender.for_you')}**")
    show_recommendations(recommendations)


def show_recommendations(recommendations: list[recommend.Recommendation]) -> None:
    st.dataframe([{
        t("movie_recommender.title"): item.title, t("movie_recommender.year"): item.year,
        t("movie_recommender.genres"): ", ".join(item.genres), t("movie_recommender.predicted"): round(item.score, 2),
        t("movie_recommender.because"): " · ".join(item.because),
    } for item in recommendations], hide_index=True, width="stretch")


def _label(catalog, item: int) -> str:
    year = catalog.years[item]
    return f"{catalog.titles[item]} ({year})" if year else catalog.titles[item]
