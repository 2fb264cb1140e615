"""How many ratings a new visitor needs: fold-in error against the number of ratings given.

Trains each model kind once on MovieLens 100k (random 80/20 split), then treats every test user as
a new visitor: their vector is thrown away and solved again (``FactorModel.fold_in``) from only k of
their training ratings; RMSE is measured on their held-out ratings. Also reports the RMSE with the
trained vectors (the ceiling) and the bias baseline's (the floor to beat), the fold-in ridge
penalty chosen, and the median time of a known user's top 10 (``top10_ms``). Prints JSON. Run: python bench/recommender_fold_in.py
"""

import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

from dl.jobs import run_inline  # noqa: E402
from dl.recommender.config import RecommenderConfig  # noqa: E402
from dl.recommender.data import load_movielens_100k  # noqa: E402
from dl.recommender.recommend import recommend_for_user  # noqa: E402
from dl.recommender.split import split_ratings  # noqa: E402
from dl.recommender.train import train_recommender  # noqa: E402
from dl.store import ModelStore  # noqa: E402

COUNTS = (3, 5, 10, 20, 40)
PENALTIES = (0.3, 1.0, 3.0, 10.0)


def fold_in_rmse(trained, data, split, count: int, penalty: float, seed: int = 0) -> tuple[float, float]:
    """RMSE on test users' held-out ratings with vectors folded in from ``count`` training ratings."""
    rng = np.random.default_rng(seed)
    errors, seconds = [], []
    train_users, train_items, train_values = data.users[split.train], data.items[split.train], data.ratings[split.train]
    for user in np.unique(data.users[split.test]):
        own = np.flatnonzero(train_users == user)
        if len(own) < count:
            continue
        chosen = rng.choice(own, count, replace=False)
        started = time.perf_counter()
        vector, bias = trained.factors.fold_in(train_items[chosen], train_values[chosen], penalty)
        seconds.append(time.perf_counter() - started)
        test_rows = split.test[data.users[split.test] == user]
        predicted = trained.factors.score_vector(vector, bias)[data.items[test_rows]]
        errors.append((predicted - data.ratings[test_rows]) ** 2)
    return float(np.sqrt(np.mean(np.concatenate(errors)))), float(np.median(seconds))


def top10_ms(trained, users: int = 50) -> float:
    """Median milliseconds of one user's top 10 with reasons (``recommend_for_user``)."""
    seconds = []
    for user in range(users):
        started = time.perf_counter()
        recommend_for_user(trained.factors, trained.catalog, user, 10)
        seconds.append(time.perf_counter() - started)
    return round(1000 * sorted(seconds)[users // 2], 2)


def main() -> None:
    data = load_movielens_100k()
    store = ModelStore(tempfile.mkdtemp(prefix="bench-fold-in-"))
    report = {}
    for kind in ("biased", "seed", "neural"):
        config = RecommenderConfig(model=kind)
        trained = run_inline(lambda reporter, config=config: train_recommender(config, data, reporter, store))
        split = split_ratings(data, config.split, config.test_fraction, config.validation_fraction, config.seed)
        penalties = PENALTIES if kind != "neural" else (1.0,)
        by_penalty = {penalty: {count: fold_in_rmse(trained, data, split, count, penalty) for count in COUNTS}
                      for penalty in penalties}
        best = min(by_penalty, key=lambda penalty: by_penalty[penalty][10][0])
        report[kind] = {
            "trained_vectors_rmse": round(trained.metrics["rmse"], 4),
            "bias_baseline_rmse": round(trained.metrics["baselines"]["bias"]["rmse"], 4),
            "best_penalty": best,
            "fold_in_rmse_by_ratings": {count: round(value[0], 4) for count, value in by_penalty[best].items()},
            "fold_in_ms": round(1000 * by_penalty[best][10][1], 2),
            "top10_ms": top10_ms(trained),
            "rmse_at_10_by_penalty": {penalty: round(values[10][0], 4) for penalty, values in by_penalty.items()},
        }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
