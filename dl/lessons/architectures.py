"""The moving parts of common architectures, small enough to compute while a learner drags a slider.

MLP layer sizes and parameter counts; a convolution and max pooling on a grey image; a simple RNN
and an LSTM unrolled over a sequence. Plain NumPy (the tests compare with Keras layers given the
same weights). Attention and the 1-D GAN live in ``dl.lessons.attention_weights`` and ``dl.lessons.gan_1d``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dl.data import DataError

# 3x3 kernels; the page lets a learner type their own.
KERNELS: dict[str, np.ndarray] = {
    "vertical_edge": np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]], dtype=float),  # Sobel: left minus right
    "horizontal_edge": np.array([[1, 2, 1], [0, 0, 0], [-1, -2, -1]], dtype=float),  # Sobel: top minus bottom
    "outline": np.array([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]], dtype=float),  # Laplacian-like: all edges
    "blur": np.full((3, 3), 1.0 / 9.0),  # box blur: the mean of the neighbourhood
    "sharpen": np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], dtype=float),  # centre minus neighbours
    "identity": np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]], dtype=float),
}

IMAGES = ["china", "flower", "digit"]


# --- MLP --------------------------------------------------------------------------------------
def mlp_layer_table(input_size: int, hidden_sizes: list[int], output_size: int) -> pd.DataFrame:
    """Per dense layer: inputs, outputs, weights (inputs × outputs), biases and parameters."""
    sizes = [input_size, *hidden_sizes, output_size]
    rows = [(index + 1, fan_in, fan_out, fan_in * fan_out, fan_out, fan_in * fan_out + fan_out)
            for index, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True))]
    return pd.DataFrame(rows, columns=["layer", "inputs", "outputs", "weights", "biases", "parameters"])


# --- CNN --------------------------------------------------------------------------------------
def parse_kernel(rows: list[list[object]]) -> np.ndarray:
    """A user's 3x3 kernel (nine cells, any of them text) as a float array; DataError on bad cells."""
    for cell in (cell for row in rows for cell in row):
        try:
            float(cell)
        except (TypeError, ValueError, OverflowError):
            value = "" if cell is None else str(cell)[:40]
            raise DataError(f"every kernel cell must be a number ('{value}' is not); type values like 1, -2 or 0.5",
                            "kernel_not_a_number", value=value) from None
    if [len(row) for row in rows] != [3, 3, 3]:
        raise DataError("the kernel must be a 3x3 grid of finite numbers", "kernel_not_3x3")
    kernel = np.array([[float(cell) for cell in row] for row in rows], dtype=float)
    if not np.isfinite(kernel).all():
        raise DataError("the kernel must be a 3x3 grid of finite numbers", "kernel_not_3x3")
    return kernel


def sample_image(name: str, size: int = 96) -> np.ndarray:
    """A grey image with values in [0, 1]: scikit-learn's sample photos ("china", "flower") cut to a
    ``size``-pixel square, or the first 8x8 digit of ``load_digits`` ("digit")."""
    if name == "digit":
        from sklearn.datasets import load_digits

        return load_digits().images[0] / 16.0
    from PIL import Image
    from sklearn.datasets import load_sample_image

    photo = Image.fromarray(load_sample_image(f"{name}.jpg")).convert("L")
    side = min(photo.size)
    left, top = (photo.width - side) // 2, (photo.height - side) // 2
    square = photo.crop((left, top, left + side, top + side)).resize((size, size), Image.Resampling.BILINEAR)
    return np.asarray(square, dtype=float) / 255.0


def convolve2d(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """'valid' 2-D cross-correlation, what a Conv2D layer computes (no kernel flip, no padding, stride 1).

    Output shape: (height - kh + 1, width - kw + 1).
    """
    kernel_height, kernel_width = kernel.shape
    windows = np.lib.stride_tricks.sliding_window_view(image, (kernel_height, kernel_width))
    return np.einsum("ijkl,kl->ij", windows, kernel)


def max_pool(feature_map: np.ndarray, size: int = 2) -> np.ndarray:
    """Non-overlapping ``size``×``size`` max pooling; a ragged last row/column is dropped, as Keras' 'valid'."""
    height, width = (feature_map.shape[0] // size) * size, (feature_map.shape[1] // size) * size
    blocks = feature_map[:height, :width].reshape(height // size, size, width // size, size)
    return blocks.max(axis=(1, 3))


def relu_and_pool(feature_map: np.ndarray, size: int = 2) -> np.ndarray:
    """What a CNN block does after the convolution: ReLU (keep positive responses), then max pooling."""
    return max_pool(np.maximum(feature_map, 0.0), size)


# --- RNN and LSTM -----------------------------------------------------------------------------
SEQUENCES = ["spike", "sine", "step"]


def input_sequence(kind: str, length: int = 40) -> np.ndarray:
    """A 1-feature sequence of shape (length, 1): a single spike at t=5, a sine wave, or a step at t=10."""
    t = np.arange(length, dtype=float)
    if kind == "spike":
        values = (t == 5).astype(float)
    elif kind == "sine":
        values = np.sin(2 * np.pi * t / 12.0)
    elif kind == "step":
        values = (t >= 10).astype(float)
    else:
        raise ValueError(f"unknown sequence {kind!r}; choose one of {', '.join(SEQUENCES)}")
    return values[:, None]


def recurrent_weights(units: int, input_size: int = 1, gates: int = 1, seed: int = 0) -> dict[str, np.ndarray]:
    """Random weights in Keras' layout: kernel (input_size, gates·units) Glorot-uniform, recurrent
    kernel (units, gates·units) orthogonal per gate, bias zeros. ``gates`` is 1 for SimpleRNN, 4 for
    LSTM (order: input, forget, cell, output)."""
    random = np.random.default_rng(seed)
    limit = np.sqrt(6.0 / (input_size + gates * units))
    kernel = random.uniform(-limit, limit, size=(input_size, gates * units))
    recurrent = np.concatenate([np.linalg.qr(random.normal(size=(units, units)))[0] for _ in range(gates)], axis=1)
    return {"kernel": kernel, "recurrent_kernel": recurrent, "bias": np.zeros(gates * units)}


def simple_rnn_states(sequence: np.ndarray, weights: dict[str, np.ndarray]) -> np.ndarray:
    """Unroll h_t = tanh(x_t W + h_{t-1} U + b) from h_0 = 0; returns hidden states (length, units)."""
    hidden = np.zeros(weights["recurrent_kernel"].shape[0])
    states = []
    for x in sequence:
        hidden = np.tanh(x @ weights["kernel"] + hidden @ weights["recurrent_kernel"] + weights["bias"])
        states.append(hidden)
    return np.array(states)


def lstm_states(sequence: np.ndarray, weights: dict[str, np.ndarray], forget_bias: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Unroll an LSTM (Keras' equations and gate order) from zero states.

    ``forget_bias`` is added to the forget gate's bias: Keras' ``unit_forget_bias=True`` uses 1; larger
    keeps the cell's memory longer. Returns (hidden states, cell states), each (length, units).
    """
    units = weights["recurrent_kernel"].shape[0]
    bias = weights["bias"].copy()
    bias[units : 2 * units] += forget_bias
    hidden, cell = np.zeros(units), np.zeros(units)
    hiddens, cells = [], []
    for x in sequence:
        z = x @ weights["kernel"] + hidden @ weights["recurrent_kernel"] + bias
        input_gate = _sigmoid(z[:units])
        forget_gate = _sigmoid(z[units : 2 * units])
        candidate = np.tanh(z[2 * units : 3 * units])
        output_gate = _sigmoid(z[3 * units :])
        cell = forget_gate * cell + input_gate * candidate
        hidden = output_gate * np.tanh(cell)
        hiddens.append(hidden)
        cells.append(cell)
    return np.array(hiddens), np.array(cells)


def unroll_table(states: np.ndarray, model: str) -> pd.DataFrame:
    """States (length, units) as a long table: model, step, unit, value."""
    length, units = states.shape
    return pd.DataFrame(
        {"model": model, "step": np.repeat(np.arange(length), units), "unit": np.tile(np.arange(units), length),
         "value": states.ravel()}
    )


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


