"""Why this movie: one prediction split into the terms that add up to it.

For biased matrix factorisation a predicted rating is a sum, so it can be read term by term:

    prediction = global mean + user bias + movie bias + p_u1 q_i1 + p_u2 q_i2 + ... + p_uk q_ik

The factor products are listed largest first (by size, either sign) and the rest summed as "other
factors", so a few bars explain the score and the bars still add up exactly. The other models have
fewer terms: the tutorial model is ``Dense bias + weight x (p_u . q_i)`` (no biases; its products are
scaled by the weight), the neural model ``mean + user bias + movie bias + MLP(p_u, q_i)`` (the MLP
part does not split by factor, so it is one term).

Recommendations are ranked by a shrunk score (``FactorModel.ranking_scores``): the movie's own part
(everything but the mean and the user's bias) times ``n / (n + shrinkage)`` for a movie rated ``n``
times. ``ranking_adjustment`` is what that shrinkage takes off (or adds), so the terms plus it equal
the score the list ranks by (shown clipped to the rating range).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dl.recommender.factors import FactorModel

TOP_FACTORS = 3  # products shown one by one: most predictions are decided by a few factors


@dataclass
class Term:
    code: str  # "global_mean", "offset", "user_bias", "movie_bias", "factor", "other_factors", "interaction"
    value: float  # stars
    factor: int | None = None  # which latent dimension, for code "factor"


@dataclass
class PredictionTerms:
    kind: str  # the model kind ("biased", "seed", "neural")
    terms: list[Term]
    prediction: float  # the model's predicted rating before clipping: the sum of ``terms``
    ranking_adjustment: float  # ranking score - prediction (0 without shrinkage)
    movie_weight: float  # n / (n + shrinkage): the share of the movie's own part that ranking keeps
    rating_range: tuple[float, float]

    @property
    def ranking_score(self) -> float:
        """The score the recommendation list ranks by (before clipping)."""
        return self.prediction + self.ranking_adjustment

    @property
    def shown_score(self) -> float:
        """The ranking score clipped to the rating range: the predicted rating the list shows."""
        return float(np.clip(self.ranking_score, *self.rating_range))


def terms_for_user(factors: FactorModel, user: int, item: int, top: int = TOP_FACTORS) -> PredictionTerms:
    """The terms of user ``user``'s predicted rating of movie ``item`` (catalogue indices)."""
    return terms_for_vector(factors, factors.user_factors[user], float(factors.user_bias[user]), item, top)


def terms_for_vector(factors: FactorModel, vector: np.ndarray, bias: float, item: int,
                     top: int = TOP_FACTORS) -> PredictionTerms:
    """The terms for a user given by a vector and bias (a new visitor folded in: ``FactorModel.fold_in``)."""
    vector = np.asarray(vector, np.float64)
    item_vector = factors.item_factors[item].astype(np.float64)
    movie_bias = float(factors.item_bias[item])
    if factors.kind == "neural":
        interaction = float(factors.score_vector(vector.astype(np.float32), bias, clip=False)[item]) - factors.offset - bias - movie_bias
        terms = [Term("global_mean", factors.offset), Term("user_bias", bias), Term("movie_bias", movie_bias),
                 Term("interaction", interaction)]
    else:
        products = factors.scale * vector * item_vector
        order = np.argsort(-np.abs(products), kind="stable")
        shown, rest = order[:top], order[top:]
        terms = [Term("offset" if factors.kind == "seed" else "global_mean", factors.offset)]
        if factors.kind != "seed":  # the tutorial model has no biases
            terms += [Term("user_bias", bias), Term("movie_bias", movie_bias)]
        terms += [Term("factor", float(products[index]), int(index)) for index in shown]
        if len(rest):
            terms.append(Term("other_factors", float(products[rest].sum())))
    prediction = float(sum(term.value for term in terms))
    user_part = factors.offset + bias  # what ranking leaves alone
    weight = movie_weight(factors, item)
    return PredictionTerms(factors.kind, terms, prediction, (weight - 1.0) * (prediction - user_part), weight,
                           factors.rating_range)


def movie_weight(factors: FactorModel, item: int) -> float:
    """n / (n + shrinkage) for a movie rated n times in training (1 when the model ranks unshrunk)."""
    if factors.item_counts is None or factors.ranking_shrinkage <= 0:
        return 1.0
    count = float(factors.item_counts[item])
    return count / (count + factors.ranking_shrinkage)
