"""``python -m dl train image`` and ``python -m dl predict image``: the page's code from a terminal.

    python -m dl train image --data mnist|digits|PATH [--epochs N] [--model seed|transfer] [--json]
    python -m dl predict image --model PATH FILE... [--json]
    python -m dl predict image --pretrained FILE... [--json]

``train`` shows progress on stderr and a summary (accuracy, classes, model path) on stdout, or
with ``--json`` one JSON line. ``predict`` prints one line per file (JSON lines with ``--json``);
a file that cannot be read gets an error line and the command exits 2, after the others.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from dl import console
from dl.data import DataError
from dl.store import ModelStore
from dl.train_command import TrainCommand, TrainingOutcome, given_settings, project_config, run_train_command

MODEL_KINDS = ("seed", "transfer")
MODEL_NAMES = {"seed": "seed CNN", "transfer": "EfficientNet-Lite0 transfer model"}
REASON_WORDS = {"features": "features far from every class", "tones": "other light and dark tones",
                "colour": "colour", "shape": "another shape", "small": "much smaller"}  # dl.image.familiarity codes


def add_train_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = "Train an image classifier (or load it from the model cache)."
    parser.add_argument(
        "--data", help="mnist, digits, a .zip of class folders, or a folder of class folders"
    )
    parser.add_argument("--epochs", type=int, default=None, help="training epochs (default: the model's own default)")
    parser.add_argument(
        "--model", choices=MODEL_KINDS, default="seed", help="seed CNN or transfer learning on EfficientNet-Lite0"
    )
    parser.add_argument(
        "--json", action="store_true", help="print the result as one JSON line (progress goes to stderr as JSON lines)"
    )


def add_predict_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = "Classify image files with a trained .keras model or the pretrained ImageNet model."
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--model", help="a .keras model file (e.g. the 'model' path printed by train)")
    source.add_argument("--pretrained", action="store_true", help="EfficientNet-Lite0 on the 1,000 ImageNet classes")
    parser.add_argument("files", nargs="+", help="image files")
    parser.add_argument("--json", action="store_true", help="one JSON line per file")


def load_data(name_or_path: str, class_files: list[tuple[str, list[tuple[str, bytes]]]] | None = None):
    """A built-in set by name, else a zip or folder path; ``class_files``: a project's images kept class by
    class (the page's class slots and camera), read as the page read them, ``name_or_path`` its source."""
    from dl.image.dataset import builtin_names, load_builtin
    from dl.image.uploads import dataset_from_class_files, read_image_path

    if class_files is not None:
        return dataset_from_class_files(dict(class_files), name_or_path)
    if name_or_path in builtin_names():
        return load_builtin(name_or_path)
    return read_image_path(name_or_path)


def train(args: argparse.Namespace) -> None:
    run_train_command(args, train_command)


def train_command(args: argparse.Namespace, store: ModelStore) -> TrainCommand:
    """The image classifier's part of ``train image`` (seed CNN or transfer): data, config, its result."""
    from dl.task import stored_meta

    dataset = load_data(args.data, getattr(args, "class_files", None))
    if args.epochs is not None and args.epochs < 1:
        raise DataError("--epochs must be at least 1.")
    if args.model == "transfer":
        try:
            from dl.image import transfer
        except ImportError as error:
            raise DataError(f"Transfer learning is not available in this installation ({error}).") from None
        config = transfer.TransferConfig(**given_settings(epochs=args.epochs))
        task, model_file = transfer.TASK, transfer.HEAD_FILE

        def work(reporter):
            return transfer.train_transfer_classifier(config, dataset, reporter, store)
    else:
        from dl.image import cnn

        resume = getattr(args, "resume", None)
        config = project_config(args, cnn.ImageClassifierConfig) or cnn.ImageClassifierConfig(**given_settings(epochs=args.epochs))
        config.validate()
        task, model_file = cnn.TASK, cnn.MODEL_FILE

        def work(reporter):
            return cnn.train_image_classifier(config, dataset, reporter, store, resume)

    def stored():
        return stored_meta(store, task, config, dataset.fingerprint(), getattr(args, "resume", None))

    def diagnosis():
        from dl.data_doctor.images import diagnose_images

        weighted = args.model == "seed" and cnn.uses_class_weights(config, dataset.labels, dataset.num_classes)
        return diagnose_images(dataset, class_weights_on=weighted)

    def outcome_of(trained) -> TrainingOutcome:
        entry = stored()  # the meta.json just written; None when the store could not keep it
        meta = (
            entry.meta
            if entry is not None
            else {"metrics": trained.metrics, "class_names": trained.class_names, "history": trained.history}
        )
        return TrainingOutcome(meta, trained.model_path, trained.from_cache, trained.notes)

    def announce() -> list[str]:
        counts = f"{len(dataset.labels):,} images, {dataset.num_classes} classes"
        return [
            f"training the {MODEL_NAMES[args.model]} on {dataset.source}: {counts}",
            *(f"skipped {line}" for line in dataset.skipped),
        ]

    return TrainCommand(
        stored=stored,
        train=work,
        job_name=f"image-{args.model}",
        headline=f"{MODEL_NAMES[args.model]} on {dataset.source}",
        result_document=lambda outcome: result_document(outcome, args.model, dataset, diagnosis()),
        summary_rows=summary_rows,
        announce=announce,
        model_file=model_file,
        outcome=outcome_of,
    )


def result_document(outcome: TrainingOutcome, kind: str, dataset, diagnosis=None) -> dict[str, Any]:
    """``train image``'s JSON (``--json``), from the stored or just-trained meta.json."""
    meta = outcome.meta
    return {
        "accuracy": meta["metrics"]["accuracy"],
        "classes": meta["class_names"],
        "model": outcome.model_path,
        "kind": kind,
        "from_cache": outcome.from_cache,
        "epochs_run": len(meta.get("history", [])),
        "test_size": meta["metrics"].get("test_size"),
        "train_seconds": outcome.train_seconds,
        "data": dataset.source,
        "skipped": dataset.skipped,
        "macro_f1": meta["metrics"].get("macro_f1"),
        "balanced_accuracy": meta["metrics"].get("balanced_accuracy"),
        **({"data_doctor": diagnosis.to_json()} if diagnosis is not None else {}),
    }


def summary_rows(result: dict[str, Any]) -> list[tuple[str, Any]]:
    accuracy = console.percent(result["accuracy"])
    return [
        ("classes", ", ".join(result["classes"][:12]) + (" …" if len(result["classes"]) > 12 else "")),
        ("held-out accuracy", f"{accuracy} on {result['test_size']:,} images" if result["test_size"] else accuracy),
        ("epochs", result["epochs_run"]),
        ("skipped files", len(result["skipped"]) or None),
    ]


def predict(args: argparse.Namespace) -> int:
    """One line per file (JSON lines with ``--json``); exit 2 when any file was refused.

    With a trained model each line also says when the image is far from the training data (the
    model's training profile, ``dl.image.familiarity``; models stored before profiles say nothing)."""
    files = [Path(file) for file in args.files]
    images, failures = _read_images(files)
    decoded = [image for image in images if image is not None]
    if args.pretrained:
        from dl.image.pretrained import classify_images

        answers = iter([(top, None) for top in classify_images(decoded, top_k=5)] if decoded else [])
    elif decoded:
        answers = iter(_classify_with_model(args.model, decoded))
    else:
        answers = iter([])
    width = max(len(str(file)) for file in files)
    for file, image in zip(files, images, strict=True):
        if image is None:
            print_refused(args, str(file), failures[file])
            continue
        answer, familiarity = next(answers)
        top = [(label, round(float(probability), 6)) for label, probability in answer]
        if args.json:
            record = (
                {"file": str(file), "top5": [list(pair) for pair in top]}
                if args.pretrained
                else {"file": str(file), "label": top[0][0], "probability": top[0][1], **familiarity_fields(familiarity)}
            )
            print(json.dumps(record, ensure_ascii=False))
        else:
            print(
                f"{str(file).ljust(width)}  "
                + " · ".join(f"{label} {console.percent(probability)}" for label, probability in top[:3])
                + familiarity_note(familiarity)
            )
    return 2 if failures else 0


def familiarity_fields(check: Any) -> dict[str, Any]:
    """``predict --json``'s fields on how far the image is from the training data (none without a profile)."""
    if check is None:
        return {}
    return {"far_from_training": check.far, "far_reasons": check.reasons,
            "feature_distance": round(check.distance, 4), "feature_distance_limit": round(check.distance_limit, 4)}


def familiarity_note(check: Any) -> str:
    """The text line's ending when the image is far from the training data."""
    if check is None or not check.far:
        return ""
    return f"  ! far from the training data ({', '.join(REASON_WORDS[reason] for reason in check.reasons)}): a guess"


def print_refused(args: argparse.Namespace, name: str, reason: str) -> None:
    """A refused input: a JSON line on stdout with ``--json`` (in order with the others), else a line on stderr."""
    if args.json:
        print(json.dumps({"file": name, "error": reason}, ensure_ascii=False))
    else:
        print(f"error: {name}: {reason}", file=sys.stderr)


def _classify_with_model(model_path: str, images: list[Any]) -> list[tuple[list[tuple[str, float]], Any]]:
    """Top-3 classes of each image with a trained ``.keras`` classifier, and its familiarity check
    (None when the model has no training profile)."""
    from dl.image.cnn import load_classifier_file, predict_probabilities, top_classes
    from dl.image.familiarity import check_prediction
    from dl.image.uploads import DEFAULT_LIMITS, images_to_array

    trained = load_classifier_file(model_path)
    answers = []
    for image in images:
        pixels = images_to_array([image], DEFAULT_LIMITS.storage_size, 1 if image.mode == "L" else 3)
        top = top_classes(predict_probabilities(trained, pixels)[0], trained.class_names, 3)
        answers.append((top, check_prediction(trained, pixels, image.size)))
    return answers


def _read_images(files: list[Path]) -> tuple[list[Any], dict[Path, str]]:
    """Decode every file; a missing or unreadable one becomes None with its reason (others still run)."""
    from dl.image.uploads import UnreadableImage, decode_image

    images: list[Any] = []
    failures: dict[Path, str] = {}
    for file in files:
        try:
            images.append(decode_image(file.read_bytes(), file.name))
        except OSError as error:
            failures[file] = f"cannot read: {error.strerror or error}"
            images.append(None)
        except (UnreadableImage, DataError) as error:
            failures[file] = str(error)
            images.append(None)
    return images, failures
