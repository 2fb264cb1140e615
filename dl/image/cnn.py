"""The seed CNN: configure, train (cached in the model store), evaluate and predict.

The default network is the one from the seed article: Conv2D 32 3x3 ReLU -> MaxPool 2x2 -> Flatten
-> Dense 128 ReLU -> Dropout 0.5 -> Dense softmax. ``ImageClassifierConfig`` makes every part of it
adjustable. Models take raw pixel values (0-255, float32, shape (batch, height, width, channels))
and rescale inside, so a saved ``.keras`` file is all a user needs to classify an image.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from dl.config import config_from_dict
from dl.data import DataError
from dl.data.archives import check_model_file
from dl.data.splits import split_indices
from dl.data_doctor.labels import CLASS_WEIGHT_SETTINGS, balanced_class_weights, class_weights_wanted
from dl.image.augment import augmentation_layers
from dl.image.dataset import ImageDataset, TrainedImageClassifier, classifier_extra, data_summary
from dl.image.disk import take
from dl.image.familiarity import TrainingImages, build_profile, save_profile, stored_sizes
from dl.image.kinds import CLASSES_FILE, SEED, TRANSFER
from dl.image.pixels import StreamedPixels, convert_channels, training_inputs
from dl.jobs import ProgressReporter, keras_progress_callback
from dl.metrics import classification_metrics, macro_f1
from dl.replay import replay_callback, save_replay
from dl.store import ModelStore
from dl.task import Fitted, Resume, history_rows, task_key, train_or_load

TASK = "image-cnn"
MODEL_FILE = SEED.model_file
OPTIMIZERS = ("adam", "adamw", "sgd", "rmsprop")
NETWORKS = ("seed", "strong")  # "strong": the STRONG_CNN preset below (conv-BN-ReLU blocks)
SCHEDULES = ("constant", "warmup_cosine")
COLOR_MODES = ("auto", "greyscale", "rgb")
CLASS_WEIGHTS = CLASS_WEIGHT_SETTINGS
STOP_ON = ("macro_f1", "val_loss")
MIN_UPDATES_PER_EPOCH = 8  # small sets: halve the batch until an epoch has this many updates (bench/image_small_data.py)
MIN_BATCH_SIZE = 4  # below this, batch statistics and gradients get too noisy to help


@dataclass(frozen=True)
class ImageClassifierConfig:
    """Everything that defines a trained CNN; the model-store key hashes it."""

    conv_blocks: int = 1  # the seed's single Conv2D + MaxPool block; 2-3 help on photos
    filters: int = 32  # the seed's 32 filters; each further block doubles them
    kernel_size: int = 3  # the seed's 3x3: the smallest kernel that sees an edge's direction
    dense_units: int = 128  # the seed's hidden layer
    dropout: float = 0.5  # the seed's dropout: strong, because small data overfits fast
    network: str = "seed"  # the seed article's network; "strong" also drops out before the dense layer
    batch_norm: bool = False  # the seed has none; conv-BN-ReLU blocks learn faster and steadier
    image_size: int = 28  # the seed's 28x28 (MNIST's own size); photos are scaled to it
    color_mode: str = "auto"  # keep the data's channels: greyscale digits stay one channel
    augment_flip: bool = False  # off: digits and text are not mirror-symmetric (turn on for photos)
    augment_rotate: float = 0.0  # off: measured no gain on MNIST-5k, -0.6% on 8x8 digits; 0.03 for photos
    augment_zoom: float = 0.0  # fraction; 0.1 suits photos taken at varying distances
    augment_shift: float = 0.1  # fraction of the size: objects are rarely centred; +1% on MNIST-5k
    augment_brightness: float = 0.0  # off: scans and digits are evenly lit; 0.2 suits photos under varying light
    augment_contrast: float = 0.0  # off, as brightness; 0.2 suits photos from different cameras
    optimizer: str = "adam"  # the seed's Adam: works without tuning the learning rate
    learning_rate: float = 0.001  # Adam's standard step size
    weight_decay: float = 0.0001  # AdamW only: a light pull towards small weights (Adam/SGD ignore it)
    schedule: str = "constant"  # the seed's fixed step (halved on plateaus); "warmup_cosine" for a fixed budget
    batch_size: int = 32  # the seed's batch size: frequent updates, fits any memory
    epochs: int = 30  # augmented data learns longer (seed: 10); early stopping ends it sooner
    early_stopping: bool = True  # stop when the watched score has not improved for `patience` epochs
    stop_on: str = "macro_f1"  # val_loss/accuracy stopped 90/10 sets still predicting the majority class
    patience: int = 6  # epochs without improvement before stopping: outlasts a learning-rate halving
    class_weights: str = "auto"  # "auto": on past dl.data_doctor.labels.IMBALANCE_RATIO, so small classes count
    scale_to_data: bool = True  # small sets: smaller batches and more epochs (12-80 images sat at chance)
    reduce_learning_rate: bool = True  # halve the step size when validation loss stalls: finer last steps
    validation_split: float = 0.1  # share of the training images watched for early stopping
    test_split: float = 0.2  # share of every class held out for the reported metrics
    seed: int = 0  # fixed: same data + config = same model (and the same cache entry)

    def validate(self) -> None:
        """Raise DataError (a message for the user) when a value is out of range."""
        checks = [
            (1 <= self.conv_blocks <= 4, "conv_blocks must be 1-4"),
            (1 <= self.filters <= 256, "filters must be 1-256"),
            (self.kernel_size in (3, 5), "kernel_size must be 3 or 5"),
            (1 <= self.dense_units <= 2048, "dense_units must be 1-2048"),
            (0.0 <= self.dropout < 1.0, "dropout must be in [0, 1)"),
            (8 <= self.image_size <= 256, "image_size must be 8-256 pixels"),
            (self.color_mode in COLOR_MODES, f"color_mode must be one of {COLOR_MODES}"),
            (0.0 <= self.augment_rotate <= 0.5, "augment_rotate must be 0-0.5 of a turn"),
            (0.0 <= self.augment_zoom <= 0.5, "augment_zoom must be 0-0.5"),
            (0.0 <= self.augment_shift <= 0.5, "augment_shift must be 0-0.5"),
            (0.0 <= self.augment_brightness <= 0.5, "augment_brightness must be 0-0.5"),
            (0.0 <= self.augment_contrast <= 0.9, "augment_contrast must be 0-0.9"),
            (self.network in NETWORKS, f"network must be one of {NETWORKS}"),
            (self.optimizer in OPTIMIZERS, f"optimizer must be one of {OPTIMIZERS}"),
            (0.0 <= self.weight_decay <= 0.1, "weight_decay must be 0-0.1"),
            (self.schedule in SCHEDULES, f"schedule must be one of {SCHEDULES}"),
            (0.0 < self.learning_rate <= 1.0, "learning_rate must be in (0, 1]"),
            (1 <= self.batch_size <= 4096, "batch_size must be 1-4096"),
            (1 <= self.epochs <= 500, "epochs must be 1-500"),
            (self.class_weights in CLASS_WEIGHTS, f"class_weights must be one of {CLASS_WEIGHTS}"),
            (self.stop_on in STOP_ON, f"stop_on must be one of {STOP_ON}"),
            (0.0 <= self.validation_split < 0.5, "validation_split must be in [0, 0.5)"),
            (0.0 < self.test_split < 0.5, "test_split must be in (0, 0.5)"),
        ]
        problems = [message for ok, message in checks if not ok]
        if problems:
            raise DataError("Invalid settings: " + "; ".join(problems) + ".")
        # conv blocks each halve the image; stop before it shrinks below the kernel
        smallest = self.image_size // (2 ** (self.conv_blocks - 1)) - self.kernel_size + 1
        if smallest < 2:
            raise DataError(
                f"{self.conv_blocks} conv blocks shrink a {self.image_size}px image to nothing. "
                "Use fewer blocks or a larger image size.",
                "too_many_conv_blocks",
                blocks=self.conv_blocks,
                size=self.image_size,
            )


# The strongest CNN the page offers ("strong", issue 23: >= 98.5 % on MNIST-5k within 60 s of training
# on two cores); measured with bench/image_accuracy.py, numbers in docs/benchmarks.md. Why each value:
STRONG_CNN: dict[str, Any] = {
    "network": "strong",  # adds dropout before the dense layer too: the features are 1,024 numbers wide
    "conv_blocks": 2,  # 28 -> 24 -> 12 -> 8 -> 4 pixels: a third block only adds time at this size
    "kernel_size": 5,  # 5x5 sees a stroke's end and bend at once: beat three 3x3 blocks by 0.6-1.4 %
    "filters": 32,  # 32 then 64 filters: enough for digits, and cheap enough for 15 epochs in a minute
    "batch_norm": True,  # conv-BN-ReLU: +0.6 % over the same blocks without it in the same budget
    "dropout": 0.25,  # applied twice; with shifts on, training accuracy already ends below validation
    "augment_shift": 0.1,  # the seed's shifts; rotation 0.03 and zoom 0.05-0.1 cost 0.2-0.6 % here
    "optimizer": "adamw",  # Adam with decoupled weight decay (decay 1e-4, the config's default)
    "learning_rate": 0.003,  # the warm-up's peak: batch norm tolerates 3x Adam's usual step
    "batch_size": 64,  # half the steps of 32 per epoch (each costs overhead on a CPU); 128 lost 0.7 %
    "epochs": 15,  # a fixed budget of about a core-minute (50-67 CPU s); 20 epochs measured no better
    "schedule": "warmup_cosine",  # a fifth of the steps warming up, then cosine down to 1 %
    "early_stopping": False,  # a cosine run is best at its end: stopping in its middle loses the fine steps
    "reduce_learning_rate": False,  # the schedule sets the step size
}
# the running statistics prediction uses forget 10 % an update (Keras' 0.99 still remembered the untrained
# start after a short run on a small set: 40 updates left 67 % of it, and predictions near chance)
BATCH_NORM_MOMENTUM = 0.9
WARMUP_SHARE = 0.2  # warmup_cosine: share of the steps spent raising the step size from a tenth
FINAL_LEARNING_RATE_SHARE = 0.01  # warmup_cosine: the last step is 1 % of the peak


def strong_config(**changes: Any) -> ImageClassifierConfig:
    """The "strong" CNN's config (``STRONG_CNN``), with ``changes`` on top."""
    return ImageClassifierConfig(**{**STRONG_CNN, **changes})


def output_channels(config: ImageClassifierConfig, dataset_channels: int) -> int:
    """Channels the model sees: the data's own ("auto"), 1 ("greyscale") or 3 ("rgb")."""
    return {"auto": dataset_channels, "greyscale": 1, "rgb": 3}[config.color_mode]


def uses_class_weights(config: ImageClassifierConfig, labels: np.ndarray, num_classes: int) -> bool:
    """Whether training weights the classes: "on", "off", or "auto" (on when the data doctor's
    imbalance threshold is passed, the same rule that raises its finding)."""
    return class_weights_wanted(config.class_weights, labels, num_classes)


def scaled_settings(config: ImageClassifierConfig, train_examples: int) -> tuple[int, int]:
    """(batch size, epoch limit) used for ``train_examples`` training images.

    With ``scale_to_data`` a small set gets batches small enough for ``MIN_UPDATES_PER_EPOCH``
    updates an epoch (batch 32 on 60 images is 2 updates: the seed CNN then sat at chance for
    8-12 epochs). The epoch limit stays the user's: 30 epochs of at least 8 updates are 240 updates,
    and a limit someone chose (5 epochs for a quick look) must not become 12.
    """
    batch_size, epochs = config.batch_size, config.epochs
    if not config.scale_to_data:
        return batch_size, epochs
    while batch_size > MIN_BATCH_SIZE and math.ceil(train_examples / batch_size) < MIN_UPDATES_PER_EPOCH:
        batch_size = max(MIN_BATCH_SIZE, batch_size // 2)
    return batch_size, epochs


def model_key(config: ImageClassifierConfig, dataset: ImageDataset) -> str:
    """The model-store key of this config trained on this dataset."""
    return task_key(TASK, config, dataset.fingerprint())


# ------------------------------------------------------------------------------------------- data
def training_pipeline(pixels: np.ndarray | StreamedPixels, labels: np.ndarray, batch_size: int, seed: int, shuffle: bool):
    """A tf.data pipeline of (pixels, label) batches: shuffle indices, gather whole batches, prefetch.

    Shuffling a range of indices and gathering a batch in one op costs one small kernel per batch,
    instead of slicing and re-stacking every image (``from_tensor_slices(...).batch``); prefetch
    prepares the next batch while the current one trains. ``pixels``: prepared inputs in memory, or
    ``StreamedPixels`` over images on disk, whose batches are read and prepared as they are needed
    (``streamed_batches``) in the same shuffled order.
    """
    import tensorflow as tf

    label_tensor = tf.constant(labels.astype(np.int64))
    indices = tf.data.Dataset.range(len(labels))
    if shuffle:
        indices = indices.shuffle(len(labels), seed=seed, reshuffle_each_iteration=True)
    if isinstance(pixels, StreamedPixels):
        return streamed_batches(indices.batch(batch_size), pixels, label_tensor)
    pixel_tensor = tf.constant(pixels)
    batches = indices.batch(batch_size).map(
        lambda batch: (tf.gather(pixel_tensor, batch), tf.gather(label_tensor, batch)),
        num_parallel_calls=tf.data.AUTOTUNE,
    )
    return batches.prefetch(tf.data.AUTOTUNE)


def streamed_batches(index_batches: Any, inputs: StreamedPixels, label_tensor: Any):
    """Each batch of indices -> (the model's inputs, labels), read from disk as training goes.

    The read (``os.pread`` of the batch's images) and the channel conversion run in Python through
    ``tf.numpy_function``, the resize in TensorFlow, both in parallel calls with prefetch, so the
    next batches are read while the current one trains. The values equal ``prepare_pixels``'s."""
    import tensorflow as tf

    stored_size, channels = tuple(inputs.images.shape[1:3]), inputs.channels

    def read(batch: np.ndarray) -> np.ndarray:
        return convert_channels(inputs.images[batch], channels)

    def load(batch: Any) -> tuple[Any, Any]:
        pixels = tf.numpy_function(read, [batch], tf.float32, stateful=False)
        pixels.set_shape([None, *stored_size, channels])
        if stored_size != tuple(inputs.image_size):
            pixels = tf.image.resize(pixels, inputs.image_size, antialias=True)
        return tf.clip_by_value(pixels, 0.0, 255.0), tf.gather(label_tensor, batch)

    return index_batches.map(load, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)


# ------------------------------------------------------------------------------------------- model
def build_model(config: ImageClassifierConfig, image_size: tuple[int, int], channels: int, num_classes: int):
    """The seed CNN (with ``config``'s changes) as a Keras Functional model taking 0-255 pixels.

    Augmentation layers are active only in training (Keras' ``training`` flag): ``predict`` and a
    loaded file see every image as it is.
    """
    import keras

    inputs = keras.Input(shape=(*image_size, channels), name="pixels")
    x = keras.layers.Rescaling(1.0 / 255.0, name="scale_to_unit")(inputs)
    for layer in augmentation_layers(config):  # dl.image.augment: active in training only
        x = layer(x)
    for block in range(1, config.conv_blocks + 1):
        filters = config.filters * 2 ** (block - 1)
        kernel = (config.kernel_size, config.kernel_size)
        if config.batch_norm:  # conv (no bias: the norm's shift replaces it) -> batch norm -> ReLU
            x = keras.layers.Conv2D(filters, kernel, use_bias=False, name=f"conv_{block}")(x)
            x = keras.layers.BatchNormalization(momentum=BATCH_NORM_MOMENTUM, name=f"norm_{block}")(x)
            x = keras.layers.ReLU(name=f"relu_{block}")(x)
        else:
            x = keras.layers.Conv2D(filters, kernel, activation="relu", name=f"conv_{block}")(x)
        x = keras.layers.MaxPooling2D((2, 2), name=f"pool_{block}")(x)
    x = keras.layers.Flatten(name="flatten")(x)
    if config.network == "strong":
        x = keras.layers.Dropout(config.dropout, seed=config.seed, name="dropout_features")(x)
    x = keras.layers.Dense(config.dense_units, activation="relu", name="dense")(x)
    x = keras.layers.Dropout(config.dropout, seed=config.seed, name="dropout")(x)
    outputs = keras.layers.Dense(num_classes, activation="softmax", name="probabilities")(x)
    return keras.Model(inputs, outputs, name=f"{config.network}_cnn")


def stopping_callbacks(
    config: ImageClassifierConfig, model: Any, validation_pixels: np.ndarray | StreamedPixels, validation_labels: np.ndarray,
    num_classes: int, train_examples: int, batch_size: int, epochs: int,
) -> list[Any]:
    """Early stopping and learning-rate halving for one run.

    ``stop_on="macro_f1"`` (with a validation split): ``dl.stopping.macro_f1_stopping``, which keeps
    the best epoch's weights and cannot stop while the model is no better than the majority class;
    its patience grows when an epoch is only a few updates long (``plan_stopping``). Otherwise
    Keras' ``EarlyStopping`` on validation loss (or training loss without a validation split).
    ``validation_pixels`` are the model's inputs, prepared (an array) or prepared as the check reads
    them, 128 at a time (``StreamedPixels``, for images on disk).
    """
    import keras

    from dl.stopping import macro_f1_stopping, plan_stopping

    has_validation = len(validation_labels) > 0
    monitor = "val_loss" if has_validation else "loss"
    callbacks: list[Any] = []
    if config.early_stopping and config.stop_on == "macro_f1" and has_validation:
        plan = plan_stopping(train_examples, batch_size, config.patience, epochs)

        size = 128  # images a step: 512 took 250 MB of activations at 64 px, the same whatever the set's size

        def predict() -> np.ndarray:
            return np.concatenate([keras.ops.convert_to_numpy(model(validation_pixels[start : start + size], training=False))
                                   for start in range(0, len(validation_pixels), size)])

        callbacks.append(macro_f1_stopping(predict, validation_labels, num_classes, plan))
    elif config.early_stopping:
        callbacks.append(keras.callbacks.EarlyStopping(monitor=monitor, patience=config.patience, restore_best_weights=True))
    if config.reduce_learning_rate and config.schedule == "constant":
        callbacks.append(keras.callbacks.ReduceLROnPlateau(monitor=monitor, factor=0.5, patience=2))
    return callbacks


def learning_rate_for(config: ImageClassifierConfig, steps: int) -> Any:
    """The config's step size: a number ("constant") or, for "warmup_cosine" over ``steps`` updates, a
    Keras schedule rising linearly from a tenth of the peak for ``WARMUP_SHARE`` of the steps, then
    falling along a cosine to ``FINAL_LEARNING_RATE_SHARE`` of it (a built-in, so the saved file loads
    in safe mode)."""
    if config.schedule == "constant":
        return config.learning_rate
    import keras

    warmup = int(steps * WARMUP_SHARE)
    return keras.optimizers.schedules.CosineDecay(
        config.learning_rate / 10, max(1, steps - warmup), alpha=FINAL_LEARNING_RATE_SHARE,
        warmup_target=config.learning_rate, warmup_steps=warmup,
    )


def make_optimizer(name: str, learning_rate: Any, weight_decay: float = 0.0):
    import keras

    return {
        "adam": keras.optimizers.Adam,
        "adamw": lambda learning_rate: keras.optimizers.AdamW(learning_rate, weight_decay=weight_decay),
        "sgd": lambda learning_rate: keras.optimizers.SGD(learning_rate, momentum=0.9),
        "rmsprop": keras.optimizers.RMSprop,
    }[name](learning_rate=learning_rate)


# ------------------------------------------------------------------------------------------- training
def train_image_classifier(
    config: ImageClassifierConfig,
    dataset: ImageDataset,
    reporter: ProgressReporter,
    store: ModelStore,
    resume: Resume | None = None,
) -> TrainedImageClassifier:
    """Train the CNN on ``dataset`` (or load it from ``store`` when this data + config was trained).

    Holds out ``config.test_split`` of every class for the metrics; reports progress to
    ``reporter`` (cancel stops at the next batch, and a cancelled model is never stored).
    ``resume``: continue that stored run of this config and data (its weights and optimizer state)
    for ``resume.epochs`` more epochs.
    """
    config.validate()
    channels = output_channels(config, dataset.channels)
    image_size = (config.image_size, config.image_size)

    def fit(reporter: ProgressReporter) -> Fitted[Any]:
        reporter.say("loading_tensorflow")  # only when training: a cache hit needs meta.json alone
        import keras

        from dl.device import tensorflow_strategy

        strategy = tensorflow_strategy()  # first: a multi-worker strategy must exist before any TF op
        reporter.say("preparing_images")
        keras.utils.set_random_seed(config.seed)
        train_index, validation_index, test_index = split_indices(
            dataset.labels, config.test_split, config.validation_split, config.seed
        )
        pixels = training_inputs(dataset.images, image_size, channels)  # streamed batch by batch from disk
        train_labels = dataset.labels[train_index]
        batch_size, epochs = scaled_settings(config, len(train_index))
        learning_rate = learning_rate_for(config, math.ceil(len(train_index) / batch_size) * epochs)
        first_epoch = resume.epochs_done if resume else 0
        with strategy.scope():
            if resume is not None:  # the saved model with its optimizer's state: training goes on where it stopped
                model = keras.models.load_model(resume.entry.path / MODEL_FILE, safe_mode=True)
                epochs = first_epoch + resume.epochs
            else:
                model = build_model(config, image_size, channels, dataset.num_classes)
                model.compile(
                    optimizer=make_optimizer(config.optimizer, learning_rate, config.weight_decay),
                    loss="sparse_categorical_crossentropy",
                    metrics=["accuracy"],
                )
        train_data = training_pipeline(take(pixels, train_index), train_labels, batch_size, config.seed, True)
        validation_data = None
        if len(validation_index):
            validation_data = training_pipeline(
                take(pixels, validation_index), dataset.labels[validation_index], batch_size, config.seed, False
            )
        callbacks = [keras_progress_callback(reporter, epochs), replay_callback(replay)]
        callbacks += stopping_callbacks(config, model, take(pixels, validation_index), dataset.labels[validation_index],
                                        dataset.num_classes, len(train_index), batch_size, epochs)
        weighted = uses_class_weights(config, train_labels, dataset.num_classes)
        class_weight = balanced_class_weights(train_labels, dataset.num_classes) if weighted else None
        reporter.say("")
        started, cpu_started = time.perf_counter(), time.process_time()
        fitted = model.fit(
            train_data,
            validation_data=validation_data,
            epochs=epochs,
            initial_epoch=first_epoch,
            callbacks=callbacks,
            class_weight=class_weight,
            shuffle=False,  # the pipeline already reshuffles every epoch
            verbose=0,
        )
        fit_seconds, fit_cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
        reporter.check_cancelled()  # a cancelled run is never cached
        history = history_rows(fitted.history)
        if isinstance(pixels, StreamedPixels):
            test_batches = training_pipeline(take(pixels, test_index), dataset.labels[test_index], 256, config.seed, False)
            probabilities = model.predict(test_batches, verbose=0)
        else:
            probabilities = model.predict(pixels[test_index], batch_size=256, verbose=0)
        metrics = classification_metrics(dataset.labels[test_index], probabilities, dataset.num_classes)
        metrics["fit_seconds"] = round(fit_seconds, 3)
        metrics["fit_cpu_seconds"] = round(fit_cpu_seconds, 3)  # all threads: on a shared machine, wall time lies
        metrics["train_images"] = int(len(train_index))
        metrics["epochs_run"] = len(history)
        metrics["macro_f1"] = macro_f1(metrics)
        metrics["balanced_accuracy"] = float(np.mean(metrics["recall"]))
        metrics["batch_size_used"] = batch_size
        metrics["epoch_limit"] = epochs
        metrics["class_weights_used"] = weighted
        profiles["profile"] = training_profile(model, pixels, dataset, train_index, validation_index)
        return Fitted(model, metrics, history, classifier_extra(dataset, image_size, channels, test_index))

    profiles: dict[str, Any] = {}  # fit's profile of the training images, for save to write beside the model
    replay: list[dict[str, Any]] = []  # fit's per-epoch snapshots (dl.replay), for save to write beside the model

    def save(model: Any, folder: Path) -> None:
        model.save(folder / MODEL_FILE)
        (folder / CLASSES_FILE).write_text(json.dumps(list(dataset.class_names), ensure_ascii=False))
        if "profile" in profiles:
            save_profile(profiles["profile"], folder)
        save_replay(replay, folder)

    def load(folder: Path) -> Any:
        import keras

        return keras.models.load_model(folder / MODEL_FILE, safe_mode=True)

    result = train_or_load(
        TASK, config, dataset.fingerprint(), fit, save, load, reporter, store, data_summary(dataset), defer_load=True,
        resume=resume,
    )
    return TrainedImageClassifier.from_store_result(
        result, SEED.name, result.meta["image_size"], result.meta["channels"], MODEL_FILE
    )


def training_profile(model: Any, pixels: np.ndarray | StreamedPixels, dataset: ImageDataset, train_index: np.ndarray,
                     validation_index: np.ndarray) -> dict[str, Any]:
    """``dl.image.familiarity``'s profile of the images a CNN was fitted on and watched by (never the
    test images): their brightness, colour, shapes and "dense"-layer features per class. Images on
    disk are read a few hundred at a time (``take`` gives views; the profile's passes go by slices)."""
    seen = np.concatenate([train_index, validation_index])
    training = TrainingImages(
        images=take(dataset.images, seen),
        sizes=stored_sizes(dataset.images, dataset.originals, seen),
        train_features=SEED.features_of_inputs(model, take(pixels, train_index)),
        train_labels=dataset.labels[train_index],
        validation_features=SEED.features_of_inputs(model, take(pixels, validation_index)),
        validation_labels=dataset.labels[validation_index],
    )
    return build_profile(training, dataset.num_classes, SEED.feature_source, features_fitted=True)


# ------------------------------------------------------------------------------------------- predicting
def predict_probabilities(trained: TrainedImageClassifier, images: np.ndarray) -> np.ndarray:
    """Class probabilities (n, classes) for uint8 images (n, h, w, c) of any size and channels."""
    inputs = trained.model_kind.model_inputs(images, trained.image_size, trained.channels)
    return np.asarray(trained.model.predict(inputs, batch_size=256, verbose=0))


def top_classes(probabilities: np.ndarray, class_names: list[str], count: int = 5) -> list[tuple[str, float]]:
    """The ``count`` most probable (class name, probability) pairs of one image, best first."""
    order = np.argsort(probabilities)[::-1][:count]
    return [(class_names[index], float(probabilities[index])) for index in order]


def load_classifier_file(path: Path | str) -> TrainedImageClassifier:
    """Load a ``.keras`` classifier (``safe_mode=True``) with its class names.

    Class names come from ``classes.json`` or ``meta.json`` beside the file (the store's layout);
    without them classes are called "0", "1", ... Raises DataError for anything that is not a
    Keras image classifier.
    """
    path = Path(path)
    if path.is_dir():
        path = path / MODEL_FILE
    if path.suffix != ".keras" or not path.is_file():
        raise DataError(f"{path} is not a .keras model file.")
    meta = _meta_beside(path)
    if str(meta.get("task", "")).startswith("image-transfer"):
        return _load_transfer_entry(path, meta)
    import keras

    check_model_file(path.read_bytes(), path.name)
    try:
        model = keras.models.load_model(path, safe_mode=True)
    except Exception as error:  # noqa: BLE001 - any failure means: not a usable model file
        raise DataError(
            f"{path.name} could not be loaded as a Keras model ({error}).",
            "model_unloadable",
            name=path.name,
            reason=str(error)[:300],
        ) from None
    shape = tuple(model.input_shape)
    if len(shape) != 4 or shape[3] not in (1, 3) or shape[1] is None or shape[2] is None:
        raise DataError(
            f"{path.name} takes inputs of shape {shape}; an image classifier takes (height, width, 1 or 3)."
        )
    classes = _class_names_beside(path, int(model.output_shape[-1]))
    image_size = (int(shape[1]), int(shape[2]))
    return TrainedImageClassifier.from_saved_file(model, meta, SEED.name, classes, image_size, int(shape[3]), str(path))


def config_from_meta(values: dict[str, Any]) -> ImageClassifierConfig:
    """The config a stored model was trained with (unknown keys from newer versions ignored)."""
    return config_from_dict(ImageClassifierConfig, values)


def _load_transfer_entry(path: Path, meta: dict[str, Any]) -> TrainedImageClassifier:
    """A transfer-learning store entry: its head plus the frozen EfficientNet-Lite0 features."""
    try:
        from dl.image.transfer import load_transfer_model
    except ImportError as error:
        raise DataError(
            f"{path.name} is a transfer-learning model, which this installation cannot run ({error})."
        ) from None
    size = meta.get("image_size", [224, 224])
    class_names = [str(name) for name in meta["class_names"]]
    model = load_transfer_model(path.parent)
    return TrainedImageClassifier.from_saved_file(model, meta, TRANSFER.name, class_names, size, 3, str(path))


def _meta_beside(path: Path) -> dict[str, Any]:
    try:
        return json.loads((path.parent / "meta.json").read_text())
    except (OSError, ValueError):
        return {}


def _class_names_beside(path: Path, num_classes: int) -> list[str]:
    for candidate in (path.parent / CLASSES_FILE, path.parent / "meta.json"):
        try:
            loaded = json.loads(candidate.read_text())
        except (OSError, ValueError):
            continue
        names = loaded.get("class_names") if isinstance(loaded, dict) else loaded
        if isinstance(names, list) and len(names) == num_classes:
            return [str(name) for name in names]
    return [str(index) for index in range(num_classes)]
