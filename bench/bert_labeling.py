"""BERT fine-tuning quality and speed: MiniLM on Rotten Tomatoes (fixed stratified sample and split).

Prints JSON: held-out accuracy of the fine-tuned model and of the two frozen baselines on the same
split, the seed article's recipe (3e-5, 1 epoch) beside our defaults, seconds per epoch, labelling
speed (ms per sentence in batches of 64, and one sentence alone) and peak RSS.
Run: python bench/bert_labeling.py [--sentences 2000]
"""

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from dl.bert.config import BertConfig  # noqa: E402
from dl.bert.train import train_labeler  # noqa: E402
from dl.jobs import run_inline  # noqa: E402
from dl.store import ModelStore  # noqa: E402
from dl.text.data import load_builtin  # noqa: E402


def fine_tune(config, dataset):
    trained = run_inline(lambda reporter: train_labeler(config, dataset, reporter, ModelStore(tempfile.mkdtemp())))
    metrics = trained.metrics
    return trained, {
        "sentences": config.max_sentences, "epochs": config.epochs, "learning_rate": config.learning_rate,
        "accuracy": round(metrics["accuracy"], 4),
        "frozen_logistic_regression": round(metrics["baselines"]["frozen_logistic_regression"]["accuracy"], 4),
        "nearest_centroid": round(metrics["baselines"]["nearest_centroid"]["accuracy"], 4),
        "fit_seconds": metrics["fit_seconds"], "seconds_per_epoch": round(metrics["fit_seconds"] / max(1, metrics["epochs_run"]), 1),
        "test_sentences": metrics["test_size"],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sentences", type=int, default=2000)
    args = parser.parse_args()
    rotten = load_builtin("rotten_tomatoes")
    report = {}
    _, report["seed_recipe_600"] = fine_tune(BertConfig(learning_rate=3e-5, epochs=1, max_sentences=600), rotten)
    _, report["defaults_600"] = fine_tune(BertConfig(), rotten)
    trained, report[f"defaults_{args.sentences}"] = fine_tune(BertConfig(max_sentences=args.sentences), rotten)
    texts = rotten.texts[:512]
    trained.predict(texts[:64])  # warm-up
    started = time.perf_counter()
    trained.predict(texts)
    batched = (time.perf_counter() - started) / len(texts)
    singles = []
    for text in texts[:20]:
        started = time.perf_counter()
        trained.predict([text])
        singles.append(time.perf_counter() - started)
    report["labelling_ms_per_sentence_batched"] = round(1000 * batched, 2)
    report["labelling_ms_single_sentence"] = round(1000 * sorted(singles)[len(singles) // 2], 2)
    report["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
