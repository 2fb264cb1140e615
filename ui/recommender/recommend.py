"""Movie recommender, Recommend and New-visitor tabs: top unseen movies with a reason.

Every widget here is keyed by the trained-on data (``names.state_key``): a visitor's ratings on
MovieLens never reappear on an uploaded file's movies with the same numbers.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from dl.data.errors import DataError
from dl.recommender import recommend
from dl.recommender.terms import TOP_FACTORS, PredictionTerms, terms_for_user, terms_for_vector
from dl.recommender.train import Catalog, TrainedRecommender
from ui.errors import show_data_error
from ui.i18n import t
from ui.recommender.names import has_titles, movie_label, movie_name, state_key
from ui.tabs import KEEP

RATING_STEPS = [1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0]
PREDICTED_WIDTH = 130  # pixels: the whole "Predicted rating" header ("small" cut it to "Predicted ra")


def render_recommend_tab(trained: TrainedRecommender | None) -> None:
    if trained is None:
        st.info(t("movie_recommender.train_first"))
        return
    catalog = trained.catalog
    user_id = st.selectbox(t("movie_recommender.pick_user"), catalog.user_ids, key=state_key(trained, "recommender_user"),
                           persist_state=KEEP)
    count = st.slider(t("movie_recommender.how_many"), 5, 50, 10, key="recommender_count", persist_state=KEEP)
    user = catalog.user_ids.index(user_id)
    left, right = st.columns([2, 5])
    with left:
        st.markdown(f"**{t('movie_recommender.best_rated')}**")
        st.dataframe([{t("movie_recommender.title"): movie_name(catalog, item), t("movie_recommender.rating"): value}
                      for item, value in recommend.best_rated(catalog, user, count)], hide_index=True, width="stretch")
    with right:
        st.markdown(f"**{t('movie_recommender.recommended')}**")
        recommendations = recommend.recommend_for_user(trained.factors, catalog, user, count)
        show_recommendations(catalog, recommendations)
    show_why(trained, recommendations, lambda item: terms_for_user(trained.factors, user, item), "user")


def render_visitor_tab(trained: TrainedRecommender | None) -> None:
    """Rate a few movies, get recommendations at once (fold-in; no retraining)."""
    if trained is None:
        st.info(t("movie_recommender.train_first"))
        return
    catalog = trained.catalog
    st.caption(t("movie_recommender.visitor_intro", reliable=recommend.RELIABLE_VISITOR_RATINGS))
    ratings = visitor_ratings(trained)
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
    show_recommendations(catalog, recommendations, t("recommender_taste.predicted_help"))
    st.caption(t("recommender_taste.ranking", weight=recommend.DEFAULT_BLEND.weight))
    vector, bias = trained.factors.fold_in(np.fromiter(ratings.keys(), np.int64), np.fromiter(ratings.values(), np.float32))
    show_why(trained, recommendations, lambda item: terms_for_vector(trained.factors, vector, bias, item), "visitor")


def visitor_ratings(trained: TrainedRecommender) -> dict[int, float]:
    """The movies the visitor picked and the stars they gave, {movie index: stars}, for this data."""
    catalog = trained.catalog
    order = recommend.popular_items(catalog, len(catalog.titles))
    chosen = st.multiselect(t("movie_recommender.visitor_pick"), order, key=state_key(trained, "recommender_visitor_movies"),
                            persist_state=KEEP, format_func=lambda item: movie_label(catalog, item),
                            placeholder=t("movie_recommender.visitor_search"))
    cells = st.columns(3)
    return {item: cells[position % 3].select_slider(movie_label(catalog, item), RATING_STEPS, 4.0, persist_state=KEEP,
                                                    key=state_key(trained, f"recommender_visitor_rating_{item}"))
            for position, item in enumerate(chosen)}


def show_recommendations(catalog: Catalog, recommendations: list[recommend.Recommendation],
                         predicted_help: str | None = None) -> None:
    """The table, most important columns first (title, predicted rating, reason) so a narrow screen
    shows them; Year and Genres only when the data has them, and one caption when it has no titles.
    ``predicted_help``: the predicted rating's tooltip when the list is not ordered by it alone (a visitor's)."""
    columns = {"title": t("movie_recommender.title"), "predicted": t("movie_recommender.predicted"),
               "because": t("movie_recommender.because"), "year": t("movie_recommender.year"),
               "genres": t("movie_recommender.genres")}
    rows = [{"title": movie_name(catalog, item.item), "predicted": round(item.score, 2),
             "because": " · ".join(movie_name(catalog, liked) for liked in item.because_items),
             "year": item.year, "genres": ", ".join(item.genres)} for item in recommendations]
    shown = ["title", "predicted", "because"] + [name for name in ("year", "genres") if any(row[name] for row in rows)]
    st.dataframe([{columns[name]: row[name] for name in shown} for row in rows], hide_index=True, width="stretch",
                 column_config={
                     columns["title"]: st.column_config.TextColumn(width="medium", pinned=True),  # a phone scrolls the rest
                     columns["predicted"]: st.column_config.NumberColumn(format="%.2f ★", width=PREDICTED_WIDTH,
                                                                         help=predicted_help or t("movie_recommender.predicted_help")),
                     columns["because"]: st.column_config.TextColumn(width="medium"),  # "large" pushes Genres off at 1,400 px
                 })
    if not has_titles(catalog):
        st.caption(t("movie_recommender.no_items_file"))


def show_why(trained: TrainedRecommender, recommendations: list[recommend.Recommendation], terms_of, who: str) -> None:
    """"Why this movie": pick one recommended movie, see its predicted rating as a waterfall of terms
    (``dl.recommender.terms``); ``who`` is "user" or "visitor" (the bias's name and the widget key)."""
    if not recommendations:
        return
    catalog = trained.catalog
    st.markdown(f"**{t('movie_recommender.why_title')}**")
    # labels made now, in this run's language: a format_func calling t() later (AppTest formats the
    # value outside the run) would name the movie in the default language; AppTest's select_index
    # passes a shown label back, which names itself
    labels = {recommendation.item: movie_label(catalog, recommendation.item) for recommendation in recommendations}
    item = st.selectbox(t("movie_recommender.why_pick"), list(labels), format_func=lambda shown: labels.get(shown, str(shown)),
                        key=state_key(trained, f"recommender_why_{who}"), persist_state=KEEP)
    split = terms_of(item)
    st.plotly_chart(why_figure(split, who), key=f"recommender_why_chart_{who}")
    st.caption(t(f"movie_recommender.why_help_{split.kind}", top=TOP_FACTORS))
    if split.movie_weight < 1:
        count = int(trained.factors.item_counts[item])
        st.caption(t("movie_recommender.why_shrinkage_help", count=count, weight=split.movie_weight * 100))
    if abs(split.shown_score - split.ranking_score) > 1e-6:
        st.caption(t("movie_recommender.why_clipped", shown=split.shown_score))
    if who == "visitor":  # a visitor's list adds their taste to that score (dl/recommender/taste.py)
        taste = recommend.DEFAULT_BLEND.weight * next(pick.taste for pick in recommendations if pick.item == item)
        st.caption(t("recommender_taste.why_taste", stars=taste, total=split.ranking_score + taste))


def why_figure(split: PredictionTerms, who: str) -> go.Figure:
    """A horizontal waterfall, read top to bottom: the starting point (the mean), each term a step,
    the predicted rating a total bar; with ranking shrinkage, the step it takes and the score the
    list ranks by as a second total. The axis starts near the mean so steps of 0.05 stars show."""
    names = {"user_bias": t(f"movie_recommender.why_{who}_bias")}
    labels = [names.get(term.code) or t(f"movie_recommender.why_{term.code}", index=(term.factor or 0) + 1) for term in split.terms]
    values = [term.value for term in split.terms]
    measures = ["absolute"] + ["relative"] * (len(values) - 1)
    labels.append(t("movie_recommender.why_prediction"))
    values.append(split.prediction)
    measures.append("total")
    if split.ranking_adjustment:
        # a visitor's list adds their taste to this score (the caption below the chart says by how much)
        ranked = t("recommender_taste.why_ranked") if who == "visitor" else t("movie_recommender.why_ranked")
        labels += [t("movie_recommender.why_shrinkage"), ranked]
        values += [split.ranking_adjustment, split.ranking_score]
        measures += ["relative", "total"]
    running = np.cumsum([value if measure != "total" else 0.0 for value, measure in zip(values, measures, strict=True)])
    low, high = float(min(running.min(), *values[-1:])), float(max(running.max(), split.prediction))
    figure = go.Figure(go.Waterfall(
        y=labels, x=values, measure=measures, orientation="h", textposition="outside", cliponaxis=False,
        text=[f"{value:+.2f}" if measure == "relative" else f"{value:.2f}" for value, measure in zip(values, measures, strict=True)],
        connector={"line": {"color": "#bbbbbb"}}, increasing={"marker": {"color": "#2e7d32"}},
        decreasing={"marker": {"color": "#c62828"}}, totals={"marker": {"color": "#1565c0"}}))
    figure.update_layout(height=100 + 30 * len(labels), margin={"l": 10, "r": 40, "t": 10, "b": 50}, showlegend=False,
                         xaxis={"title": t("movie_recommender.why_axis"), "range": [max(0.0, low - 0.4), high + 0.3]},
                         yaxis={"autorange": "reversed", "automargin": True})
    return figure
