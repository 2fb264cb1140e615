"""The baselines every recommender must beat: the global mean, and user + movie biases.

The bias baseline predicts ``mean + b_user + b_movie``, fitted by a few rounds of regularised
alternating averages (Koren, "Factor in the neighbors", 2008): a movie's bias is its average
deviation shrunk towards 0 by ``item_shrinkage`` phantom ratings, a user's likewise. On MovieLens
it already explains most of what a rating is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class BiasBaseline:
    global_mean: float
    user_bias: np.ndarray
    item_bias: np.ndarray

    def predict(self, users: np.ndarray, items: np.ndarray) -> np.ndarray:
        return (self.global_mean + self.user_bias[users] + self.item_bias[items]).astype(np.float32)

    def scores(self, user: int) -> np.ndarray:
        """Predicted rating of every movie for one user."""
        return (self.global_mean + self.user_bias[user] + self.item_bias).astype(np.float32)


def fit_bias_baseline(users: np.ndarray, items: np.ndarray, ratings: np.ndarray, num_users: int, num_items: int,
                      user_shrinkage: float = 10.0, item_shrinkage: float = 25.0, rounds: int = 5) -> BiasBaseline:
    """Regularised user and movie biases; shrinkage counts are Koren's MovieLens/Netflix values."""
    mean = float(ratings.mean())
    user_bias = np.zeros(num_users)
    item_bias = np.zeros(num_items)
    user_counts = np.bincount(users, minlength=num_users)
    item_counts = np.bincount(items, minlength=num_items)
    for _ in range(rounds):
        item_bias = np.bincount(items, ratings - mean - user_bias[users], num_items) / (item_counts + item_shrinkage)
        user_bias = np.bincount(users, ratings - mean - item_bias[items], num_users) / (user_counts + user_shrinkage)
    return BiasBaseline(mean, user_bias.astype(np.float32), item_bias.astype(np.float32))


def global_mean_baseline(ratings: np.ndarray, num_users: int, num_items: int) -> BiasBaseline:
    """Everyone rates everything the average: the floor any model must clear."""
    return BiasBaseline(float(ratings.mean()), np.zeros(num_users, np.float32), np.zeros(num_items, np.float32))
