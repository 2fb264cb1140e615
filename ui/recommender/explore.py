"""Movie recommender, Explore tab: the map of movie vectors and "movies like X"."""

from __future__ import annotations

import plotly.colors as px_colors
import plotly.graph_objects as go
import streamlit as st

from dl.recommender import recommend
from dl.recommender.train import TrainedRecommender
from ui.i18n import t
from ui.tabs import KEEP

MIN_RATINGS = 20  # a movie rated a handful of times has a vector that is mostly its random start
ALL_GENRES = ""
PALETTE = px_colors.qualitative.Dark24 + px_colors.qualitative.Light24  # 18 MovieLens genres: no colour twice


def render_explore_tab(trained: TrainedRecommender | None) -> None:
    if trained is None:
        st.info(t("movie_recommender.train_first"))
        return
    catalog = trained.catalog
    points = recommend.item_map(trained.factors, catalog, MIN_RATINGS)
    st.subheader(t("movie_recommender.map"))
    st.caption(t("movie_recommender.map_help", count=len(points["title"]), minimum=MIN_RATINGS,
                 first=points["explained"][0] * 100, second=points["explained"][-1] * 100))
    genres = sorted({genre for item in catalog.genres for genre in item})
    highlight = ALL_GENRES
    if genres:  # an uploaded ratings file without an items file has none
        highlight = st.selectbox(t("movie_recommender.map_highlight"), [ALL_GENRES, *genres], key="recommender_map_genre", persist_state=KEEP,
                                 format_func={ALL_GENRES: t("movie_recommender.map_all_genres"), **{genre: genre for genre in genres}}.get)
    grey = None
    if highlight != ALL_GENRES:
        grey = t("movie_recommender.map_other")
        points["genre"] = [highlight if highlight in catalog.genres[item] else grey for item in points["item"]]
    st.plotly_chart(map_figure(points, grey), key="recommender_map")
    st.subheader(t("movie_recommender.similar"))
    order = recommend.popular_items(catalog, len(catalog.titles))
    movie = st.selectbox(t("movie_recommender.similar_pick"), order, key="recommender_similar_movie", persist_state=KEEP,
                         format_func=lambda item: catalog.titles[item])
    st.dataframe([{t("movie_recommender.title"): title, t("movie_recommender.similarity"): round(similarity, 3)}
                  for title, similarity in recommend.similar_movies(trained.factors, catalog, movie, 10, MIN_RATINGS)],
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
                         xaxis={"title": "PC 1"}, yaxis={"title": "PC 2"}, legend={"itemsizing": "constant"})
    return figure
