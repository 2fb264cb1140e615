"""BERT fine-tuning on an imbalanced cut, with and without class weights.

A small Rotten Tomatoes cut made 90/10 (fresh/rotten) is fine-tuned with the page's defaults
(MiniLM, 3 epochs at 1e-4) once with ``class_weights="off"`` and once with ``"on"`` ("auto" turns
them on at this ratio), over a few seeds (the seed picks the cut, the split and the initial head).
Prints JSON: per run and on average, held-out accuracy and macro F1 beside the majority predictor's.
Run: python bench/bert_imbalanced.py [--sentences 400] [--minority 0.1] [--seeds 0 1 2]

Measured on 2 busy CPU cores, seed 0 (held-out: 20 % of the cut, stratified):
  600 sentences (540/60): off: accuracy 0.900, macro F1 0.474, rotten recall 0.00 (= the majority predictor:
  0.900 / 0.474); on (weights 0.56 / 5.0): accuracy 0.908, macro F1 0.652, rotten recall 0.25. Frozen + LR: 0.883 / 0.531.
  200 sentences (180/20): both 0.900 / 0.474: 14 rotten training sentences are too few for MiniLM either way.
"""

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from dl.bert.config import BertConfig  # noqa: E402
from dl.bert.train import train_labeler  # noqa: E402
from dl.jobs import run_inline  # noqa: E402
from dl.store import ModelStore  # noqa: E402
from dl.text.data import build_dataset, load_builtin  # noqa: E402


def imbalanced_cut(sentences: int, minority: float, seed: int):
    """``sentences`` Rotten Tomatoes snippets, ``minority`` of them rotten, the rest fresh."""
    rotten = load_builtin("rotten_tomatoes")
    rng = np.random.default_rng(seed)
    fresh_index, rotten_index = rotten.class_names.index("fresh"), rotten.class_names.index("rotten")
    small = round(sentences * minority)
    chosen = [*rng.choice(np.flatnonzero(rotten.labels == fresh_index), sentences - small, replace=False),
              *rng.choice(np.flatnonzero(rotten.labels == rotten_index), small, replace=False)]
    return build_dataset([rotten.texts[index] for index in chosen], [rotten.class_names[rotten.labels[index]] for index in chosen],
                         f"rotten_tomatoes {100 - 100 * minority:.0f}/{100 * minority:.0f} ({sentences})")


def run(dataset, class_weights: str, seed: int) -> dict:
    config = BertConfig(class_weights=class_weights, max_sentences=0, seed=seed)
    trained = run_inline(lambda reporter: train_labeler(config, dataset, reporter, ModelStore(tempfile.mkdtemp())))
    metrics, baselines = trained.metrics, trained.metrics["baselines"]
    return {"class_weights": class_weights, "seed": seed, "accuracy": round(metrics["accuracy"], 4),
            "macro_f1": round(metrics["macro_f1"], 4), "minority_recall": round(min(metrics["recall"]), 4),
            "majority_accuracy": round(baselines["majority"]["accuracy"], 4),
            "majority_macro_f1": round(baselines["majority"]["macro_f1"], 4),
            "frozen_lr_accuracy": round(baselines["frozen_logistic_regression"]["accuracy"], 4),
            "frozen_lr_macro_f1": round(baselines["frozen_logistic_regression"]["macro_f1"], 4),
            "weights": metrics["class_weights"], "test_sentences": metrics["test_size"], "fit_seconds": metrics["fit_seconds"]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sentences", type=int, default=400)
    parser.add_argument("--minority", type=float, default=0.1)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = parser.parse_args()
    runs = []
    for seed in args.seeds:
        dataset = imbalanced_cut(args.sentences, args.minority, seed)
        for class_weights in ("off", "on"):
            runs.append(run(dataset, class_weights, seed))
            print(json.dumps(runs[-1]), file=sys.stderr, flush=True)
    summary = {}
    for class_weights in ("off", "on"):
        mine = [row for row in runs if row["class_weights"] == class_weights]
        summary[class_weights] = {name: round(float(np.mean([row[name] for row in mine])), 4)
                                  for name in ("accuracy", "macro_f1", "minority_recall", "majority_accuracy",
                                               "majority_macro_f1", "frozen_lr_accuracy", "frozen_lr_macro_f1")}
    print(json.dumps({"sentences": args.sentences, "minority": args.minority, "seeds": args.seeds,
                      "mean": summary, "runs": runs}, indent=1))


if __name__ == "__main__":
    main()
