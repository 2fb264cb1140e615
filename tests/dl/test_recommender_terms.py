"""Why this movie (dl.recommender.terms): the terms of a prediction add up to the model's own
prediction — the trained Keras network's output, not the FactorModel the terms are read from — and,
with the ranking shrinkage, to the score the recommendation list ranks and shows; the same for a
new visitor folded in, and for the tutorial and neural models' fewer terms."""

from __future__ import annotations

import numpy as np
import pytest

from dl.jobs import run_inline
from dl.recommender.config import RecommenderConfig
from dl.recommender.data import read_ratings_file
from dl.recommender.factors import FactorModel
from dl.recommender.recommend import recommend_for_user, recommend_for_visitor
from dl.recommender.synthetic import SyntheticRatingsSpec, ratings_csv
from dl.recommender.terms import terms_for_user, terms_for_vector

SPEC = SyntheticRatingsSpec(users=150, items=400, mean_ratings_per_user=30.0, seed=5)  # ~4,500 ratings: a few seconds


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    from dl.recommender.train import train_recommender
    from dl.store import ModelStore

    data = read_ratings_file(ratings_csv(SPEC), "terms.csv")
    config = RecommenderConfig(model="biased", epochs=3, embedding_dim=8)
    return run_inline(lambda reporter: train_recommender(config, data, reporter, ModelStore(tmp_path_factory.mktemp("terms"))))


def test_terms_sum_to_the_keras_models_own_prediction(trained):
    import keras

    from dl.recommender.train import MODEL_FILE

    network = keras.models.load_model(trained.path / MODEL_FILE, safe_mode=True)
    users = np.array([0, 3, 7, 7, 20], np.int32)
    items = np.array([1, 5, 9, 100, 42], np.int32)
    truth = np.asarray(network.predict({"user": users, "item": items}, verbose=0)).reshape(-1)
    for user, item, expected in zip(users, items, truth, strict=True):
        split = terms_for_user(trained.factors, int(user), int(item))
        assert sum(term.value for term in split.terms) == pytest.approx(float(expected), abs=1e-5)
        assert split.prediction == pytest.approx(float(expected), abs=1e-5)
        codes = [term.code for term in split.terms]
        assert codes == ["global_mean", "user_bias", "movie_bias", "factor", "factor", "factor", "other_factors"]
        sizes = [abs(term.value) for term in split.terms if term.code == "factor"]
        assert sizes == sorted(sizes, reverse=True)  # the largest products one by one


def test_terms_with_the_shrinkage_equal_the_score_the_list_ranks_and_shows(trained):
    factors = trained.factors
    assert factors.ranking_shrinkage > 0  # the default ranks by the shrunk score: this test checks that part
    for recommendation in recommend_for_user(factors, trained.catalog, 4, 5):
        split = terms_for_user(factors, 4, recommendation.item)
        ranked = factors.ranking_scores(factors.score_users(np.array([4]), clip=False)[0], float(factors.user_bias[4]))
        assert split.ranking_score == pytest.approx(float(ranked[recommendation.item]), abs=1e-5)
        assert split.shown_score == pytest.approx(recommendation.score, abs=1e-5)
        assert 0 < split.movie_weight < 1 and split.ranking_adjustment != 0


def test_a_visitors_terms_sum_to_their_folded_in_prediction(trained):
    factors, catalog = trained.factors, trained.catalog
    ratings = {item: float(1 + item % 5) for item in range(0, 60, 6)}
    vector, bias = factors.fold_in(np.array(list(ratings)), np.array(list(ratings.values())))
    predicted = factors.score_vector(vector, bias, clip=False)
    for recommendation in recommend_for_visitor(factors, catalog, ratings, 3):
        split = terms_for_vector(factors, vector, bias, recommendation.item)
        assert split.prediction == pytest.approx(float(predicted[recommendation.item]), abs=1e-5)
        assert split.shown_score == pytest.approx(recommendation.score, abs=1e-5)


def test_the_tutorial_and_neural_models_have_the_terms_they_have():
    generator = np.random.default_rng(0)
    users, items = generator.normal(size=(3, 4)).astype(np.float32), generator.normal(size=(5, 4)).astype(np.float32)
    seed = FactorModel("seed", users, items, np.zeros(3, np.float32), np.zeros(5, np.float32), offset=2.5, scale=0.7)
    split = terms_for_user(seed, 1, 2)
    assert [term.code for term in split.terms] == ["offset", "factor", "factor", "factor", "other_factors"]
    assert split.prediction == pytest.approx(2.5 + 0.7 * float(users[1] @ items[2]), abs=1e-5)
    layers = [(generator.normal(size=(8, 6)).astype(np.float32), np.zeros(6, np.float32)),
              (generator.normal(size=(6, 1)).astype(np.float32), np.array([0.1], np.float32))]
    neural = FactorModel("neural", users, items, np.array([0.2, -0.1, 0.3], np.float32), np.array([0.5, 0, 0, 0, -0.4], np.float32),
                         offset=3.5, layers=layers)
    split = terms_for_user(neural, 2, 4)
    assert [term.code for term in split.terms] == ["global_mean", "user_bias", "movie_bias", "interaction"]
    assert split.prediction == pytest.approx(float(neural.score_users(np.array([2]), clip=False)[0, 4]), abs=1e-5)
    assert split.ranking_adjustment == 0  # no item counts: ranked unshrunk
