"""Post-training quantization of a weight tensor: store each float32 weight as a small integer.

Affine (asymmetric) quantization as used by TFLite and PyTorch: q = round(w / scale) + zero_point,
clipped to the ``bits``-bit range; the model then computes with scale · (q - zero_point).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def example_weights(count: int = 5000, seed: int = 0) -> np.ndarray:
    """Weights shaped like a trained dense layer's: mostly near zero, a few large ones (Student-t, 4 dof)."""
    return np.random.default_rng(seed).standard_t(4, size=count) * 0.05


def quantize(weights: np.ndarray, bits: int) -> tuple[np.ndarray, float, int]:
    """Quantize to ``bits``-bit unsigned integers over [min, max] of ``weights``.

    Returns (dequantized weights as float, scale, zero_point); the integers are
    round(weights / scale) + zero_point.
    """
    if not 1 <= bits <= 16:
        raise ValueError("bits must be between 1 and 16")
    levels = 2**bits - 1
    low, high = min(float(weights.min()), 0.0), max(float(weights.max()), 0.0)  # zero must stay exact
    scale = (high - low) / levels or 1.0
    zero_point = int(round(-low / scale))
    integers = np.clip(np.round(weights / scale) + zero_point, 0, levels)
    return (integers - zero_point) * scale, scale, zero_point


def quantization_report(weights: np.ndarray, bit_widths: list[int]) -> pd.DataFrame:
    """Per bit width: bits, distinct_values, size_ratio (float32 size / quantized size), mean_absolute_error,
    and signal_to_noise_db (10·log10 of weight power over error power)."""
    rows = []
    for bits in bit_widths:
        dequantized, _, _ = quantize(weights, bits)
        error = dequantized - weights
        noise_power = float(np.mean(error**2)) or 1e-30
        rows.append((bits, len(np.unique(dequantized)), 32 / bits, float(np.mean(np.abs(error))),
                     10 * np.log10(float(np.mean(weights**2)) / noise_power)))
    return pd.DataFrame(rows, columns=["bits", "distinct_values", "size_ratio", "mean_absolute_error", "signal_to_noise_db"])
