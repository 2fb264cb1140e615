"""Loss functions as curves: how each one scores a prediction against a target, and its slope.

Plain NumPy; the tests check every value against ``keras.losses`` and hand-computed numbers.
Probabilities are clipped to [EPSILON, 1 - EPSILON] before a logarithm, as Keras does.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

EPSILON = 1e-7  # Keras' backend.epsilon(): keeps log(0) finite


def mean_squared_error(target: float, prediction: np.ndarray) -> np.ndarray:
    return (prediction - target) ** 2


def mean_absolute_error(target: float, prediction: np.ndarray) -> np.ndarray:
    return np.abs(prediction - target)


def huber(target: float, prediction: np.ndarray, delta: float = 1.0) -> np.ndarray:
    """Quadratic for errors up to ``delta``, linear beyond: MSE's smooth centre with MAE's calm tails."""
    error = np.abs(prediction - target)
    return np.where(error <= delta, 0.5 * error**2, delta * (error - 0.5 * delta))


def binary_cross_entropy(target: float, probability: np.ndarray) -> np.ndarray:
    p = np.clip(probability, EPSILON, 1.0 - EPSILON)
    return -(target * np.log(p) + (1.0 - target) * np.log(1.0 - p))


def kl_divergence(target: float, probability: np.ndarray) -> np.ndarray:
    """KL(target ‖ prediction) between two Bernoulli distributions (target = P(class 1))."""
    t = np.clip(target, EPSILON, 1.0)
    t0 = np.clip(1.0 - target, EPSILON, 1.0)
    p = np.clip(probability, EPSILON, 1.0)
    p0 = np.clip(1.0 - probability, EPSILON, 1.0)
    return target * np.log(t / p) + (1.0 - target) * np.log(t0 / p0)


def dice_loss(target_mask: np.ndarray, predicted_mask: np.ndarray) -> float:
    """1 - 2|A∩B| / (|A| + |B|) for soft masks (Keras' ``dice``): the overlap score of segmentation."""
    intersection = float(np.sum(target_mask * predicted_mask))
    return 1.0 - 2.0 * intersection / (float(np.sum(target_mask) + np.sum(predicted_mask)) + EPSILON)


def hinge(target_sign: float, score: np.ndarray) -> np.ndarray:
    """max(0, 1 - y·s) with y in {-1, +1}: zero once the score is on the right side by a margin of 1."""
    return np.maximum(0.0, 1.0 - target_sign * score)


REGRESSION_LOSSES = ["mse", "mae", "huber"]
PROBABILITY_LOSSES = ["cross_entropy", "kl_divergence", "dice", "mse_on_probability"]


def regression_curves(target: float, delta: float, half_width: float = 4.0, points: int = 401) -> pd.DataFrame:
    """MSE, MAE and Huber against the prediction for one ``target``.

    Returns columns loss, prediction, value, gradient (d value / d prediction, by central differences
    on the smooth pieces; exact enough to draw).
    """
    prediction = np.linspace(target - half_width, target + half_width, points)
    curves = {
        "mse": mean_squared_error(target, prediction),
        "mae": mean_absolute_error(target, prediction),
        "huber": huber(target, prediction, delta),
    }
    return _long_table(curves, prediction, "prediction")


def probability_curves(target: float, points: int = 399) -> pd.DataFrame:
    """Cross-entropy, KL, Dice and squared error against the predicted probability of class 1.

    ``target`` is the true probability of class 1 (1 = a positive example, 0 = negative, in between
    = a soft label). Dice is the loss of a one-pixel mask. Returns columns loss, probability, value,
    gradient.
    """
    probability = np.linspace(0.0025, 0.9975, points)
    curves = {
        "cross_entropy": binary_cross_entropy(target, probability),
        "kl_divergence": kl_divergence(target, probability),
        "dice": np.array([dice_loss(np.array([target]), np.array([p])) for p in probability]),
        "mse_on_probability": mean_squared_error(target, probability),
    }
    return _long_table(curves, probability, "probability")


def hinge_curve(target_sign: float, points: int = 401) -> pd.DataFrame:
    """Hinge and logistic loss against a raw score (logit), for a target of -1 or +1."""
    score = np.linspace(-4.0, 4.0, points)
    logistic = np.logaddexp(0.0, -target_sign * score)  # cross-entropy written on the score
    return _long_table({"hinge": hinge(target_sign, score), "logistic": logistic}, score, "score")


def confident_mistake_table(probabilities_of_true_class: list[float]) -> pd.DataFrame:
    """What each loss charges when the model gives the true class probability p.

    Returns one row per p with columns probability_of_true_class, cross_entropy, mse_on_probability,
    hinge (on the logit score log(p / (1 - p)), true sign +1). Cross-entropy grows without bound as
    p → 0, while squared error never exceeds 1: that is why classifiers train on cross-entropy.
    """
    p = np.asarray(probabilities_of_true_class, dtype=float)
    score = np.log(np.clip(p, EPSILON, 1) / np.clip(1 - p, EPSILON, 1))
    return pd.DataFrame(
        {
            "probability_of_true_class": p,
            "cross_entropy": binary_cross_entropy(1.0, p),
            "mse_on_probability": mean_squared_error(1.0, p),
            "hinge": hinge(1.0, score),
        }
    )


def _long_table(curves: dict[str, np.ndarray], x: np.ndarray, x_name: str) -> pd.DataFrame:
    frames = [
        pd.DataFrame({"loss": name, x_name: x, "value": values, "gradient": np.gradient(values, x)})
        for name, values in curves.items()
    ]
    return pd.concat(frames, ignore_index=True)
