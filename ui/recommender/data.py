"""Movie recommender, data step: MovieLens 100k or an uploaded ratings file (+ items file), and a
look at the ratings (counts, sparsity, rating histogram, ratings per user and per movie)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from dl.data.errors import DataError
from dl.recommender import data as ratings_data
from dl.recommender.data import RatingColumns, RatingsData
from ui.errors import data_error_text, show_data_error
from ui.i18n import note_text, t
from ui.limits import show_limits
from ui.projects import remember_data
from ui.tabs import KeptFile, kept_upload

SOURCES = ("builtin", "upload")
PAGE = "movie_recommender"  # page_state of the recommender page (ui.recommender.training.PAGE)
NO_COLUMN = "—"


@st.cache_resource(show_spinner=False)
def _builtin(name: str) -> RatingsData:
    return ratings_data.load_builtin(name)


@st.cache_resource(show_spinner=False, max_entries=4)
def _table(content: bytes, file_name: str):
    return ratings_data.read_table(content, file_name)


@st.cache_resource(show_spinner=False, max_entries=4)
def _uploaded(content: bytes, file_name: str, columns: RatingColumns, items: bytes | None, items_name: str) -> RatingsData:
    return ratings_data.read_ratings_file(content, file_name, columns, items, items_name)


def choose_ratings() -> RatingsData | None:
    """The built-in set or the user's upload (None until a usable file is there)."""
    source = st.radio(t("movie_recommender.source"), SOURCES, horizontal=True, key="recommender_source",
                      format_func={name: t(f"movie_recommender.source_{name}") for name in SOURCES}.get)
    if source == "builtin":
        with st.spinner(t("movie_recommender.loading")):
            data = _builtin("ml-100k")
        st.caption(t("movie_recommender.movielens_terms"))
        remember_data("movie_recommender", data.fingerprint(), builtin="ml-100k")
        return data
    return _upload()


def _upload() -> RatingsData | None:
    left, right = st.columns(2)
    with left:  # kept: a project opened on the page
        ratings_file = kept_upload(PAGE, "recommender_ratings_file", lambda: st.file_uploader(
            t("movie_recommender.upload_ratings"), type=["csv", "tsv", "dat", "txt", "data"], key="recommender_ratings_file",
            help=t("movie_recommender.upload_ratings_help")))
    with right:
        items_file = kept_upload(PAGE, "recommender_items_file", lambda: st.file_uploader(
            t("movie_recommender.upload_items"), type=["csv", "tsv", "dat", "txt", "item"], key="recommender_items_file",
            help=t("movie_recommender.upload_items_help")))
    show_limits("ratings")
    if ratings_file is None:
        st.info(t("movie_recommender.upload_hint"))
        return None
    try:
        content = ratings_file.getvalue()
        frame = _table(content, ratings_file.name)
        columns = _choose_columns(list(frame.columns))
        items = items_file.getvalue() if items_file is not None else None
        data = _uploaded(content, ratings_file.name, columns, items, items_file.name if items_file else "items")
        files = {"data": KeptFile(ratings_file.name, content), **({"items": KeptFile(items_file.name, items)} if items_file else {})}
        remember_data(PAGE, data.fingerprint(), files=files, options={"user_col": columns.user, "item_col": columns.item,
                                                                      "rating_col": columns.rating, "time_col": columns.timestamp})
        return data
    except DataError as error:
        show_data_error(error)
        return None


def _choose_columns(columns: list[str]) -> RatingColumns:
    """Column pickers, preset to the columns recognised by name (or by position without a header)."""
    try:
        guessed = ratings_data.guess_rating_columns(columns)
    except DataError as error:
        st.warning(data_error_text(error))
        guessed = RatingColumns(columns[0], columns[min(1, len(columns) - 1)], columns[min(2, len(columns) - 1)])
    cells = st.columns(4)
    user = cells[0].selectbox(t("movie_recommender.user_column"), columns, columns.index(guessed.user), key="recommender_user_col")
    item = cells[1].selectbox(t("movie_recommender.item_column"), columns, columns.index(guessed.item), key="recommender_item_col")
    rating = cells[2].selectbox(t("movie_recommender.rating_column"), columns, columns.index(guessed.rating), key="recommender_rating_col")
    time_options = [NO_COLUMN, *columns]
    time_index = time_options.index(guessed.timestamp) if guessed.timestamp else 0
    timestamp = cells[3].selectbox(t("movie_recommender.time_column"), time_options, time_index, key="recommender_time_col")
    return RatingColumns(user, item, rating, None if timestamp == NO_COLUMN else timestamp)


def show_ratings(data: RatingsData) -> None:
    """Counts, notes from reading, and three histograms."""
    summary = data.summary()
    cells = st.columns(5)
    cells[0].metric(t("movie_recommender.ratings"), f"{summary['ratings']:,}")
    cells[1].metric(t("movie_recommender.users"), f"{summary['users']:,}")
    cells[2].metric(t("movie_recommender.movies"), f"{summary['items']:,}")
    cells[3].metric(t("movie_recommender.sparsity"), f"{summary['sparsity'] * 100:.1f}%",
                    help=t("movie_recommender.sparsity_help"))
    cells[4].metric(t("movie_recommender.mean_rating"), f"{summary['mean_rating']:.2f}")
    for note in data.notes:
        st.info(note_text(note))
    with st.expander(t("movie_recommender.look_at_data"), expanded=False):
        left, middle, right = st.columns(3)
        values, counts = np.unique(data.ratings, return_counts=True)
        left.plotly_chart(_bars([f"{value:g}" for value in values], counts.tolist(), t("movie_recommender.rating_histogram")),
                          key="recommender_rating_histogram")
        middle.plotly_chart(_histogram(data.per_user_counts(), t("movie_recommender.per_user")), key="recommender_per_user")
        right.plotly_chart(_histogram(data.per_item_counts(), t("movie_recommender.per_movie")), key="recommender_per_movie")


def _bars(labels: list[str], values: list[int], title: str) -> go.Figure:
    figure = go.Figure(go.Bar(x=labels, y=values, marker_color="#4c78a8"))
    return _layout(figure, title)


def _histogram(counts: np.ndarray, title: str) -> go.Figure:
    figure = go.Figure(go.Histogram(x=counts.tolist(), nbinsx=40, marker_color="#f58518"))
    figure.update_yaxes(type="log")
    return _layout(figure, title)


def _layout(figure: go.Figure, title: str) -> go.Figure:
    figure.update_layout(title=title, height=260, margin={"l": 10, "r": 10, "t": 40, "b": 10}, bargap=0.05)
    return figure
