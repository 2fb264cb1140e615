"""Transfer learning: frozen EfficientNet-Lite0 features plus a small trained Keras head.

The pretrained network (``dl.image.pretrained``, PyTorch) turns every photo into 1,280 numbers
once; only a softmax layer (optionally with one hidden layer) is trained on them, in Keras. That
is why a few dozen photos per class are enough and training takes seconds on a CPU: the features
already separate most everyday objects, the head only has to draw lines between them.

``train_transfer_classifier`` returns a ``TrainedImageClassifier`` whose ``model`` is a
``TransferImageModel``: ``model.predict(images)`` takes pixels (uint8 or float 0-255, shape
(n, h, w, 3) or (n, h, w, 1), any size) and returns class probabilities (n, classes), running
features + head. It is not a ``keras.Model``: Grad-CAM needs the convolutions, which live in
PyTorch here. ``model.head`` is the Keras head (input: 1,280 features), the part that is exported.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from dl.data.splits import split_indices
from dl.image import pretrained
from dl.image.dataset import ImageDataset, TrainedImageClassifier, classifier_extra, data_summary
from dl.image.disk import image_chunks, take
from dl.image.familiarity import TrainingImages, build_profile, save_profile, stored_sizes
from dl.image.kinds import CLASSES_FILE, TRANSFER
from dl.image.uploads import class_too_small, need_two_classes
from dl.jobs import ProgressReporter, keras_progress_callback
from dl.metrics import classification_metrics
from dl.store import ModelStore
from dl.task import Fitted, history_rows, task_key, train_or_load

TASK = "image-transfer"  # dl.image.cnn.load_classifier_file reads kind "transfer" from this prefix
HEAD_FILE = TRANSFER.model_file
MIRROR_CHUNK = 256  # images mirrored at a time (a multiple of the feature batch, so progress counts whole batches)
EARLY_STOPPING_MIN_DELTA = 1e-3  # a validation loss falling by less than this is no longer learning anything


@dataclass
class TransferConfig:
    """Settings of the trained head; the features come from the frozen EfficientNet-Lite0."""

    epochs: int = (
        30  # a softmax layer on pooled features converges in ~10 epochs at this rate; early stopping ends sooner
    )
    learning_rate: float = (
        3e-3  # measured on 3 classes x 20 photos: the validation loss 1e-3 reaches in 60 epochs, 3e-3 reaches in 15
    )
    batch_size: int = 16  # with a few dozen photos per class, 16 still gives several updates per epoch
    hidden_units: int = 0  # 0 = softmax directly on the features: too few photos to fit a hidden layer reliably
    dropout: float = 0.2  # EfficientNet-Lite's own ImageNet head uses dropout 0.2 before its classifier
    flip_augmentation: bool = True  # mirrored copies double a small training set for ~2x feature time
    test_split: float = 0.2  # a fifth of each class held out to measure accuracy honestly (as the seed CNN)
    validation_split: float = 0.2  # of the rest: watched by early stopping, never trained on
    patience: int = 5  # epochs without a better validation loss (by 0.001) before stopping; best weights kept
    seed: int = 0  # fixed: the same split and weights every run


class TransferImageModel:
    """EfficientNet-Lite0 features (PyTorch, frozen) followed by the trained Keras ``head``.

    ``predict(images)`` -> probabilities (n, classes). ``images``: uint8 or float pixels in
    0-255, shape (n, h, w, 3), (n, h, w, 1) or (n, h, w); any size (resized and centre-cropped to
    224 inside). ``input_shape`` mirrors a Keras model's for code that reads it.
    """

    kind = TRANSFER.name
    input_shape = (None, pretrained.IMAGE_SIZE, pretrained.IMAGE_SIZE, 3)

    def __init__(self, head: Any):
        self.head = head

    def features(self, images: np.ndarray | list) -> np.ndarray:
        """EfficientNet-Lite0 features (n, 1280) of pixels in 0-255 (see ``predict``)."""
        if isinstance(images, np.ndarray) and images.dtype != np.uint8:
            images = np.clip(np.round(images), 0, 255).astype(np.uint8)
        return pretrained.extract_features(images)

    def predict(self, images: np.ndarray | list, batch_size: int = 32, verbose: Any = 0, **_: Any) -> np.ndarray:
        """Class probabilities (n, classes) for pixels in 0-255; extra Keras-style arguments are ignored."""
        features = self.features(images)
        return np.asarray(self.head.predict(features, batch_size=batch_size, verbose=0))

    def __call__(self, images: np.ndarray | list) -> np.ndarray:
        return self.predict(images)


def model_key(config: TransferConfig, dataset: ImageDataset) -> str:
    """The model-store key of this head trained on this dataset's features."""
    return task_key(TASK, config, dataset.fingerprint())


def build_head(num_classes: int, config: TransferConfig) -> Any:
    """The trained part: features (1280) -> [Dense hidden ReLU] -> Dropout -> Dense softmax."""
    import keras

    from dl.device import tensorflow_strategy

    with tensorflow_strategy().scope():
        features = keras.Input(shape=(pretrained.FEATURE_SIZE,), name="efficientnet_lite0_features")
        hidden = features
        if config.hidden_units > 0:
            hidden = keras.layers.Dense(config.hidden_units, activation="relu", name="hidden")(hidden)
        hidden = keras.layers.Dropout(config.dropout, name="dropout")(hidden)
        probabilities = keras.layers.Dense(num_classes, activation="softmax", name="probabilities")(hidden)
        head = keras.Model(features, probabilities, name="transfer_head")
        head.compile(
            optimizer=keras.optimizers.Adam(config.learning_rate),
            loss="sparse_categorical_crossentropy",
            metrics=["accuracy"],
        )
    return head


def check_dataset(dataset: ImageDataset) -> None:
    """DataError unless there are 2+ classes with 2+ images each (one to train on, one to test)."""
    counts = dataset.class_counts()
    if len(counts) < 2:
        raise need_two_classes(dataset.source, list(counts))
    too_few = [name for name, count in counts.items() if count < 2]
    if too_few:
        raise class_too_small(dataset.source, too_few[0], int(counts[too_few[0]]))


def train_transfer_classifier(
    config: TransferConfig,
    dataset: ImageDataset,
    reporter: ProgressReporter,
    store: ModelStore,
) -> TrainedImageClassifier:
    """Train (or load from ``store``) a head on frozen EfficientNet-Lite0 features of ``dataset``.

    Progress: first "extracting features" (one step per batch of photos, cancellable), then the
    head's epochs through the Keras progress callback. A cancelled run raises ``JobCancelled`` and
    is never stored. Metrics are on a held-out ``config.test_fraction`` of every class.
    """
    check_dataset(dataset)

    def fit(reporter: ProgressReporter) -> Fitted[TransferImageModel]:
        reporter.say("loading_efficientnet")
        pretrained.load_pretrained_model()
        train_indices, validation_indices, test_indices = split_indices(
            dataset.labels, config.test_split, config.validation_split, config.seed
        )

        images = dataset.images
        batches = -(-len(images) // pretrained.DEFAULT_BATCH_SIZE)
        flipped_batches = -(-len(train_indices) // pretrained.DEFAULT_BATCH_SIZE) if config.flip_augmentation else 0
        reporter.start_training(1, batches + flipped_batches)
        reporter.say("extracting_features")
        features = pretrained.extract_features(
            images, progress=lambda done, total: reporter.end_batch(-(-done // pretrained.DEFAULT_BATCH_SIZE))
        )
        train_features, train_labels = features[train_indices], dataset.labels[train_indices]
        if config.flip_augmentation:
            mirrored_features = mirrored_image_features(
                take(images, train_indices),
                progress=lambda done, total: reporter.end_batch(batches + -(-done // pretrained.DEFAULT_BATCH_SIZE)),
            )
            train_features = np.concatenate([train_features, mirrored_features])
            train_labels = np.concatenate([train_labels, train_labels])

        reporter.say("loading_tensorflow")
        import keras

        keras.utils.set_random_seed(config.seed)
        head = build_head(dataset.num_classes, config)
        reporter.say("training_head")
        callbacks = [keras_progress_callback(reporter, config.epochs)]
        validation_data = None
        if len(validation_indices):
            validation_data = (features[validation_indices], dataset.labels[validation_indices])
            callbacks.append(
                keras.callbacks.EarlyStopping(
                    monitor="val_loss",
                    patience=config.patience,
                    min_delta=EARLY_STOPPING_MIN_DELTA,
                    restore_best_weights=True,
                )
            )
        fitted = head.fit(
            train_features,
            train_labels,
            epochs=config.epochs,
            batch_size=config.batch_size,
            validation_data=validation_data,
            shuffle=True,
            callbacks=callbacks,
            verbose=0,
        )
        history = history_rows(fitted.history)
        probabilities = head.predict(features[test_indices], verbose=0)
        metrics = classification_metrics(dataset.labels[test_indices], probabilities, dataset.num_classes)
        extra = classifier_extra(dataset, (pretrained.IMAGE_SIZE, pretrained.IMAGE_SIZE), 3, test_indices)
        profiles["profile"] = training_profile(features, dataset, train_indices, validation_indices)
        return Fitted(TransferImageModel(head), metrics, history, extra)

    profiles: dict[str, Any] = {}  # fit's profile of the training images, for save to write beside the head

    def save(model: TransferImageModel, folder: Path) -> None:
        model.head.save(folder / HEAD_FILE)
        (folder / CLASSES_FILE).write_text(json.dumps(list(dataset.class_names), ensure_ascii=False))
        if "profile" in profiles:
            save_profile(profiles["profile"], folder)

    result = train_or_load(
        TASK,
        config,
        dataset.fingerprint(),
        fit,
        save,
        load_transfer_model,
        reporter,
        store,
        data_summary(dataset),
        defer_load=True,
    )
    size = (pretrained.IMAGE_SIZE, pretrained.IMAGE_SIZE)
    return TrainedImageClassifier.from_store_result(result, TRANSFER.name, size, 3, HEAD_FILE)


def mirrored_image_features(images: Any, progress: Any) -> np.ndarray:
    """EfficientNet-Lite0 features of the images mirrored left to right, a chunk at a time (a big set's
    images are on disk: ``dl.image.disk``); ``progress(done, total)`` counts images over all chunks."""
    parts, total = [], len(images)
    for start, chunk in zip(range(0, total, MIRROR_CHUNK), image_chunks(images, MIRROR_CHUNK)):
        parts.append(pretrained.extract_features(chunk[:, :, ::-1, :],
                                                 progress=lambda done, _, start=start: progress(start + done, total)))
    return np.concatenate(parts) if parts else np.zeros((0, pretrained.FEATURE_SIZE), np.float32)


def training_profile(features: np.ndarray, dataset: ImageDataset, train_indices: np.ndarray,
                     validation_indices: np.ndarray) -> dict[str, Any]:
    """``dl.image.familiarity``'s profile of the photos the head was fitted on and watched by (not the
    test photos, not the mirrored copies), on the EfficientNet-Lite0 features the head reads."""
    seen = np.concatenate([train_indices, validation_indices])
    training = TrainingImages(
        images=take(dataset.images, seen),
        sizes=stored_sizes(dataset.images, dataset.originals, seen),
        train_features=features[train_indices],
        train_labels=dataset.labels[train_indices],
        validation_features=features[validation_indices],
        validation_labels=dataset.labels[validation_indices],
    )
    return build_profile(training, dataset.num_classes, TRANSFER.feature_source, features_fitted=False)


def load_transfer_model(folder: Path) -> TransferImageModel:
    """The TransferImageModel saved in a store entry's ``folder`` (its head.keras)."""
    import keras

    return TransferImageModel(keras.saving.load_model(folder / HEAD_FILE, safe_mode=True))
