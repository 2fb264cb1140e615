"""Is a photo like the images a model was trained on? A small, measured check beside every prediction.

A digits model calls a cat photo "zero" at 98 %: softmax always picks a class, however unlike the
training images the input is. At training time ``build_profile`` records what the training images
looked like, as plain numbers in a small JSON file beside the model (``PROFILE_FILE``, no pickle):

* their tones: a 16-bin histogram of grey levels per class, and how far (L1) the *validation*
  images' histograms lie from their nearest class's (a digit is mostly black with a few white
  strokes; a photo has every shade: a mean brightness alone cannot tell them apart);
* their colourfulness (mean spread between the colour channels: 0 for greyscale);
* their shape (width / height before they were squared) and their smallest size;
* the model's penultimate-layer features: one centroid per class (the mean direction of its
  training images' features) and a distance threshold, the ``quantile`` of the *validation* images'
  cosine distance to their nearest centroid (images the model was not fitted on, as new photos).

``check_photo`` compares one photo with that profile and returns codes and numbers; the page and
the CLI turn them into sentences. A model stored before profiles existed has no file: no check, no
warning. Measured on held-out digits and non-digit photos by ``bench/image_familiarity.py``
(numbers in docs/benchmarks.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from dl.image.disk import image_chunks

PROFILE_FILE = "training_profile.json"  # beside the model file in a store entry
PROFILE_VERSION = 1
DEFAULT_TONE_BINS = 16
GREY_WEIGHTS = np.array([0.299, 0.587, 0.114], dtype=np.float32)  # ITU-R 601 luma, as prepare_pixels


@dataclass(frozen=True)
class FamiliarityConfig:
    """How far outside the training images a photo must be before it is called far from them.

    No page or CLI option sets these (the bench measures them), so there is no user input to check."""

    quantile: float = 0.99  # the feature threshold lets 99 % of validation images through: ~1 % false alarms
    margin: float = 1.1  # both thresholds (features, tones) 10 % beyond the quantile: test images rarely pass it
    min_validation_images: int = 50  # fewer: their 99th percentile is just their largest; training images join them
    small_set_margin: float = 2.0  # then: a quantile of so few is optimistic, and so are a CNN's own training images (80 shapes: 8 % of new ones flagged at 1.5, 1 % at 2)
    colour_quantile: float = 0.99  # the colour limit lets 99 % of training images through
    tone_bins: int = DEFAULT_TONE_BINS  # grey-level histogram bins: 16 shades tell black-on-white strokes from a photo's gradients
    colour_margin: float = 16.0  # channel spread above the training images': a greyscale scan of a photo stays under it
    aspect_tolerance: float = 1.5  # shapes up to 1.5x wider or taller than any training image: 4:3 against square passes
    small_side_share: float = 0.5  # a photo under half the smallest training image's side was blown up to fit


DEFAULT_CONFIG = FamiliarityConfig()


@dataclass
class FamiliarityCheck:
    """One photo against a profile. ``reasons``: codes among "features", "tones", "colour", "shape",
    "small"; ``far`` when there is any. The numbers let a sentence say how far."""

    far: bool
    reasons: list[str]
    distance: float  # cosine distance of the photo's features to the nearest class centroid (0-2)
    distance_limit: float  # the profile's threshold (already with the margin)
    tone_distance: float  # L1 distance of the photo's grey-level histogram to the nearest class's (0-2)
    tone_limit: float  # the profile's threshold (already with the margin)
    colourfulness: float  # the photo's mean channel spread, 0-255
    colourfulness_limit: float  # the training images' upper end (without the margin)
    aspect: float  # the photo's width / height
    aspect_range: tuple[float, float]  # the training images' range
    smallest_side: int  # the smallest training image's shorter side, in pixels
    nearest_class: int  # the class whose centroid is nearest


# ------------------------------------------------------------------------------------------- pixels
def tone_histograms(images: np.ndarray, bins: int = DEFAULT_TONE_BINS) -> np.ndarray:
    """(n, bins): each image's share of pixels in each band of grey levels (rows sum to 1). A few hundred
    images at a time: a big set's pixels may be on disk (``dl.image.disk``), and float copies of all
    of them would not fit."""
    parts = [_tone_histograms(chunk, bins) for chunk in image_chunks(images)]
    return np.concatenate(parts) if parts else np.zeros((0, bins))


def _tone_histograms(images: np.ndarray, bins: int) -> np.ndarray:
    pixels = images.astype(np.float32)
    grey = (pixels[..., 0] if pixels.shape[-1] == 1 else pixels @ GREY_WEIGHTS).reshape(len(images), -1)
    bands = np.clip((grey * (bins / 256.0)).astype(np.int64), 0, bins - 1)
    counts = np.stack([np.bincount(row, minlength=bins) for row in bands]) if len(bands) else np.zeros((0, bins))
    return counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)


def class_tones(histograms: np.ndarray, labels: np.ndarray, num_classes: int) -> np.ndarray:
    """(classes, bins): the mean histogram of each class (zeros for a class without images)."""
    return np.stack([histograms[labels == label].mean(axis=0) if np.any(labels == label) else np.zeros(histograms.shape[1])
                     for label in range(num_classes)])


def tone_distance(histograms: np.ndarray, tones: np.ndarray) -> np.ndarray:
    """L1 distance (0-2) of each histogram to the nearest class's mean histogram."""
    return np.abs(histograms[:, np.newaxis, :] - tones[np.newaxis]).sum(axis=2).min(axis=1)


def colourfulness(images: np.ndarray) -> np.ndarray:
    """Mean over pixels of (largest - smallest channel) of each image: 0 for greyscale, ~20-80 for photos.
    A few hundred images at a time, as ``tone_histograms``."""
    if images.shape[-1] == 1:
        return np.zeros(len(images), dtype=np.float32)
    spreads = [(chunk.max(axis=-1).astype(np.int16) - chunk.min(axis=-1)).reshape(len(chunk), -1).mean(axis=1)
               for chunk in image_chunks(images)]
    return np.concatenate(spreads).astype(np.float32) if spreads else np.zeros(0, dtype=np.float32)


# ------------------------------------------------------------------------------------------- features
def unit_rows(features: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1 (a row of zeros stays zeros: its distance to anything is 1)."""
    features = np.asarray(features, dtype=np.float32).reshape(len(features), -1)
    norms = np.linalg.norm(features, axis=1, keepdims=True)
    return features / np.maximum(norms, 1e-12)


def class_centroids(features: np.ndarray, labels: np.ndarray, num_classes: int) -> np.ndarray:
    """(classes, d): the unit-length mean direction of each class's unit feature vectors (zeros if empty)."""
    units = unit_rows(features)
    centroids = np.zeros((num_classes, units.shape[1]), dtype=np.float32)
    for label in range(num_classes):
        members = units[labels == label]
        if len(members):
            centroids[label] = members.mean(axis=0)
    return unit_rows(centroids)


def nearest_centroid(features: np.ndarray, centroids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(cosine distance to the nearest centroid, its class) for each row of ``features``."""
    similarities = unit_rows(features) @ centroids.T
    nearest = similarities.argmax(axis=1)
    return 1.0 - similarities[np.arange(len(features)), nearest], nearest


# ------------------------------------------------------------------------------------------- building
@dataclass
class TrainingImages:
    """What ``build_profile`` reads: the images the model was fitted on and the ones that watched it."""

    images: np.ndarray  # uint8 (n, h, w, c) as stored (or a dl.image.disk view): the training images, then the validation ones (never test images)
    sizes: np.ndarray  # int (n, 2): width, height before the images were squared and shrunk
    train_features: np.ndarray  # (n_train, d) penultimate-layer features of the training images
    train_labels: np.ndarray
    validation_features: np.ndarray  # (n_validation, d); may be empty (see FamiliarityConfig.min_validation_images)
    validation_labels: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    @property
    def train_count(self) -> int:
        return len(self.train_features)


def build_profile(training: TrainingImages, num_classes: int, feature_source: str, features_fitted: bool,
                  config: FamiliarityConfig = DEFAULT_CONFIG) -> dict[str, Any]:
    """The JSON-ready profile of a model's training images (see the module docstring).

    ``feature_source`` names the layer the features come from ("dense" for the CNNs,
    "efficientnet_lite0" for transfer models); ``check_photo`` must be given the same features.
    ``features_fitted``: the features come from layers trained on these images (a CNN), not frozen ones.
    """
    centroids = class_centroids(training.train_features, training.train_labels, num_classes)
    histograms = tone_histograms(training.images, config.tone_bins)  # training images first, then validation
    tones = class_tones(histograms[: training.train_count], training.train_labels, num_classes)
    has_validation = len(training.validation_features) >= config.min_validation_images
    if has_validation:  # images the model was not fitted on: distances like a new photo's
        watched, watched_tones = training.validation_features, histograms[training.train_count :]
    else:
        watched = np.concatenate([training.train_features, training.validation_features])
        watched_tones = histograms
    distances, _ = nearest_centroid(watched, centroids)
    colour = colourfulness(training.images)
    aspect = training.sizes[:, 0] / np.maximum(training.sizes[:, 1], 1)
    return {
        "version": PROFILE_VERSION,
        "images": int(len(training.images)),
        "feature_source": feature_source,
        "features_fitted": features_fitted,
        "centroids": np.round(centroids, 5).tolist(),
        "distance_quantile": config.quantile,
        "distance_threshold": float(np.quantile(distances, config.quantile)),
        "distances_measured_on": "validation" if has_validation else "training and validation",
        "tones": np.round(tones, 5).tolist(),
        "tone_threshold": float(np.quantile(tone_distance(watched_tones, tones), config.quantile)),
        "colourfulness_limit": float(np.quantile(colour, config.colour_quantile)),
        "aspect_range": [float(aspect.min()), float(aspect.max())],
        "smallest_side": int(training.sizes.min()),
    }


def save_profile(profile: dict[str, Any], folder: Path) -> None:
    (Path(folder) / PROFILE_FILE).write_text(json.dumps(profile, separators=(",", ":")))


def load_profile(model_path: str | Path | None) -> dict[str, Any] | None:
    """The profile beside a model file, or None (a model stored before profiles, an uploaded file)."""
    if not model_path:
        return None
    return _read_profile(str(Path(model_path).parent / PROFILE_FILE))


@lru_cache(maxsize=16)
def _read_profile(path: str) -> dict[str, Any] | None:
    try:
        profile = json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None
    wanted = ("centroids", "distance_threshold", "tones", "tone_threshold", "colourfulness_limit", "aspect_range")
    if not isinstance(profile, dict) or profile.get("version") != PROFILE_VERSION or any(key not in profile for key in wanted):
        return None  # written by another version: no check rather than a wrong one
    return profile


# ------------------------------------------------------------------------------------------- checking
def check_photo(profile: dict[str, Any], pixels: np.ndarray, size: tuple[int, int], features: np.ndarray,
                config: FamiliarityConfig = DEFAULT_CONFIG) -> FamiliarityCheck:
    """One photo against ``profile``: ``pixels`` uint8 (h, w, 1|3) as stored (its own colours),
    ``size`` its (width, height) as uploaded, ``features`` its penultimate-layer features (d,)."""
    centroids = np.asarray(profile["centroids"], dtype=np.float32)
    distances, nearest = nearest_centroid(np.asarray(features)[np.newaxis], centroids)
    small_set = profile.get("distances_measured_on") != "validation"
    margin = config.small_set_margin if small_set else config.margin
    # frozen features (transfer) are not optimistic on the training images: only the quantile's margin
    feature_margin = margin if profile.get("features_fitted", True) else config.margin
    distance_limit = float(profile["distance_threshold"]) * feature_margin
    tones = np.asarray(profile["tones"], dtype=np.float64)
    tones_of_photo = float(tone_distance(tone_histograms(pixels[np.newaxis], tones.shape[1]), tones)[0])
    tone_limit = float(profile["tone_threshold"]) * margin
    colour = float(colourfulness(pixels[np.newaxis])[0])
    aspect = size[0] / max(size[1], 1)
    aspect_low, aspect_high = profile["aspect_range"]
    reasons = [
        code for code, differs in (
            ("features", float(distances[0]) > distance_limit),
            ("colour", colour > float(profile["colourfulness_limit"]) + config.colour_margin),
            ("tones", tones_of_photo > tone_limit),
            ("shape", not aspect_low / config.aspect_tolerance <= aspect <= aspect_high * config.aspect_tolerance),
            ("small", min(size) < profile.get("smallest_side", 0) * config.small_side_share),
        ) if differs
    ]
    return FamiliarityCheck(
        far=bool(reasons), reasons=reasons, distance=float(distances[0]), distance_limit=distance_limit,
        tone_distance=tones_of_photo, tone_limit=tone_limit,
        colourfulness=colour,
        colourfulness_limit=float(profile["colourfulness_limit"]), aspect=float(aspect),
        aspect_range=(float(aspect_low), float(aspect_high)), smallest_side=int(profile.get("smallest_side", 0)),
        nearest_class=int(nearest[0]),
    )


# ------------------------------------------------------------------------------------------- models
def stored_sizes(images: np.ndarray, originals: Any, indices: np.ndarray) -> np.ndarray:
    """(n, 2) width and height of the images at ``indices`` as they were given (``ImageOriginals``),
    or their stored size for a built-in set, whose stored size is their own."""
    if originals is not None:
        return np.asarray(originals.sizes)[indices]
    return np.tile([images.shape[2], images.shape[1]], (len(indices), 1))


def check_prediction(trained: Any, pixels: np.ndarray, size: tuple[int, int]) -> FamiliarityCheck | None:
    """``check_photo`` for a ``TrainedImageClassifier`` and one photo (``pixels`` uint8 (1, h, w, c) as
    stored, ``size`` its (width, height)); None when the model has no profile (stored before profiles
    existed, or an uploaded file) or its features do not match the profile's."""
    profile = load_profile(trained.model_path)
    if profile is None or profile.get("feature_source") != trained.model_kind.feature_source:
        return None
    features = trained.model_kind.features(trained.model, pixels, trained.image_size, trained.channels)[0]
    if len(features) != len(profile["centroids"][0]):
        return None
    return check_photo(profile, pixels[0], size, features)
