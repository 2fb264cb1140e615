"""Pixel conversions the image modules share: the bottom of ``dl/image``'s imports.

``prepare_pixels`` turns uint8 images into what the seed CNN reads (training, prediction, Grad-CAM,
export checks); ``to_rgb_or_grey`` turns a PIL image of any mode into "RGB" or "L" (uploads and the
pretrained network's input alike). They live here, importing no other ``dl.image`` module, so that
the modules using them (``cnn``, ``kinds``, ``uploads``, ``pretrained``) need not import each other
in a circle. TensorFlow and Pillow are imported inside the functions: importing this module loads
neither.
"""

from __future__ import annotations

import numpy as np

PREPARE_CHUNK = 256  # images converted at a time: float32 copies of 2,000 whole 128 px photos took 393 MB at once


def prepare_pixels(images: np.ndarray, image_size: tuple[int, int], channels: int) -> np.ndarray:
    """uint8 (n, h, w, c) -> float32 (n, image_size, channels) with values 0-255.

    Done once before training (not per batch), so the training loop only moves ready tensors; a
    chunk of ``PREPARE_CHUNK`` images at a time, so only the result is the size of the whole set
    (``images`` may be on disk: ``dl.image.disk.DiskImages``). Greyscale uses ITU-R 601 luma
    weights; grey -> RGB repeats the channel.
    """
    prepared = np.empty((len(images), *image_size, channels), dtype=np.float32)
    for start in range(0, len(images), PREPARE_CHUNK):
        chunk = _prepare_chunk(images[start : start + PREPARE_CHUNK], image_size, channels)
        prepared[start : start + len(chunk)] = chunk
    return prepared


def _prepare_chunk(images: np.ndarray, image_size: tuple[int, int], channels: int) -> np.ndarray:
    pixels = convert_channels(images, channels)
    if tuple(pixels.shape[1:3]) != tuple(image_size):
        import tensorflow as tf

        pixels = tf.image.resize(pixels, image_size, antialias=True).numpy()
    return np.clip(pixels, 0.0, 255.0)


def training_inputs(images, image_size: tuple[int, int], channels: int):
    """The CNN's inputs for all ``images``: prepared once in memory (``prepare_pixels``) when the images
    are in memory; ``StreamedPixels``, prepared a batch at a time as training reads them, when they are
    on disk. Measured on 20,000 photos (bench/image_streaming.py): preparing them all from the file and
    keeping them grew the peak by 850 MB over idle (the inputs, their training subset and TensorFlow's
    copy of it), streaming by 440 MB, at the same training speed."""
    if isinstance(images, np.ndarray):
        return prepare_pixels(images, image_size, channels)
    return StreamedPixels(images, image_size, channels)


def convert_channels(images: np.ndarray, channels: int) -> np.ndarray:
    """uint8 (n, h, w, c) -> float32 (n, h, w, channels): ``prepare_pixels`` before its resize."""
    pixels = np.asarray(images).astype(np.float32)
    if pixels.shape[-1] == 3 and channels == 1:
        pixels = pixels @ np.array([0.299, 0.587, 0.114], dtype=np.float32)[:, np.newaxis]
    elif pixels.shape[-1] == 1 and channels == 3:
        pixels = np.repeat(pixels, 3, axis=-1)
    return pixels


class StreamedPixels:
    """What ``prepare_pixels(images, ...)`` returns, prepared only when indexed: for images on disk.

    ``inputs[a:b]`` (or an int, or an index array) is ``prepare_pixels`` of those images; ``subset``
    gives a view of some of them without reading any. The CNN's training pipeline reads its batches
    through ``images`` and ``convert_channels`` and resizes them inside tf.data (``dl.image.cnn``);
    predictions, early stopping and the familiarity profile take slices of a few hundred."""

    STEP = 32  # images read and prepared at a time: float32 copies of 256 stored images took 160 MB more

    def __init__(self, images, image_size: tuple[int, int], channels: int):
        self.images, self.image_size, self.channels = images, tuple(image_size), channels

    def __len__(self) -> int:
        return len(self.images)

    @property
    def shape(self) -> tuple[int, ...]:
        return (len(self.images), *self.image_size, self.channels)

    def __getitem__(self, key) -> np.ndarray:
        if isinstance(key, (int, np.integer)):
            return self[[key]][0]
        positions = np.arange(len(self.images))[key]  # an int array, from a slice, an index or a mask
        prepared = np.empty((len(positions), *self.shape[1:]), dtype=np.float32)
        for start in range(0, len(positions), self.STEP):
            chunk = self.images[positions[start : start + self.STEP]]
            prepared[start : start + len(chunk)] = prepare_pixels(chunk, self.image_size, self.channels)
        return prepared

    def subset(self, indices: np.ndarray) -> StreamedPixels:
        from dl.image.disk import take

        return StreamedPixels(take(self.images, indices), self.image_size, self.channels)


def to_rgb_or_grey(image):
    """Convert any PIL mode to "RGB" or "L".

    Transparent images are composited on white (what a viewer shows); 16- and 32-bit greyscale
    is scaled to 8 bits by its own range; palette, CMYK, YCbCr, LAB and HSV become RGB.
    """
    from PIL import Image

    mode = image.mode
    if mode in ("RGB", "L"):
        return image
    if mode in ("1",):
        return image.convert("L")
    if mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):
        values = np.asarray(image, dtype=np.float64)
        low, high = float(values.min()), float(values.max())
        scaled = (values - low) * (255.0 / (high - low)) if high > low else np.zeros_like(values)
        return Image.fromarray(np.round(scaled).astype(np.uint8), mode="L")
    if mode == "P" and "transparency" in image.info:
        image = image.convert("RGBA")
    if mode in ("LA", "La", "PA"):
        image = image.convert("RGBA") if mode == "PA" else image
    if image.mode in ("RGBA", "RGBa", "LA", "La"):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        composed = Image.alpha_composite(background, rgba)
        return composed.convert("L" if image.mode in ("LA", "La") else "RGB")
    return image.convert("RGB")
