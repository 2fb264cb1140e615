"""What a gradient-lab run records (``GradientRun``), how it is summarised, saved and loaded."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from dl.config import config_from_dict
from dl.gradient_lab.config import GradientLabConfig

HISTOGRAM_BINS = 30  # readable bars for 256 probe rows x up to 512 units; 31 edges per layer stay small in the cache
QUANTILES = (0, 5, 25, 50, 75, 95, 100)  # percentiles stored per layer: enough to draw a box plot


@dataclass
class GradientRun:
    """What one run recorded. Arrays have one row per training step (optimizer update).

    ``gradient_norms``: (steps, layers) L2 norm of each tracked kernel's gradient as applied, after
    clipping. ``raw_gradient_norms``: the same before clipping. ``update_ratios``: (steps, layers)
    ||w_after - w_before|| / ||w_before||. ``time_gradient_norms``: recurrent mode only, (steps,
    sequence_length) norm of the loss gradient with respect to each input time step. ``step_loss`` /
    ``step_accuracy``: on the training batch. ``history``: one row per epoch with loss, accuracy,
    val_loss, val_accuracy. ``snapshots``: weight and activation distributions at a few steps.
    ``nonfinite``: None, or where NaN/Inf first appeared ({step, epoch, batch, what, layers}).
    """

    config: dict[str, Any]
    layer_names: list[str]
    steps_per_epoch: int
    gradient_norms: np.ndarray
    raw_gradient_norms: np.ndarray
    update_ratios: np.ndarray
    step_loss: np.ndarray
    step_accuracy: np.ndarray
    time_gradient_norms: np.ndarray | None = None
    history: list[dict[str, float]] = field(default_factory=list)
    snapshots: list[dict[str, Any]] = field(default_factory=list)
    nonfinite: dict[str, Any] | None = None
    train_seconds: float = 0.0

    ARRAY_FIELDS = ("gradient_norms", "raw_gradient_norms", "update_ratios", "step_loss", "step_accuracy")

    @property
    def steps(self) -> int:
        return int(self.step_loss.shape[0])

    @property
    def lab_config(self) -> GradientLabConfig:
        return config_from_dict(GradientLabConfig, self.config)

    def flow_ratio_per_step(self) -> np.ndarray:
        """Per step: gradient at the input end / gradient at the output end.

        Dense: first layer's kernel norm / output layer's. Recurrent: the gradient reaching the first
        tenth of the time steps / the last tenth (back-propagation through time is an RNN's depth).
        """
        if self.time_gradient_norms is not None and self.time_gradient_norms.size:
            # the first and last tenth of the time steps, averaged: a single step can be exactly zero
            # (a ReLU cell's first state is relu(0) = 0, whose slope is 0 whatever the input)
            span = max(1, self.time_gradient_norms.shape[1] // 10)
            first = self.time_gradient_norms[:, :span].mean(axis=1)
            last = self.time_gradient_norms[:, -span:].mean(axis=1)
        else:
            first, last = self.raw_gradient_norms[:, 0], self.raw_gradient_norms[:, -1]
        with np.errstate(divide="ignore", invalid="ignore"):
            return first / last

    def typical_flow_ratio(self) -> float | None:
        """Geometric median of the finite, positive per-step ratios (None when there are none)."""
        ratios = self.flow_ratio_per_step()
        good = ratios[np.isfinite(ratios) & (ratios > 0)]
        return float(10 ** np.median(np.log10(good))) if good.size else None

    def summary(self) -> dict[str, Any]:
        """Headline numbers for the runs table and the store's meta.json (NaN where undefined)."""
        last = self.history[-1] if self.history else {}
        finite_norms = self.raw_gradient_norms[np.isfinite(self.raw_gradient_norms)]
        ratio = self.typical_flow_ratio()
        return {
            "steps": self.steps,
            "loss": float(last.get("loss", math.nan)),
            "accuracy": float(last.get("accuracy", math.nan)),
            "val_loss": float(last.get("val_loss", math.nan)),
            "val_accuracy": float(last.get("val_accuracy", math.nan)),
            "flow_ratio": math.nan if ratio is None else ratio,
            "max_gradient_norm": float(finite_norms.max()) if finite_norms.size else math.nan,
            "nonfinite_step": self.nonfinite["step"] if self.nonfinite else None,
            "train_seconds": self.train_seconds,
        }

    def save(self, folder: Path) -> None:
        """Write ``run.npz`` (arrays) and ``run.json`` (everything else) into ``folder``."""
        arrays = {name: getattr(self, name) for name in self.ARRAY_FIELDS}
        if self.time_gradient_norms is not None:
            arrays["time_gradient_norms"] = self.time_gradient_norms
        with open(folder / "run.npz", "wb") as handle:
            np.savez_compressed(handle, **arrays)
        rest = {"config": self.config, "layer_names": self.layer_names, "steps_per_epoch": self.steps_per_epoch,
                "history": self.history, "snapshots": self.snapshots, "nonfinite": self.nonfinite,
                "train_seconds": self.train_seconds}
        (folder / "run.json").write_text(json.dumps(rest))  # NaN/Infinity are written as JSON's common extension

    @classmethod
    def load(cls, folder: Path) -> GradientRun:
        """Read what ``save`` wrote."""
        rest = json.loads((folder / "run.json").read_text())
        with np.load(folder / "run.npz", allow_pickle=False) as arrays:
            loaded = {name: arrays[name] for name in arrays.files}
        return cls(**rest, **loaded)


def describe_values(values: np.ndarray) -> dict[str, Any]:
    """Quantiles (QUANTILES), a histogram and the share of non-finite values of an array."""
    flat = values.ravel()
    finite = flat[np.isfinite(flat)]
    described: dict[str, Any] = {"nonfinite_fraction": float(1 - finite.size / max(1, flat.size))}
    if finite.size == 0:
        return {**described, "quantiles": [math.nan] * len(QUANTILES), "counts": [], "edges": [], "std": math.nan}
    low, high = float(finite.min()), float(finite.max())
    if high - low < 1e-12:
        high = low + 1e-6
    counts, edges = np.histogram(finite, bins=HISTOGRAM_BINS, range=(low, high))
    return {**described, "quantiles": np.percentile(finite, QUANTILES).tolist(), "counts": counts.tolist(),
            "edges": edges.tolist(), "std": float(finite.std())}
