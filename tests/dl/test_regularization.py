"""Regularization experiments: L1 zeros vs L2 shrinkage, the capacity U-shape, dropout/weight decay/early stopping."""

import numpy as np
import pytest
from sklearn.linear_model import Lasso, Ridge

from dl.data.errors import DataError
from dl.lessons.regularization import (
    NoisySineConfig,
    RegularizedMLPConfig,
    capacity_sweep,
    load_diabetes_standardised,
    noisy_sine,
    train_regularized_mlp,
    weight_paths,
)

ALPHAS = np.array([1.0, 0.3, 0.1, 0.03, 0.01, 0.001])


def weights_at(paths, alpha):
    return paths[np.isclose(paths["alpha"], alpha)].set_index("feature")["weight"]


def test_l1_path_has_exact_zeros_where_l2_does_not():
    lasso, ridge = weight_paths("l1", alphas=ALPHAS), weight_paths("l2", alphas=ALPHAS)
    for alpha in (0.3, 0.1, 0.03):
        assert (weights_at(lasso, alpha) == 0).sum() >= 3, alpha
        assert (weights_at(ridge, alpha) != 0).all(), alpha
    # the lasso keeps more weights as the penalty weakens, and all but a few at the weakest
    kept = [(weights_at(lasso, alpha) != 0).sum() for alpha in ALPHAS]
    assert kept == sorted(kept) and kept[0] == 0 and kept[-1] >= 8
    # elastic net sits between: some zeros, fewer than the lasso at the same strength
    elastic = weight_paths("elasticnet", l1_ratio=0.5, alphas=ALPHAS)
    assert 0 < (weights_at(elastic, 0.1) == 0).sum() <= (weights_at(lasso, 0.1) == 0).sum()


def test_paths_match_scikit_learn_estimators_fitted_directly():
    features, target, names = load_diabetes_standardised()
    lasso = Lasso(alpha=0.03, fit_intercept=False, tol=1e-8, max_iter=50_000).fit(features, target)
    np.testing.assert_allclose(weights_at(weight_paths("l1", alphas=ALPHAS), 0.03)[names], lasso.coef_, atol=1e-4)
    # our ridge uses the (1/2n) scaling of the data term, i.e. scikit-learn's Ridge with alpha * n
    ridge = Ridge(alpha=0.1 * len(target), fit_intercept=False).fit(features, target)
    np.testing.assert_allclose(weights_at(weight_paths("l2", alphas=ALPHAS), 0.1)[names], ridge.coef_, atol=1e-8)


def test_unknown_penalty_is_a_data_error():
    with pytest.raises(DataError, match="Unknown penalty"):
        weight_paths("l3")
    with pytest.raises(DataError, match="between 0 and 1"):
        weight_paths("elasticnet", l1_ratio=1.0)


def test_capacity_sweep_shows_the_u_shape():
    sweep = capacity_sweep(NoisySineConfig())
    train, validation = sweep["train_mse"].to_numpy(), sweep["validation_mse"].to_numpy()
    assert np.all(np.diff(train) <= 1e-9)  # more capacity never fits the training points worse
    best = int(np.argmin(validation))
    assert 2 < best < 12  # neither a line nor the highest degree
    assert validation[0] > 3 * validation[best]  # under-fitting: a constant is far worse
    assert validation[-1] > 3 * validation[best]  # over-fitting: degree 15 is far worse too
    assert train[-1] < train[best]  # ... although it fits the training points better


def test_training_and_validation_points_are_separate_streams():
    few = noisy_sine(NoisySineConfig(num_validation=50))
    many = noisy_sine(NoisySineConfig(num_validation=300))
    np.testing.assert_array_equal(few[0], many[0])
    np.testing.assert_array_equal(few[1], many[1])


def test_unregularized_network_over_fits_and_regularization_helps():
    data = NoisySineConfig()
    plain = train_regularized_mlp(RegularizedMLPConfig(), data)
    validation = plain.curves["validation_loss"]
    assert plain.curves["train_loss"].iloc[-1] < 0.5 * data.noise**2  # memorised the noise
    assert validation.iloc[-1] > 1.3 * validation.min()  # and the validation loss turned up
    assert plain.best_step < plain.stop_step < len(validation)  # early stopping would have caught it
    early_error = np.mean((plain.fit_at_best - np.sin(2 * np.pi * plain.grid)) ** 2)
    final_error = np.mean((plain.fit_at_end - np.sin(2 * np.pi * plain.grid)) ** 2)
    assert early_error < final_error  # the early-stopped network is closer to the true sine
    for config in (RegularizedMLPConfig(dropout=0.3), RegularizedMLPConfig(weight_decay=0.001)):
        regularized = train_regularized_mlp(config, data)
        assert regularized.curves["validation_loss"].iloc[-1] < validation.iloc[-1]


def test_bad_dropout_is_a_data_error():
    with pytest.raises(DataError, match="Dropout"):
        train_regularized_mlp(RegularizedMLPConfig(dropout=1.0), NoisySineConfig())
