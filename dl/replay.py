"""Training you can replay: a few small numbers recorded per epoch, kept beside the model.

A Keras callback notes, before the first epoch (epoch 0: the starting weights) and after every epoch,
each weighted layer's weight statistics, the first convolution's kernels and the epoch's metrics.
That is a few kilobytes an epoch, written as ``replay.json`` (JSON numbers, no pickle) into the
model's store folder, so a cached model replays too. The page plays it back; nothing is retrained.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

REPLAY_FILE = "replay.json"
FORMAT = "replay/1"
DIGITS = 5  # decimals kept: a kernel weight of 0.12345 is drawn the same as 0.123456789


def kernel_statistics(model: Any) -> list[tuple[str, float, float, float]]:
    """(layer name, mean, spread, mean size) of every layer's kernel, in order: the spread is the
    standard deviation, the mean size the mean absolute value (it grows when a layer learns large weights)."""
    rows = []
    for layer in model.layers:
        kernel = getattr(layer, "kernel", None)
        if kernel is None:
            continue
        values = np.asarray(kernel, dtype=np.float64)
        rows.append((layer.name, float(values.mean()), float(values.std()), float(np.abs(values).mean())))
    return rows


def weight_statistics(model: Any) -> list[dict[str, float | str]]:
    """``kernel_statistics`` as the JSON rows ``replay.json`` keeps."""
    return [{"layer": name, "mean": round(mean, DIGITS), "spread": round(spread, DIGITS), "mean_size": round(size, DIGITS)}
            for name, mean, spread, size in kernel_statistics(model)]


def first_convolution_kernels(model: Any) -> list | None:
    """The first Conv2D layer's kernels as (filters, height, width) nested lists, averaged over the input
    channels (a colour model's three are drawn as one); None for a model without one."""
    import keras

    for layer in model.layers:
        if isinstance(layer, keras.layers.Conv2D):
            kernel = np.asarray(layer.kernel, dtype=np.float64).mean(axis=2)  # (height, width, filters)
            return np.round(np.moveaxis(kernel, -1, 0), DIGITS).tolist()
    return None


def snapshot(model: Any, epoch: int, logs: dict[str, Any] | None) -> dict[str, Any]:
    return {"epoch": epoch, "metrics": {name: round(float(value), DIGITS) for name, value in (logs or {}).items()},
            "layers": weight_statistics(model), "first_kernels": first_convolution_kernels(model)}


def replay_callback(epochs: list[dict[str, Any]]) -> Any:
    """A Keras callback that appends a snapshot to ``epochs`` at the start and after every epoch."""
    import keras

    class RecordReplay(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            epochs.append(snapshot(self.model, 0, None))

        def on_epoch_end(self, epoch, logs=None):
            epochs.append(snapshot(self.model, epoch + 1, logs))

    return RecordReplay()


def save_replay(epochs: list[dict[str, Any]], folder: Path) -> None:
    if epochs:
        (folder / REPLAY_FILE).write_text(json.dumps({"format": FORMAT, "epochs": epochs}))


def load_replay(folder: Path) -> list[dict[str, Any]]:
    """The recorded epochs of the model in ``folder``; empty for a model stored before replays were kept
    (or an unreadable file: the replay is an extra, never a reason to refuse the model)."""
    path = Path(folder) / REPLAY_FILE
    try:
        document = json.loads(path.read_text())
    except (OSError, ValueError):
        return []
    return document.get("epochs", []) if isinstance(document, dict) and document.get("format") == FORMAT else []
