"""The seed CNN on small and imbalanced image sets: the old defaults against the new ones.

Cuts of the built-in sets, each trained through the real path (``train_image_classifier``, a fresh
model store) with the old defaults (batch 32 whatever the size, no class weights, early stopping on
validation loss) and the new ones (batch and epoch limit scaled to the data, class weights on
imbalance, macro-F1 stopping that cannot stop a majority-class model). Each cut is drawn with
several seeds, because a test split of a few dozen images is noisy. Prints JSON: per cut and
setting, the mean held-out accuracy and macro F1 beside the majority-class predictor's, epochs run
and seconds.

    python bench/image_small_data.py [--seeds 0 1 2] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dl.data_doctor.labels import majority_baseline  # noqa: E402
from dl.image.cnn import ImageClassifierConfig, train_image_classifier  # noqa: E402
from dl.image.dataset import ImageDataset, load_builtin  # noqa: E402
from dl.jobs import run_inline  # noqa: E402
from dl.store import ModelStore  # noqa: E402

OLD = {"class_weights": "off", "stop_on": "val_loss", "scale_to_data": False}  # the defaults before issue 23
SETTINGS = {
    "old": OLD,
    "new": {},
    "new_without_scaling": {"scale_to_data": False},
    "new_without_weights": {"class_weights": "off"},
}
# (name, built-in set, {class: images}): small zips of 12-80 images, a 30-a-class cut, two 90/10 cuts
CUTS = [
    ("mnist_2x12", "mnist", {3: 12, 8: 12}),
    ("mnist_3x20", "mnist", {0: 20, 1: 20, 7: 20}),
    ("mnist_2x40", "mnist", {3: 40, 5: 40}),
    ("digits_10x30", "digits", dict.fromkeys(range(10), 30)),
    ("mnist_90_10_of_80", "mnist", {3: 72, 5: 8}),
    ("mnist_90_10_of_200", "mnist", {3: 180, 5: 20}),
    ("digits_90_10_of_200", "digits", {1: 180, 7: 20}),
]


def cut(dataset: ImageDataset, per_class: dict[int, int], seed: int) -> ImageDataset:
    """A random subset with ``per_class[label]`` images of each chosen label, relabelled 0..k-1."""
    rng = np.random.default_rng(seed)
    chosen, labels = [], []
    for new_label, (label, count) in enumerate(per_class.items()):
        members = rng.choice(np.flatnonzero(dataset.labels == label), count, replace=False)
        chosen.extend(members)
        labels.extend([new_label] * count)
    order = rng.permutation(len(chosen))
    images = dataset.images[np.asarray(chosen)[order]]
    return ImageDataset(images, np.asarray(labels)[order], [str(label) for label in per_class], dataset.source)


def run(dataset: ImageDataset, overrides: dict) -> dict:
    config = ImageClassifierConfig(**overrides)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        trained = run_inline(lambda reporter: train_image_classifier(config, dataset, reporter, ModelStore(folder)))
    metrics = trained.metrics
    test_labels = dataset.labels[trained.test_indices]
    floor = majority_baseline(test_labels, dataset.num_classes)
    return {
        "accuracy": metrics["accuracy"],
        "macro_f1": metrics["macro_f1"],
        "majority_accuracy": floor["accuracy"],
        "majority_macro_f1": floor["macro_f1"],
        "epochs": metrics["epochs_run"],
        "batch_size": metrics["batch_size_used"],
        "seconds": time.perf_counter() - started,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--settings", nargs="+", default=list(SETTINGS))
    parser.add_argument("--cuts", nargs="+", default=[name for name, _, _ in CUTS])
    parser.add_argument("--quick", action="store_true", help="one seed, old and new only")
    args = parser.parse_args()
    seeds, settings = (args.seeds[:1], ["old", "new"]) if args.quick else (args.seeds, args.settings)
    sets = {name: load_builtin(name) for name in {source for _, source, _ in CUTS}}
    results = []
    for name, source, per_class in CUTS:
        if name not in args.cuts:
            continue
        for setting in settings:
            runs = [run(cut(sets[source], per_class, seed), SETTINGS[setting]) for seed in seeds]
            mean = {key: round(float(np.mean([one[key] for one in runs])), 3) for key in runs[0]}
            mean["beats_majority_macro_f1"] = sum(one["macro_f1"] > one["majority_macro_f1"] + 0.05 for one in runs)
            results.append({"cut": name, "images": sum(per_class.values()), "setting": setting, "seeds": len(runs), **mean})
            print(json.dumps(results[-1]), file=sys.stderr, flush=True)
    print(json.dumps({"benchmark": "image_small_data", "results": results}, indent=1))


if __name__ == "__main__":
    main()
