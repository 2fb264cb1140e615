"""BERT fine-tuning quality and speed: MiniLM on Rotten Tomatoes (fixed stratified sample and split).

Prints JSON: held-out accuracy of the fine-tuned model and of the two frozen baselines on the same
split, the seed article's recipe (3e-5, 1 epoch) beside our defaults, seconds per epoch, labelling
speed (ms per sentence in batches of 64, and one sentence alone) and peak RSS; and the "top_layers"
strategy (the frozen lower layers once over every sentence, then only the top layers and the head):
seconds for the caching and the training, its wall time, and the process's CPU seconds (on a shared
machine the CPU seconds say more than the wall clock).
Run: python bench/bert_labeling.py [--sentences 2000] [--top-sentences 4000] [--only top_layers]
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


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def fine_tune(config, dataset):
    started, cpu = time.perf_counter(), cpu_seconds()
    trained = run_inline(lambda reporter: train_labeler(config, dataset, reporter, ModelStore(tempfile.mkdtemp())))
    metrics = trained.metrics
    chosen = trained.config
    return trained, {
        "strategy": metrics.get("strategy", "full"), "trainable_layers": metrics.get("trainable_layers"),
        "cache_seconds": metrics.get("cache_seconds"), "baseline_seconds": metrics.get("baseline_seconds"),
        "cache_mb": metrics.get("cache_mb"), "wall_seconds": round(time.perf_counter() - started, 1),
        "cpu_seconds": round(cpu_seconds() - cpu, 1),
        "sentences": chosen.max_sentences, "epochs": config.epochs, "learning_rate": config.learning_rate,
        "accuracy": round(metrics["accuracy"], 4),
        "frozen_logistic_regression": round(metrics["baselines"]["frozen_logistic_regression"]["accuracy"], 4),
        "nearest_centroid": round(metrics["baselines"]["nearest_centroid"]["accuracy"], 4),
        "fit_seconds": metrics["fit_seconds"], "seconds_per_epoch": round(metrics["fit_seconds"] / max(1, metrics["epochs_run"]), 1),
        "test_sentences": metrics["test_size"],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sentences", type=int, default=2000, help="the full fine-tune's larger sample")
    parser.add_argument("--top-sentences", type=int, default=None, help="the top_layers run's sample (default: its own)")
    parser.add_argument("--layers", type=int, default=BertConfig().trainable_layers)
    parser.add_argument("--only", choices=["full", "top_layers"], default=None, help="run one strategy's part only")
    args = parser.parse_args()
    rotten = load_builtin("rotten_tomatoes")
    report = {"load_average": os.getloadavg()[0]}
    trained = None
    if args.only != "top_layers":
        _, report["seed_recipe_600"] = fine_tune(BertConfig(strategy="full", learning_rate=3e-5, epochs=1, max_sentences=600), rotten)
        _, report["full_600"] = fine_tune(BertConfig(strategy="full"), rotten)
        trained, report[f"full_{args.sentences}"] = fine_tune(BertConfig(strategy="full", max_sentences=args.sentences), rotten)
    if args.only != "full":
        top = BertConfig(strategy="top_layers", trainable_layers=args.layers, max_sentences=args.top_sentences)
        trained, report["top_layers"] = fine_tune(top, rotten)
    report["load_average_after"] = os.getloadavg()[0]
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
