"""Does a new visitor's list follow their taste? The predicted rating alone against the taste blend.

Trains the page's default recommender (biased MF) on MovieLens 100k (random 80/20 split) and asks
``recommend_for_visitor`` two ways: ``blend=None`` (ordered by the predicted rating, as before) and
the default ``TasteBlend`` (``dl.recommender.taste``).

- Genre share: for every genre with enough movies, a visitor gives its k most-rated movies 5 stars
  (k = 5, 10, 20); the share of that genre in their top 10 against its share of the catalogue.
  ``leaning`` counts genres above the catalogue's share, ``clear`` those at least 20 points above
  (the browser test's bar: 3 horror movies of 10 against 5.5 %).
- Hidden users: every test user with a held-out rating >= 4 is treated as a visitor who rated k
  random movies of their training ratings; their top 10 (leaving out all their training movies) is
  scored against their held-out ratings: precision@10 and hit rate (at least one movie they rated
  >= 4). Their ratings stay in the trained model and the co-rating counts (retraining per user is
  too slow); their held-out ratings are in neither.
- Known users' held-out RMSE and NDCG@10 (``recommend_for_user`` does not change: the same numbers
  for both), and the median milliseconds of one visitor's top 10 with 10 ratings.

Prints JSON. Run: python bench/recommender_visitor_taste.py
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
from dl.recommender.recommend import DEFAULT_BLEND, recommend_for_visitor  # noqa: E402
from dl.recommender.split import split_ratings  # noqa: E402
from dl.recommender.train import train_recommender  # noqa: E402
from dl.store import ModelStore  # noqa: E402

COUNTS = (5, 10, 20)
WAYS = {"predicted_rating": None, "taste_blend": DEFAULT_BLEND}
CLEAR_MARGIN = 0.2  # "clear": this far above the catalogue's share


def genre_fan(catalog, item_counts, genre: str, count: int, min_ratings: int) -> dict[int, float] | None:
    """5 stars for the ``count`` most-rated movies of ``genre`` (None when it has too few to recommend others)."""
    members = [int(item) for item in np.argsort(-item_counts, kind="stable")
               if genre in catalog.genres[item] and item_counts[item] >= min_ratings]
    return dict.fromkeys(members[:count], 5.0) if len(members) >= count + 10 else None


def genre_shares(factors, catalog, count: int, blend) -> dict[str, dict[str, float]]:
    genres = sorted({genre for movie in catalog.genres for genre in movie})
    shares = {}
    for genre in genres:
        fan = genre_fan(catalog, factors.item_counts, genre, count, factors.min_ratings)
        if fan is None:
            continue
        picks = recommend_for_visitor(factors, catalog, fan, 10, blend)
        shares[genre] = {"catalogue": round(float(np.mean([genre in movie for movie in catalog.genres])), 3),
                         "top10": round(float(np.mean([genre in pick.genres for pick in picks])), 2)}
    return shares


def hidden_users(factors, catalog, data, split, count: int, blend, seed: int = 0) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    test_users, test_items, test_ratings = data.users[split.test], data.items[split.test], data.ratings[split.test]
    precision, hits = [], []
    for user in np.unique(test_users[test_ratings >= catalog.relevance_threshold]):
        items, values = catalog.rated_by(int(user))
        if len(items) < count:
            continue
        chosen = rng.choice(len(items), count, replace=False)
        visitor = {int(items[index]): float(values[index]) for index in chosen}
        seen = set(items.tolist())
        picks = [pick.item for pick in recommend_for_visitor(factors, catalog, visitor, 10 + len(seen), blend)
                 if pick.item not in seen][:10]
        wanted = set(test_items[(test_users == user) & (test_ratings >= catalog.relevance_threshold)].tolist())
        found = sum(item in wanted for item in picks)
        precision.append(found / 10)
        hits.append(found > 0)
    return {"precision_at_10": round(float(np.mean(precision)), 4), "hit_rate": round(float(np.mean(hits)), 3),
            "users": len(precision)}


def visitor_ms(factors, catalog, blend, visitors: int = 50) -> float:
    rng = np.random.default_rng(1)
    seconds = []
    for _ in range(visitors):
        ratings = {int(item): float(rng.integers(1, 6)) for item in rng.choice(np.flatnonzero(factors.item_counts >= 20), 10)}
        started = time.perf_counter()
        recommend_for_visitor(factors, catalog, ratings, 10, blend)
        seconds.append(time.perf_counter() - started)
    return round(1000 * float(np.median(seconds)), 2)


def main() -> None:
    data = load_movielens_100k()
    config = RecommenderConfig()
    store = ModelStore(os.environ.get("BENCH_STORE") or tempfile.mkdtemp(prefix="bench-visitor-taste-"))
    trained = run_inline(lambda reporter: train_recommender(config, data, reporter, store))
    split = split_ratings(data, config.split, config.test_fraction, config.validation_fraction, config.seed)
    factors, catalog = trained.factors, trained.catalog
    report = {"model": config.model, "blend": {"weight": DEFAULT_BLEND.weight,
                                                "popularity_exponent": DEFAULT_BLEND.popularity_exponent},
              "known_users": {"rmse": round(trained.metrics["rmse"], 4), "ndcg_at_10": round(trained.metrics["ndcg_at_10"], 4)}}
    for name, blend in WAYS.items():
        way = {"visitor_top10_ms": visitor_ms(factors, catalog, blend)}
        for count in COUNTS:
            shares = genre_shares(factors, catalog, count, blend)
            way[f"{count}_ratings"] = {
                "genres": len(shares),
                "leaning": sum(share["top10"] > share["catalogue"] for share in shares.values()),
                "clear": sum(share["top10"] >= share["catalogue"] + CLEAR_MARGIN for share in shares.values()),
                "hidden_users": hidden_users(factors, catalog, data, split, count, blend),
                "top10_share_by_genre": {genre: share["top10"] for genre, share in shares.items()},
            }
        report[name] = way
    report["catalogue_share_by_genre"] = {genre: share["catalogue"]
                                          for genre, share in genre_shares(factors, catalog, 10, None).items()}
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
