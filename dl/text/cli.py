"""Text classification from a terminal: train on built-in reviews or a table, classify texts.

    python -m dl train text --data rotten_tomatoes|fine_foods|chinese_reviews|PATH
        [--text-col C --label-col C] [--model seed|avgpool|cnn|bilstm] [--epochs N] [--max-texts N] [--json]
    python -m dl predict text --model PATH "a text" "another text" | --csv FILE [--text-col C]

``train`` shows progress on stderr and a summary on stdout, or with ``--json`` one JSON line
(accuracy, macro_f1, baseline_accuracy, model, from_cache ...); a second identical run is answered
from the model cache without TensorFlow. ``predict`` prints one line per text: label, probability
and the text (with ``--json``: JSON lines of text, label, probability).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from dl import console
from dl.data.errors import DataError
from dl.store import ModelStore
from dl.text.config import MODEL_KINDS
from dl.train_command import TrainCommand, TrainingOutcome, given_settings, project_config, run_train_command


def add_train_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = "Train a text classifier (or load it from the model cache) beside a TF-IDF baseline."
    parser.add_argument(
        "--data", help="rotten_tomatoes, fine_foods, chinese_reviews, or a CSV/TSV/XLSX/JSON-lines table"
    )
    parser.add_argument("--text-col", help="column holding the text (default: the one with the longest values)")
    parser.add_argument("--label-col", help="column holding the label (default: the one with the fewest values)")
    parser.add_argument("--model", choices=MODEL_KINDS, default="avgpool", help="model kind (default avgpool)")
    parser.add_argument("--epochs", type=int, default=None, help="maximum epochs (default 20, early stopping)")
    parser.add_argument("--max-texts", type=int, default=0, help="train on a stratified sample of this many texts")
    parser.add_argument("--class-weights", choices=("auto", "on", "off"), default=None,
                        help="weight classes by rarity (default auto: on at 3:1 imbalance or more)")
    parser.add_argument(
        "--json", action="store_true", help="print the result as one JSON line (progress goes to stderr as JSON lines)"
    )


def add_predict_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = "Classify texts with a trained text classifier."
    parser.add_argument("--model", required=True,
                        help="the model folder printed by train (or its model.keras), or an unzipped baseline export")
    parser.add_argument("--baseline", action="store_true",
                        help="use the TF-IDF + logistic-regression baseline trained beside the network in that folder")
    add_text_inputs(parser)


def add_text_inputs(parser: argparse.ArgumentParser) -> None:
    """Texts on the command line and/or a table of them (shared with ``predict bert``)."""
    parser.add_argument("texts", nargs="*", help="texts to classify")
    parser.add_argument("--csv", help="a table (CSV, TSV, XLSX, JSON lines) of texts to classify")
    parser.add_argument("--text-col", help="the table's text column (default: the one with the longest values)")
    parser.add_argument("--json", action="store_true", help="one JSON line per text (text, label, probability)")


def texts_from_args(args: argparse.Namespace) -> list[str]:
    """The texts given on the command line plus those of ``--csv``; DataError when there are none."""
    from dl.text.data import read_table

    texts = list(args.texts)
    if args.csv:
        path = Path(args.csv)
        if not path.is_file():
            raise DataError(f"--csv {args.csv} is not a file.")
        frame = read_table(path.read_bytes(), path.name)
        column = args.text_col or max(frame.columns, key=lambda name: frame[name].astype(str).str.len().mean())
        if column not in frame.columns:
            raise DataError(f"{path.name} has no column '{column}'. Columns: {', '.join(frame.columns[:12])}.")
        texts += frame[column].astype(str).tolist()
    if not texts:
        raise DataError("Give texts to classify, or --csv FILE.")
    return texts


def load_data(args: argparse.Namespace):
    from dl.text import data

    if args.data in data.builtin_names():
        return data.load_builtin(args.data)
    path = Path(args.data)
    if not path.is_file():
        raise DataError(f"{args.data} is neither a built-in set ({', '.join(data.builtin_names())}) nor a file.")
    return data.read_text_file(path.read_bytes(), path.name, args.text_col, args.label_col)


def train(args: argparse.Namespace) -> None:
    run_train_command(args, train_command)


def train_command(args: argparse.Namespace, store: ModelStore) -> TrainCommand:
    """The text classifier's part of ``train text``: data, config, its result and summary."""
    from dl.data_doctor.texts import diagnose_texts
    from dl.data_doctor.words import report_lines
    from dl.text.config import TextClassifierConfig
    from dl.text.train import stored_text_classifier, train_text_classifier

    if args.epochs is not None and args.epochs < 1:
        raise DataError("--epochs must be at least 1.")
    dataset = load_data(args)
    resume = getattr(args, "resume", None)
    config = project_config(args, TextClassifierConfig) or TextClassifierConfig(
        **given_settings(model=args.model, max_texts=max(0, args.max_texts), epochs=args.epochs,
                         class_weights=getattr(args, "class_weights", None))
    )
    config.validate()
    diagnosis = diagnose_texts(dataset, config.sequence_length, config.weights_on(dataset.labels, dataset.num_classes))
    return TrainCommand(
        stored=lambda: stored_text_classifier(store, config, dataset, resume),
        train=lambda reporter: train_text_classifier(config, dataset, reporter, store, resume),
        job_name="text",
        headline=f"{args.model} text classifier on {dataset.source}",
        result_document=lambda outcome: {**result_document(outcome), "data_doctor": diagnosis.to_json()},
        summary_rows=summary_rows,
        announce=lambda: [
            f"training {args.model} on {dataset.source}: {len(dataset.texts):,} distinct texts, "
            f"{dataset.num_classes} classes",
            *report_lines(diagnosis),
        ],
    )


def result_document(outcome: TrainingOutcome) -> dict[str, Any]:
    """``train text``'s JSON (``--json``), from the stored or just-trained meta.json."""
    meta, metrics = outcome.meta, outcome.meta["metrics"]
    return {
        "model": outcome.model_path,
        "kind": meta.get("kind"),
        "from_cache": outcome.from_cache,
        "accuracy": metrics["accuracy"],
        "macro_f1": metrics["macro_f1"],
        "balanced_accuracy": metrics.get("balanced_accuracy"),
        "class_weights": metrics.get("class_weights"),
        "majority_macro_f1": metrics.get("majority", {}).get("macro_f1"),
        "baseline_accuracy": metrics["baseline"]["accuracy"],
        "baseline_macro_f1": metrics["baseline"]["macro_f1"],
        "classes": meta.get("class_names"),
        "test_size": metrics.get("test_size"),
        "epochs_run": metrics.get("epochs_run"),
        "train_seconds": outcome.train_seconds,
        "data": outcome.data_source,
    }


def summary_rows(result: dict[str, Any]) -> list[tuple[str, Any]]:
    return [
        ("classes", ", ".join(map(str, result["classes"]))),
        ("held-out accuracy", f"{console.percent(result['accuracy'])} on {result['test_size']:,} texts"),
        ("macro F1", f"{result['macro_f1']:.3f}"),
        ("TF-IDF baseline", f"{console.percent(result['baseline_accuracy'])} accuracy on the same texts"),
        ("epochs", result["epochs_run"]),
    ]


def predict(args: argparse.Namespace) -> None:
    from dl.text.baseline import BASELINE_FILE, load_baseline
    from dl.text.models import class_probabilities
    from dl.text.tokens import prepare_text
    from dl.text.train import load_text_classifier

    texts = texts_from_args(args)
    prepared = [prepare_text(text) for text in texts]
    folder = Path(args.model) if Path(args.model).is_dir() else Path(args.model).parent
    if getattr(args, "baseline", False) or not (folder / "model.keras").is_file() and (folder / BASELINE_FILE).is_file():
        baseline = load_baseline(folder)
        print_labels(args, texts, baseline.class_names, baseline.probabilities(prepared))
        return
    model, classes = load_text_classifier(args.model)
    print_labels(args, texts, classes, class_probabilities(model, prepared))


def print_labels(args: argparse.Namespace, texts: list[str], classes: list[str], probabilities) -> None:
    """One line per text: JSON (text, label, probability) with ``--json``, else label, percent and
    the text's start (shared with ``predict bert``)."""
    import numpy as np

    width = max(len(str(name)) for name in classes)
    for text, row in zip(texts, probabilities, strict=True):
        best = int(np.argmax(row))
        if args.json:
            print(
                json.dumps(
                    {"text": text, "label": classes[best], "probability": round(float(row[best]), 4)},
                    ensure_ascii=False,
                )
            )
        else:
            shown = " ".join(text.split())
            shown = shown if len(shown) <= 70 else shown[:69] + "…"
            print(f"{str(classes[best]).ljust(width)}  {console.percent(float(row[best])):>7}  {shown}")
