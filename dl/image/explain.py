"""Where did the model look? Grad-CAM heat maps (and input-gradient saliency as a fallback).

Grad-CAM (Selvaraju et al., 2017): take the last convolutional layer's feature maps A_k, weight
each map by the average gradient of the class score over it, sum, keep the positive part. The
result, upsampled to the image, is bright where evidence for the class lies. Models without a
reachable Conv2D layer (e.g. a head on precomputed features) get a saliency map instead: the
absolute gradient of the class score with respect to each input pixel.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dl.image.dataset import TrainedImageClassifier

# anchor colours of the heat map (dark blue -> cyan -> yellow -> red), like the common "jet" map
HEAT_COLOURS = np.array([[0, 0, 128], [0, 128, 255], [0, 255, 255], [255, 255, 0], [255, 64, 0], [160, 0, 0]], dtype=np.float32)


def last_conv_layer(model: Any) -> Any | None:
    """The last Conv2D layer at the top level of ``model``, or None."""
    import keras

    for layer in reversed(model.layers):
        if isinstance(layer, keras.layers.Conv2D):
            return layer
    return None


def grad_cam(trained: TrainedImageClassifier, image: np.ndarray, class_index: int | None = None) -> tuple[np.ndarray, int, str]:
    """Heat map of one uint8 image (h, w, c) for ``class_index`` (default: the predicted class).

    Returns ``(heat, class_index, method)``: ``heat`` is float32 (h, w) in [0, 1] at the image's
    own size, ``method`` is "grad-cam" or "saliency".
    """
    import tensorflow as tf

    from dl.image.pixels import prepare_pixels

    model = trained.model
    pixels = tf.constant(prepare_pixels(image[np.newaxis], trained.image_size, trained.channels))
    conv_layer = last_conv_layer(model)
    if conv_layer is not None:
        import keras

        feature_model = keras.Model(model.inputs, [conv_layer.output, model.outputs[0]])
        with tf.GradientTape() as tape:
            features, probabilities = feature_model(pixels, training=False)
            if class_index is None:
                class_index = int(tf.argmax(probabilities[0]))
            score = probabilities[:, class_index]
        gradients = tape.gradient(score, features)
        weights = tf.reduce_mean(gradients, axis=(1, 2))  # one weight per feature map
        heat = tf.nn.relu(tf.reduce_sum(features * weights[:, tf.newaxis, tf.newaxis, :], axis=-1))[0]
        method = "grad-cam"
    else:
        with tf.GradientTape() as tape:
            tape.watch(pixels)
            probabilities = model(pixels, training=False)
            if class_index is None:
                class_index = int(tf.argmax(probabilities[0]))
            score = probabilities[:, class_index]
        heat = tf.reduce_max(tf.abs(tape.gradient(score, pixels)), axis=-1)[0]
        method = "saliency"
    heat = heat.numpy().astype(np.float32)
    if float(heat.max()) <= 0.0:  # no positive evidence anywhere: fall back to the raw magnitude
        heat = np.abs(heat)
    resized = tf.image.resize(heat[..., np.newaxis], image.shape[:2], method="bilinear").numpy()[..., 0]
    span = float(resized.max() - resized.min())
    normalised = (resized - resized.min()) / span if span > 0 else np.zeros_like(resized)
    return normalised.astype(np.float32), int(class_index), method


def heat_to_rgb(heat: np.ndarray) -> np.ndarray:
    """A [0, 1] heat map (h, w) as uint8 RGB colours (h, w, 3)."""
    positions = np.clip(heat, 0.0, 1.0) * (len(HEAT_COLOURS) - 1)
    lower = np.floor(positions).astype(int)
    upper = np.minimum(lower + 1, len(HEAT_COLOURS) - 1)
    fraction = (positions - lower)[..., np.newaxis]
    colours = HEAT_COLOURS[lower] * (1 - fraction) + HEAT_COLOURS[upper] * fraction
    return colours.astype(np.uint8)


def overlay(image: np.ndarray, heat: np.ndarray, opacity: float = 0.7) -> np.ndarray:
    """Blend the heat map's colours over a uint8 image (h, w, 1|3); returns uint8 RGB (h, w, 3).

    Each pixel's colour weight grows with its heat, so cold regions show the image untouched and
    only the regions the model used are tinted.
    """
    base = image.astype(np.float32)
    if base.shape[-1] == 1:
        base = np.repeat(base, 3, axis=-1)
    weight = (opacity * np.clip(heat, 0.0, 1.0))[..., np.newaxis]
    blended = base * (1 - weight) + heat_to_rgb(heat).astype(np.float32) * weight
    return np.clip(blended, 0, 255).astype(np.uint8)
