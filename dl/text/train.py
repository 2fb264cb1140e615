"""Train a text classifier (or load it from the model store) beside the TF-IDF baseline.

One job: a stratified split, tokens (``dl.text.tokens``), the Keras model with early stopping on the
validation texts, then accuracy, macro F1, per-class precision/recall and the confusion matrix on
the held-out texts, with the baseline trained and scored on the very same split.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from dl.data.archives import check_model_file
from dl.data.errors import DataError
from dl.data.splits import split_indices
from dl.data_doctor.labels import balanced_class_weights, majority_baseline
from dl.jobs import ProgressReporter, keras_progress_callback
from dl.limits import LIMITS
from dl.metrics import balanced_accuracy, classification_metrics, macro_f1
from dl.stopping import macro_f1_stopping, plan_stopping
from dl.store import ModelStore
from dl.task import Fitted, Resume, StoredModel, history_rows, stored_meta, task_key, train_or_load
from dl.text.baseline import BASELINE_FILE, BaselineModel, baseline_document, baseline_metrics, load_baseline
from dl.text.config import TextClassifierConfig
from dl.text.coverage import Coverage, vocabulary_coverage
from dl.text.data import TextDataset
from dl.text.tokens import prepare_text

TASK = "text"
MODEL_FILE = "model.keras"
CLASSES_FILE = "classes.json"


@dataclass
class TrainedTextClassifier:
    """A trained text classifier and what the Results, Predict and Export tabs need.

    ``test_indices`` index ``working_set(dataset, config)``, the texts the model was trained on.
    ``model_or_loader``: the Keras model, or for a cache hit a ``dl.task.StoredModel`` that loads it
    the first time ``model`` is read (Results shows the stored metrics without TensorFlow).
    """

    model_or_loader: Any
    class_names: list[str]
    config: TextClassifierConfig
    metrics: dict[str, Any]
    history: list[dict[str, float]]
    test_indices: np.ndarray
    path: Path
    from_cache: bool
    meta: dict[str, Any] = field(default_factory=dict)  # the store entry's meta.json
    notes: list[str] = field(default_factory=list)
    _baseline: BaselineModel | None = field(default=None, repr=False)

    @property
    def model(self) -> Any:
        """The Keras model, loaded from the store on first use after a cache hit."""
        source = self.model_or_loader
        return source.get() if isinstance(source, StoredModel) else source

    @property
    def baseline(self) -> BaselineModel:
        """The TF-IDF + logistic-regression baseline trained on the same split (DataError for a model
        stored before baselines were kept); read once, then kept."""
        if self._baseline is None:
            self._baseline = load_baseline(self.path)
        return self._baseline

    @property
    def has_baseline(self) -> bool:
        return (self.path / BASELINE_FILE).is_file()

    def predict_baseline(self, texts: list[str]) -> np.ndarray:
        """(n, classes) probabilities from the baseline, texts prepared and cut as for the network."""
        return self.baseline.probabilities([prepare_text(text[:LIMITS.text_chars]) for text in texts])

    def coverage(self, texts: list[str]) -> Coverage:
        """How much of ``texts`` the model's vocabulary knows (a table from another language or domain)."""
        return vocabulary_coverage(self.model.get_layer("vectorizer").get_vocabulary(), texts)

    def predict(self, texts: list[str]) -> np.ndarray:
        """(n, classes) probabilities for raw texts, each cut at ``LIMITS.text_chars`` as in training
        (a labelled table's million-character cell would otherwise be prepared character by character)."""
        from dl.text.models import class_probabilities

        return class_probabilities(self.model, [prepare_text(text[:LIMITS.text_chars]) for text in texts])


def working_set(dataset: TextDataset, config: TextClassifierConfig) -> TextDataset:
    """The texts a config trains on: all of them, or a stratified sample of ``max_texts``."""
    return dataset.subset(config.max_texts, config.seed)


def model_key(config: TextClassifierConfig, dataset: TextDataset) -> str:
    return task_key(TASK, config, dataset.fingerprint())


def stored_text_classifier(store: ModelStore, config: TextClassifierConfig, dataset: TextDataset,
                           resume: Resume | None = None):
    """The store entry for this config on this data (or resumed run), read without TensorFlow (None if not trained)."""
    return stored_meta(store, TASK, config, dataset.fingerprint(), resume)


def train_text_classifier(config: TextClassifierConfig, dataset: TextDataset, reporter: ProgressReporter,
                          store: ModelStore, resume: Resume | None = None) -> TrainedTextClassifier:
    """Train ``config`` on ``dataset`` (or load it from ``store``); see the module docstring. ``resume``:
    continue that stored run (its weights, vocabulary and optimizer state) for ``resume.epochs`` more epochs."""
    config.validate()
    working = working_set(dataset, config)

    fitted_baseline: dict[str, Any] = {}  # fit() puts the baseline here; save() writes it beside the model

    def fit(reporter: ProgressReporter) -> Fitted[Any]:
        reporter.say("loading_tensorflow")
        import keras

        from dl.device import tensorflow_strategy
        from dl.text.models import (
            build_model,
            build_vectorizer,
            class_probabilities,
            is_binary,
            make_optimizer,
            text_batches,
        )

        strategy = tensorflow_strategy()  # first: a multi-worker strategy must exist before any TF op
        keras.utils.set_random_seed(config.seed)
        train, validation, test = split_indices(working.labels, config.test_split, config.validation_split, config.seed)
        reporter.say("tokenizing")
        prepared = np.array([prepare_text(text) for text in working.texts], dtype=object)
        first_epoch = resume.epochs_done if resume else 0
        epochs = first_epoch + resume.epochs if resume else config.epochs
        with strategy.scope():
            if resume is not None:  # the saved model (its vocabulary inside) with its optimizer's state
                model = load_model_folder(resume.entry.path)
                vocabulary_size = int(resume.entry.meta["metrics"]["vocabulary"])
            else:
                vocabulary = replace(config, vocabulary_size=config.vocabulary_for(len(train)))
                vectorizer = build_vectorizer(vocabulary, list(prepared[train]), config.ngrams_for(working.chinese))
                model = build_model(config, vectorizer, working.num_classes)
                model.compile(optimizer=make_optimizer(config.optimizer, config.learning_rate),
                              loss="binary_crossentropy" if is_binary(model) else "sparse_categorical_crossentropy",
                              metrics=["accuracy"])
                vocabulary_size = int(vectorizer.vocabulary_size())
        callbacks = [keras_progress_callback(reporter, epochs)]
        validation_data = None
        if len(validation):
            validation_data = text_batches(list(prepared[validation]), working.labels[validation], config.batch_size, False)
        if config.early_stopping and len(validation):
            plan = plan_stopping(len(train), config.batch_size, config.patience, config.epochs)
            # first, so the progress callback after it sees val_macro_f1 in the epoch's logs
            callbacks.insert(0, macro_f1_stopping(lambda: class_probabilities(model, list(prepared[validation])),
                                                  working.labels[validation], working.num_classes, plan))
        weighted = config.weights_on(working.labels[train], working.num_classes)
        class_weight = balanced_class_weights(working.labels[train], working.num_classes) if weighted else None
        reporter.say("")
        started = time.perf_counter()
        train_data = text_batches(list(prepared[train]), working.labels[train], config.batch_size, True, config.seed)
        fitted = model.fit(train_data, validation_data=validation_data, epochs=epochs, initial_epoch=first_epoch,
                           callbacks=callbacks, shuffle=False, verbose=0,
                           class_weight=class_weight)  # the pipeline reshuffles every epoch
        fit_seconds = time.perf_counter() - started
        reporter.check_cancelled()
        reporter.say("evaluating")
        probabilities = class_probabilities(model, list(prepared[test]))
        metrics = classification_metrics(working.labels[test], probabilities, working.num_classes)
        metrics["macro_f1"] = macro_f1(metrics)
        metrics["balanced_accuracy"] = balanced_accuracy(metrics)
        metrics["majority"] = majority_baseline(working.labels[test], working.num_classes)
        metrics["class_weights"] = weighted
        metrics.update(fit_seconds=round(fit_seconds, 3), train_texts=int(len(train)), epochs_run=len(fitted.history["loss"]),
                       vocabulary=vocabulary_size, ngrams=config.ngrams_for(working.chinese))
        metrics["baseline"], pipeline = baseline_metrics(list(prepared[train]), working.labels[train], list(prepared[test]),
                                                         working.labels[test], working.num_classes, weighted)
        fitted_baseline["document"] = baseline_document(pipeline, list(working.class_names))
        extra = {"class_names": list(working.class_names), "test_indices": [int(index) for index in test],
                 "chinese": working.chinese, "kind": config.model}
        return Fitted(model, metrics, history_rows(fitted.history), extra)

    def save(model: Any, folder: Path) -> None:
        model.save(folder / MODEL_FILE)
        (folder / CLASSES_FILE).write_text(json.dumps(list(working.class_names), ensure_ascii=False))
        (folder / BASELINE_FILE).write_text(json.dumps(fitted_baseline["document"], ensure_ascii=False), encoding="utf-8")

    result = train_or_load(TASK, config, dataset.fingerprint(), fit, save, load_model_folder, reporter, store,
                           {**working.summary(), "source": dataset.source}, defer_load=True, resume=resume)
    meta = result.meta
    return TrainedTextClassifier(result.model, list(meta["class_names"]), config, meta["metrics"], meta["history"],
                                 np.asarray(meta["test_indices"], dtype=np.int64), result.path, result.from_cache,
                                 meta, result.notes)


def load_model_folder(folder: Path) -> Any:
    """The Keras model of a store entry or an unzipped export (``safe_mode=True``)."""
    import keras

    return keras.models.load_model(Path(folder) / MODEL_FILE, safe_mode=True)


def load_text_classifier(path: Path | str) -> tuple[Any, list[str]]:
    """(model, class names) from a model folder, its model.keras, or an unzipped export."""
    path = Path(path)
    folder = path if path.is_dir() else path.parent
    if not (folder / MODEL_FILE).is_file():
        raise DataError(f"{path} is not a text classifier folder (no {MODEL_FILE} in it).")
    check_model_file((folder / MODEL_FILE).read_bytes(), str(folder / MODEL_FILE))
    try:
        model = load_model_folder(folder)
        names = json.loads((folder / CLASSES_FILE).read_text())
    except Exception as error:  # noqa: BLE001 - a broken or foreign file: say so, no traceback
        raise DataError(f"{folder / MODEL_FILE} could not be loaded as a text classifier ({error}).") from None
    outputs = int(model.output_shape[-1])
    if len(names) != (2 if outputs == 1 else outputs):
        raise DataError(f"{folder}: {CLASSES_FILE} names {len(names)} classes but the model has {outputs} outputs.")
    return model, [str(name) for name in names]
