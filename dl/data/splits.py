"""Held-out splits shared by the classification tasks (images, texts)."""

from __future__ import annotations

import numpy as np


def split_indices(
    labels: np.ndarray, test_split: float, validation_split: float, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stratified (train, validation, test) indices; every class keeps at least one training image.

    Works down to two images per class: one for training and one for testing. The validation set
    may come out empty for tiny data (early stopping then watches the training loss).
    """
    rng = np.random.default_rng(seed)
    train, validation, test = [], [], []
    for label in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == label))
        count = len(members)
        test_count = min(count - 1, max(1, round(count * test_split)))
        rest = count - test_count
        validation_count = min(rest - 1, round(rest * validation_split))
        test.extend(members[:test_count])
        validation.extend(members[test_count:test_count + validation_count])
        train.extend(members[test_count + validation_count:])
    return (rng.permutation(np.array(train, dtype=np.int64)), np.array(validation, dtype=np.int64),
            np.sort(np.array(test, dtype=np.int64)))
