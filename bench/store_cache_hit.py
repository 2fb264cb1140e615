"""How long a model-store hit takes for a seed-CNN-sized Keras model, against training it.

Prints JSON: seconds to train (1 epoch on MNIST-sized random data), to save into the store, and to
load it back (median of 5 hits), plus the entry's size. Run: python bench/store_cache_hit.py
"""

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

from dl.store import ModelStore, make_key  # noqa: E402


def build_seed_cnn():
    import keras

    inputs = keras.Input(shape=(28, 28, 1))
    x = keras.layers.Conv2D(32, 3, activation="relu")(inputs)
    x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dense(128, activation="relu")(x)
    x = keras.layers.Dropout(0.5)(x)
    outputs = keras.layers.Dense(10, activation="softmax")(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def main() -> None:
    import keras

    rng = np.random.default_rng(0)
    images = rng.random((2000, 28, 28, 1), dtype=np.float32)
    labels = rng.integers(0, 10, 2000)
    store = ModelStore(tempfile.mkdtemp(prefix="bench-store-"))
    key = make_key("bench", {"model": "seed-cnn"}, "random-2000")
    timings = {}

    def train():
        start = time.perf_counter()
        model = build_seed_cnn()
        model.fit(images, labels, epochs=1, batch_size=64, verbose=0)
        timings["train_seconds"] = time.perf_counter() - start
        return model, {"task": "bench"}

    start = time.perf_counter()
    store.get_or_train(key, train, lambda model, folder: model.save(folder / "model.keras"), None)
    timings["save_seconds"] = time.perf_counter() - start - timings["train_seconds"]
    hits = []
    for _ in range(5):
        start = time.perf_counter()
        result = store.get_or_train(key, train, None, lambda folder: keras.saving.load_model(folder / "model.keras"))
        hits.append(time.perf_counter() - start)
        assert result.from_cache
    print(json.dumps({
        "benchmark": "store_cache_hit",
        "model": "seed CNN (1.6M parameters)",
        "entry_bytes": result.entry.size_bytes,
        "train_seconds_one_epoch_2000_images": round(timings["train_seconds"], 3),
        "save_seconds": round(timings["save_seconds"], 3),
        "hit_seconds_median": round(statistics.median(hits), 3),
        "hit_seconds_max": round(max(hits), 3),
    }, indent=2))


if __name__ == "__main__":
    main()
