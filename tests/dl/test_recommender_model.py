"""Splits, baselines, ranking metrics, fold-in and training of the recommender, on real ratings."""

import numpy as np
import pytest

from dl.data import DataError
from dl.jobs import run_inline
from dl.recommender.baselines import fit_bias_baseline, global_mean_baseline
from dl.recommender.config import RecommenderConfig
from dl.recommender.data import load_movielens_100k
from dl.recommender.evaluate import ranking_metrics, rating_errors
from dl.recommender.factors import FactorModel
from dl.recommender.recommend import recommend_for_user, recommend_for_visitor, similar_movies
from dl.recommender.split import split_ratings
from dl.recommender.train import train_recommender


@pytest.fixture(scope="module")
def movielens():
    return load_movielens_100k()


def test_random_split_holds_out_a_fifth_and_every_test_pair_is_known(movielens):
    split = split_ratings(movielens, "random", 0.2, 0.05, 0)
    assert abs(len(split.test) - 20_000) <= split.moved and split.moved < 100
    assert len(set(split.train) | set(split.validation) | set(split.test)) == 100_000
    assert set(movielens.users[split.test]) <= set(movielens.users[split.train])
    assert set(movielens.items[split.test]) <= set(movielens.items[split.train])


def test_time_split_tests_each_users_latest_ratings(movielens):
    """Against an independent reading of the rule: each user's latest fifth by time is the test set,
    except the rows moved back to training because their movie (or user) had no other rating."""
    split = split_ratings(movielens, "time", 0.2, 0.0, 0)
    order = np.lexsort((np.arange(len(movielens.ratings)), movielens.timestamps, movielens.users))
    users_in_order = movielens.users[order]
    position = np.arange(len(order)) - np.searchsorted(users_in_order, users_in_order)  # rank within the user
    sizes = np.bincount(movielens.users, minlength=movielens.num_users)[users_in_order]
    latest = np.zeros(len(order), dtype=bool)
    latest[order[position >= sizes - (sizes * 0.2).astype(int)]] = True

    test = np.zeros(len(order), dtype=bool)
    test[split.test] = True
    assert not (test & ~latest).any(), "a test rating is not among its user's latest fifth"
    moved = np.flatnonzero(latest & ~test)
    assert len(moved) == split.moved and 0 < split.moved < 100  # counted, and few (MovieLens: late, rare movies)
    training = ~test
    items_in_training = np.bincount(movielens.items[training & ~latest], minlength=movielens.num_items)
    assert (items_in_training[movielens.items[moved]] == 0).all(), "a moved rating's movie had other training ratings"
    # the property itself: apart from the moved rows, every test rating is as late as the user's last training rating
    kept_training = training.copy()
    kept_training[moved] = False
    last_training = np.full(movielens.num_users, -np.inf)
    np.maximum.at(last_training, movielens.users[kept_training], movielens.timestamps[kept_training])
    assert (movielens.timestamps[test] >= last_training[movielens.users[test]]).all()
    assert len(split.test) + split.moved == latest.sum()


def test_bias_baseline_beats_the_global_mean(movielens):
    split = split_ratings(movielens, "random", 0.2, 0.0, 0)
    args = (movielens.users[split.train], movielens.items[split.train], movielens.ratings[split.train], 943, 1682)
    truth = movielens.ratings[split.test]
    bias = rating_errors(fit_bias_baseline(*args).predict(movielens.users[split.test], movielens.items[split.test]), truth)
    mean = rating_errors(global_mean_baseline(args[2], 943, 1682).predict(movielens.users[split.test], movielens.items[split.test]), truth)
    assert bias["rmse"] < 0.96 < 1.1 < mean["rmse"]


def test_ranking_metrics_on_a_hand_made_case():
    # user 0 liked items 1 and 3 in the test set; item 0 was rated in training and must be skipped
    scores = np.array([[9.0, 8.0, 0.0, 7.0, 1.0]])
    metrics = ranking_metrics(lambda users: scores[users], np.array([0]), np.array([0]), np.array([0, 0, 0]),
                              np.array([1, 3, 4]), np.array([5.0, 4.0, 2.0]), 5, 4.0, k=2)
    assert metrics["precision_at_2"] == 1.0 and metrics["recall_at_2"] == 1.0 and metrics["ndcg_at_2"] == pytest.approx(1.0)
    worst = ranking_metrics(lambda users: -scores[users], np.array([0]), np.array([0]), np.array([0, 0, 0]),
                            np.array([1, 3, 4]), np.array([5.0, 4.0, 2.0]), 5, 4.0, k=2)
    assert worst["precision_at_2"] == 0.0


def synthetic_factors(kind="biased", users=50, items=200, dim=8, seed=0):
    rng = np.random.default_rng(seed)
    return FactorModel(kind, rng.normal(0, 0.5, (users, dim)).astype(np.float32), rng.normal(0, 0.5, (items, dim)).astype(np.float32),
                       np.zeros(users, np.float32), rng.normal(0, 0.3, items).astype(np.float32), 3.5, rating_range=(-10, 10))


def test_fold_in_recovers_a_known_taste():
    factors = synthetic_factors()
    truth = np.random.default_rng(1).normal(0, 0.5, 8)
    items = np.arange(60)
    ratings = factors.score_vector(truth.astype(np.float32), 0.4)[items]
    vector, bias = factors.fold_in(items, ratings, l2=0.01)
    assert np.allclose(vector, truth, atol=0.05) and bias == pytest.approx(0.4, abs=0.05)


def test_neural_fold_in_fits_the_ratings_it_was_given():
    from scipy.optimize import check_grad

    rng = np.random.default_rng(0)
    layers = [(rng.normal(0, 0.3, (16, 12)), np.zeros(12)), (rng.normal(0, 0.3, (12, 6)), np.zeros(6)),
              (rng.normal(0, 0.3, (6, 1)), np.zeros(1))]
    factors = FactorModel("neural", rng.normal(0, 0.5, (5, 8)), rng.normal(0, 0.5, (40, 8)), np.zeros(5),
                          rng.normal(0, 0.3, 40), 3.5, layers=layers, rating_range=(-10, 10))
    items, ratings = np.arange(20), factors.score_vector(rng.normal(0, 1, 8), 0.7)[:20]
    point = rng.normal(0, 1, 9)
    assert check_grad(lambda p: factors.neural_fold_in_loss(p, items, ratings, 0.5)[0],
                      lambda p: factors.neural_fold_in_loss(p, items, ratings, 0.5)[1], point) < 1e-3
    start = np.append(factors.user_factors.mean(axis=0), 0.0)
    vector, bias = factors.fold_in(items, ratings, l2=0.0)
    fitted = factors.neural_fold_in_loss(np.append(vector, bias).astype(np.float64), items, ratings, 0.0)[0]
    assert fitted < factors.neural_fold_in_loss(start, items, ratings, 0.0)[0] / 10


def test_factor_files_round_trip(tmp_path):
    factors = synthetic_factors("seed")
    factors.save(tmp_path)
    loaded = FactorModel.load(tmp_path)
    assert loaded.kind == "seed" and np.array_equal(loaded.item_factors, factors.item_factors)
    assert np.allclose(loaded.score_users(np.array([3])), factors.score_users(np.array([3])))


@pytest.mark.parametrize("kind", ["seed", "biased", "neural"])
def test_each_model_trains_beats_the_global_mean_and_hits_the_cache(kind, movielens, store):
    config = RecommenderConfig(model=kind, epochs=3)
    trained = run_inline(lambda reporter: train_recommender(config, movielens, reporter, store))
    metrics = trained.metrics
    assert metrics["rmse"] < metrics["baselines"]["global_mean"]["rmse"] - 0.15
    assert metrics["precision_at_10"] > 2 * metrics["baselines"]["global_mean"]["precision_at_10"]
    if kind == "biased":
        assert metrics["rmse"] < metrics["baselines"]["bias"]["rmse"] - 0.01
    assert [row["epoch"] for row in trained.history] == [1, 2, 3] and "val_rmse" in trained.history[0]
    again = run_inline(lambda reporter: train_recommender(config, movielens, reporter, store))
    assert again.from_cache and again.metrics == metrics
    assert np.array_equal(again.factors.item_factors, trained.factors.item_factors)

    user = movielens.user_ids.index("1")
    picks = recommend_for_user(again.factors, again.catalog, user, 10)
    seen = set(again.catalog.rated_by(user)[0].tolist())
    assert len(picks) == 10 and not {pick.item for pick in picks} & seen and all(pick.because for pick in picks)
    scores = [pick.score for pick in picks]
    assert scores == sorted(scores, reverse=True)


def test_visitor_who_loves_star_wars_gets_space_opera(movielens, store):
    trained = run_inline(lambda reporter: train_recommender(RecommenderConfig(epochs=8), movielens, reporter, store))
    titles = trained.catalog.titles
    sci_fi = [titles.index(name) for name in ("Star Wars", "Empire Strikes Back, The", "Return of the Jedi", "Star Trek: First Contact")]
    romance = [titles.index(name) for name in ("Sense and Sensibility", "Emma", "Persuasion", "Sabrina")]
    fan = recommend_for_visitor(trained.factors, trained.catalog, {**dict.fromkeys(sci_fi, 5.0), **dict.fromkeys(romance, 1.0)}, 20)
    genres = [genre for pick in fan for genre in pick.genres]
    assert genres.count("Sci-Fi") + genres.count("Action") > genres.count("Romance")
    nearest = [title for title, _ in similar_movies(trained.factors, trained.catalog, titles.index("Star Wars"), 10)]
    assert {"Return of the Jedi", "Empire Strikes Back, The"} & set(nearest), nearest
    with pytest.raises(DataError, match="at least 3"):
        recommend_for_visitor(trained.factors, trained.catalog, {sci_fi[0]: 5.0}, 10)
