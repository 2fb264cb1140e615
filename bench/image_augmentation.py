"""Augmentation on small image sets: held-out accuracy with and without it (issue 27).

Each cut is trained through the real path (``train_image_classifier``, a fresh model store) with the
same settings except augmentation, and scored on the same held-out images; several seeds, because a
test split of 60-100 images is noisy (one image is 1-2 points). Settings:

- ``none``: every augmentation off;
- ``default``: the config's defaults (shifts of up to 10 %);
- ``default_light``: the defaults plus brightness and contrast changes of +-20 %;
- ``photo`` (photo cuts only): flips, 3 % turns, 10 % zoom, 10 % shifts, brightness and contrast +-20 %.

Cuts: MNIST and the 8x8 digits cut to 30 images a class (300 images, 10 classes), and 20 crops a class
of scikit-learn's two sample photos (a flower, a temple) plus upscaled MNIST digits (60 colour images).
Prints JSON: per cut and setting, the mean held-out accuracy and macro F1, epochs and seconds.

    python bench/image_augmentation.py [--seeds 0 1 2]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "dl"))  # image_photos: real photo crops that ship offline

from image_photos import three_class_photos  # noqa: E402

from bench.image_small_data import cut, run  # noqa: E402
from dl.image.dataset import load_builtin  # noqa: E402

OFF = {"augment_flip": False, "augment_rotate": 0.0, "augment_zoom": 0.0, "augment_shift": 0.0,
       "augment_brightness": 0.0, "augment_contrast": 0.0}
SETTINGS = {
    "none": OFF,
    "default": {},
    "default_light": {"augment_brightness": 0.2, "augment_contrast": 0.2},
    "photo": {"augment_flip": True, "augment_rotate": 0.03, "augment_zoom": 0.1, "augment_shift": 0.1,
              "augment_brightness": 0.2, "augment_contrast": 0.2},
}
CUTS = {"mnist_10x30": ("mnist", ("none", "default", "default_light")),
        "digits_10x30": ("digits", ("none", "default", "default_light")),
        "photos_3x20": ("photos", ("none", "default", "photo"))}


def small_set(name: str, seed: int):
    source, _ = CUTS[name]
    if source == "photos":
        return three_class_photos(per_class=20, seed=seed)
    return cut(load_builtin(source), dict.fromkeys(range(10), 30), seed)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--cuts", nargs="+", default=list(CUTS))
    args = parser.parse_args()
    results = []
    for name in args.cuts:
        for setting in CUTS[name][1]:
            runs = [run(small_set(name, seed), {**SETTINGS[setting], "seed": seed}) for seed in args.seeds]
            mean = {key: round(float(np.mean([one[key] for one in runs])), 3) for key in ("accuracy", "macro_f1", "epochs", "seconds")}
            mean["accuracy_each_seed"] = [round(one["accuracy"], 3) for one in runs]
            results.append({"cut": name, "setting": setting, "seeds": len(runs), **mean})
            print(json.dumps(results[-1]), file=sys.stderr, flush=True)
    print(json.dumps({"benchmark": "image_augmentation", "results": results}, indent=1))


if __name__ == "__main__":
    main()
