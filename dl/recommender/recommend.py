"""Recommendations people can read: top unseen movies with a reason, for a known user or a new visitor.

A reason is "because you liked X": among the movies the user rated at or above the relevance
threshold, the one whose vector is most similar (cosine) to the recommended movie's. A new visitor
is folded in (``FactorModel.fold_in``) from the ratings they give on the page: no retraining. A
visitor's list is ordered by the predicted rating plus their taste (``dl.recommender.taste``: which
movies the people who rated the visitor's liked movies also rated), and their reasons are the liked
movies with the most raters in common with the recommended one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from dl.data.errors import DataError
from dl.recommender.factors import FactorModel
from dl.recommender.taste import TasteBlend, co_rating_similarity, liked_items, taste_scores
from dl.recommender.train import Catalog

MIN_VISITOR_RATINGS = 3  # fewer cannot separate taste from the average (see RELIABLE_VISITOR_RATINGS)
DEFAULT_BLEND = TasteBlend()
RELIABLE_VISITOR_RATINGS = 10  # bench/recommender_fold_in.py: RMSE 1.05 with 3 ratings, 0.96 with 10, 0.93 with 20


@dataclass
class Recommendation:
    item: int  # index into the catalogue
    item_id: str
    title: str
    year: str
    genres: list[str]
    score: float  # predicted rating, pulled towards the user's average for rarely rated movies (what ranks a known
    #   user's list; a visitor's is ranked by it plus ``taste``)
    because: list[str] = field(default_factory=list)  # titles of liked movies closest to this one
    because_items: list[int] = field(default_factory=list)  # the same movies as catalogue indices
    taste: float = 0.0  # a visitor's taste score in [0, 1] (``dl.recommender.taste``); 0 for a known user


def recommend_for_user(factors: FactorModel, catalog: Catalog, user: int, count: int = 10) -> list[Recommendation]:
    """The ``count`` best-predicted movies ``user`` has not rated, each with a reason."""
    rated_items, rated_values = catalog.rated_by(user)
    scores = factors.score_users(np.array([user]), clip=False)[0]
    return _top(factors, catalog, scores, float(factors.user_bias[user]), rated_items, rated_values, count)


@dataclass
class VisitorTaste:
    """What a visitor's list adds to the predicted rating: ``weight`` stars times the taste score."""

    weight: float
    liked: np.ndarray  # the visitor's liked movies (catalogue indices)
    similarity: np.ndarray  # (len(liked), movies) co-rating similarity of every movie to each liked one


def recommend_for_visitor(factors: FactorModel, catalog: Catalog, ratings: dict[int, float],
                          count: int = 10, blend: TasteBlend | None = DEFAULT_BLEND) -> list[Recommendation]:
    """Recommendations for someone not in the data, from their ``{movie index: rating}``: ordered by
    the predicted rating plus ``blend.weight`` times their taste score (``dl.recommender.taste``).
    ``blend=None`` orders by the predicted rating alone, as before the blend (benchmarks compare both)."""
    if len(ratings) < MIN_VISITOR_RATINGS:
        raise DataError(f"Rate at least {MIN_VISITOR_RATINGS} movies first ({len(ratings)} so far); "
                        f"about {RELIABLE_VISITOR_RATINGS} make the recommendations reliable.", "rate_more_movies",
                        minimum=MIN_VISITOR_RATINGS, given=len(ratings), reliable=RELIABLE_VISITOR_RATINGS)
    items = np.fromiter(ratings.keys(), dtype=np.int64)
    values = np.fromiter(ratings.values(), dtype=np.float32)
    vector, bias = factors.fold_in(items, values)
    scores = factors.score_vector(vector, bias, clip=False)
    if blend is None:
        return _top(factors, catalog, scores, bias, items, values, count)
    liked = liked_items(items, values, catalog.relevance_threshold)
    similarity = co_rating_similarity(catalog.users, catalog.items, liked, len(catalog.item_ids), blend.popularity_exponent)
    return _top(factors, catalog, scores, bias, items, values, count, VisitorTaste(blend.weight, liked, similarity))


def best_rated(catalog: Catalog, user: int, count: int = 10) -> list[tuple[int, float]]:
    """(movie index, rating) of a user's highest-rated training movies."""
    items, values = catalog.rated_by(user)
    order = np.argsort(-values, kind="stable")[:count]
    return [(int(items[index]), float(values[index])) for index in order]


def well_liked_popular_item(catalog: Catalog, among: int = 50, shrinkage: float = 25.0) -> int:
    """A movie to start "movies like …" from: of the ``among`` most-rated movies, the one with the
    best average rating shrunk towards the overall mean by ``shrinkage`` phantom ratings."""
    counts = np.bincount(catalog.items, minlength=len(catalog.item_ids)).astype(np.float64)
    sums = np.bincount(catalog.items, catalog.ratings.astype(np.float64), len(catalog.item_ids))
    mean = float(catalog.ratings.mean())
    shrunk = (sums + shrinkage * mean) / (counts + shrinkage)
    candidates = np.argsort(-counts, kind="stable")[:among]
    return int(candidates[np.argmax(shrunk[candidates])])


def popular_items(catalog: Catalog, limit: int = 40) -> list[int]:
    """The most-rated movies: the ones a new visitor is most likely to have seen."""
    counts = np.bincount(catalog.items, minlength=len(catalog.titles))
    return [int(index) for index in np.argsort(-counts, kind="stable")[:limit]]


def similar_movies(factors: FactorModel, catalog: Catalog, item: int, count: int = 10,
                   min_ratings: int = 20) -> list[tuple[str, float]]:
    """(title, cosine similarity) of the movies closest to ``item`` (see ``similar_movie_items``)."""
    return [(catalog.titles[index], similarity) for index, similarity in similar_movie_items(factors, catalog, item, count,
                                                                                              min_ratings)]


def similar_movie_items(factors: FactorModel, catalog: Catalog, item: int, count: int = 10,
                        min_ratings: int = 20) -> list[tuple[int, float]]:
    """(movie index, cosine similarity) of the movies closest to ``item``; movies with fewer than
    ``min_ratings`` training ratings are left out (their vectors are mostly noise)."""
    counts = np.bincount(catalog.items, minlength=len(catalog.titles))
    candidates = np.flatnonzero(counts >= min(min_ratings, counts.max()))
    return factors.similar_items(item, count, candidates)


def item_map(factors: FactorModel, catalog: Catalog, min_ratings: int = 20) -> dict[str, list]:
    """A 2-D map of movie vectors (PCA) for movies with at least ``min_ratings`` ratings: x, y,
    movie index, title, first genre and rating count per movie, and the share of variance each axis shows."""
    counts = np.bincount(catalog.items, minlength=len(catalog.titles))
    kept = np.flatnonzero(counts >= min(min_ratings, counts.max()))
    vectors = factors.item_factors[kept].astype(np.float64)
    centred = vectors - vectors.mean(axis=0)
    _, singular, axes = np.linalg.svd(centred, full_matrices=False)
    coordinates = centred @ axes[:2].T
    variance = singular**2 / max(float((singular**2).sum()), 1e-12)
    return {
        "x": coordinates[:, 0].tolist(), "y": coordinates[:, 1].tolist() if coordinates.shape[1] > 1 else [0.0] * len(kept),
        "item": [int(index) for index in kept],
        "title": [catalog.titles[index] for index in kept],
        "genre": [(catalog.genres[index] or ["(none)"])[0] for index in kept],
        "ratings": [int(counts[index]) for index in kept],
        "explained": [float(value) for value in variance[:2]],
    }


def _top(factors: FactorModel, catalog: Catalog, scores: np.ndarray, user_bias: float, rated_items: np.ndarray,
         rated_values: np.ndarray, count: int, taste: VisitorTaste | None = None) -> list[Recommendation]:
    """The best ``count`` unrated movies by ranking score (``FactorModel.ranking_scores``: unclipped,
    rarely rated movies pulled towards the user's average), plus ``taste`` for a visitor; each shown
    with its ranking score clipped to the rating range."""
    ranking = factors.ranking_scores(scores, user_bias)
    ranking[rated_items] = -np.inf
    tastes = np.zeros_like(ranking) if taste is None else taste_scores(taste.similarity, np.isfinite(ranking))
    ordering = ranking if taste is None else ranking + taste.weight * tastes
    order = [int(index) for index in np.argsort(-ordering, kind="stable")[:count] if np.isfinite(ordering[index])]
    liked = taste.liked if taste is not None else liked_items(rated_items, rated_values, catalog.relevance_threshold)
    norms = np.linalg.norm(factors.item_factors, axis=1) + 1e-9
    recommendations = []
    for index in order:
        because: list[int] = []
        if taste is not None and len(liked):  # the liked movies with the most raters in common
            closeness = taste.similarity[:, index]
            because = [int(liked[position]) for position in np.argsort(-closeness, kind="stable")[:2]
                       if closeness[position] > 0]
        elif len(liked):
            similarity = (factors.item_factors[liked] @ factors.item_factors[index]) / (norms[liked] * norms[index])
            because = [int(liked[position]) for position in np.argsort(-similarity)[:2]]
        recommendations.append(Recommendation(
            index, catalog.item_ids[index], catalog.titles[index], catalog.years[index], list(catalog.genres[index]),
            score=float(np.clip(ranking[index], *factors.rating_range)),
            because=[catalog.titles[liked_item] for liked_item in because], because_items=because, taste=float(tastes[index])))
    return recommendations
