"""Training throughput of the image page's CNN against a plain Keras script, in one run.

Both train the same seed CNN (``dl.image.cnn.build_model``) on the same MNIST-5k arrays with the
same batch size and the same validation data, for the same number of epochs. "ours" is the real
path the page and the CLI use (``train_image_classifier``: tf.data pipeline, progress callback,
strategy scope; early stopping off so both run every epoch); "plain" is ``model.fit(x, y,
batch_size=...)`` on NumPy arrays. Each side runs once to warm up (graph tracing), then ``--rounds``
times alternately; the medians of the fit times are compared. Prints JSON.

    python bench/image_throughput.py [--epochs 3] [--rounds 3] [--batch-size 32]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dl.image.cnn import (  # noqa: E402
    ImageClassifierConfig,
    build_model,
    prepare_pixels,
    split_indices,
    train_image_classifier,
)
from dl.image.dataset import load_mnist  # noqa: E402
from dl.jobs import run_inline  # noqa: E402
from dl.store import ModelStore  # noqa: E402


def plain_keras_fit_seconds(config, dataset, epochs: int) -> float:
    """A plain script: same model, arrays straight into model.fit, the same split and batch size."""
    import keras

    keras.utils.set_random_seed(config.seed)
    train, validation, _ = split_indices(dataset.labels, config.test_split, config.validation_split, config.seed)
    pixels = prepare_pixels(dataset.images, (config.image_size, config.image_size), dataset.channels)
    model = build_model(config, (config.image_size, config.image_size), dataset.channels, dataset.num_classes)
    model.compile(optimizer=keras.optimizers.Adam(config.learning_rate), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    started = time.perf_counter()
    model.fit(
        pixels[train], dataset.labels[train], batch_size=config.batch_size, epochs=epochs,
        validation_data=(pixels[validation], dataset.labels[validation]), shuffle=True, verbose=0,
    )
    return time.perf_counter() - started


def our_fit_seconds(config, dataset) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as folder:
        trained = run_inline(lambda reporter: train_image_classifier(config, dataset, reporter, ModelStore(folder)))
    return trained.metrics["fit_seconds"], trained.metrics["train_images"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()
    dataset = load_mnist()
    base = ImageClassifierConfig(epochs=args.epochs, early_stopping=False, batch_size=args.batch_size)
    plain_keras_fit_seconds(base, dataset, 1)  # warm-up: TensorFlow start-up and first tracing
    our_fit_seconds(ImageClassifierConfig(epochs=1, early_stopping=False, batch_size=args.batch_size), dataset)
    plain_times, our_times, train_images = [], [], 0
    for round_index in range(args.rounds):
        config = ImageClassifierConfig(
            epochs=args.epochs, early_stopping=False, batch_size=args.batch_size, seed=round_index + 1
        )
        plain_times.append(plain_keras_fit_seconds(config, dataset, args.epochs))
        seconds, train_images = our_fit_seconds(config, dataset)
        our_times.append(seconds)
    samples = train_images * args.epochs
    plain = samples / statistics.median(plain_times)
    ours = samples / statistics.median(our_times)
    print(json.dumps({
        "benchmark": "image_throughput",
        "dataset": "mnist-5k",
        "train_images": train_images,
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "rounds": args.rounds,
        "plain_keras_fit_seconds": [round(value, 2) for value in plain_times],
        "ours_fit_seconds": [round(value, 2) for value in our_times],
        "plain_keras_samples_per_second": round(plain, 1),
        "ours_samples_per_second": round(ours, 1),
        "throughput_ratio": round(ours / plain, 3),
        "cpu_cores": os.cpu_count(),
    }, indent=2))


if __name__ == "__main__":
    main()
