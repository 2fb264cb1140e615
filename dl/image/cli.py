"""``python -m dl train image`` and ``python -m dl predict image``: the page's code from a terminal.

    python -m dl train image --data mnist|digits|PATH [--epochs N] [--model seed|transfer] [--json]
    python -m dl predict image --model PATH FILE...
    python -m dl predict image --pretrained FILE...

``train`` prints progress lines to stderr and a last line of JSON (accuracy, classes, model path)
to stdout. ``predict`` prints one JSON line per file. Handlers print themselves and return None,
because the output is JSON lines, not one indented document.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from dl.data import DataError

MODEL_KINDS = ("seed", "transfer")


def add_train_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = "Train an image classifier (or load it from the model cache)."
    parser.add_argument("--data", required=True, help="mnist, digits, a .zip of class folders, or a folder of class folders")
    parser.add_argument("--epochs", type=int, default=None, help="training epochs (default: the model's own default)")
    parser.add_argument("--model", choices=MODEL_KINDS, default="seed", help="seed CNN or transfer learning on EfficientNet-Lite0")
    parser.add_argument("--json", action="store_true", help="print only the JSON result line (no progress on stderr)")


def add_predict_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = "Classify image files with a trained .keras model or the pretrained ImageNet model."
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--model", help="a .keras model file (e.g. the 'model' path printed by train)")
    source.add_argument("--pretrained", action="store_true", help="EfficientNet-Lite0 on the 1,000 ImageNet classes")
    parser.add_argument("files", nargs="+", help="image files")


def load_data(name_or_path: str):
    """A built-in set by name, else a zip or folder path."""
    from dl.image.dataset import builtin_names, load_builtin
    from dl.image.uploads import read_image_path

    if name_or_path in builtin_names():
        return load_builtin(name_or_path)
    return read_image_path(name_or_path)


def train(args: argparse.Namespace) -> None:
    from dl.jobs import run_inline
    from dl.store import ModelStore
    from dl.task import stored_meta

    dataset = load_data(args.data)
    store = ModelStore()
    if args.epochs is not None and args.epochs < 1:
        raise DataError("--epochs must be at least 1.")
    if args.model == "transfer":
        try:
            from dl.image import transfer
        except ImportError as error:
            raise DataError(f"Transfer learning is not available in this installation ({error}).") from None
        config = transfer.TransferConfig() if args.epochs is None else transfer.TransferConfig(epochs=args.epochs)
        task, model_file = transfer.TASK, transfer.HEAD_FILE

        def work(reporter):
            return transfer.train_transfer_classifier(config, dataset, reporter, store)
    else:
        from dl.image import cnn

        config = cnn.ImageClassifierConfig() if args.epochs is None else cnn.ImageClassifierConfig(epochs=args.epochs)
        config.validate()
        task, model_file = cnn.TASK, cnn.MODEL_FILE

        def work(reporter):
            return cnn.train_image_classifier(config, dataset, reporter, store)

    entry = stored_meta(store, task, config, dataset.fingerprint())
    if entry is not None:  # a cache hit needs only meta.json: no TensorFlow, no model loading
        print(json.dumps(stored_result(entry, args.model, model_file, dataset), ensure_ascii=False))
        return
    if not args.json:
        print(f"training on {dataset.source}: {len(dataset.labels)} images, {dataset.num_classes} classes", file=sys.stderr)
        for line in dataset.skipped:
            print(f"skipped {line}", file=sys.stderr)
    trained = run_inline(work, name=f"image-{args.model}")
    result = {
        "accuracy": trained.metrics["accuracy"],
        "classes": trained.class_names,
        "model": trained.model_path,
        "kind": trained.kind,
        "from_cache": trained.from_cache,
        "epochs_run": len(trained.history),
        "test_size": trained.metrics.get("test_size"),
        "data": dataset.source,
        "skipped": dataset.skipped,
    }
    if not args.json:
        for row in trained.history:
            print(json.dumps({"epoch_metrics": row}), file=sys.stderr)
    print(json.dumps(result, ensure_ascii=False))


def stored_result(entry, kind: str, model_file: str, dataset) -> dict[str, Any]:
    """The same JSON a training prints, read from a store entry's meta.json."""
    meta = entry.meta
    return {
        "accuracy": meta["metrics"]["accuracy"],
        "classes": meta["class_names"],
        "model": str(entry.path / model_file),
        "kind": kind,
        "from_cache": True,
        "epochs_run": len(meta.get("history", [])),
        "test_size": meta["metrics"].get("test_size"),
        "data": dataset.source,
        "skipped": dataset.skipped,
    }


def predict(args: argparse.Namespace) -> None:
    files = [Path(file) for file in args.files]
    images, failures = _read_images(files)
    if args.pretrained:
        from dl.image.pretrained import classify_images

        decoded = [image for image in images if image is not None]
        results = iter(classify_images(decoded, top_k=5) if decoded else [])
        for file, image in zip(files, images, strict=True):
            if image is None:
                print(json.dumps({"file": str(file), "error": failures[file]}, ensure_ascii=False))
            else:
                top5 = [[label, round(float(probability), 6)] for label, probability in next(results)]
                print(json.dumps({"file": str(file), "top5": top5}, ensure_ascii=False))
        return
    from dl.image.cnn import load_classifier_file, predict_probabilities, top_classes
    from dl.image.uploads import DEFAULT_LIMITS, images_to_array

    trained = load_classifier_file(args.model)
    for file, image in zip(files, images, strict=True):
        if image is None:
            print(json.dumps({"file": str(file), "error": failures[file]}, ensure_ascii=False))
            continue
        pixels = images_to_array([image], DEFAULT_LIMITS.storage_size, 1 if image.mode == "L" else 3)
        probabilities = predict_probabilities(trained, pixels)[0]
        label, probability = top_classes(probabilities, trained.class_names, 1)[0]
        print(json.dumps({"file": str(file), "label": label, "probability": round(probability, 6)}, ensure_ascii=False))


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
