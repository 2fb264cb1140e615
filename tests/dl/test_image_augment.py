"""Augmentation (dl.image.augment): training-only, visible in a preview, part of the store key."""

from __future__ import annotations

import numpy as np
import pytest

from dl.config import config_to_dict
from dl.data import DataError
from dl.image.augment import counterpart, is_augmented, preview, without_augmentation
from dl.image.cnn import ImageClassifierConfig, model_key, predict_probabilities, train_image_classifier
from dl.image.dataset import load_sklearn_digits
from dl.jobs import run_inline
from dl.store import ModelStore, make_key

EVERY_CHANGE = ImageClassifierConfig(image_size=16, epochs=2, augment_flip=True, augment_rotate=0.1, augment_zoom=0.2,
                                     augment_shift=0.2, augment_brightness=0.3, augment_contrast=0.5)


@pytest.fixture(scope="module")
def digits():
    return load_sklearn_digits()


def test_preview_shows_different_draws_at_the_models_size(digits):
    draws = preview(EVERY_CHANGE, digits.images[0], channels=1, draws=6)
    assert draws.shape == (6, 16, 16, 1) and draws.dtype == np.uint8
    unchanged = preview(ImageClassifierConfig(image_size=16, augment_shift=0.0), digits.images[0], channels=1, draws=6)
    assert np.array_equal(draws[0], unchanged[0])  # the first is the image itself
    assert all(np.array_equal(unchanged[0], image) for image in unchanged)  # no augmentation: every draw equal
    flat = draws.reshape(6, -1).astype(int)
    distances = [np.abs(flat[i] - flat[j]).sum() for i in range(6) for j in range(i + 1, 6)]
    assert min(distances) > 0  # every random draw differs from every other one
    assert preview(EVERY_CHANGE, digits.images[5], channels=3, draws=2).shape == (2, 16, 16, 3)


def test_brightness_and_contrast_change_the_pixels_the_way_they_say(digits):
    image = digits.images[3]
    base = preview(ImageClassifierConfig(image_size=16, augment_shift=0.0), image, 1, 1)[0].astype(float)
    bright = preview(ImageClassifierConfig(image_size=16, augment_shift=0.0, augment_brightness=0.5), image, 1, 40)[1:]
    shifts = (bright.astype(float) - base).reshape(len(bright), -1)
    mid = (base > 60).ravel() & (base < 190).ravel()  # pixels that a shift of up to 0.25 of the range rarely clips
    offsets = shifts[:, mid].mean(axis=1)
    assert offsets.min() < -20 and offsets.max() > 20  # brighter and darker draws, not one fixed offset
    contrast = preview(ImageClassifierConfig(image_size=16, augment_shift=0.0, augment_contrast=0.8), image, 1, 40)[1:]
    spreads = contrast.reshape(len(contrast), -1).astype(float).std(axis=1)
    assert spreads.min() < 0.8 * base.std() and spreads.max() > 1.1 * base.std()  # flatter and sharper draws


def test_augmentation_is_off_when_predicting(digits, tmp_path):
    trained = run_inline(lambda reporter: train_image_classifier(EVERY_CHANGE, digits, reporter, ModelStore(tmp_path)))
    photos = digits.images[trained.test_indices[:20]]
    first, second = predict_probabilities(trained, photos), predict_probabilities(trained, photos)
    assert np.array_equal(first, second)  # the same photo gives the same scores twice
    names = [layer.name for layer in trained.model.layers]
    assert {"augment_brightness", "augment_contrast", "augment_flip"} <= set(names)


def test_new_settings_at_their_defaults_keep_the_old_store_keys(digits):
    values = config_to_dict(ImageClassifierConfig())
    older = {name: value for name, value in values.items() if name not in ("augment_brightness", "augment_contrast")}
    fingerprint = digits.fingerprint()
    assert model_key(ImageClassifierConfig(), digits) == make_key("image-cnn", older, fingerprint)  # models stored before still open
    assert model_key(ImageClassifierConfig(augment_brightness=0.2), digits) != model_key(ImageClassifierConfig(), digits)
    assert model_key(ImageClassifierConfig(augment_contrast=0.2), digits) != model_key(ImageClassifierConfig(), digits)


def test_counterpart_is_the_run_without_augmentation_or_with_the_defaults():
    default = ImageClassifierConfig()
    plain = without_augmentation(EVERY_CHANGE)
    assert not is_augmented(plain) and plain.image_size == EVERY_CHANGE.image_size
    assert counterpart(EVERY_CHANGE, default) == plain
    assert counterpart(plain, default) == plain.__class__(**{**config_to_dict(plain), "augment_shift": default.augment_shift})


@pytest.mark.parametrize("change", [{"augment_brightness": 0.6}, {"augment_contrast": 1.0}, {"augment_brightness": -0.1}])
def test_out_of_range_augmentation_is_a_data_error(change):
    with pytest.raises(DataError, match="augment_"):
        ImageClassifierConfig(**change).validate()
