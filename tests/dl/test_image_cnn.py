"""The seed CNN: it learns sklearn's digits, Grad-CAM points somewhere, the store caches it."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from dl.data import DataError
from dl.image.cnn import (
    ImageClassifierConfig,
    build_model,
    load_classifier_file,
    model_key,
    predict_probabilities,
    split_indices,
    strong_config,
    top_classes,
    train_image_classifier,
)
from dl.image.dataset import load_builtin, load_sklearn_digits
from dl.image.explain import grad_cam, overlay
from dl.jobs import run_inline

# small and quick: 16 px, 6 epochs (the defaults are for the benchmark, not for a unit test)
FAST = ImageClassifierConfig(image_size=16, epochs=6, patience=2)


@pytest.fixture(scope="module")
def digits():
    return load_sklearn_digits()


@pytest.fixture(scope="module")
def trained_and_store(digits, tmp_path_factory):
    from dl.store import ModelStore

    store = ModelStore(tmp_path_factory.mktemp("store"))
    trained = run_inline(lambda reporter: train_image_classifier(FAST, digits, reporter, store))
    return trained, store


def test_seed_cnn_learns_digits(trained_and_store, digits):
    trained, _ = trained_and_store
    metrics = trained.metrics
    assert metrics["accuracy"] > 0.90, metrics["accuracy"]  # chance is 0.10
    assert metrics["test_size"] == len(trained.test_indices) > 300
    matrix = np.array(metrics["confusion_matrix"])
    assert matrix.shape == (10, 10) and matrix.sum() == metrics["test_size"]
    assert np.trace(matrix) / matrix.sum() == pytest.approx(metrics["accuracy"])
    assert len(metrics["precision"]) == len(metrics["recall"]) == 10 and min(metrics["recall"]) > 0.5
    assert trained.kind == "seed" and trained.image_size == (16, 16) and trained.channels == 1
    assert [row["epoch"] for row in trained.history] == list(range(1, len(trained.history) + 1))
    assert trained.history[-1]["loss"] < trained.history[0]["loss"]
    # predictions on the held-out images agree with the stored metrics
    probabilities = predict_probabilities(trained, digits.images[trained.test_indices])
    accuracy = np.mean(probabilities.argmax(1) == digits.labels[trained.test_indices])
    assert accuracy == pytest.approx(metrics["accuracy"], abs=1e-6)
    best = top_classes(probabilities[0], trained.class_names, 3)
    assert len(best) == 3 and best[0][1] >= best[1][1] >= best[2][1]


def test_seed_architecture_is_the_default():
    model = build_model(ImageClassifierConfig(), (28, 28), 1, 10)
    kinds = [type(layer).__name__ for layer in model.layers if not type(layer).__name__.startswith(("Random", "Input", "Rescaling"))]
    assert kinds == ["Conv2D", "MaxPooling2D", "Flatten", "Dense", "Dropout", "Dense"]
    assert model.get_layer("conv_1").filters == 32 and model.get_layer("dense").units == 128
    assert model.get_layer("dropout").rate == 0.5


def test_cache_hit_returns_same_weights(trained_and_store, digits):
    trained, store = trained_and_store
    assert not trained.from_cache
    again = run_inline(lambda reporter: train_image_classifier(FAST, digits, reporter, store))
    assert again.from_cache and not again.model_or_loader.loaded  # meta.json only, until the model is used
    for first, second in zip(trained.model.get_weights(), again.model.get_weights(), strict=True):
        np.testing.assert_array_equal(first, second)
    assert again.metrics == trained.metrics
    np.testing.assert_array_equal(again.test_indices, trained.test_indices)
    assert model_key(FAST, digits) != model_key(ImageClassifierConfig(image_size=16, epochs=7), digits)


def test_saved_model_file_loads_with_class_names(trained_and_store, digits):
    trained, _ = trained_and_store
    loaded = load_classifier_file(trained.model_path)
    assert loaded.class_names == [str(digit) for digit in range(10)]
    assert loaded.image_size == (16, 16) and loaded.channels == 1
    np.testing.assert_allclose(
        predict_probabilities(loaded, digits.images[:5]), predict_probabilities(trained, digits.images[:5]), atol=1e-6
    )


def test_grad_cam_heat_map(trained_and_store, digits):
    trained, _ = trained_and_store
    image = digits.images[trained.test_indices[0]]  # 8x8 original; the model sees 16x16
    heat, class_index, method = grad_cam(trained, image)
    assert method == "grad-cam"
    assert heat.shape == image.shape[:2]
    assert heat.min() >= 0.0 and heat.max() <= 1.0 and heat.std() > 0.05  # not constant
    assert 0 <= class_index < 10
    blended = overlay(image, heat)
    assert blended.shape == (8, 8, 3) and blended.dtype == np.uint8


def test_split_keeps_every_class_in_train_and_test():
    labels = np.array([0, 0, 1, 1, 1, 2, 2, 2, 2, 2])
    train, validation, test = split_indices(labels, 0.2, 0.1, seed=0)
    assert sorted(np.concatenate([train, validation, test]).tolist()) == list(range(10))
    assert set(labels[train]) == set(labels[test]) == {0, 1, 2}


def test_invalid_settings_raise_data_error(digits, store):
    with pytest.raises(DataError, match="conv blocks"):
        run_inline(lambda reporter: train_image_classifier(ImageClassifierConfig(image_size=8, conv_blocks=3), digits, reporter, store))
    with pytest.raises(DataError, match="optimizer"):
        ImageClassifierConfig(optimizer="magic").validate()


# in a fresh process: a cache hit as the page's job runs it, then the first use of the model
HIT_PROBE = """
import sys
from dl.image.cnn import ImageClassifierConfig, predict_probabilities, train_image_classifier
from dl.image.dataset import load_builtin, load_sklearn_digits
from dl.jobs import run_inline
from dl.store import ModelStore
digits = load_sklearn_digits()
config = ImageClassifierConfig(image_size=16, epochs=6, patience=2)
hit = run_inline(lambda reporter: train_image_classifier(config, digits, reporter, ModelStore(sys.argv[1])))
print(hit.from_cache, round(hit.metrics["accuracy"], 6), "tensorflow" in sys.modules)
predict_probabilities(hit, digits.images[:2])
print("tensorflow" in sys.modules)
"""


def test_a_cache_hit_needs_no_tensorflow_until_the_model_is_used(trained_and_store):
    trained, store = trained_and_store
    done = subprocess.run([sys.executable, "-c", HIT_PROBE, str(store.root)], capture_output=True, text=True,
                          timeout=300, cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr[-2000:]
    at_hit, after_use = done.stdout.strip().splitlines()[-2:]
    assert at_hit == f"True {round(trained.metrics['accuracy'], 6)} False"
    assert after_use == "True"


def imbalanced_threes_and_fives(threes: int = 180, fives: int = 20, seed: int = 0):
    """A 90/10 cut of MNIST (threes against fives), shuffled: what a user's small, lopsided zip looks like."""
    from dl.image.dataset import ImageDataset, load_mnist

    mnist = load_mnist()
    rng = np.random.default_rng(seed)
    chosen = np.concatenate([rng.choice(np.flatnonzero(mnist.labels == 3), threes, replace=False),
                             rng.choice(np.flatnonzero(mnist.labels == 5), fives, replace=False)])
    labels = np.repeat([0, 1], [threes, fives])
    order = rng.permutation(len(chosen))
    return ImageDataset(mnist.images[chosen[order]], labels[order], ["three", "five"], "mnist 90/10")


def test_imbalanced_small_set_beats_the_majority_class(tmp_path):
    """Class weights, a batch scaled to the data and macro-F1 stopping find the fives (the old defaults'
    numbers on such cuts are in bench/image_small_data.py: on 72/8 they answered "three" throughout)."""
    from dl.data_doctor.labels import majority_baseline
    from dl.store import ModelStore

    dataset = imbalanced_threes_and_fives()
    store = ModelStore(tmp_path)
    small = {"image_size": 16, "epochs": 30}
    new = run_inline(lambda reporter: train_image_classifier(ImageClassifierConfig(**small), dataset, reporter, store))
    floor = majority_baseline(dataset.labels[new.test_indices], 2)["macro_f1"]
    assert new.metrics["class_weights_used"] and new.metrics["batch_size_used"] == 16
    assert new.metrics["macro_f1"] > floor + 0.25, (new.metrics["macro_f1"], floor)
    assert new.metrics["macro_f1"] == pytest.approx(np.mean([2 * p * r / (p + r) if p + r else 0 for p, r in
                                                             zip(new.metrics["precision"], new.metrics["recall"])]))


def test_scaled_settings_and_class_weight_rule():
    from dl.image.cnn import scaled_settings, uses_class_weights

    config = ImageClassifierConfig()
    assert scaled_settings(config, 3600) == (32, 30)  # MNIST-5k's training part: unchanged
    assert scaled_settings(config, 57) == (8, 30)  # 80 images: 8 updates an epoch instead of 2
    assert scaled_settings(config, 144) == (16, 30)  # 9 updates an epoch; the epoch limit stays the user's
    assert scaled_settings(replace(config, epochs=5), 57) == (8, 5)  # a quick look stays quick
    assert scaled_settings(ImageClassifierConfig(scale_to_data=False), 57) == (32, 30)
    balanced, lopsided = np.repeat([0, 1], [50, 50]), np.repeat([0, 1], [90, 10])
    assert not uses_class_weights(config, balanced, 2) and uses_class_weights(config, lopsided, 2)
    assert uses_class_weights(ImageClassifierConfig(class_weights="on"), balanced, 2)
    assert not uses_class_weights(ImageClassifierConfig(class_weights="off"), lopsided, 2)
    with pytest.raises(DataError):
        ImageClassifierConfig(class_weights="sometimes").validate()
    assert model_key(config, load_sklearn_digits()) != model_key(ImageClassifierConfig(class_weights="off"), load_sklearn_digits())


# ------------------------------------------------------------------------------- the "strong" CNN
# a small MNIST cut and a short budget (the preset's 15 epochs on 3,600 images are for the benchmark)
STRONG_FAST = strong_config(epochs=4, scale_to_data=False)


@pytest.fixture(scope="module")
def mnist_cut():
    mnist = load_builtin("mnist")
    rng = np.random.default_rng(0)
    return mnist.subset(np.sort(np.concatenate([rng.choice(np.flatnonzero(mnist.labels == digit), 80, replace=False)
                                                for digit in range(10)])))


@pytest.fixture(scope="module")
def strong_trained(mnist_cut, tmp_path_factory):
    from dl.store import ModelStore

    store = ModelStore(tmp_path_factory.mktemp("strong_store"))
    return run_inline(lambda reporter: train_image_classifier(STRONG_FAST, mnist_cut, reporter, store))


def test_strong_architecture():
    config = strong_config()
    config.validate()
    model = build_model(config, (28, 28), 1, 10)
    kinds = [type(layer).__name__ for layer in model.layers if not type(layer).__name__.startswith(("Input", "Rescaling"))]
    assert kinds == ["RandomTranslation", "Conv2D", "BatchNormalization", "ReLU", "MaxPooling2D",
                     "Conv2D", "BatchNormalization", "ReLU", "MaxPooling2D", "Flatten", "Dropout", "Dense", "Dropout", "Dense"]
    assert model.get_layer("conv_2").filters == 64 and model.get_layer("conv_2").kernel_size == (5, 5)
    assert config.optimizer == "adamw" and config.schedule == "warmup_cosine" and not config.early_stopping


def test_strong_cnn_learns_a_small_mnist_cut(strong_trained, mnist_cut):
    metrics = strong_trained.metrics
    assert metrics["accuracy"] > 0.75, metrics["accuracy"]  # chance is 0.10
    assert metrics["epochs_run"] == 4 and metrics["fit_cpu_seconds"] > 0
    assert strong_trained.kind == "seed" and strong_trained.model.name == "strong_cnn"
    # the learning rate followed the schedule: warm-up, then down to about 1 % of the peak
    optimizer = strong_trained.model.optimizer
    assert float(optimizer.learning_rate) < 0.05 * STRONG_FAST.learning_rate


def test_strong_cnn_augments_only_in_training(strong_trained, mnist_cut):
    images = mnist_cut.images[strong_trained.test_indices[:16]]
    first = predict_probabilities(strong_trained, images)
    np.testing.assert_array_equal(first, predict_probabilities(strong_trained, images))
    # the shift layer moves images in training only (the whole model is not called in training mode:
    # that would also update batch norm's running statistics)
    shift = strong_trained.model.get_layer("augment_shift")
    pixels = images.astype("float32")
    np.testing.assert_array_equal(np.asarray(shift(pixels, training=False)), pixels)
    assert not np.allclose(np.asarray(shift(pixels, training=True)), pixels)


def test_strong_cnn_loads_in_safe_mode_with_the_same_predictions(strong_trained, mnist_cut):
    import keras

    images = mnist_cut.images[strong_trained.test_indices[:16]]
    loaded = load_classifier_file(strong_trained.model_path)
    np.testing.assert_allclose(predict_probabilities(loaded, images), predict_probabilities(strong_trained, images), atol=1e-6)
    model = keras.models.load_model(strong_trained.model_path, safe_mode=True)
    assert not [layer for layer in model.layers if type(layer).__name__ == "Lambda"]
    heat, _, method = grad_cam(strong_trained, mnist_cut.images[strong_trained.test_indices[0]])
    assert method == "grad-cam" and heat.shape == (28, 28) and np.isfinite(heat).all()
