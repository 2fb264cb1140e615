"""Movie recommender, Explore tab: the map of movie vectors and "movies like X"."""

from __future__ import annotations

import plotly.colors as px_colors
import plotly.graph_objects as go
import streamlit as st

from dl.recommender import recommend
from dl.recommender.train import TrainedRecommender
from ui.i18n import t
from ui.recommender.names import movie_label, movie_name, state_key
from ui.tabs import KEEP

MIN_RATINGS = 20  # a movie rated a handful of times has a vector that is mostly its random start
ALL_GENRES = ""
PALETTE = px_colors.qualitative.Dark24 + px_colors.qualitative.Light24  # 18 MovieLens genres: no colour twice


def render_explore_tab(trained: TrainedRecommender | None) -> None:
    if trained is None:
        st.info(t("movie_recommender.train_first"))
        return
    render_map(trained)
    render_similar(trained)


def render_map(trained: TrainedRecommender) -> None:
    """The map of movie vectors; coloured by genre only when the data has genres."""
    catalog = trained.catalog
    points = recommend.item_map(trained.factors, catalog, MIN_RATINGS)
    points["title"] = [movie_name(catalog, item) for item in points["item"]]
    genres = sorted({genre for item in catalog.genres for genre in item})  # none without an items file
    if not genres:
        points["genre"] = [""] * len(points["item"])  # one unnamed trace, not "(none)"
    st.subheader(t("movie_recommender.map"))
    st.caption(t("movie_recommender.map_help" if genres else "movie_recommender.map_help_no_genres",
                 count=len(points["title"]), minimum=MIN_RATINGS,
                 first=points["explained"][0] * 100, second=points["explained"][-1] * 100))
    highlight = ALL_GENRES
    if genres:
        highlight = st.selectbox(t("movie_recommender.map_highlight"), [ALL_GENRES, *genres], persist_state=KEEP,
                                 key=state_key(trained, "recommender_map_genre"),
                                 format_func={ALL_GENRES: t("movie_recommender.map_all_genres"), **{genre: genre for genre in genres}}.get)
    grey = None
    if highlight != ALL_GENRES:
        grey = t("movie_recommender.map_other")
        points["genre"] = [highlight if highlight in catalog.genres[item] else grey for item in points["item"]]
    st.plotly_chart(map_figure(points, grey), key="recommender_map")


def render_similar(trained: TrainedRecommender) -> None:
    """"Movies like …", starting from a well-rated, often-rated movie of this data set."""
    catalog = trained.catalog
    st.subheader(t("movie_recommender.similar"))
    order = recommend.popular_items(catalog, len(catalog.titles))
    start = recommend.well_liked_popular_item(catalog)
    movie = st.selectbox(t("movie_recommender.similar_pick"), order, index=order.index(start), persist_state=KEEP,
                         key=state_key(trained, "recommender_similar_movie"), format_func=lambda item: movie_label(catalog, item))
    st.dataframe([{t("movie_recommender.title"): movie_name(catalog, item), t("movie_recommender.similarity"): round(similarity, 3)}
                  for item, similarity in recommend.similar_movie_items(trained.factors, catalog, movie, 10, MIN_RATINGS)],
                 hide_index=True, width="stretch")


def map_figure(points: dict, grey: str | None = None) -> go.Figure:
    """One trace per genre (legend toggles them); ``grey``: the label drawn in grey, behind the rest."""
    figure = go.Figure()
    genres = sorted(set(points["genre"]), key=lambda genre: (genre != grey, genre))
    for position, genre in enumerate(genres):
        indices = [index for index, value in enumerate(points["genre"]) if value == genre]
        figure.add_trace(go.Scattergl(
            x=[points["x"][index] for index in indices], y=[points["y"][index] for index in indices], mode="markers",
            name=genre, text=[points["title"][index] for index in indices],
            marker={"size": [4 + min(12, points["ratings"][index] / 40) for index in indices], "opacity": 0.75,
                    "color": "#d0d0d0" if genre == grey else PALETTE[position % len(PALETTE)]},
            hovertemplate="%{text}<extra>" + genre + "</extra>",
        ))
    figure.update_layout(height=520, margin={"l": 10, "r": 10, "t": 10, "b": 10},
                         xaxis={"title": t("movie_recommender.map_axis", number=1)}, yaxis={"title": t("movie_recommender.map_axis", number=2)}, legend={"itemsizing": "constant"})
    return figure
