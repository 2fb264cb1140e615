"""The gradient lab's configuration: the choices a user makes, the classic presets, and their checks.

``GradientLabConfig`` is what defines a run (and so its model-store key); every default says why.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

from dl.data.errors import DataError

TASK = "gradient_lab"
MODES = ("dense", "recurrent")
ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "gelu")
INITIALIZERS = ("random_normal", "glorot", "he")
RECURRENT_CELLS = ("simple_rnn", "lstm")
OPTIMIZERS = ("sgd", "momentum", "adam", "rmsprop")
CLIPPINGS = ("none", "value", "norm", "global_norm")
DATASETS = ("digits", "mnist5k", "csv")
SATURATING = ("sigmoid", "tanh")
DEPTH_RANGE = (2, 50)
WIDTH_RANGE = (2, 512)
SEQUENCE_RANGE = (10, 200)
EPOCH_RANGE = (1, 200)


@dataclass(frozen=True)
class GradientLabConfig:
    """Everything that defines one gradient-lab run (and so its model-store key)."""

    mode: str = "dense"  # a plain stack of dense layers is where the vanishing-gradient story starts
    depth: int = 8  # dense layers including the output layer: deep enough to see the effect, fast on a CPU
    width: int = 64  # units per hidden layer: the digits have 64 pixels, so no layer is a bottleneck
    activation: str = "relu"  # the modern default; the presets switch to sigmoid to show vanishing
    initializer: str = "glorot"  # Keras' default, so a newcomer's first net matches what they would write
    init_stddev: float = 0.05  # used only by random_normal: a typical hand-picked value
    batch_norm: bool = False  # off: the lab shows the raw problem first, then the cure
    residual: bool = False  # off for the same reason
    recurrent_cell: str = "simple_rnn"  # the plain RNN is the classic exploding case; LSTM is its cure
    sequence_length: int = 64  # the 64 digit pixels, one per time step
    optimizer: str = "momentum"  # plain SGD with momentum 0.9: adaptive optimizers partly hide bad gradients
    learning_rate: float = 0.05  # learns digits in a few epochs with SGD + momentum on a healthy net
    clipping: str = "none"  # none: clipping is one of the cures the doctor suggests
    clip_threshold: float = 1.0  # the usual global-norm threshold (BERT fine-tuning uses 1.0 too)
    weight_decay: float = 0.0  # none by default: decay is a regulariser, a cure only for growing weights
    dataset: str = "digits"  # 1,797 rows: a 20-layer net trains an epoch in about a second on 2 cores
    epochs: int = 5  # enough to see whether the loss moves at all; each preset sets its own
    batch_size: int = 64  # ~22 steps per epoch on digits: a readable heatmap and smooth curves
    validation_fraction: float = 0.2  # a fifth held out to report accuracy on rows never trained on
    seed: int = 0  # one seed for weights, batch order and split, so a fix is compared on equal terms


PRESETS: dict[str, dict[str, Any]] = {
    # 19 sigmoid layers multiply the gradient by at most 0.25 each: the first layer learns nothing
    "sigmoid_vanishes": {"mode": "dense", "depth": 20, "width": 64, "activation": "sigmoid", "initializer": "glorot",
                         "optimizer": "momentum", "learning_rate": 0.05, "epochs": 6},
    # ReLU with N(0, 1) weights: every layer scales the signal by about sqrt(64/2) = 5.7, so logits reach ~1e7
    "bad_init_explodes": {"mode": "dense", "depth": 10, "width": 64, "activation": "relu",
                          "initializer": "random_normal", "init_stddev": 1.0, "optimizer": "momentum",
                          "learning_rate": 0.01, "epochs": 6},
    # a ReLU RNN over 100 steps: small recurrent gains compound, one large update sends it to NaN
    "rnn_explodes": {"mode": "recurrent", "recurrent_cell": "simple_rnn", "sequence_length": 100, "width": 32,
                     "activation": "relu", "initializer": "he", "optimizer": "momentum", "learning_rate": 0.05,
                     "epochs": 4},
}


def preset_config(name: str, base: GradientLabConfig | None = None) -> GradientLabConfig:
    """The configuration of a preset (see ``PRESETS``), starting from the defaults (or ``base``)."""
    if name not in PRESETS:
        raise DataError(f"Unknown preset '{name}'. Choose one of: {', '.join(PRESETS)}.")
    return canonical_config(replace(GradientLabConfig() if base is None else base, **PRESETS[name]))


def canonical_config(config: GradientLabConfig) -> GradientLabConfig:
    """Reset fields the chosen network ignores to their defaults, so equal networks share one store key.

    (A dense net has no sequence length; a recurrent one no depth or residual connections; only
    random_normal uses init_stddev; only an active clipping uses its threshold.)
    """
    defaults = GradientLabConfig()
    ignored: dict[str, Any] = {}
    if config.mode == "dense":
        ignored.update(recurrent_cell=defaults.recurrent_cell, sequence_length=defaults.sequence_length)
    else:
        ignored.update(depth=defaults.depth, residual=False)
    if config.initializer != "random_normal":
        ignored["init_stddev"] = defaults.init_stddev
    if config.clipping == "none":
        ignored["clip_threshold"] = defaults.clip_threshold
    return replace(config, **ignored)


def validate_config(config: GradientLabConfig) -> None:
    """Raise DataError naming the first out-of-range field and its allowed range."""
    choices = {
        "mode": MODES, "activation": ACTIVATIONS, "initializer": INITIALIZERS, "recurrent_cell": RECURRENT_CELLS,
        "optimizer": OPTIMIZERS, "clipping": CLIPPINGS, "dataset": DATASETS,
    }
    for name, allowed in choices.items():
        if getattr(config, name) not in allowed:
            raise DataError(f"{name} must be one of {', '.join(allowed)}, not {getattr(config, name)!r}.")
    ranges = {"depth": DEPTH_RANGE, "width": WIDTH_RANGE, "sequence_length": SEQUENCE_RANGE, "epochs": EPOCH_RANGE,
              "batch_size": (1, 4096)}
    for name, (low, high) in ranges.items():
        if not low <= int(getattr(config, name)) <= high:
            raise DataError(f"{name} must be between {low} and {high}, not {getattr(config, name)}.")
    positive = {"learning_rate": config.learning_rate, "clip_threshold": config.clip_threshold,
                "init_stddev": config.init_stddev}
    for name, value in positive.items():
        if not (math.isfinite(value) and value > 0):
            raise DataError(f"{name} must be a positive number, not {value}.")
    if not 0 <= config.weight_decay < 1:
        raise DataError(f"weight_decay must be in [0, 1), not {config.weight_decay}.")
    if not 0.05 <= config.validation_fraction <= 0.5:
        raise DataError(f"validation_fraction must be between 0.05 and 0.5, not {config.validation_fraction}.")
