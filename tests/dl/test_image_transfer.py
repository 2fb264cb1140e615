"""Transfer learning: frozen EfficientNet-Lite0 features + a trained Keras head, on real photos."""

from __future__ import annotations

import numpy as np
import pytest
from image_photos import three_class_photos

from dl.data import DataError
from dl.jobs import Job, ProgressReporter, run_inline


@pytest.fixture(scope="module")
def photos():
    return three_class_photos(per_class=20, seed=0)


def test_transfer_learning_beats_chance_by_far_and_is_cached(photos, store):
    from dl.image.transfer import TransferConfig, TransferImageModel, train_transfer_classifier

    config = TransferConfig(epochs=30)
    job = Job("transfer", "transfer", lambda reporter: None)
    trained = train_transfer_classifier(config, photos, ProgressReporter(job), store)
    assert trained.kind == "transfer" and not trained.from_cache
    assert trained.metrics["accuracy"] >= 0.8  # chance is 1/3
    assert trained.metrics["test_size"] == len(trained.test_indices) == 12
    assert np.array(trained.metrics["confusion_matrix"]).sum() == 12
    assert trained.image_size == (224, 224) and trained.channels == 3
    assert len(trained.history) >= 1 and "val_loss" in trained.history[0]
    assert isinstance(trained.model, TransferImageModel)
    # the job saw feature extraction and the head's epochs
    assert job.history and job.history[-1]["epoch"] == len(trained.history)

    test_images = photos.images[trained.test_indices]
    probabilities = trained.model.predict(test_images)
    assert probabilities.shape == (12, 3)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    assert np.mean(np.argmax(probabilities, axis=1) == photos.labels[trained.test_indices]) == pytest.approx(trained.metrics["accuracy"])
    # float pixels 0-255 (what the page passes a Keras model) give the same answer
    np.testing.assert_allclose(trained.model.predict(test_images.astype(np.float32)), probabilities, atol=1e-5)

    again = run_inline(lambda reporter: train_transfer_classifier(config, photos, reporter, store))
    assert again.from_cache
    np.testing.assert_allclose(again.model.predict(test_images), probabilities, atol=1e-5)
    assert again.metrics == trained.metrics


def test_one_class_or_a_lonely_image_is_a_data_error(photos, store):
    from dl.image.dataset import ImageDataset
    from dl.image.transfer import TransferConfig, train_transfer_classifier

    one_class = ImageDataset(photos.images[:5], np.zeros(5), ["flower"], "test")
    with pytest.raises(DataError, match="two classes"):
        run_inline(lambda reporter: train_transfer_classifier(TransferConfig(), one_class, reporter, store))
    lonely = ImageDataset(photos.images[:6], np.array([0, 0, 0, 0, 0, 1]), ["flower", "temple"], "test")
    with pytest.raises(DataError, match="temple"):
        run_inline(lambda reporter: train_transfer_classifier(TransferConfig(), lonely, reporter, store))
