"""How good a recommender is: rating error (RMSE, MAE) and top-k ranking quality on held-out ratings.

Ranking follows the usual offline protocol: for each test user, every movie they did not rate in
training is scored, the top ``k`` are recommended, and a recommendation is a hit when the user rated
that movie in the test set at or above the relevance threshold (4 stars on 1-5). Precision@k =
hits / k, Recall@k = hits / relevant test movies, NDCG@k discounts hits by log2 of their rank.
Users with no relevant test movie are left out (nothing to find).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

MAX_RANKED_USERS = 2_000  # ranking every movie for every user is users x movies scores: sample beyond this


def rating_errors(predicted: np.ndarray, actual: np.ndarray) -> dict[str, float]:
    errors = np.asarray(predicted, np.float64) - np.asarray(actual, np.float64)
    return {"rmse": float(np.sqrt(np.mean(errors**2))), "mae": float(np.mean(np.abs(errors)))}


def ranking_metrics(
    score_users: Callable[[np.ndarray], np.ndarray],
    train_users: np.ndarray,
    train_items: np.ndarray,
    test_users: np.ndarray,
    test_items: np.ndarray,
    test_ratings: np.ndarray,
    num_items: int,
    threshold: float,
    k: int = 10,
    seed: int = 0,
) -> dict[str, float]:
    """Precision@k, Recall@k and NDCG@k (means over users with a relevant test movie).

    ``score_users(user_indices)`` returns a (len(users), num_items) array of predicted ratings.
    """
    relevant = test_ratings >= threshold
    candidates = np.unique(test_users[relevant])
    if len(candidates) > MAX_RANKED_USERS:
        candidates = np.sort(np.random.default_rng(seed).choice(candidates, MAX_RANKED_USERS, replace=False))
    if len(candidates) == 0:
        return {f"precision_at_{k}": 0.0, f"recall_at_{k}": 0.0, f"ndcg_at_{k}": 0.0, "ranked_users": 0}
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    precision, recall, ndcg = [], [], []
    train_by_user = _rows_by_user(train_users, train_items)
    test_by_user = _rows_by_user(test_users[relevant], test_items[relevant])
    for start in range(0, len(candidates), 256):
        batch = candidates[start:start + 256]
        scores = np.array(score_users(batch), dtype=np.float64, copy=True)
        for row, user in enumerate(batch):
            scores[row, train_by_user.get(int(user), [])] = -np.inf  # never recommend what was already rated
            top = np.argpartition(-scores[row], min(k, num_items - 1))[:k]
            top = top[np.argsort(-scores[row, top])]
            wanted = set(test_by_user[int(user)])
            hits = np.array([item in wanted for item in top], dtype=np.float64)
            precision.append(hits.sum() / k)
            recall.append(hits.sum() / len(wanted))
            ideal = discounts[: min(len(wanted), k)].sum()
            ndcg.append(float((hits * discounts[: len(hits)]).sum() / ideal))
    return {f"precision_at_{k}": float(np.mean(precision)), f"recall_at_{k}": float(np.mean(recall)),
            f"ndcg_at_{k}": float(np.mean(ndcg)), "ranked_users": int(len(candidates))}


def _rows_by_user(users: np.ndarray, items: np.ndarray) -> dict[int, list[int]]:
    grouped: dict[int, list[int]] = {}
    for user, item in zip(users.tolist(), items.tolist(), strict=True):
        grouped.setdefault(user, []).append(item)
    return grouped
