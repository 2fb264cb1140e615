"""BERT sentence labeling from a terminal: fine-tune, then label sentences.

    python -m dl train bert --data rotten_tomatoes|fine_foods|chinese_reviews|PATH [--text-col C --label-col C]
        [--model minilm|HF_ID] [--epochs N] [--max-samples N] [--json]
    python -m dl predict bert --model PATH "sentence" ... | --csv FILE --text-col C

``train`` prints a last line of JSON (accuracy, baseline_accuracy, labels, model ...); a second
identical run is answered from the model cache without loading PyTorch. ``predict`` prints one JSON
line per sentence: text, label, probability.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from dl.text.cli import add_text_inputs, texts_from_args


def add_train_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = "Fine-tune a BERT model to label sentences (or load it from the model cache)."
    parser.add_argument("--data", required=True,
                        help="rotten_tomatoes, fine_foods, chinese_reviews, or a CSV/TSV/XLSX/JSON-lines table")
    parser.add_argument("--text-col", help="column holding the sentence")
    parser.add_argument("--label-col", help="column holding the label")
    parser.add_argument("--model", default="minilm", help="minilm (built in, offline) or a Hugging Face model id")
    parser.add_argument("--epochs", type=int, default=None, help="epochs (default 3)")
    parser.add_argument("--max-samples", type=int, default=None, help="a stratified sample of this many sentences (default 600; 0 = all)")
    parser.add_argument("--json", action="store_true", help="print only the JSON result line")


def add_predict_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = "Label sentences with a fine-tuned BERT folder."
    parser.add_argument("--model", required=True, help="the model folder printed by train (or an unzipped export)")
    add_text_inputs(parser)


def train(args: argparse.Namespace) -> None:
    from dl.bert.config import BertConfig
    from dl.bert.train import stored_labeler
    from dl.store import ModelStore
    from dl.text.cli import load_data

    settings: dict[str, Any] = {"model": args.model}
    if args.epochs is not None:
        settings["epochs"] = args.epochs
    if args.max_samples is not None:
        settings["max_sentences"] = args.max_samples
    config = BertConfig(**settings)
    config.validate()
    dataset = load_data(args)
    store = ModelStore()
    entry = stored_labeler(store, config, dataset)
    if entry is not None:
        print(json.dumps(result_line(entry.meta, entry.path, True), ensure_ascii=False))
        return
    if not args.json:
        print(f"fine-tuning {config.model} on {dataset.source}: {min(len(dataset.texts), config.max_sentences or 10**9):,} "
              f"sentences, {dataset.num_classes} labels", file=sys.stderr)
    from dl.bert.train import train_labeler
    from dl.jobs import run_inline

    trained = run_inline(lambda reporter: train_labeler(config, dataset, reporter, store), name="bert")
    print(json.dumps(result_line(trained.meta, trained.path, trained.from_cache), ensure_ascii=False))


def result_line(meta: dict[str, Any], path: Path, from_cache: bool) -> dict[str, Any]:
    metrics = meta["metrics"]
    baselines = metrics["baselines"]
    return {
        "model": str(path), "from_cache": from_cache, "accuracy": metrics["accuracy"], "macro_f1": metrics["macro_f1"],
        "baseline_accuracy": baselines["frozen_logistic_regression"]["accuracy"],
        "nearest_centroid_accuracy": baselines["nearest_centroid"]["accuracy"], "labels": meta.get("class_names"),
        "test_size": metrics.get("test_size"), "epochs_run": metrics.get("epochs_run"), "data": meta.get("data", {}).get("source"),
    }


def predict(args: argparse.Namespace) -> None:
    import numpy as np

    from dl.bert.train import load_labeler_folder, predict_probabilities

    texts = texts_from_args(args)
    model, tokenizer, labels, max_length = load_labeler_folder(args.model)
    for text, row in zip(texts, predict_probabilities(model, tokenizer, texts, max_length), strict=True):
        best = int(np.argmax(row))
        print(json.dumps({"text": text, "label": labels[best], "probability": round(float(row[best]), 4)}, ensure_ascii=False))
