"""The gradient lab: train a real deep (or recurrent) Keras network and record how gradients flow.

Backpropagation multiplies one factor per layer (or per time step). When those factors are below
one the gradient reaching the first layers shrinks geometrically (vanishing: early layers stop
learning); above one it grows geometrically (exploding: a single update throws the weights away and
the loss becomes Inf or NaN). This module builds such networks from a ``GradientLabConfig`` and
trains them with a hand-written ``tf.GradientTape`` loop, the one place in this project where a
custom loop is justified: after every step it records, per layer, the norm of the gradient (before
and after clipping), the size of the update relative to the weights, and for recurrent networks the
gradient that reaches every time step of the input. Norms only, never full tensors, so recording
costs a few small reductions per step. Now and then it also records weight and activation
distributions. Clipping goes through the Keras optimizer's own ``clipvalue`` / ``clipnorm`` /
``global_clipnorm``, the same code path a user would write, and the recorded norms are the clipped
gradients the optimizer applies.

Entry points: ``GradientTrainer`` (build once, then ``step`` or ``train_epochs``; the page's
step-by-step mode), ``train_gradient_lab`` (a whole run through the model store and a job's
reporter; the same configuration is instant the second time) and ``load_lab_table``.

Neighbours: ``dl.gradient_lab.config`` (the config dataclass, presets, checks), ``dl.gradient_lab.data``
(tables to train/validation arrays), ``dl.gradient_lab.records`` (``GradientRun``: what is recorded,
saved and loaded) and ``dl.gradient_lab.doctor`` (the diagnosis). Their public names are re-exported
here, so ``dl.gradient_lab.trainer`` is the one import a page or notebook needs.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from dl.config import config_to_dict
from dl.gradient_lab.config import (  # noqa: F401 - re-exported: callers use dl.gradient_lab.trainer as the lab's front door
    ACTIVATIONS,
    CLIPPINGS,
    DATASETS,
    DEPTH_RANGE,
    EPOCH_RANGE,
    INITIALIZERS,
    MODES,
    OPTIMIZERS,
    PRESETS,
    RECURRENT_CELLS,
    SATURATING,
    SEQUENCE_RANGE,
    TASK,
    WIDTH_RANGE,
    GradientLabConfig,
    canonical_config,
    preset_config,
    validate_config,
)
from dl.gradient_lab.data import LabData, features_as_sequences, load_lab_table, prepare_data  # noqa: F401
from dl.gradient_lab.records import HISTOGRAM_BINS, QUANTILES, GradientRun, describe_values  # noqa: F401
from dl.gradient_lab.tables import FeatureTable

MAX_SNAPSHOTS = 12  # distributions are drawn per snapshot; a dozen keeps the slider readable and the cache small
PROBE_SAMPLES = 256  # activation distributions over 256 validation rows: stable quantiles, negligible cost
SATURATION_MARGIN = 0.02  # sigmoid outside [0.02, 0.98] or tanh beyond ±0.98 has a derivative below ~0.04
# Keras' 0.99 needs ~500 steps before the moving statistics used at evaluation settle; lab runs are ~100 steps
BATCH_NORM_MOMENTUM = 0.9


# ---------------------------------------------------------------------------------------------- model
def _initializer(config: GradientLabConfig, layer_index: int, recurrent: bool = False) -> Any:
    import keras

    seed = config.seed * 1000 + layer_index * 2 + int(recurrent)  # a distinct seed per weight matrix
    if config.initializer == "random_normal":
        return keras.initializers.RandomNormal(stddev=config.init_stddev, seed=seed)
    if config.initializer == "he":
        return keras.initializers.HeNormal(seed=seed)
    if recurrent:  # Keras' default recurrent initializer is orthogonal, which is what "Glorot" users get
        return keras.initializers.Orthogonal(seed=seed)
    return keras.initializers.GlorotUniform(seed=seed)


def build_network(config: GradientLabConfig, input_shape: tuple[int, ...], num_classes: int) -> Any:
    """A Functional Keras model producing logits; layer names match what the lab records.

    Dense mode: ``depth - 1`` hidden blocks ``dense_i`` -> optional ``batch_norm_i`` -> ``activation_i``
    (-> ``residual_i`` = input + block, from the second block on, where the widths match), then the
    ``output`` layer. Recurrent mode: one ``recurrent`` SimpleRNN or LSTM layer of ``width`` units
    (optionally batch-normalised at its final state) and the ``output`` layer. float32 throughout:
    mixed precision's loss scaling would distort the gradient norms this lab is about.
    """
    import keras

    inputs = keras.Input(shape=input_shape, name="inputs")
    x = inputs
    if config.mode == "dense":
        for index in range(1, config.depth):
            block = keras.layers.Dense(
                config.width, kernel_initializer=_initializer(config, index), use_bias=not config.batch_norm,
                name=f"dense_{index}", dtype="float32",
            )(x)
            if config.batch_norm:
                block = keras.layers.BatchNormalization(momentum=BATCH_NORM_MOMENTUM, name=f"batch_norm_{index}",
                                                            dtype="float32")(block)
            block = keras.layers.Activation(config.activation, name=f"activation_{index}", dtype="float32")(block)
            x = keras.layers.Add(name=f"residual_{index}", dtype="float32")([x, block]) if config.residual and index > 1 else block
    else:
        common = {"units": config.width, "kernel_initializer": _initializer(config, 1),
                  "recurrent_initializer": _initializer(config, 1, recurrent=True), "name": "recurrent",
                  "dtype": "float32"}
        if config.recurrent_cell == "lstm":
            x = keras.layers.LSTM(**common)(x)  # the LSTM keeps its own tanh/sigmoid gates: that is its cure
        else:
            x = keras.layers.SimpleRNN(activation=config.activation, **common)(x)
        if config.batch_norm:
            x = keras.layers.BatchNormalization(momentum=BATCH_NORM_MOMENTUM, name="batch_norm_1", dtype="float32")(x)
    outputs = keras.layers.Dense(num_classes, kernel_initializer=_initializer(config, config.depth), name="output",
                                 dtype="float32")(x)
    return keras.Model(inputs, outputs, name=f"gradient_lab_{config.mode}")


def tracked_weights(config: GradientLabConfig, model: Any) -> list[tuple[str, Any]]:
    """(name, kernel variable) pairs whose gradient norms the lab records, input side first."""
    if config.mode == "dense":
        pairs = [(f"dense_{index}", model.get_layer(f"dense_{index}").kernel) for index in range(1, config.depth)]
    else:
        cell = model.get_layer("recurrent").cell
        pairs = [("recurrent_input", cell.kernel), ("recurrent_hidden", cell.recurrent_kernel)]
    return [*pairs, ("output", model.get_layer("output").kernel)]


def activation_layer_names(config: GradientLabConfig) -> list[str]:
    """Layers whose outputs the distribution snapshots describe (hidden activations, then logits)."""
    if config.mode == "dense":
        return [f"activation_{index}" for index in range(1, config.depth)] + ["output"]
    return ["recurrent", "output"]


def make_optimizer(config: GradientLabConfig) -> Any:
    """The Keras optimizer with the chosen clipping passed as its own clipvalue/clipnorm/global_clipnorm."""
    import keras

    options: dict[str, Any] = {"learning_rate": config.learning_rate}
    if config.weight_decay > 0:
        options["weight_decay"] = config.weight_decay  # Keras applies it decoupled, as in AdamW
    clip_option = {"value": "clipvalue", "norm": "clipnorm", "global_norm": "global_clipnorm"}.get(config.clipping)
    if clip_option:
        options[clip_option] = config.clip_threshold
    if config.optimizer == "sgd":
        return keras.optimizers.SGD(**options)
    if config.optimizer == "momentum":
        return keras.optimizers.SGD(momentum=0.9, **options)
    if config.optimizer == "adam":
        return keras.optimizers.Adam(**options)
    return keras.optimizers.RMSprop(**options)


# ---------------------------------------------------------------------------------------------- training
class GradientTrainer:
    """A built network plus its optimizer and everything recorded so far; train it step by step.

    ``step(count)`` runs that many optimizer updates (crossing epochs as needed), ``train_epochs``
    runs whole epochs, ``run()`` returns a ``GradientRun`` of everything so far (safe to call from
    another thread while training: the live heatmap does). Training stops at the first step whose
    loss, gradients or weights are not finite, and ``nonfinite`` says where.
    """

    def __init__(self, config: GradientLabConfig, data: LabData):
        validate_config(config)
        import keras
        import tensorflow as tf

        self.config = config
        self.data = data
        self.steps_per_epoch = max(1, len(data.y_train) // config.batch_size)  # full batches only: one trace
        keras.utils.set_random_seed(config.seed)
        self.model = build_network(config, data.x_train.shape[1:], data.num_classes)
        self.optimizer = make_optimizer(config)
        self.trainable = list(self.model.trainable_variables)
        self.optimizer.build(self.trainable)
        tracked = tracked_weights(config, self.model)
        self.layer_names = [name for name, _ in tracked]
        path_index = {variable.path: index for index, variable in enumerate(self.trainable)}
        self._tracked_indices = [path_index[variable.path] for _, variable in tracked]
        self._tracked_variables = [variable for _, variable in tracked]
        self._recurrent = config.mode == "recurrent"
        self._probe = keras.Model(self.model.inputs[0],
                                  [self.model.get_layer(name).output for name in activation_layer_names(config)])
        self._probe_x = data.x_validation[:PROBE_SAMPLES]
        self._lock = threading.Lock()
        self._records: dict[str, list[Any]] = {name: [] for name in (*GradientRun.ARRAY_FIELDS, "time_gradient_norms")}
        self.history: list[dict[str, float]] = []
        self.snapshots: list[dict[str, Any]] = []
        self.nonfinite: dict[str, Any] | None = None
        self.train_seconds = 0.0
        self.epoch = 0  # epochs completed
        self.batch_in_epoch = 0  # batches done in the current (unfinished) epoch
        self._epoch_order: np.ndarray | None = None
        self._epoch_sums = {"loss": 0.0, "accuracy": 0.0}
        self._step_function = tf.function(self._train_step, reduce_retracing=True)
        self._evaluate_function = tf.function(self._evaluate, reduce_retracing=True)
        self._snapshot(step=0)

    # -- the compiled pieces
    def _train_step(self, x: Any, y: Any) -> dict[str, Any]:
        import keras
        import tensorflow as tf

        with tf.GradientTape() as tape:
            tape.watch(x)
            logits = self.model(x, training=True)
            loss = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(y, logits, from_logits=True))
        targets = [*self.trainable, x] if self._recurrent else self.trainable
        gradients = tape.gradient(loss, targets)
        input_gradient = gradients[-1] if self._recurrent else None
        gradients = gradients[: len(self.trainable)]
        # the optimizer's own clipping code, called here only so the recorded norms are the applied ones;
        # apply_gradients clips again, which leaves already-clipped gradients unchanged
        clipped = self.optimizer._clip_gradients(gradients)
        before = [tf.identity(variable) for variable in self._tracked_variables]
        self.optimizer.apply_gradients(zip(clipped, self.trainable, strict=True))
        result = {
            "loss": loss,
            "accuracy": tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, axis=-1), tf.cast(y, tf.int64)), tf.float32)),
            "raw_gradient_norms": tf.stack([_safe_norm(gradients[index]) for index in self._tracked_indices]),
            "gradient_norms": tf.stack([_safe_norm(clipped[index]) for index in self._tracked_indices]),
            "update_ratios": tf.stack([
                _safe_norm(variable - old) / (_safe_norm(old) + 1e-12)
                for variable, old in zip(self._tracked_variables, before, strict=True)
            ]),
            "gradients_finite": tf.stack([tf.reduce_all(tf.math.is_finite(gradient)) for gradient in gradients]),
            "weights_finite": tf.stack([tf.reduce_all(tf.math.is_finite(v)) for v in self._tracked_variables]),
        }
        if input_gradient is not None:  # norm over batch and features, per time step
            result["time_gradient_norms"] = tf.sqrt(tf.reduce_sum(tf.square(input_gradient), axis=[0, 2]))
        return result

    def _evaluate(self, x: Any, y: Any) -> tuple[Any, Any]:
        import keras
        import tensorflow as tf

        logits = self.model(x, training=False)
        loss = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(y, logits, from_logits=True))
        accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, axis=-1), tf.cast(y, tf.int64)), tf.float32))
        return loss, accuracy

    # -- public
    @property
    def steps_done(self) -> int:
        return len(self._records["step_loss"])

    @property
    def stopped(self) -> bool:
        """True once NaN/Inf appeared: further steps would only propagate it."""
        return self.nonfinite is not None

    def step(self, count: int = 1, reporter: Any = None) -> int:
        """Run up to ``count`` optimizer updates; return how many ran (fewer after NaN/Inf)."""
        done = 0
        started = time.perf_counter()
        try:
            while done < count and not self.stopped:
                if self._epoch_order is None:
                    self._epoch_order = batch_order(self.config, len(self.data.y_train), self.epoch)
                    self._epoch_sums = {"loss": 0.0, "accuracy": 0.0}
                    if reporter is not None:
                        reporter.start_epoch(self.epoch + 1)
                batch = self._epoch_order[self.batch_in_epoch * self.config.batch_size:
                                          (self.batch_in_epoch + 1) * self.config.batch_size]
                self._record_step(self._step_function(self.data.x_train[batch], self.data.y_train[batch]))
                self.batch_in_epoch += 1
                done += 1
                if reporter is not None:
                    reporter.end_batch(self.batch_in_epoch, self._records["step_loss"][-1], self.steps_per_epoch)
                if self.stopped or self.batch_in_epoch == self.steps_per_epoch:
                    self._end_epoch(reporter)
        finally:
            self.train_seconds += time.perf_counter() - started
        return done

    def train_epochs(self, epochs: int, reporter: Any = None) -> GradientRun:
        """Finish the current epoch and run until ``epochs`` epochs are complete (or NaN/Inf)."""
        if reporter is not None:
            reporter.start_training(epochs, self.steps_per_epoch)
        remaining = max(0, epochs * self.steps_per_epoch - self.steps_done)
        self.step(remaining, reporter)
        if reporter is not None:
            reporter.end_training()
        return self.run()

    def run(self) -> GradientRun:
        """Everything recorded so far as a ``GradientRun`` (copies; safe while training continues)."""
        with self._lock:
            layers = len(self.layer_names)
            arrays = {
                name: np.asarray(self._records[name], dtype=np.float64).reshape((-1, layers) if "norm" in name
                                                                                or "ratio" in name else (-1,))
                for name in GradientRun.ARRAY_FIELDS
            }
            time_norms = (np.asarray(self._records["time_gradient_norms"], dtype=np.float64).reshape(
                -1, self.config.sequence_length) if self._recurrent else None)
            return GradientRun(
                config=config_to_dict(self.config), layer_names=list(self.layer_names),
                steps_per_epoch=self.steps_per_epoch, time_gradient_norms=time_norms, history=list(self.history),
                snapshots=list(self.snapshots), nonfinite=dict(self.nonfinite) if self.nonfinite else None,
                train_seconds=self.train_seconds, **arrays,
            )

    # -- bookkeeping
    def _record_step(self, outputs: dict[str, Any]) -> None:
        values = {name: np.asarray(value) for name, value in outputs.items()}
        loss = float(values["loss"])
        step = self.steps_done + 1
        with self._lock:
            for name in ("gradient_norms", "raw_gradient_norms", "update_ratios", "time_gradient_norms"):
                if name in values:
                    self._records[name].append(values[name].tolist())
            self._records["step_loss"].append(loss)
            self._records["step_accuracy"].append(float(values["accuracy"]))
            self._epoch_sums["loss"] += loss
            self._epoch_sums["accuracy"] += float(values["accuracy"])
        names_of = [variable.path for variable in self.trainable]
        bad_gradients = [names_of[index] for index, ok in enumerate(values["gradients_finite"]) if not ok]
        bad_weights = [self.layer_names[index] for index, ok in enumerate(values["weights_finite"]) if not ok]
        if math.isfinite(loss) and not bad_gradients and not bad_weights:
            return
        what = "loss" if not math.isfinite(loss) else "gradients" if bad_gradients else "weights"
        self.nonfinite = {
            "step": step, "epoch": self.epoch + 1, "batch": self.batch_in_epoch + 1, "what": what,
            "loss": loss, "layers": _short_layer_names(bad_gradients) or bad_weights,
        }

    def _end_epoch(self, reporter: Any) -> None:
        batches = max(1, self.batch_in_epoch)
        row = {"epoch": self.epoch + 1, "loss": self._epoch_sums["loss"] / batches,
               "accuracy": self._epoch_sums["accuracy"] / batches}
        val_loss, val_accuracy = self._evaluate_function(self.data.x_validation, self.data.y_validation)
        row.update(val_loss=float(val_loss), val_accuracy=float(val_accuracy))
        self.epoch += 1
        self.batch_in_epoch = 0
        self._epoch_order = None
        with self._lock:
            self.history.append(row)
        if self._should_snapshot() or self.stopped:
            self._snapshot(step=self.steps_done)
        if reporter is not None:
            reporter.end_epoch(self.epoch, {key: value for key, value in row.items() if key != "epoch"})

    def _should_snapshot(self) -> bool:
        every = max(1, math.ceil(self.config.epochs / (MAX_SNAPSHOTS - 1)))
        return self.epoch % every == 0 or self.epoch == self.config.epochs

    def _snapshot(self, step: int) -> None:
        """Record weight and activation distributions (on the probe rows) after ``step`` updates."""
        outputs = self._probe(self._probe_x, training=False)
        outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
        activation_names = activation_layer_names(self.config)
        activations = {}
        for name, output in zip(activation_names, outputs, strict=True):
            values = np.asarray(output, dtype=np.float64)
            activations[name] = {**describe_values(values), **self._health(name, values)}
        weights = {name: describe_values(np.asarray(variable, dtype=np.float64))
                   for name, variable in zip(self.layer_names, self._tracked_variables, strict=True)}
        with self._lock:
            self.snapshots.append({"step": step, "epoch": self.epoch, "activations": activations, "weights": weights})

    def _health(self, layer: str, values: np.ndarray) -> dict[str, float]:
        """Saturation (sigmoid/tanh) or dead-unit (ReLU family) fraction of one layer's outputs."""
        activation = self.config.activation
        if layer == "output" or (self._recurrent and self.config.recurrent_cell == "lstm"):
            return {}
        if activation == "sigmoid":
            return {"saturated_fraction": float(np.mean((values < SATURATION_MARGIN) | (values > 1 - SATURATION_MARGIN)))}
        if activation == "tanh":
            return {"saturated_fraction": float(np.mean(np.abs(values) > 1 - SATURATION_MARGIN))}
        # a unit is dead when it outputs nothing positive for every probe row: its gradient is (almost) zero
        flat = values.reshape(len(values), -1)
        return {"dead_fraction": float(np.mean(np.all(flat <= 0, axis=0)))}


def batch_order(config: GradientLabConfig, rows: int, epoch: int) -> np.ndarray:
    """The shuffled row order of 0-based ``epoch``: seeded, so a fix is trained on the very same batches."""
    return np.random.default_rng(config.seed * 7919 + epoch).permutation(rows)


def _safe_norm(tensor: Any) -> Any:
    """L2 norm that does not overflow float32 for large finite values (scale by the max first)."""
    import tensorflow as tf

    flat = tf.reshape(tensor, [-1])
    scale = tf.reduce_max(tf.abs(flat))
    safe_scale = tf.where(scale > 0, scale, tf.ones_like(scale))
    return scale * tf.norm(flat / safe_scale)


def _short_layer_names(variable_paths: list[str]) -> list[str]:
    """'dense_3/kernel' -> 'dense_3', once each, in order."""
    names: list[str] = []
    for path in variable_paths:
        name = path.split("/")[0]
        if name not in names:
            names.append(name)
    return names


# ---------------------------------------------------------------------------------------------- store + jobs
@dataclass
class LabResult:
    """What ``train_gradient_lab`` returns: the run, its store key and whether it came from the cache."""

    run: GradientRun
    key: str
    from_cache: bool
    notes: list[str] = field(default_factory=list)
    path: Path | None = None  # its store folder and meta.json: what "Save project" keeps
    meta: dict[str, Any] = field(default_factory=dict)


_LIVE: dict[str, GradientTrainer] = {}
_LIVE_LOCK = threading.Lock()


def model_key(config: GradientLabConfig, table_fingerprint: str) -> str:
    """The model-store key of a run: config plus data content (so a new CSV is a new run)."""
    from dl.task import task_key

    return task_key(TASK, config, table_fingerprint)


def live_run(key: str) -> GradientRun | None:
    """The partial run of a job training under ``key`` right now, for live charts (None otherwise)."""
    with _LIVE_LOCK:
        trainer = _LIVE.get(key)
    return trainer.run() if trainer is not None else None


def train_gradient_lab(config: GradientLabConfig, table: FeatureTable, reporter: Any, store: Any) -> LabResult:
    """Train ``config`` on ``table`` (or load the recorded run from ``store``) for a background job.

    ``reporter`` is a ``dl.jobs.ProgressReporter``; the partial run is visible through ``live_run``
    while it trains. A cancelled run raises ``JobCancelled`` before anything is stored.
    """
    from dl.task import Fitted, train_or_load

    validate_config(config)
    key = model_key(config, table.fingerprint)

    def fit(reporter: Any) -> Fitted[GradientRun]:
        reporter.say("loading_tensorflow")
        data = prepare_data(config, table)
        trainer = GradientTrainer(config, data)
        reporter.say("")  # TensorFlow is loaded: the status line shows epochs and loss from here
        with _LIVE_LOCK:
            _LIVE[key] = trainer
        try:
            run = trainer.train_epochs(config.epochs, reporter)
        finally:
            with _LIVE_LOCK:
                _LIVE.pop(key, None)
        return Fitted(run, run.summary(), run.history)

    data = {"source": table.source, "rows": len(table.labels), "features": table.features.shape[1], "builtin": table.builtin}
    result = train_or_load(TASK, config, table.fingerprint, fit, lambda run, folder: run.save(folder), GradientRun.load,
                           reporter, store, data)
    return LabResult(run=result.model, key=key, from_cache=result.from_cache, notes=result.notes, path=result.path,
                     meta=result.meta)
