"""A new visitor's taste from the movies they liked: which movies the people who rated those also rated.

Why not the folded-in vector alone: a visitor who gives ten horror movies 5 stars has no contrast in
their ratings, so the fold-in explains them with a large user bias and a short vector, and the
ranked list is the movies with the largest biases (0 horror movies of 10; in
bench/recommender_visitor_taste.py no genre of 16 came 20 points above its catalogue share with 10 ratings). Which movies the
visitor picked says more than the stars they gave: the people who rated those movies rated some
other movies far more often than the catalogue does, and those are the visitor's kind.

Co-rating similarity of a candidate movie j to a liked movie i (an asymmetric cosine):

    co(i, j) / (sqrt(n_i) * n_j ** popularity_exponent)

``co(i, j)`` training users who rated both, ``n`` a movie's training ratings. An exponent of 0.5
is the plain cosine, which still favours the most-rated movies (at most 1 genre of 16 leaned clearly
in the bench); a larger exponent favours the movies particular to the liked ones. The taste score of j is the mean
over the liked movies, divided by the best unrated candidate's so it lies in [0, 1].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class TasteBlend:
    """How a visitor's list blends the predicted rating with co-rating taste (bench/recommender_visitor_taste.py)."""

    weight: float = 16.0  # stars added for the best-matching movie: 8 gave 5 of 16 genres a clear lean, 16 gave 6
    #   and precision@10 0.142 for hidden users (0.095 ranked by predicted rating alone); the predicted rating
    #   still orders movies of near-equal taste
    popularity_exponent: float = 0.7  # at weight 4: 0.6 leaned clearly to 1 genre of 16 (popular movies win), 0.8 to 6
    #   but with precision@10 0.105 (0.051 on taste alone: obscure movies); 0.7 balances the two


def liked_items(items: np.ndarray, ratings: np.ndarray, threshold: float) -> np.ndarray:
    """The rated movies at or above ``threshold`` (the relevance threshold); when none is, the best rated."""
    items, ratings = np.asarray(items), np.asarray(ratings)
    liked = items[ratings >= threshold]
    return liked if len(liked) or not len(items) else items[ratings >= ratings.max()]


def co_rating_similarity(users: np.ndarray, items: np.ndarray, liked: np.ndarray, num_items: int,
                         popularity_exponent: float) -> np.ndarray:
    """(len(liked), num_items) co-rating similarity of every movie to each liked movie, from training
    rows (``users[k]`` rated ``items[k]``). One pass over the ratings per liked movie: no users x
    movies matrix, so a large upload costs memory of the order of its ratings."""
    users, items = np.asarray(users, np.int64), np.asarray(items, np.int64)
    counts = np.bincount(items, minlength=num_items).astype(np.float64)
    popularity = np.where(counts > 0, counts, np.inf) ** popularity_exponent  # a movie nobody rated scores 0
    rated_liked = np.zeros(users.max(initial=-1) + 1, dtype=bool)
    similarity = np.zeros((len(liked), num_items))
    for row, item in enumerate(np.asarray(liked, np.int64)):
        rated_liked[:] = False
        rated_liked[users[items == item]] = True
        together = np.bincount(items[rated_liked[users]], minlength=num_items)
        similarity[row] = together / (np.sqrt(max(counts[item], 1.0)) * popularity)
    return similarity


def taste_scores(similarity: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """Mean similarity to the liked movies, divided by the best of ``candidates`` (a boolean mask of
    the movies that may be recommended), so the best candidate scores 1; all zeros when no liked
    movie shares a rater with any candidate."""
    taste = similarity.mean(axis=0) if len(similarity) else np.zeros(similarity.shape[1])
    best = float(taste[candidates].max()) if candidates.any() else 0.0
    return taste / best if best > 0 else np.zeros_like(taste)
