"""Does the default recommender rank well? RMSE, NDCG@10 and Precision@10 of the default model
against the user + movie bias baseline, on MovieLens 100k and on a generated ratings file unlike it
(~100k ratings over ~9,000 movies, half of them rated 4 times or fewer, no items file: see
dl/recommender/synthetic.py), read through the same upload path as a user's file.

"before" is the same trained model ranked the old way (by its predicted rating, every movie a
candidate: ``ranking_shrinkage=0, min_ratings_to_recommend=1``); "after" is the default ranking.
Ranking settings do not change training, so both rows come from one fit and share the RMSE.
``obscure_share``: the share of recommended movies (top 10 of 200 users) with fewer than 10
training ratings.

Prints JSON. Run: python bench/recommender_ranking.py [--data ml-100k generated]
"""

import argparse
import dataclasses
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
from dl.recommender.data import load_movielens_100k, read_ratings_file  # noqa: E402
from dl.recommender.recommend import recommend_for_user  # noqa: E402
from dl.recommender.split import split_ratings  # noqa: E402
from dl.recommender.synthetic import ratings_csv  # noqa: E402
from dl.recommender.train import evaluate_all, train_recommender  # noqa: E402
from dl.store import ModelStore  # noqa: E402

KEYS = ("rmse", "ndcg_at_10", "precision_at_10", "recall_at_10")
OBSCURE = 10  # "rarely rated": fewer training ratings than this
SAMPLED_USERS = 200


def load(name: str):
    if name == "ml-100k":
        return load_movielens_100k()
    return read_ratings_file(ratings_csv(), "generated.csv")


def rounded(metrics: dict) -> dict:
    return {key: round(float(metrics[key]), 4) for key in KEYS}


def obscure_share(factors, catalog) -> float:
    users = np.random.default_rng(0).choice(len(catalog.user_ids), min(SAMPLED_USERS, len(catalog.user_ids)), replace=False)
    counts = np.bincount(catalog.items, minlength=len(catalog.item_ids))
    shown = [item.item for user in users for item in recommend_for_user(factors, catalog, int(user), 10)]
    return round(float(np.mean(counts[shown] < OBSCURE)), 3)


def measure(name: str, store: ModelStore) -> dict:
    data = load(name)
    config = RecommenderConfig()
    started = time.perf_counter()
    trained = run_inline(lambda reporter: train_recommender(config, data, reporter, store))
    seconds = time.perf_counter() - started
    split = split_ratings(data, config.split, config.test_fraction, config.validation_fraction, config.seed)
    old = dataclasses.replace(trained.factors, ranking_shrinkage=0.0, min_ratings=1)
    before = evaluate_all(old, data, split)
    counts = data.per_item_counts()
    return {
        "data": {"ratings": len(data.ratings), "users": data.num_users, "movies": data.num_items,
                 "median_ratings_per_movie": float(np.median(counts)),
                 "share_of_movies_rated_under_5_times": round(float(np.mean(counts < 5)), 3)},
        "before": {**rounded(before), "obscure_share": obscure_share(old, trained.catalog)},
        "after": {**rounded(trained.metrics), "obscure_share": obscure_share(trained.factors, trained.catalog)},
        "bias_baseline": rounded(trained.metrics["baselines"]["bias"]),
        "epochs": trained.metrics["epochs_run"], "job_seconds": round(seconds, 1),
        "settings": {"ranking_shrinkage": config.ranking_shrinkage,
                     "min_ratings_to_recommend": config.min_ratings_to_recommend},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", nargs="+", default=["ml-100k", "generated"], choices=["ml-100k", "generated"])
    args = parser.parse_args()
    store = ModelStore(tempfile.mkdtemp(prefix="bench-recommender-ranking-"))
    report = {name: measure(name, store) for name in args.data}
    for result in report.values():
        after, baseline = result["after"], result["bias_baseline"]
        result["goal_met"] = bool(after["ndcg_at_10"] >= baseline["ndcg_at_10"]
                                  and after["precision_at_10"] >= baseline["precision_at_10"])
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
