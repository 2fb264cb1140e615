"""Regularization, computed small enough to redraw while a slider moves (each call well under 2 s).

Three experiments:

* ``weight_paths``: linear-regression weights on scikit-learn's diabetes data as the penalty grows,
  for L1 (lasso), L2 (ridge) and their mix (elastic net). L1 drives weights to exactly zero one
  after another; L2 only shrinks them.
* ``capacity_sweep``: polynomials of growing degree fitted to a few noisy samples of a sine; training error keeps falling while validation error falls then rises
  (the U-shape of under- and over-fitting).
* ``train_regularized_mlp``: a one-hidden-layer network (NumPy, full-batch Adam: a few thousand
  steps take a fraction of a second, which a Keras fit cannot) trained on the same kind of data with
  optional dropout and weight decay; the curves show where early stopping would stop.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dl.data.errors import DataError

PENALTIES = ("l1", "l2", "elasticnet")
POLYNOMIAL_DEGREES = tuple(range(0, 16))  # 0 (a constant) to 15: far past what 20 points support


# ----------------------------------------------------------------------------------------- weight paths
def load_diabetes_standardised() -> tuple[np.ndarray, np.ndarray, list[str]]:
    """scikit-learn's diabetes data (442 patients, 10 measurements; ships with the package).

    Returns ``(features (442, 10), target (442,), feature_names)``, every column standardised to
    mean 0 and standard deviation 1, so weights are comparable and the penalty treats them alike.
    """
    from sklearn.datasets import load_diabetes

    bunch = load_diabetes()
    features = (bunch.data - bunch.data.mean(axis=0)) / bunch.data.std(axis=0)
    target = (bunch.target - bunch.target.mean()) / bunch.target.std()
    return features, target, list(bunch.feature_names)


def penalty_strengths(num_alphas: int = 50, smallest: float = 1e-4, largest: float = 10.0) -> np.ndarray:
    """Log-spaced penalty strengths from ``largest`` down to ``smallest``: past 1 the lasso keeps no weight."""
    return np.logspace(np.log10(largest), np.log10(smallest), num_alphas)


def weight_paths(penalty: str, l1_ratio: float = 0.5, alphas: np.ndarray | None = None) -> pd.DataFrame:
    """Weights of a linear model on the diabetes data for each penalty strength.

    All three minimise ``1/(2n)·‖y − Xw‖² + α·(ρ‖w‖₁ + (1 − ρ)/2·‖w‖²)`` (scikit-learn's elastic-net
    form) with ρ = 1 for ``l1``, ρ = 0 for ``l2`` and ρ = ``l1_ratio`` for ``elasticnet``, so one α
    axis fits all three. Returns a long DataFrame with columns ``alpha, feature, weight`` (weights in
    standard deviations of the target per standard deviation of the feature). Lasso and elastic net
    use coordinate descent (``sklearn.linear_model.enet_path``), which sets weights to exact zeros;
    ridge is solved in closed form.
    """
    from sklearn.linear_model import enet_path

    if penalty not in PENALTIES:
        raise DataError(f"Unknown penalty '{penalty}'. Choose one of: {', '.join(PENALTIES)}.")
    if penalty == "elasticnet" and not 0.0 < l1_ratio < 1.0:
        raise DataError(f"The elastic-net L1 share must be strictly between 0 and 1 (got {l1_ratio}).")
    features, target, names = load_diabetes_standardised()
    alphas = penalty_strengths() if alphas is None else np.asarray(alphas, dtype=float)
    if penalty == "l2":
        count = len(target)
        gram, correlation = features.T @ features / count, features.T @ target / count
        weights = np.stack([np.linalg.solve(gram + alpha * np.eye(len(names)), correlation) for alpha in alphas], axis=1)
    else:
        ratio = 1.0 if penalty == "l1" else l1_ratio
        alphas, weights, _ = enet_path(features, target, l1_ratio=ratio, alphas=alphas, max_iter=10_000, tol=1e-6)
    return pd.DataFrame({
        "alpha": np.repeat(alphas[None, :], len(names), axis=0).ravel(),
        "feature": np.repeat(names, len(alphas)),
        "weight": weights.ravel(),
    })


# ----------------------------------------------------------------------------------------- capacity
@dataclass(frozen=True)
class NoisySineConfig:
    """Few noisy points of one sine period: the smallest data on which over-fitting is plain to see."""

    num_train: int = 20  # few enough that a degree-15 polynomial can thread every point
    num_validation: int = 100  # five times the training points: a smooth, honest validation curve
    noise: float = 0.25  # standard deviation of the noise on y (the sine's amplitude is 1)
    seed: int = 0  # fixed so the same sliders give the same points


def noisy_sine(config: NoisySineConfig) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(x_train, y_train, x_validation, y_validation)``: x uniform in [0, 1], y = sin(2πx) + noise.

    Training and validation points come from separate random streams, so changing how many
    validation points there are leaves the training points as they were.
    """
    if config.num_train < 3:
        raise DataError(f"Use at least 3 training points (got {config.num_train}).")
    train_generator, validation_generator = (np.random.default_rng([config.seed, part]) for part in (0, 1))
    x_train = np.sort(train_generator.uniform(0, 1, config.num_train))
    y_train = np.sin(2 * np.pi * x_train) + train_generator.normal(0, config.noise, config.num_train)
    # validation points lie between the outermost training points: this measures fitting the noise,
    # not extrapolating past the data, where a high-degree polynomial shoots off for another reason
    x_validation = np.sort(validation_generator.uniform(x_train[0], x_train[-1], config.num_validation))
    y_validation = np.sin(2 * np.pi * x_validation) + validation_generator.normal(0, config.noise, config.num_validation)
    return x_train, y_train, x_validation, y_validation


def fit_polynomial(degree: int, x_train: np.ndarray, y_train: np.ndarray) -> np.polynomial.Polynomial:
    """Least-squares polynomial of ``degree``; call the result on x values to predict."""
    # Polynomial.fit maps x onto [-1, 1] first, which keeps degree 15 numerically well conditioned
    return np.polynomial.Polynomial.fit(x_train, y_train, deg=degree)


def capacity_sweep(config: NoisySineConfig, degrees: tuple[int, ...] = POLYNOMIAL_DEGREES) -> pd.DataFrame:
    """Training and validation mean squared error of a polynomial fit for each degree.

    Returns columns ``degree``, ``train_mse``, ``validation_mse``. Training error falls as the
    degree grows; validation error falls, then rises once the polynomial starts fitting the noise.
    Degrees the training points cannot determine (degree >= number of points) are skipped.
    """
    x_train, y_train, x_validation, y_validation = noisy_sine(config)
    rows = []
    for degree in (degree for degree in degrees if degree < config.num_train):
        polynomial = fit_polynomial(degree, x_train, y_train)
        rows.append({
            "degree": degree,
            "train_mse": float(np.mean((polynomial(x_train) - y_train) ** 2)),
            "validation_mse": float(np.mean((polynomial(x_validation) - y_validation) ** 2)),
        })
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------------------- dropout and early stopping
@dataclass(frozen=True)
class RegularizedMLPConfig:
    """A deliberately too-big network on too little data, so regularization has something to fix."""

    hidden_units: int = 128  # ~380 weights for 20 points: it can memorise the noise
    dropout: float = 0.0  # share of hidden units switched off at each step (0 = none)
    weight_decay: float = 0.0  # L2 penalty on the weights added to the loss
    steps: int = 2000  # full-batch Adam steps; without regularization the validation loss turns up near step 60
    learning_rate: float = 0.01  # Adam at 0.01 fits the sine in a few hundred steps
    patience: int = 200  # early stopping waits this many steps without a better validation loss
    seed: int = 0  # fixed initial weights and dropout masks


@dataclass
class RegularizedMLPResult:
    """Curves per step and the fitted function at the end and at the early-stopping point."""

    curves: pd.DataFrame  # columns step, train_loss, validation_loss (mean squared error, no penalty)
    best_step: int  # the weights early stopping keeps: lowest validation loss up to the stop
    stop_step: int  # where early stopping with ``patience`` would have stopped (``steps`` if never)
    grid: np.ndarray  # x values of the fitted curves
    fit_at_end: np.ndarray
    fit_at_best: np.ndarray  # the network with the weights of ``best_step``


def train_regularized_mlp(config: RegularizedMLPConfig, data: NoisySineConfig) -> RegularizedMLPResult:
    """Train a 1-hidden-layer tanh network on the noisy sine with dropout and weight decay.

    NumPy forward and backward pass, full-batch Adam. Dropout is "inverted": kept units are scaled
    by 1/(1 − p) during training so nothing changes at evaluation time. Losses are recorded without
    dropout and without the penalty, so runs with and without regularization compare fairly.
    """
    if not 0.0 <= config.dropout < 1.0:
        raise DataError(f"Dropout must be in [0, 1) (got {config.dropout}).")
    x_train, y_train, x_validation, y_validation = noisy_sine(data)
    generator = np.random.default_rng(config.seed)
    hidden = config.hidden_units
    params = {
        "w1": generator.normal(0, 3.0, (1, hidden)),  # wide first-layer weights: tanh bumps anywhere in [0, 1]
        "b1": generator.normal(0, 1.5, hidden),
        "w2": generator.normal(0, 1 / np.sqrt(hidden), (hidden, 1)),
        "b2": np.zeros(1),
    }
    moments = {name: np.zeros_like(value) for name, value in params.items()}
    squares = {name: np.zeros_like(value) for name, value in params.items()}
    grid = np.linspace(0, 1, 200)
    train_inputs, validation_inputs = _scale(x_train)[:, None], _scale(x_validation)[:, None]
    train_losses, validation_losses = [], []
    best_loss, best_step, best_params = np.inf, 0, {name: value.copy() for name, value in params.items()}
    stopped, stop_step = False, config.steps
    beta1, beta2, epsilon = 0.9, 0.999, 1e-8
    for step in range(1, config.steps + 1):
        activations = np.tanh(train_inputs @ params["w1"] + params["b1"])
        mask = (generator.random(activations.shape) >= config.dropout) / (1 - config.dropout)
        dropped = activations * mask
        error = (dropped @ params["w2"] + params["b2"])[:, 0] - y_train
        count = len(y_train)
        grad_output = (2 / count) * error[:, None]
        grad_hidden = (grad_output @ params["w2"].T) * mask * (1 - activations**2)
        grads = {
            "w2": dropped.T @ grad_output + config.weight_decay * 2 * params["w2"],
            "b2": grad_output.sum(axis=0),
            "w1": train_inputs.T @ grad_hidden + config.weight_decay * 2 * params["w1"],
            "b1": grad_hidden.sum(axis=0),
        }
        for name in params:
            moments[name] = beta1 * moments[name] + (1 - beta1) * grads[name]
            squares[name] = beta2 * squares[name] + (1 - beta2) * grads[name] ** 2
            corrected = moments[name] / (1 - beta1**step) / (np.sqrt(squares[name] / (1 - beta2**step)) + epsilon)
            params[name] -= config.learning_rate * corrected
        train_losses.append(float(np.mean((_predict(params, train_inputs) - y_train) ** 2)))
        validation_losses.append(float(np.mean((_predict(params, validation_inputs) - y_validation) ** 2)))
        if validation_losses[-1] < best_loss:
            best_loss, best_step = validation_losses[-1], step
            best_params = {name: value.copy() for name, value in params.items()}
        elif step - best_step >= config.patience and not stopped:
            # early stopping would end here and restore the best weights so far; keep going to show why
            stopped, stop_step, restored_step, restored_params = True, step, best_step, best_params
    curves = pd.DataFrame({"step": np.arange(1, config.steps + 1), "train_loss": train_losses,
                           "validation_loss": validation_losses})
    if not stopped:  # patience never ran out: early stopping keeps the best weights of the whole run
        restored_step, restored_params = best_step, best_params
    grid_inputs = _scale(grid)[:, None]
    return RegularizedMLPResult(curves, restored_step, stop_step, grid, _predict(params, grid_inputs),
                                _predict(restored_params, grid_inputs))


def _scale(x: np.ndarray) -> np.ndarray:
    return 2 * x - 1  # [0, 1] -> [-1, 1], where tanh units are most expressive


def _predict(params: dict[str, np.ndarray], inputs: np.ndarray) -> np.ndarray:
    return (np.tanh(inputs @ params["w1"] + params["b1"]) @ params["w2"] + params["b2"])[:, 0]
