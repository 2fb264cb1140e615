"""Benchmark: pretrained EfficientNet-Lite0 classification, transfer learning, int8 compression.

Prints one JSON object:
- ``pretrained``: ms per photo of ``classify_images`` (resize, crop and top-5 included) after
  warm-up, one photo per call, against a plain PyTorch forward pass on an already prepared tensor
  with the same thread count (ratio = playground / plain), and the plain pass at torch's default
  thread count too (the playground runs inference on INFERENCE_THREADS; see dl/image/pretrained.py).
- ``transfer``: seconds to train (features + head) on 20 photos per class of 3 classes from a
  cold store, its test accuracy, and the split between feature extraction and the head.
- ``compression``: the seed CNN on MNIST-5k (dl.image.cnn defaults, 3 epochs), then int8
  post-training quantization: file size, test accuracy, ms per image for Keras float32, LiteRT
  float32 and LiteRT int8.
- ``peak_rss_mib``: peak resident memory of this process (TensorFlow + PyTorch loaded).

Run: ``python bench/image_pretrained.py``. The machine may be shared: timings vary with load.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "dl")]

from PIL import Image  # noqa: E402

REPEATS = 30  # photos timed after warm-up


def bench_pretrained() -> dict:
    import torch
    from sklearn.datasets import load_sample_image

    from dl.image.pretrained import INFERENCE_THREADS, classify_images, load_pretrained_model, preprocess

    photos = [Image.fromarray(load_sample_image(name)) for name in ("flower.jpg", "china.jpg")]
    started = time.perf_counter()
    load_pretrained_model()
    load_seconds = time.perf_counter() - started
    for photo in photos:
        classify_images([photo])  # warm-up
    started = time.perf_counter()
    for index in range(REPEATS):
        classify_images([photos[index % 2]])
    playground_ms = (time.perf_counter() - started) * 1000 / REPEATS

    model = load_pretrained_model()
    tensor = torch.from_numpy(preprocess(photos[1])[None])
    default_threads = torch.get_num_threads()
    plain_ms = {}
    for threads in sorted({INFERENCE_THREADS, default_threads}):
        torch.set_num_threads(threads)
        with torch.inference_mode():
            model(tensor)
            started = time.perf_counter()
            for _ in range(REPEATS):
                torch.softmax(model(tensor), dim=1)
            plain_ms[threads] = (time.perf_counter() - started) * 1000 / REPEATS
    torch.set_num_threads(default_threads)
    return {
        "model_load_seconds": round(load_seconds, 2),
        "ms_per_photo": round(playground_ms, 1),
        "inference_threads": INFERENCE_THREADS,
        "plain_pytorch_forward_ms_by_threads": {threads: round(value, 1) for threads, value in plain_ms.items()},
        "ratio_playground_over_plain_same_threads": round(playground_ms / plain_ms[INFERENCE_THREADS], 2),
    }


def bench_transfer() -> dict:
    from image_photos import three_class_photos

    from dl.image import pretrained
    from dl.image.transfer import TransferConfig, train_transfer_classifier
    from dl.jobs import run_inline
    from dl.store import ModelStore

    photos = three_class_photos(per_class=20, seed=0)
    store = ModelStore(tempfile.mkdtemp(prefix="bench-transfer-"))
    started = time.perf_counter()
    pretrained.extract_features(photos.images)
    features_seconds = time.perf_counter() - started
    started = time.perf_counter()
    trained = run_inline(lambda reporter: train_transfer_classifier(TransferConfig(), photos, reporter, store))
    train_seconds = time.perf_counter() - started
    started = time.perf_counter()
    cached = run_inline(lambda reporter: train_transfer_classifier(TransferConfig(), photos, reporter, store))
    hit_seconds = time.perf_counter() - started
    return {
        "photos": int(len(photos.images)),
        "classes": photos.class_names,
        "train_seconds_including_features": round(train_seconds, 1),
        "feature_extraction_seconds_60_photos": round(features_seconds, 1),
        "epochs_run": len(trained.history),
        "test_accuracy": trained.metrics["accuracy"],
        "test_size": trained.metrics["test_size"],
        "cache_hit_seconds": round(hit_seconds, 2),
        "cache_hit": cached.from_cache,
    }


def bench_compression() -> dict:
    from dl.image.cnn import ImageClassifierConfig, train_image_classifier
    from dl.image.dataset import load_mnist
    from dl.image.export import compress_classifier
    from dl.jobs import run_inline
    from dl.store import ModelStore

    dataset = load_mnist()
    store = ModelStore(tempfile.mkdtemp(prefix="bench-compress-"))
    trained = run_inline(lambda reporter: train_image_classifier(ImageClassifierConfig(epochs=3), dataset, reporter, store))
    started = time.perf_counter()
    report = compress_classifier(trained, dataset)
    return {
        "model": "seed CNN, MNIST-5k, 3 epochs",
        "seconds_to_convert_and_measure": round(time.perf_counter() - started, 1),
        "test_size": report.test_size,
        "rows": [
            {**row, "kib": round(row["bytes"] / 1024, 1), "accuracy": round(row["accuracy"], 4), "ms_per_image": round(row["ms_per_image"], 3)}
            for row in report.rows
        ],
        "int8_size_ratio": round(report.rows[-1]["bytes"] / report.rows[0]["bytes"], 3),
    }


def main() -> None:
    result = {
        "load_average_at_start": [round(value, 2) for value in os.getloadavg()],
        "pretrained": bench_pretrained(),
        "transfer": bench_transfer(),
        "compression": bench_compression(),
    }
    result["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    result["load_average_at_end"] = [round(value, 2) for value in os.getloadavg()]
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
