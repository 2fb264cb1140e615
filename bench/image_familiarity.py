"""How often "far from the training data" is said, on digits it should accept and photos it should not.

Each model is trained through the real path (a fresh model store), which writes the training profile
(``dl.image.familiarity``) beside it; the bench then checks, the way the Predict tab does:

* the model's own held-out test digits (never seen in training nor in the threshold): the share
  flagged should be low (goal <= 5 %);
* a small upload (40 bars and 40 stripes, tests/dl/image_photos.py), too few images for a validation
  set of 50: 100 new bars and stripes, which should pass as well;
* photos that are not digits: random crops of scikit-learn's two sample photos (a flower, a temple)
  in colour, the same crops in greyscale (so colour alone cannot give them away), and smooth random
  "natural-ish" images (1/f noise, greyscale): the share flagged should be high.

For each it prints the share flagged by any reason and by the features alone, and which reasons.
Prints JSON.

    python bench/image_familiarity.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dl.image.dataset import ImageDataset, load_builtin  # noqa: E402
from dl.image.familiarity import check_photo, load_profile  # noqa: E402
from dl.image.uploads import DEFAULT_LIMITS, images_to_array  # noqa: E402
from dl.jobs import run_inline  # noqa: E402
from dl.store import ModelStore  # noqa: E402

PHOTOS_PER_SET = 100  # per out-of-distribution set: one photo moves a share by 1 %
SEED = 0


def photo_crops(count: int, rng: np.random.Generator) -> list:
    """Square crops (20-80 % of the shorter side) of sklearn's flower and temple photos, as PIL images."""
    from PIL import Image
    from sklearn.datasets import load_sample_image

    photos = [load_sample_image("flower.jpg"), load_sample_image("china.jpg")]
    crops = []
    for index in range(count):
        photo = photos[index % 2]
        height, width = photo.shape[:2]
        side = int(min(height, width) * rng.uniform(0.2, 0.8))
        top, left = int(rng.integers(0, height - side + 1)), int(rng.integers(0, width - side + 1))
        crops.append(Image.fromarray(photo[top : top + side, left : left + side]))
    return crops


def smooth_noise(count: int, rng: np.random.Generator, size: int = 128) -> list:
    """Greyscale 1/f noise images: the spectrum of natural scenes, no objects."""
    from PIL import Image

    frequencies = np.hypot(*np.meshgrid(np.fft.fftfreq(size), np.fft.fftfreq(size)))
    frequencies[0, 0] = 1.0
    images = []
    for _ in range(count):
        spectrum = (rng.normal(size=(size, size)) + 1j * rng.normal(size=(size, size))) / frequencies
        field = np.real(np.fft.ifft2(spectrum))
        field = (field - field.min()) / (field.max() - field.min() + 1e-9) * 255
        images.append(Image.fromarray(field.astype(np.uint8), mode="L"))
    return images


def as_uploaded(images: list) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Stored pixels (n, 128, 128, c) and (width, height) of PIL images, as the Predict tab keeps an upload."""
    channels = 1 if images[0].mode == "L" else 3
    return images_to_array(images, DEFAULT_LIMITS.storage_size, channels), [image.size for image in images]


def flag_shares(trained, pixels: np.ndarray, sizes: list[tuple[int, int]]) -> dict:
    """Share flagged (any reason, features alone) and the reasons' counts, for a batch of photos."""
    profile = load_profile(trained.model_path)
    features = trained.model_kind.features(trained.model, pixels, trained.image_size, trained.channels)
    checks = [check_photo(profile, pixels[index], sizes[index], features[index]) for index in range(len(pixels))]
    reasons = Counter(reason for check in checks for reason in check.reasons)
    return {
        "images": len(checks),
        "flagged": round(float(np.mean([check.far for check in checks])), 3),
        "flagged_by_features": round(float(np.mean(["features" in check.reasons for check in checks])), 3),
        "reasons": dict(sorted(reasons.items())),
        "median_distance": round(float(np.median([check.distance for check in checks])), 4),
    }


def train(kind: str, dataset: ImageDataset, store: ModelStore):
    if kind == "transfer":
        from dl.image.transfer import TransferConfig, train_transfer_classifier

        return run_inline(lambda reporter: train_transfer_classifier(TransferConfig(), dataset, reporter, store))
    from dl.image.cnn import ImageClassifierConfig, strong_config, train_image_classifier

    config = strong_config() if kind == "strong" else ImageClassifierConfig()
    return run_inline(lambda reporter: train_image_classifier(config, dataset, reporter, store))


def subset(dataset: ImageDataset, per_class: int, rng: np.random.Generator) -> ImageDataset:
    chosen = np.concatenate([rng.choice(np.flatnonzero(dataset.labels == label), per_class, replace=False)
                             for label in range(dataset.num_classes)])
    return dataset.subset(np.sort(chosen))


def small_upload(per_class: int = 40) -> tuple[ImageDataset, tuple[np.ndarray, list]]:
    """80 noisy bars and stripes as uploaded PNGs, and 100 new ones drawn the same way."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "dl"))
    from image_photos import shape_png

    from dl.image.uploads import dataset_from_class_files, decode_photo

    files = {kind: [(f"{index}.png", shape_png(kind, offset + index)) for index in range(per_class)]
             for kind, offset in (("bars", 0), ("stripes", 1000))}
    new = [decode_photo(shape_png("bars" if index % 2 else "stripes", 5000 + index), "new.png") for index in range(100)]
    return dataset_from_class_files(files, "40 bars + 40 stripes"), as_uploaded(new)


def measure(kind: str, dataset: ImageDataset, outside: dict[str, tuple[np.ndarray, list]],
            inside: tuple[np.ndarray, list] | None = None) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        trained = train(kind, dataset, ModelStore(folder))
        train_seconds = time.perf_counter() - started
        profile = load_profile(trained.model_path)
        test = dataset.images[trained.test_indices]
        size = (dataset.images.shape[2], dataset.images.shape[1])
        started = time.perf_counter()
        result = {
            "data": f"{dataset.source} ({len(dataset.labels):,} images)",
            "accuracy": round(trained.metrics["accuracy"], 4),
            "train_seconds": round(train_seconds, 1),
            "threshold": round(profile["distance_threshold"], 4),
            "profile_bytes": (Path(trained.model_path).parent / "training_profile.json").stat().st_size,
            "held_out": flag_shares(trained, test, [size] * len(test)),
            **({"new_like_training": flag_shares(trained, *inside)} if inside is not None else {}),
            **{name: flag_shares(trained, pixels, sizes) for name, (pixels, sizes) in outside.items()},
        }
        result["check_ms_per_image"] = round(1000 * (time.perf_counter() - started)
                                             / sum(value["images"] for key, value in result.items() if isinstance(value, dict)), 2)
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="sklearn digits and the seed CNN only")
    args = parser.parse_args()
    rng = np.random.default_rng(SEED)
    crops = photo_crops(PHOTOS_PER_SET, rng)
    outside = {
        "photos_colour": as_uploaded(crops),
        "photos_greyscale": as_uploaded([crop.convert("L") for crop in crops]),
        "smooth_noise_greyscale": as_uploaded(smooth_noise(PHOTOS_PER_SET, rng)),
    }
    digits = load_builtin("digits")
    runs = [("seed", digits)] if args.quick else [
        ("seed", digits), ("seed", load_builtin("mnist")), ("strong", load_builtin("mnist")),
        ("transfer", subset(digits, 40, rng)),
    ]
    results = {f"{kind}_{dataset.source}": measure(kind, dataset, outside) for kind, dataset in runs}
    shapes, new_shapes = small_upload()
    results["seed_small_upload"] = measure("seed", shapes, outside, new_shapes)
    print(json.dumps({"familiarity": results, "goal": "held-out and new in-distribution images flagged <= 0.05; photos flagged high"}, indent=2))


if __name__ == "__main__":
    main()
