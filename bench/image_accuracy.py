"""Test accuracy and wall time of the seed CNN with default settings on the built-in digit sets.

Runs the real training path (``train_image_classifier``, fresh model store, so nothing is cached)
and prints JSON: accuracy on the held-out 20% of every class, epochs run (early stopping), fit
and total seconds, and peak RSS.

    python bench/image_accuracy.py [--data mnist digits] [--seeds 0]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dl.image.cnn import ImageClassifierConfig, train_image_classifier  # noqa: E402
from dl.image.dataset import load_builtin  # noqa: E402
from dl.jobs import run_inline  # noqa: E402
from dl.store import ModelStore  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", nargs="+", default=["mnist", "digits"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0])
    args = parser.parse_args()
    results = []
    for name in args.data:
        dataset = load_builtin(name)
        for seed in args.seeds:
            config = ImageClassifierConfig(seed=seed)
            started = time.perf_counter()
            with tempfile.TemporaryDirectory() as folder:
                trained = run_inline(
                    lambda reporter, config=config, dataset=dataset, folder=folder: train_image_classifier(
                        config, dataset, reporter, ModelStore(folder)
                    )
                )
            results.append({
                "data": name,
                "seed": seed,
                "images": len(dataset.labels),
                "test_images": trained.metrics["test_size"],
                "accuracy": round(trained.metrics["accuracy"], 4),
                "epochs_run": len(trained.history),
                "fit_seconds": trained.metrics["fit_seconds"],
                "total_seconds": round(time.perf_counter() - started, 1),
            })
            print(json.dumps(results[-1]), file=sys.stderr, flush=True)
    print(json.dumps({
        "benchmark": "image_accuracy",
        "config": "ImageClassifierConfig() defaults (seed CNN)",
        "cpu_cores": os.cpu_count(),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "runs": results,
    }, indent=2))


if __name__ == "__main__":
    main()
