"""Activation functions, their derivatives, and how their slopes shrink or keep gradients in deep nets.

Plain NumPy, so the Concepts page draws these without loading a deep-learning framework; the tests
check every value and derivative against Keras and TensorFlow's GradientTape.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from scipy.special import erf

LEAKY_RELU_SLOPE = 0.2  # Keras' default negative slope for leaky_relu
ELU_ALPHA = 1.0  # Keras' default: ELU tends to -1 for very negative inputs


def sigmoid(x: np.ndarray) -> np.ndarray:
    # Written with exp(-|x|) so large inputs of either sign never overflow.
    positive = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + positive), positive / (1.0 + positive))


def sigmoid_derivative(x: np.ndarray) -> np.ndarray:
    s = sigmoid(x)
    return s * (1.0 - s)


def tanh_derivative(x: np.ndarray) -> np.ndarray:
    return 1.0 - np.tanh(x) ** 2


def relu(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0.0)


def relu_derivative(x: np.ndarray) -> np.ndarray:
    return (x > 0).astype(float)


def leaky_relu(x: np.ndarray) -> np.ndarray:
    return np.where(x > 0, x, LEAKY_RELU_SLOPE * x)


def leaky_relu_derivative(x: np.ndarray) -> np.ndarray:
    return np.where(x > 0, 1.0, LEAKY_RELU_SLOPE)


def elu(x: np.ndarray) -> np.ndarray:
    return np.where(x > 0, x, ELU_ALPHA * np.expm1(np.minimum(x, 0.0)))


def elu_derivative(x: np.ndarray) -> np.ndarray:
    return np.where(x > 0, 1.0, ELU_ALPHA * np.exp(np.minimum(x, 0.0)))


def gelu(x: np.ndarray) -> np.ndarray:
    """Exact GELU: x·Φ(x), Φ the standard normal CDF (Keras' ``gelu(approximate=False)``)."""
    return 0.5 * x * (1.0 + erf(x / np.sqrt(2.0)))


def gelu_derivative(x: np.ndarray) -> np.ndarray:
    normal_density = np.exp(-0.5 * x**2) / np.sqrt(2.0 * np.pi)
    return 0.5 * (1.0 + erf(x / np.sqrt(2.0))) + x * normal_density


# name -> (function, derivative); the page lists them in this order
ACTIVATIONS: dict[str, tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray]]] = {
    "sigmoid": (sigmoid, sigmoid_derivative),
    "tanh": (np.tanh, tanh_derivative),
    "relu": (relu, relu_derivative),
    "leaky_relu": (leaky_relu, leaky_relu_derivative),
    "elu": (elu, elu_derivative),
    "gelu": (gelu, gelu_derivative),
}


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Softmax over the last axis of ``logits / temperature`` (shifted by the max so exp never overflows)."""
    scaled = np.asarray(logits, dtype=float) / temperature
    shifted = np.exp(scaled - scaled.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def softmax_jacobian(logits: np.ndarray) -> np.ndarray:
    """d softmax_i / d logit_j = p_i (δ_ij - p_j), as a (classes, classes) matrix."""
    probabilities = softmax(logits)
    return np.diag(probabilities) - np.outer(probabilities, probabilities)


def activation_curves(names: list[str], lowest: float = -5.0, highest: float = 5.0, points: int = 401) -> pd.DataFrame:
    """Each activation and its derivative on a grid of inputs.

    Returns a long DataFrame with columns activation, x (the pre-activation), value, derivative.
    """
    x = np.linspace(lowest, highest, points)
    frames = []
    for name in names:
        function, derivative = ACTIVATIONS[name]
        frames.append(pd.DataFrame({"activation": name, "x": x, "value": function(x), "derivative": derivative(x)}))
    return pd.concat(frames, ignore_index=True)


def softmax_sweep(other_logits: tuple[float, ...], temperature: float, lowest: float = -6.0, highest: float = 6.0,
                  points: int = 241) -> pd.DataFrame:
    """Softmax probabilities as the first logit sweeps from ``lowest`` to ``highest``, the others fixed.

    Returns columns logit (the first logit), class (0, 1, ...), probability, and derivative: the
    slope d p_class / d logit_0, which for class 0 is p0·(1 - p0) (the softmax Jacobian's column 0).
    """
    sweep = np.linspace(lowest, highest, points)
    logits = np.column_stack([sweep, np.tile(np.asarray(other_logits, dtype=float), (points, 1))])
    probabilities = softmax(logits, temperature)
    # column 0 of the Jacobian, for every row: p_i (δ_i0 - p_0) / temperature
    derivative = probabilities * ((np.arange(logits.shape[1]) == 0) - probabilities[:, :1]) / temperature
    classes = logits.shape[1]
    return pd.DataFrame(
        {
            "logit": np.repeat(sweep, classes),
            "class": np.tile(np.arange(classes), points),
            "probability": probabilities.ravel(),
            "derivative": derivative.ravel(),
        }
    )


def gradient_through_layers(names: list[str], depth: int, weight_scale: float = 1.0, width: int = 32,
                            batch_size: int = 64, seed: int = 0) -> pd.DataFrame:
    """How much gradient reaches each layer of a deep MLP, for each activation.

    Builds a ``depth``-layer, ``width``-wide MLP with Glorot-normal weights times ``weight_scale``
    (the same random weights for every activation), runs a batch of standard-normal inputs forward,
    and backpropagates d(sum of outputs)/d(activations). Returns columns activation, layer (1 = the
    first hidden layer), gradient_norm (mean absolute gradient at that layer's input) and
    mean_derivative (mean |f'(z)| in that layer: the factor each layer multiplies the gradient by).
    With sigmoid the factor is at most 0.25, so the gradient shrinks roughly as 0.25^depth.
    """
    random = np.random.default_rng(seed)
    glorot_std = np.sqrt(2.0 / (width + width))
    weights = [random.normal(0.0, glorot_std * weight_scale, size=(width, width)) for _ in range(depth)]
    inputs = random.normal(size=(batch_size, width))
    rows = []
    for name in names:
        function, derivative = ACTIVATIONS[name]
        pre_activations, activations = [], inputs
        for weight in weights:
            pre = activations @ weight
            pre_activations.append(pre)
            activations = function(pre)
        gradient = np.ones_like(activations)
        per_layer = []
        for layer in range(depth - 1, -1, -1):
            slope = derivative(pre_activations[layer])
            gradient = (gradient * slope) @ weights[layer].T  # chain rule through f, then through W
            per_layer.append((layer + 1, float(np.mean(np.abs(gradient))), float(np.mean(np.abs(slope)))))
        rows += [(name, layer, norm, mean_slope) for layer, norm, mean_slope in reversed(per_layer)]
    return pd.DataFrame(rows, columns=["activation", "layer", "gradient_norm", "mean_derivative"])
