"""Data augmentation for the image CNN: random flips, turns, zooms, shifts, brightness and contrast.

The changes are Keras preprocessing layers at the start of the model, after the pixels are scaled to
0-1. They act only while training (Keras' ``training`` flag), so prediction, Grad-CAM and an exported
model see every image as it is. ``preview`` runs the same layers on one image, so a user sees what the
network will be shown before training starts. ``counterpart`` names the run to compare a model with:
the same settings without augmentation, or with the defaults when the run had none.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from dl.image.pixels import prepare_pixels

FIELDS = ("augment_flip", "augment_rotate", "augment_zoom", "augment_shift", "augment_brightness", "augment_contrast")
# uncovered pixels take the nearest edge pixel: black stays black around a digit and a photo's border
# colour continues; Keras' default "reflect" mirrors strokes into the margin
FILL_MODE = "nearest"


def is_augmented(config: Any) -> bool:
    """Whether training changes the images at all."""
    return any(getattr(config, name) for name in FIELDS)


def without_augmentation(config: Any) -> Any:
    """``config`` with every augmentation off."""
    return dataclasses.replace(config, **{name: type(getattr(config, name))(0) for name in FIELDS})


def counterpart(config: Any, default: Any) -> Any:
    """The run to set beside ``config``: without augmentation, or (when ``config`` has none) with
    ``default``'s augmentation (the network's own defaults)."""
    if is_augmented(config):
        return without_augmentation(config)
    return dataclasses.replace(config, **{name: getattr(default, name) for name in FIELDS})


def augmentation_layers(config: Any) -> list[Any]:
    """The Keras layers of ``config``'s augmentation, in the order they apply (pixels already 0-1)."""
    import keras

    layers = keras.layers
    seed = config.seed
    chosen = []
    if config.augment_flip:
        chosen.append(layers.RandomFlip("horizontal", seed=seed, name="augment_flip"))
    if config.augment_rotate > 0:
        chosen.append(layers.RandomRotation(config.augment_rotate, fill_mode=FILL_MODE, seed=seed, name="augment_rotate"))
    if config.augment_zoom > 0:
        chosen.append(layers.RandomZoom(config.augment_zoom, fill_mode=FILL_MODE, seed=seed, name="augment_zoom"))
    if config.augment_shift > 0:
        shift = config.augment_shift
        chosen.append(layers.RandomTranslation(shift, shift, fill_mode=FILL_MODE, seed=seed, name="augment_shift"))
    if config.augment_brightness > 0:  # adds up to +-factor of the full range to every pixel
        chosen.append(layers.RandomBrightness(config.augment_brightness, value_range=(0.0, 1.0), seed=seed,
                                              name="augment_brightness"))
    if config.augment_contrast > 0:  # scales each image's distance from its mean by 1 +- factor
        # as a pair: Keras 3 reads one number f as (0, f) here, so contrast would only ever rise
        contrast = config.augment_contrast
        chosen.append(layers.RandomContrast((contrast, contrast), value_range=(0.0, 1.0), seed=seed, name="augment_contrast"))
    return chosen


def preview(config: Any, image: np.ndarray, channels: int, draws: int = 8) -> np.ndarray:
    """``draws`` random versions of ``image`` (uint8, (h, w, c)) as training would show them: uint8
    (draws, size, size, channels) at the model's size and channels. The first is the image unchanged."""
    size = (config.image_size, config.image_size)
    pixels = prepare_pixels(image[np.newaxis], size, channels) / 255.0
    batch = np.repeat(pixels, draws, axis=0)
    changed = batch[1:]
    for layer in augmentation_layers(config):
        changed = layer(changed, training=True)
    import keras

    batch[1:] = keras.ops.convert_to_numpy(changed)
    return np.round(np.clip(batch, 0.0, 1.0) * 255).astype(np.uint8)
