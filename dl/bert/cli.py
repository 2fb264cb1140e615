"""BERT sentence labeling from a terminal: fine-tune, then label sentences.

    python -m dl train bert --data rotten_tomatoes|fine_foods|chinese_reviews|PATH [--text-col C --label-col C]
        [--model minilm|HF_ID] [--epochs N] [--max-samples N] [--class-weights auto|on|off]
        [--strategy auto|full|top_layers] [--layers K] [--json]
    python -m dl predict bert --model PATH "sentence" ... | --csv FILE --text-col C
    python -m dl predict bert --baseline PATH "sentence" ...   (or --model PATH --baseline)

``train`` shows progress on stderr and a summary on stdout, or with ``--json`` one JSON line
(accuracy, macro_f1, baseline_accuracy, majority_macro_f1, labels, model ..., and ``data_doctor``: the
findings on the sentences, see ``dl.data_doctor.texts``); a second identical run is answered from the model
cache without loading PyTorch. ``predict`` prints one line per sentence (JSON lines with ``--json``);
with ``--baseline`` the labels come from the frozen-encoder + logistic-regression baseline trained beside
the fine-tuned model (``frozen_probe.json`` in its folder, or an unzipped baseline export).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from dl import console
from dl.bert.config import CLASS_WEIGHTS, DEFAULT_SENTENCES, STRATEGIES, TOP_LAYERS_FROM
from dl.data.errors import DataError
from dl.store import ModelStore
from dl.text.cli import add_text_inputs, print_labels, texts_from_args
from dl.train_command import TrainCommand, TrainingOutcome, given_settings, project_config, run_train_command


def add_train_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = "Fine-tune a BERT model to label sentences (or load it from the model cache)."
    parser.add_argument(
        "--data", help="rotten_tomatoes, fine_foods, chinese_reviews, or a CSV/TSV/XLSX/JSON-lines table"
    )
    parser.add_argument("--text-col", help="column holding the sentence")
    parser.add_argument("--label-col", help="column holding the label")
    parser.add_argument("--model", default="minilm", help="minilm (built in, offline) or a Hugging Face model id")
    parser.add_argument("--epochs", type=int, default=None, help="epochs (default 3)")
    parser.add_argument(
        "--max-samples",
        type=int,
        default=None,
        help=f"a stratified sample of this many sentences (default {DEFAULT_SENTENCES['full']:,} for full, "
             f"{DEFAULT_SENTENCES['top_layers']:,} for top_layers; 0 = all)",
    )
    parser.add_argument(
        "--strategy", choices=STRATEGIES, default=None,
        help="full: train every weight; top_layers: run the frozen lower layers once and train only the top ones "
             f"and the head (many more sentences in the same time); auto (default): top_layers from {TOP_LAYERS_FROM:,} sentences",
    )
    parser.add_argument("--layers", type=int, default=None, help="top_layers: how many top layers train (default 2 of MiniLM's 6)")
    parser.add_argument(
        "--class-weights", choices=CLASS_WEIGHTS, default=None,
        help="weigh each label in the loss by its rarity (default auto: on when the largest label is 3x the smallest)",
    )
    parser.add_argument(
        "--json", action="store_true", help="print the result as one JSON line (progress goes to stderr as JSON lines)"
    )


def add_predict_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = "Label sentences with a fine-tuned BERT folder, or with the frozen-encoder baseline kept in it."
    parser.add_argument("--model", help="the model folder printed by train (or an unzipped export)")
    parser.add_argument("--baseline", nargs="?", const=True, default=None, metavar="FOLDER",
                        help="label with the frozen-encoder + logistic-regression baseline trained beside the fine-tuned model: "
                             "of FOLDER (a model folder or an unzipped baseline export), or of --model's folder")
    add_text_inputs(parser)


def train(args: argparse.Namespace) -> None:
    run_train_command(args, train_command)


def train_command(args: argparse.Namespace, store: ModelStore) -> TrainCommand:
    """The BERT labeler's part of ``train bert``: data, config, its result and summary."""
    from dl.bert.config import BertConfig
    from dl.bert.train import stored_labeler, train_labeler
    from dl.text.cli import load_data

    resume = getattr(args, "resume", None)
    config = project_config(args, BertConfig) or BertConfig(**given_settings(
        model=args.model, epochs=args.epochs, max_sentences=args.max_samples, class_weights=args.class_weights,
        strategy=args.strategy, trainable_layers=args.layers))
    config.validate()
    dataset = load_data(args)
    chosen = config.resolved(len(dataset.texts))
    sentences = min(len(dataset.texts), chosen.max_sentences or 10**9)
    how = f"the top {chosen.trainable_layers} layers of " if chosen.strategy == "top_layers" else ""
    return TrainCommand(
        stored=lambda: stored_labeler(store, config, dataset, resume),
        train=lambda reporter: train_labeler(config, dataset, reporter, store, resume),
        job_name="bert",
        headline=f"{config.model} fine-tuned on {dataset.source}",
        result_document=lambda outcome: {**result_document(outcome), "data_doctor": doctor_json(dataset, config, outcome)},
        summary_rows=summary_rows,
        announce=lambda: [
            f"fine-tuning {how}{config.model} on {dataset.source}: {sentences:,} sentences, {dataset.num_classes} labels"
        ],
    )


def doctor_json(dataset: Any, config: Any, outcome: TrainingOutcome) -> dict[str, Any]:
    """The doctor's findings on the sentences, with the tokenizer's unknown-piece share that training
    measured and stored (read from meta.json, so a cache hit still imports no framework)."""
    from dl.bert.doctor import diagnose_sentences

    return diagnose_sentences(dataset, config, outcome.meta.get("unknown_share")).to_json()


def result_document(outcome: TrainingOutcome) -> dict[str, Any]:
    """``train bert``'s JSON (``--json``), from the stored or just-trained meta.json."""
    metrics = outcome.meta["metrics"]
    baselines = metrics["baselines"]
    return {
        "model": outcome.model_path,
        "from_cache": outcome.from_cache,
        "accuracy": metrics["accuracy"],
        "macro_f1": metrics["macro_f1"],
        "baseline_accuracy": baselines["frozen_logistic_regression"]["accuracy"],
        "nearest_centroid_accuracy": baselines["nearest_centroid"]["accuracy"],
        "majority_accuracy": baselines.get("majority", {}).get("accuracy"),
        "majority_macro_f1": baselines.get("majority", {}).get("macro_f1"),
        "imbalanced": metrics.get("imbalanced", False),
        "class_weights": metrics.get("class_weights"),
        "labels": outcome.meta.get("class_names"),
        "test_size": metrics.get("test_size"),
        "epochs_run": metrics.get("epochs_run"),
        "strategy": metrics.get("strategy", "full"),
        "trainable_layers": metrics.get("trainable_layers"),
        "cache_seconds": metrics.get("cache_seconds"),
        "train_seconds": outcome.train_seconds,
        "data": outcome.data_source,
    }


def summary_rows(result: dict[str, Any]) -> list[tuple[str, Any]]:
    accuracy = ("held-out accuracy", f"{console.percent(result['accuracy'])} on {result['test_size']:,} sentences")
    majority = f" (majority label: {result['majority_macro_f1']:.3f})" if result.get("majority_macro_f1") is not None else ""
    f1 = ("macro F1", f"{result['macro_f1']:.3f}{majority}")
    weights = result.get("class_weights")
    return [
        ("labels", ", ".join(map(str, result["labels"]))),
        *([f1, accuracy] if result.get("imbalanced") else [accuracy, f1]),  # unequal labels: macro F1 first
        ("class weights", ", ".join(f"{weight:.2f}" for weight in weights) if weights else "off"),
        ("frozen-encoder baseline", f"{console.percent(result['baseline_accuracy'])} accuracy (logistic regression)"),
        ("epochs", result["epochs_run"]),
        ("strategy", f"top {result['trainable_layers']} layers on stored lower-layer outputs (stored in {result['cache_seconds']:.0f} s)"
         if result.get("strategy") == "top_layers" else "all weights"),
    ]


def predict(args: argparse.Namespace) -> None:
    from dl.bert.probe import PROBE_FILE, load_probe
    from dl.bert.train import load_labeler_folder, predict_probabilities

    baseline = args.baseline
    if isinstance(baseline, str) and args.model and not Path(baseline).exists():
        args.texts.insert(0, baseline)  # "--model F --baseline 'a sentence'": the flag took the first sentence
        baseline = True
    folder = baseline if isinstance(baseline, str) else args.model
    if not folder:
        raise DataError("Give the model folder: --model FOLDER, or --baseline FOLDER for the frozen-encoder baseline.")
    texts = texts_from_args(args)
    if baseline or _baseline_export(Path(folder), PROBE_FILE):
        probe = load_probe(folder)
        print_labels(args, texts, probe.class_names, probe.probabilities(texts))
        return
    model, tokenizer, labels, max_length = load_labeler_folder(folder)
    print_labels(args, texts, labels, predict_probabilities(model, tokenizer, texts, max_length))


def _baseline_export(folder: Path, probe_file: str) -> bool:
    """An unzipped baseline export (the probe, no fine-tuned weights): ``--model`` reads it as ``--baseline`` would."""
    return folder.is_dir() and (folder / probe_file).is_file() and not any(folder.glob("*.safetensors"))
