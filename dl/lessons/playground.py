"""The neural-network playground: a small Keras MLP learning 2-D point clouds, epoch by epoch.

In the spirit of TensorFlow Playground: pick a dataset (circles, moons, XOR, spiral, Gaussian blobs
or your own CSV of ``x,y,label`` points), an architecture and a training recipe, and watch the
decision boundary form. ``PlaygroundRun`` keeps one Keras model alive between calls, so a page can
train it for some epochs in a background job, then "step" it one more epoch at a time; after every
epoch it publishes the latest boundary grid and a history row that a page can draw while the job
is still running.

Keras is imported inside ``PlaygroundRun.train`` only, so importing this module stays cheap.
"""

from __future__ import annotations

import io
import threading
import uuid
from dataclasses import dataclass
from typing import Any

import numpy as np

from dl.config import config_to_dict
from dl.data.errors import (
    DataError,
    empty_file,
    empty_value,
    missing_columns,
    not_a_number,
    not_text,
    one_class,
    too_few_rows,
    too_large,
    too_many_rows,
    unreadable_table,
)
from dl.data.fingerprinting import fingerprint
from dl.jobs import ProgressReporter, keras_progress_callback
from dl.limits import LIMITS

DATASETS = ("circles", "moons", "xor", "spiral", "blobs", "csv")
ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear", "leaky_relu", "elu", "gelu")
OPTIMIZERS = ("sgd", "momentum", "rmsprop", "adam", "adamw", "adagrad")
MAX_CSV_ROWS = LIMITS.points_rows
MAX_CSV_BYTES = LIMITS.points_bytes
MIN_POINTS = 10
MAX_CLASSES = 10  # beyond ten colours a boundary map stops being readable
BLOB_CENTRES = np.array([[-0.6, -0.5], [0.6, -0.5], [0.0, 0.6]])


@dataclass(frozen=True)
class PlaygroundDataConfig:
    """Which points to learn; every default picked to give a readable picture quickly."""

    dataset: str = "circles"  # the classic first example: not linearly separable, easy with one hidden layer
    num_points: int = 400  # enough to show the shape, few enough that an epoch takes ~0.1 s on a CPU
    noise: float = 0.1  # standard deviation of the Gaussian jitter, in the data's units (points span about [-1, 1])
    test_fraction: float = 0.3  # held out to show over-fitting; 30 % still leaves 280 training points
    seed: int = 0  # fixed so the same settings give the same points


@dataclass(frozen=True)
class PlaygroundConfig:
    """The network and how it trains; defaults learn circles in about 20 epochs."""

    hidden_layers: tuple[int, ...] = (8, 8)  # two small layers: enough for circles/moons, too few neurons for spiral
    activation: str = "tanh"  # smooth boundaries, as in TensorFlow Playground
    learning_rate: float = 0.03  # TensorFlow Playground's default; Adam at 0.03 converges in tens of epochs here
    optimizer: str = "adam"  # forgiving of the learning rate, so a learner sees a boundary rather than a stall
    batch_size: int = 16  # ~18 updates per epoch on 280 points: visible progress each epoch
    l1: float = 0.0  # no penalty by default; the regularization tab shows what it does
    l2: float = 0.0  # idem
    dropout: float = 0.0  # idem; dropout on tiny nets mostly slows learning
    epochs: int = 30  # one "Train" press: long enough for circles, moons and XOR to converge
    seed: int = 0  # fixed weights initialisation: the same settings give the same run
    grid_resolution: int = 60  # 60 x 60 = 3,600 grid points per boundary: smooth and ~5 ms to evaluate


@dataclass
class PlaygroundData:
    """Points split into train and test; coordinates float32 (n, 2), labels int class indices."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: list[str]
    source: str

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    def bounds(self, margin: float = 0.15) -> tuple[float, float, float, float]:
        """(x_min, x_max, y_min, y_max) of all points, widened by ``margin`` of their span."""
        points = np.concatenate([self.x_train, self.x_test])
        low, high = points.min(axis=0), points.max(axis=0)
        span = np.maximum(high - low, 1e-6)
        low, high = low - margin * span, high + margin * span
        return float(low[0]), float(high[0]), float(low[1]), float(high[1])

    def fingerprint(self) -> str:
        return fingerprint(self.x_train, self.y_train, self.x_test, self.y_test, self.class_names)


@dataclass
class BoundaryGrid:
    """The model's class probabilities on a regular grid: ``probabilities[row, column, class]``.

    Row ``i`` is at height ``ys[i]``, column ``j`` at ``xs[j]`` (the layout plotly's heatmap wants).
    """

    xs: np.ndarray
    ys: np.ndarray
    probabilities: np.ndarray
    epoch: int

    @property
    def predicted_class(self) -> np.ndarray:
        return self.probabilities.argmax(axis=-1)


@dataclass(frozen=True)
class LayerStatistics:
    """One Dense layer's weights at one moment: what the replay's weight chart draws."""

    layer: str
    mean: float
    spread: float  # standard deviation of the kernel's values
    mean_size: float  # mean absolute value: grows when a layer learns large weights (watch L1/L2 pull it down)


@dataclass(frozen=True)
class Snapshot:
    """What the replay shows of one epoch (epoch 0: the starting weights). Small on purpose: the
    boundary in float16 (60 x 60 x classes: ~7 KB a class), a few numbers a layer, the epoch's metrics."""

    epoch: int
    probabilities: np.ndarray  # float16 (rows, columns, classes), like ``BoundaryGrid.probabilities``
    layers: tuple[LayerStatistics, ...]
    metrics: dict[str, float]

    @property
    def predicted_class(self) -> np.ndarray:
        return self.probabilities.argmax(axis=-1)


def layer_statistics(model: Any) -> tuple[LayerStatistics, ...]:
    """Mean, spread and mean size of every Dense kernel of ``model`` (the only layers with one), in order."""
    from dl.replay import kernel_statistics

    return tuple(LayerStatistics(*row) for row in kernel_statistics(model))


# ------------------------------------------------------------------------------------------ data
def make_points(dataset: str, num_points: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Generate one of the built-in 2-D datasets.

    Returns ``(points, labels)``: float32 array (num_points, 2) spanning about [-1, 1] and int
    labels (two classes, three for ``blobs``). ``noise`` is the standard deviation of Gaussian
    jitter added to every coordinate.
    """
    if dataset not in DATASETS or dataset == "csv":
        raise DataError(f"Unknown dataset '{dataset}'. Choose one of: {', '.join(DATASETS[:-1])}.")
    if num_points < MIN_POINTS:
        raise DataError(f"Use at least {MIN_POINTS} points (got {num_points}).")
    generator = np.random.default_rng(seed)
    half = num_points // 2
    labels = np.concatenate([np.zeros(num_points - half, dtype=int), np.ones(half, dtype=int)])
    if dataset == "circles":
        # inner disc is class 1, a ring around it class 0, with a gap between them
        radius = np.where(labels == 1, generator.uniform(0, 0.5, num_points), generator.uniform(0.7, 1.0, num_points))
        angle = generator.uniform(0, 2 * np.pi, num_points)
        points = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    elif dataset == "moons":
        angle = generator.uniform(0, np.pi, num_points)
        upper = np.stack([np.cos(angle), np.sin(angle)], axis=1)
        lower = np.stack([1 - np.cos(angle), 0.5 - np.sin(angle)], axis=1)
        points = np.where(labels[:, None] == 0, upper, lower)
        points = (points - [0.5, 0.25]) / 1.2  # centre the pair on the origin, span about [-1, 1]
    elif dataset == "xor":
        points = generator.uniform(-1, 1, (num_points, 2))
        points += np.sign(points) * 0.05  # a small gap along the axes so the quadrants are clear
        labels = (points[:, 0] * points[:, 1] > 0).astype(int)
    elif dataset == "spiral":
        # two arms, each turning 1.75 times around the centre, the second rotated by half a turn
        position = generator.uniform(0, 1, num_points)
        radius = position
        angle = 1.75 * 2 * np.pi * position + np.pi * labels
        points = np.stack([radius * np.sin(angle), radius * np.cos(angle)], axis=1)
    else:  # blobs: three Gaussian clusters, one class each
        labels = np.arange(num_points) % len(BLOB_CENTRES)
        points = BLOB_CENTRES[labels] + generator.normal(0, 0.2, (num_points, 2))
    points = points + generator.normal(0, noise, points.shape)
    order = generator.permutation(num_points)
    return points[order].astype(np.float32), labels[order].astype(int)


def parse_points_csv(content: bytes | str, source_name: str = "the CSV file") -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Read a CSV of 2-D points with columns ``x``, ``y``, ``label``.

    A header row naming the columns x, y and label (any case, any order; ``class`` or ``target``
    also name the label) is used when present; without a header the first three columns are taken
    in that order. Labels may be numbers or words. Returns ``(points float32 (n, 2), labels int
    (n,), class_names)``. Raises DataError for an empty file, missing columns, non-numeric
    coordinates (naming the row), missing labels, a single class, more than 10 classes, fewer than
    10 or more than 100,000 rows.
    """
    import pandas as pd

    raw = content.encode("utf-8") if isinstance(content, str) else bytes(content)
    if len(raw) > MAX_CSV_BYTES:
        raise too_large(source_name, len(raw), MAX_CSV_BYTES)
    text = _decode(raw, source_name)
    if not text.strip():
        raise empty_file(source_name)
    try:
        table = pd.read_csv(io.StringIO(text), header=None, dtype=str, skip_blank_lines=True, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise unreadable_table(source_name, f"{error}; use commas between x, y and label") from None
    first_row = [str(value).strip() for value in table.iloc[0]]
    header = [name.lower() for name in first_row]
    if not all(_is_number(value) for value in first_row[:2]) or any(name in ("x", "y", "label") for name in header):
        label_name = next((name for name in ("label", "class", "target") if name in header), None)
        missing = [name for name in ("x", "y") if name not in header] + ([] if label_name else ["label"])
        if missing:
            raise missing_columns(source_name, missing, first_row)
        columns = [header.index("x"), header.index("y"), header.index(label_name)]
        table, first_line = table.iloc[1:], 2
    else:
        if table.shape[1] < 3:
            raise DataError(f"{source_name} has {table.shape[1]} column(s); it needs three: x, y, label.",
                            "points_three_columns", name=source_name, columns=table.shape[1])
        columns, first_line = [0, 1, 2], 1
    if len(table) > MAX_CSV_ROWS:
        raise too_many_rows(source_name, len(table), MAX_CSV_ROWS)
    if len(table) < MIN_POINTS:
        raise too_few_rows(source_name, len(table), MIN_POINTS)
    coordinates = table.iloc[:, columns[:2]].apply(lambda column: column.str.strip())
    numbers = coordinates.apply(pd.to_numeric, errors="coerce")
    bad = numbers.isna().to_numpy() | ~np.isfinite(numbers.to_numpy(dtype=float, na_value=np.nan))
    if bad.any():
        row, column = np.argwhere(bad)[0]
        value = coordinates.iat[row, column]
        if not value:
            raise empty_value(source_name, row + first_line, "xy"[column])
        raise not_a_number(source_name, row + first_line, "xy"[column], value)
    labels_text = table.iloc[:, columns[2]].astype(str).str.strip()
    if (labels_text == "").any():
        row = int(np.flatnonzero((labels_text == "").to_numpy())[0])
        raise empty_value(source_name, row + first_line, "label")
    class_names = sorted(labels_text.unique(), key=_natural_key)
    if len(class_names) < 2:
        raise one_class(source_name, class_names[0])
    if len(class_names) > MAX_CLASSES:
        raise DataError(f"{source_name} has {len(class_names)} different labels; the playground draws at most "
                        f"{MAX_CLASSES} classes.", "too_many_labels", name=source_name, count=len(class_names),
                        limit=MAX_CLASSES)
    labels = labels_text.map({name: index for index, name in enumerate(class_names)}).to_numpy(dtype=int)
    return numbers.to_numpy(dtype=np.float32), labels, class_names


def split_train_test(points: np.ndarray, labels: np.ndarray, test_fraction: float, seed: int,
                     class_names: list[str], source: str) -> PlaygroundData:
    """Shuffle and split, stratified by class so both parts keep the class balance."""
    if not 0.05 <= test_fraction <= 0.9:
        raise DataError(f"The test share must be between 5 % and 90 % (got {test_fraction:.0%}).")
    generator = np.random.default_rng(seed + 1)
    test_mask = np.zeros(len(labels), dtype=bool)
    for label in np.unique(labels):
        members = generator.permutation(np.flatnonzero(labels == label))
        test_mask[members[: int(round(len(members) * test_fraction))]] = True
    if test_mask.all() or not test_mask.any():
        raise DataError("Too few points to hold some out for testing; add points or change the test share.",
                        "too_few_to_hold_out")
    return PlaygroundData(points[~test_mask], labels[~test_mask], points[test_mask], labels[test_mask],
                          class_names, source)


def make_playground_data(config: PlaygroundDataConfig, csv_content: bytes | str | None = None,
                         csv_name: str = "the CSV file") -> PlaygroundData:
    """Build the points of ``config`` (or parse ``csv_content`` when the dataset is ``csv``) and split them."""
    if config.dataset == "csv":
        if csv_content is None:
            raise DataError("Upload a CSV file with columns x, y, label to use your own points.", "upload_points_csv")
        points, labels, class_names = parse_points_csv(csv_content, csv_name)
        if config.noise > 0:  # the noise slider applies to uploaded points too, for experiments
            points = points + np.random.default_rng(config.seed).normal(0, config.noise, points.shape).astype(np.float32)
        return split_train_test(points, labels, config.test_fraction, config.seed, class_names, csv_name)
    points, labels = make_points(config.dataset, config.num_points, config.noise, config.seed)
    class_names = [str(index) for index in range(int(labels.max()) + 1)]
    return split_train_test(points, labels, config.test_fraction, config.seed, class_names, config.dataset)


# ------------------------------------------------------------------------------------------ model
def build_model(config: PlaygroundConfig, data: PlaygroundData) -> Any:
    """A Keras Functional MLP: normalise -> hidden Dense layers (+ dropout) -> sigmoid or softmax."""
    import keras

    from dl.device import tensorflow_strategy

    if any(width < 1 for width in config.hidden_layers):
        raise DataError("Every hidden layer needs at least one neuron.")
    if config.activation not in ACTIVATIONS:
        raise DataError(f"Unknown activation '{config.activation}'. Choose one of: {', '.join(ACTIVATIONS)}.")
    regularizer = keras.regularizers.L1L2(l1=config.l1, l2=config.l2) if (config.l1 or config.l2) else None
    # inputs are standardised inside the model so an uploaded CSV in any units trains like the built-ins
    mean = data.x_train.mean(axis=0)
    variance = np.maximum(data.x_train.var(axis=0), 1e-12)
    with tensorflow_strategy().scope():
        inputs = keras.Input(shape=(2,), name="point")
        hidden = keras.layers.Normalization(mean=mean, variance=variance, name="standardise")(inputs)
        for index, width in enumerate(config.hidden_layers):
            hidden = keras.layers.Dense(width, activation=config.activation, kernel_regularizer=regularizer,
                                        name=f"hidden_{index + 1}")(hidden)
            if config.dropout > 0:
                hidden = keras.layers.Dropout(config.dropout, seed=config.seed + index)(hidden)
        if data.num_classes == 2:
            outputs = keras.layers.Dense(1, activation="sigmoid", name="probability")(hidden)
            loss = "binary_crossentropy"
        else:
            outputs = keras.layers.Dense(data.num_classes, activation="softmax", name="probability")(hidden)
            loss = "sparse_categorical_crossentropy"
        model = keras.Model(inputs, outputs, name="playground_mlp")
        model.compile(optimizer=make_optimizer(config.optimizer, config.learning_rate), loss=loss, metrics=["accuracy"])
    return model


def make_optimizer(name: str, learning_rate: float) -> Any:
    """The Keras optimizer called ``name`` (``momentum`` = SGD with momentum 0.9)."""
    import keras

    if name == "sgd":
        return keras.optimizers.SGD(learning_rate)
    if name == "momentum":
        return keras.optimizers.SGD(learning_rate, momentum=0.9)
    if name == "rmsprop":
        return keras.optimizers.RMSprop(learning_rate)
    if name == "adam":
        return keras.optimizers.Adam(learning_rate)
    if name == "adamw":
        return keras.optimizers.AdamW(learning_rate)
    if name == "adagrad":
        return keras.optimizers.Adagrad(learning_rate)
    raise DataError(f"Unknown optimizer '{name}'. Choose one of: {', '.join(OPTIMIZERS)}.")


class PlaygroundRun:
    """One model on one dataset, trained in increments; safe to read from another thread.

    ``history`` holds a row per epoch over all increments (``epoch, loss, accuracy, val_loss,
    val_accuracy``; the ``val_`` values are on the test points). ``boundary`` is the latest grid.
    """

    def __init__(self, config: PlaygroundConfig, data: PlaygroundData, record: bool = True):
        self.id = uuid.uuid4().hex[:10]
        self.record = record  # keep a Snapshot an epoch for the replay (bench/replay_cost.py measures its cost)
        self.config = config
        self.data = data
        self.model: Any = None
        self.epochs_done = 0
        self._lock = threading.Lock()
        self._history: list[dict[str, float]] = []
        self._boundary: BoundaryGrid | None = None
        self._snapshots: list[Snapshot] = []
        x_min, x_max, y_min, y_max = data.bounds()
        self.grid_xs = np.linspace(x_min, x_max, config.grid_resolution, dtype=np.float32)
        self.grid_ys = np.linspace(y_min, y_max, config.grid_resolution, dtype=np.float32)

    @property
    def key(self) -> str:
        """What this run trains: a hash of config and data (two runs with one key are the same experiment)."""
        return fingerprint(config_to_dict(self.config), self.data.fingerprint())

    @property
    def history(self) -> list[dict[str, float]]:
        with self._lock:
            return list(self._history)

    @property
    def boundary(self) -> BoundaryGrid | None:
        with self._lock:
            return self._boundary

    @property
    def snapshots(self) -> list[Snapshot]:
        """One per finished epoch, and epoch 0 (the starting weights): the run as a replay can show it."""
        with self._lock:
            return list(self._snapshots)

    def train(self, epochs: int, reporter: ProgressReporter) -> PlaygroundRun:
        """Train ``epochs`` more epochs (building the model on the first call); returns self.

        Publishes a history row and a fresh boundary after every epoch; stops at the next batch
        when the job is cancelled (the epochs finished so far are kept, like pausing).
        """
        if self.model is None:
            reporter.say("loading_tensorflow")
        import keras

        if self.model is None:
            keras.utils.set_random_seed(self.config.seed)
            self.model = build_model(self.config, self.data)
            self._publish_boundary()
            self._record({})
        reporter.say("")
        run = self

        class _PublishEpoch(keras.callbacks.Callback):
            def on_epoch_end(self, epoch, logs=None):
                if reporter.cancelled:  # Keras ends a cut-short epoch too: show its weights, do not count it
                    run._publish_boundary()
                    return
                run.epochs_done += 1
                row = {"epoch": run.epochs_done, **{name: float(value) for name, value in (logs or {}).items()}}
                with run._lock:
                    run._history.append(row)
                run._publish_boundary()
                run._record(row)

        self.model.fit(
            self.data.x_train, self.data.y_train,
            validation_data=(self.data.x_test, self.data.y_test),
            epochs=epochs, batch_size=self.config.batch_size, shuffle=True, verbose=0,
            callbacks=[_PublishEpoch(), keras_progress_callback(reporter, epochs)],
        )
        reporter.check_cancelled()
        return self

    def predict_probabilities(self, points: np.ndarray) -> np.ndarray:
        """Class probabilities (n, num_classes) of ``points`` (n, 2) under the current weights."""
        output = np.asarray(self.model(np.asarray(points, dtype=np.float32), training=False))
        return np.concatenate([1 - output, output], axis=1) if output.shape[1] == 1 else output

    def accuracy(self, split: str = "test") -> float:
        """Share of correctly classified ``test`` or ``train`` points."""
        points, labels = (self.data.x_test, self.data.y_test) if split == "test" else (self.data.x_train, self.data.y_train)
        return float((self.predict_probabilities(points).argmax(axis=1) == labels).mean())

    def _record(self, metrics: dict[str, float]) -> None:
        """Keep this epoch's snapshot (the boundary just published, the layers' weights, the metrics)."""
        if not self.record or self._boundary is None:
            return
        snapshot = Snapshot(self.epochs_done, self._boundary.probabilities.astype(np.float16), layer_statistics(self.model),
                            {name: value for name, value in metrics.items() if name != "epoch"})
        with self._lock:
            self._snapshots.append(snapshot)

    def _publish_boundary(self) -> None:
        grid_x, grid_y = np.meshgrid(self.grid_xs, self.grid_ys)
        probabilities = self.predict_probabilities(np.stack([grid_x.ravel(), grid_y.ravel()], axis=1))
        resolution = self.config.grid_resolution
        boundary = BoundaryGrid(self.grid_xs, self.grid_ys,
                                probabilities.reshape(resolution, resolution, -1), self.epochs_done)
        with self._lock:
            self._boundary = boundary


def train_playground(config: PlaygroundConfig, data: PlaygroundData, reporter: ProgressReporter) -> PlaygroundRun:
    """Build a run and train it for ``config.epochs`` epochs (the work of one background job)."""
    return PlaygroundRun(config, data).train(config.epochs, reporter)


def _decode(raw: bytes, source_name: str) -> str:
    for encoding in ("utf-8-sig", "gbk"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise not_text(source_name)


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def _natural_key(name: str) -> tuple[int, float, str]:
    """Sort numeric labels by value ("2" before "10") and words alphabetically after them."""
    return (0, float(name), name) if _is_number(name) else (1, 0.0, name)
