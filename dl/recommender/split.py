"""Held-out splits of a ratings set: random, or each user's latest ratings by time.

Every rating in a test set belongs to a user and a movie that also appear in training: a model
cannot be judged on a movie it never saw (that is the cold-start problem, handled by fold-in). Test
ratings that would break this are moved to training and counted, so nothing is silently dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dl.data.errors import DataError
from dl.recommender.config import SPLITS
from dl.recommender.data import RatingsData


@dataclass(frozen=True)
class Split:
    """Row indices into a RatingsData: ``train`` (fitting), ``validation`` (early stopping, part of
    the training users' ratings) and ``test`` (the reported metrics). ``moved``: test rows moved
    back into training because their user or movie had no other rating."""

    train: np.ndarray
    validation: np.ndarray
    test: np.ndarray
    moved: int


def split_ratings(data: RatingsData, method: str, test_fraction: float, validation_fraction: float, seed: int) -> Split:
    """``random``: a random ``test_fraction`` of all ratings; ``time``: each user's latest
    ``test_fraction`` of their ratings (the honest setting: predict the future from the past)."""
    if method not in SPLITS:
        raise DataError(f"Unknown split '{method}'; choose one of {', '.join(SPLITS)}.")
    if method == "time" and data.timestamps is None:
        raise DataError(f"{data.source} has no time column, so it cannot be split by time. Use the random split.",
                        "no_time_column", name=data.source)
    rng = np.random.default_rng(seed)
    count = len(data.ratings)
    is_test = np.zeros(count, dtype=bool)
    if method == "random":
        is_test[rng.permutation(count)[: round(count * test_fraction)]] = True
    else:
        order = np.lexsort((data.timestamps, data.users))  # by user, then time
        starts = np.searchsorted(data.users[order], np.arange(data.num_users))
        sizes = np.diff(np.append(starts, count))
        for start, size in zip(starts, sizes, strict=True):
            take = int(size * test_fraction)
            if take:
                is_test[order[start + size - take: start + size]] = True
    moved = _keep_seen(data, is_test)
    train_rows = np.flatnonzero(~is_test)
    validation_mask = np.zeros(len(train_rows), dtype=bool)
    validation_mask[rng.permutation(len(train_rows))[: round(len(train_rows) * validation_fraction)]] = True
    # validation rows must also leave their user and movie in the fitting part
    fitting = np.ones(count, dtype=bool)
    fitting[is_test] = False
    fitting[train_rows[validation_mask]] = False
    validation_rows = train_rows[validation_mask]
    back = _unseen(data, fitting, validation_rows)
    fitting[validation_rows[back]] = True
    validation_rows = validation_rows[~back]
    return Split(train=rng.permutation(np.flatnonzero(fitting)), validation=validation_rows,
                 test=np.flatnonzero(is_test), moved=moved)


def _unseen(data: RatingsData, fitting: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Mask over ``rows``: the user or the movie has no rating among the ``fitting`` rows."""
    seen_users = np.bincount(data.users[fitting], minlength=data.num_users) > 0
    seen_items = np.bincount(data.items[fitting], minlength=data.num_items) > 0
    return ~(seen_users[data.users[rows]] & seen_items[data.items[rows]])


def _keep_seen(data: RatingsData, is_test: np.ndarray) -> int:
    """Move test rows whose user or movie has no training rating into training; return how many."""
    test_rows = np.flatnonzero(is_test)
    unseen = _unseen(data, ~is_test, test_rows)
    is_test[test_rows[unseen]] = False
    # moving one row in can make another row of the same movie visible: one pass is enough,
    # since a moved row only adds training ratings
    return int(unseen.sum())
