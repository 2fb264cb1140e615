"""A generated ratings file unlike MovieLens 100k: many movies, few ratings each, no items file.

Used by the ranking benchmark and the tests to check that a recommender which ranks well on
MovieLens also ranks well where most movies are rated a handful of times. The truth is planted:
each rating is ``3.1 + user bias + movie quality + user taste . movie traits + noise``, rounded to
1-5 stars. Which movies a user rates follows a long-tailed popularity (a few movies rated by many,
thousands rated by a few) tilted towards their taste; well-liked movies are somewhat more popular,
as in real catalogues. Same arguments, same file (a fixed seed).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class SyntheticRatingsSpec:
    """The shape of a generated ratings file; the defaults give ~100k ratings over 9,000 movies."""

    users: int = 1_400  # ~70 ratings each: MovieLens-like users, but spread over five times the movies
    items: int = 9_500  # ~9,000 of them get rated: the upload had about 9,000 movies
    mean_ratings_per_user: float = 70.0  # log-normal around this, at least min_ratings_per_user
    min_ratings_per_user: int = 15  # MovieLens keeps users with 20+; a little lower here
    rank: int = 6  # planted taste dimensions
    popularity_exponent: float = 0.9  # Zipf-like: the 10th movie is rated ~7x as often as the 100th
    quality_spread: float = 0.45  # std of a movie's own quality (stars)
    user_bias_spread: float = 0.35  # std of a user's leniency (stars)
    taste_spread: float = 0.6  # std of the taste term taste . traits (stars)
    noise: float = 0.8  # std of the noise on each rating (stars), before rounding
    seed: int = 7


def generate_ratings(spec: SyntheticRatingsSpec = SyntheticRatingsSpec()) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(user ids, movie ids, stars) as int arrays; movie ids are shuffled so they say nothing."""
    rng = np.random.default_rng(spec.seed)
    taste = rng.normal(0, 1, (spec.users, spec.rank))
    traits = rng.normal(0, 1, (spec.items, spec.rank))
    taste_scale = spec.taste_spread / np.sqrt(spec.rank)
    log_popularity = -spec.popularity_exponent * np.log(np.arange(spec.items) + 5.0)
    quality = rng.normal(0, spec.quality_spread, spec.items) + 0.12 * (log_popularity - log_popularity.mean())
    user_bias = rng.normal(0, spec.user_bias_spread, spec.users)
    counts = np.maximum(spec.min_ratings_per_user,
                        rng.lognormal(np.log(spec.mean_ratings_per_user) - 0.5, 1.0, spec.users)).astype(int)
    counts = np.minimum(counts, spec.items // 4)
    users, items = [], []
    for user in range(spec.users):
        affinity = log_popularity + 0.5 * (traits @ taste[user]) * taste_scale + 0.5 * quality
        weights = np.exp(affinity - affinity.max())
        chosen = rng.choice(spec.items, size=counts[user], replace=False, p=weights / weights.sum())
        users.append(np.full(len(chosen), user))
        items.append(chosen)
    users, items = np.concatenate(users), np.concatenate(items)
    raw = (3.1 + user_bias[users] + quality[items] + taste_scale * np.einsum("ij,ij->i", taste[users], traits[items])
           + rng.normal(0, spec.noise, len(users)))
    stars = np.clip(np.rint(raw), 1, 5).astype(int)
    movie_ids = rng.permutation(spec.items) + 1
    return users + 1, movie_ids[items], stars


def ratings_csv(spec: SyntheticRatingsSpec = SyntheticRatingsSpec()) -> bytes:
    """The generated ratings as an uploadable CSV (``user,item,rating``), rows in random order."""
    users, items, stars = generate_ratings(spec)
    order = np.random.default_rng(spec.seed + 1).permutation(len(users))
    lines = ["user,item,rating", *(f"{u},{i},{s}" for u, i, s in zip(users[order], items[order], stars[order], strict=True))]
    return ("\n".join(lines) + "\n").encode()
