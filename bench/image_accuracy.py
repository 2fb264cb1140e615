"""Test accuracy and time of the offered CNNs with their default settings on the built-in digit sets.

Runs the real training path (``train_image_classifier``, fresh model store, so nothing is cached)
for each network: "seed" (``ImageClassifierConfig()``, the teaching default) and "strong"
(``strong_config()``, the page's "Stronger CNN"). Prints JSON: accuracy on the held-out 20% of every
class, epochs run, fit seconds (wall), fit CPU seconds (all threads; on a shared machine the wall
time depends on the other load), total seconds, and peak RSS.

    python bench/image_accuracy.py [--data mnist digits] [--networks seed strong] [--seeds 0]
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

from dl.image.cnn import ImageClassifierConfig, strong_config, train_image_classifier  # noqa: E402
from dl.image.dataset import load_builtin  # noqa: E402
from dl.jobs import run_inline  # noqa: E402
from dl.store import ModelStore  # noqa: E402

CONFIGS = {"seed": ImageClassifierConfig, "strong": strong_config}  # network -> its defaults (seed=...)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", nargs="+", default=["mnist", "digits"])
    parser.add_argument("--networks", nargs="+", choices=sorted(CONFIGS), default=["seed", "strong"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0])
    args = parser.parse_args()
    runs = [(name, seed, network) for name in args.data for seed in args.seeds for network in args.networks]
    datasets = {name: load_builtin(name) for name in args.data}
    results = []
    for name, seed, network in runs:
        dataset, config = datasets[name], CONFIGS[network](seed=seed)
        started = time.perf_counter()
        with tempfile.TemporaryDirectory() as folder:
            trained = run_inline(
                lambda reporter, config=config, dataset=dataset, folder=folder: train_image_classifier(
                    config, dataset, reporter, ModelStore(folder)
                )
            )
        results.append({
            "data": name,
            "network": network,
            "seed": seed,
            "images": len(dataset.labels),
            "test_images": trained.metrics["test_size"],
            "accuracy": round(trained.metrics["accuracy"], 4),
            "epochs_run": len(trained.history),
            "fit_seconds": trained.metrics["fit_seconds"],
            "fit_cpu_seconds": trained.metrics["fit_cpu_seconds"],
            "total_seconds": round(time.perf_counter() - started, 1),
            "load_average_1min": round(os.getloadavg()[0], 1),
        })
        print(json.dumps(results[-1]), file=sys.stderr, flush=True)
    print(json.dumps({
        "benchmark": "image_accuracy",
        "config": "seed: ImageClassifierConfig() defaults; strong: strong_config() (dl.image.cnn.STRONG_CNN)",
        "cpu_cores": os.cpu_count(),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "runs": results,
    }, indent=2))


if __name__ == "__main__":
    main()
