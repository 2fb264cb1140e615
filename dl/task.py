"""One training contract for every task: train or load through the model store, one meta.json shape.

A task supplies three functions and calls ``train_or_load``::

    fit(reporter) -> Fitted(model, metrics, history, extra)   # trains; reports progress; may be cancelled
    save(model, folder)                                       # writes the model files into a fresh folder
    load(folder) -> model                                     # reads them back (safe loaders only)

``train_or_load`` keys the store by (task, config, data fingerprint), loads a cached entry when
there is one, otherwise runs ``fit``, refuses to store a cancelled run, and writes ``meta.json``
with the same fields for every task: ``task``, ``config``, ``metrics``, ``history``, ``data`` plus
the task's ``extra`` (class names, test indices, vocabulary size, ...). ``stored_meta`` reads that
file without loading any framework, which is how a CLI cache hit stays well under a second.
With ``defer_load=True`` a cache hit returns a ``StoredModel`` in place of the model: the page shows
the stored metrics and charts at once, and the framework loads when the model is first used.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from dl.config import config_to_dict
from dl.data.errors import DataError
from dl.device import is_chief_process
from dl.notes import Note
from dl.store import BrokenEntryError, ModelStore, StoreEntry, make_key

ModelT = TypeVar("ModelT")


@dataclass
class Fitted(Generic[ModelT]):
    """What a task's ``fit`` returns: the model and what ``meta.json`` records about it."""

    model: ModelT
    metrics: dict[str, Any]
    history: list[dict[str, float]] = field(default_factory=list)  # one row per epoch
    extra: dict[str, Any] = field(default_factory=dict)  # task-specific meta (class names, ...)


@dataclass
class TaskResult(Generic[ModelT]):
    """A trained or cached model with its ``meta.json`` and the store folder it lives in."""

    model: ModelT
    meta: dict[str, Any]
    path: Path
    from_cache: bool
    notes: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.path.name

    @property
    def metrics(self) -> dict[str, Any]:
        return self.meta.get("metrics", {})

    @property
    def history(self) -> list[dict[str, float]]:
        return self.meta.get("history", [])


@dataclass(frozen=True)
class Resume:
    """Continue a stored run for ``epochs`` more epochs (``python -m dl train TASK --project P --epochs N``).

    The task's ``fit`` loads the run's model with its optimizer state and trains on from the epoch it
    stopped at; ``train_or_load`` stores the result under a key of its own (the run's key and the extra
    epochs join the settings in the hash), with the run's history in front of the new epochs.
    """

    entry: StoreEntry
    epochs: int

    @property
    def history(self) -> list[dict[str, float]]:
        return list(self.entry.meta.get("history", []))

    @property
    def epochs_done(self) -> int:
        return len(self.history)

    def key_part(self) -> dict[str, Any]:
        return {"resumed_from": self.entry.key, "more_epochs": self.epochs}

    def continue_history(self, new_rows: list[dict[str, float]]) -> list[dict[str, float]]:
        """The run's rows, then the new ones numbered on from its last epoch."""
        done = self.epochs_done
        return [*self.history, *({**row, "epoch": done + index + 1} for index, row in enumerate(new_rows))]


class StoredModelUnreadable(DataError):
    """A cached model that passed the store's checks could not be loaded when it was first used."""


class StoredModel:
    """A model in the store that is loaded the first time ``get()`` is called (once, thread-safe).

    A cache hit then costs reading meta.json, not importing TensorFlow and rebuilding the network.
    If the files cannot be loaded after all (e.g. written by an incompatible Keras), the entry is
    moved aside and ``StoredModelUnreadable`` says to train again, as an eager load would have.
    """

    def __init__(self, load: Callable[[Path], Any], folder: Path, store: ModelStore):
        self.folder = folder
        self._load, self._store = load, store
        self._model: Any = None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def get(self) -> Any:
        with self._lock:
            if self._model is None:
                try:
                    self._model = self._load(self.folder)
                except Exception as error:  # noqa: BLE001 - any failure: the entry is unusable, retrain it
                    self._store.move_aside(self.folder.name)
                    raise StoredModelUnreadable(
                        f"The stored model in {self.folder} could not be loaded ({error}); it was moved aside. "
                        "Train again to rebuild it.", "stored_model_unreadable", reason=str(error)) from error
            return self._model


def task_key(task: str, config: Any, data_fingerprint: str, resume: Resume | None = None) -> str:
    """The store key of ``config`` (a config dataclass) trained for ``task`` on this data (or resumed)."""
    values = config_to_dict(config)
    return make_key(task, {**values, **resume.key_part()} if resume else values, data_fingerprint)


def train_or_load(
    task: str,
    config: Any,
    data_fingerprint: str,
    fit: Callable[[Any], Fitted[ModelT]],
    save: Callable[[ModelT, Path], None],
    load: Callable[[Path], ModelT],
    reporter: Any,
    store: ModelStore,
    data_summary: dict[str, Any] | None = None,
    defer_load: bool = False,
    resume: Resume | None = None,
) -> TaskResult[ModelT]:
    """Load the model of (task, config, data) from ``store``, or ``fit`` it and store it.

    ``reporter`` is the job's ``dl.jobs.ProgressReporter``; a run cancelled during ``fit`` raises
    ``JobCancelled`` here, before anything is written. ``data_summary`` (source, rows, ...) is
    recorded under ``meta["data"]`` next to the fingerprint. ``defer_load``: on a cache hit the
    result's ``model`` is a ``StoredModel`` (``load`` runs on its first ``get()``). ``resume``: ``fit``
    continues that run (the task's fit reads it too); the history joins on to the run's.
    """
    key = task_key(task, config, data_fingerprint, resume)
    if defer_load and is_chief_process():
        entry = stored_meta_by_key(store, key)
        if entry is not None:
            return TaskResult(model=StoredModel(load, entry.path, store), meta=entry.meta, path=entry.path,
                              from_cache=True)

    def train() -> tuple[ModelT, dict[str, Any]]:
        started = time.perf_counter()
        fitted = fit(reporter)
        reporter.check_cancelled()  # a cancelled run is never cached
        history, metrics = fitted.history, fitted.metrics
        if resume is not None:
            history = resume.continue_history(history)
            metrics = {**metrics, "epochs_run": len(history)}
        meta = {
            "train_seconds": round(time.perf_counter() - started, 2),
            "task": task,
            "config": config_to_dict(config),
            "metrics": metrics,
            "history": history,
            "data": {**(data_summary or {}), "fingerprint": data_fingerprint},
            **({"resumed_from": resume.entry.key, "more_epochs": resume.epochs} if resume else {}),
            **fitted.extra,
        }
        return fitted.model, meta

    if not is_chief_process():
        return _train_or_load_as_helper(store, key, train, save, load)
    result = store.get_or_train(key, train, save, load)
    return TaskResult(model=result.model, meta=result.entry.meta, path=result.entry.path,
                      from_cache=result.from_cache, notes=list(result.notes))


def _train_or_load_as_helper(
    store: ModelStore,
    key: str,
    train: Callable[[], tuple[ModelT, dict[str, Any]]],
    save: Callable[[ModelT, Path], None],
    load: Callable[[Path], ModelT],
) -> TaskResult[ModelT]:
    """A non-chief process of a distributed run (TF_CONFIG worker > 0, torchrun rank > 0).

    It reads the shared store but never writes it: the chief writes the entry. It still trains
    (every worker must take part in each step) and saves its copy into a temporary folder of its
    own, because MultiWorkerMirroredStrategy expects every worker to call ``model.save``.
    """
    entry = stored_meta_by_key(store, key)
    if entry is not None:  # the chief finds the same entry and does not train either
        return TaskResult(model=load(entry.path), meta=entry.meta, path=entry.path, from_cache=True)
    model, meta = train()
    entry = store.put_uncached(key, lambda folder: save(model, folder), meta)
    note = Note("not_chief", folder=str(entry.path))
    return TaskResult(model=model, meta=entry.meta, path=entry.path, from_cache=False, notes=[note])


def stored_meta(store: ModelStore, task: str, config: Any, data_fingerprint: str, resume: Resume | None = None) -> StoreEntry | None:
    """The verified store entry of (task, config, data) without loading its model, or None.

    A broken entry also gives None: training then moves it aside and retrains.
    """
    return stored_meta_by_key(store, task_key(task, config, data_fingerprint, resume))


def stored_meta_by_key(store: ModelStore, key: str) -> StoreEntry | None:
    """``stored_meta`` for a key already computed."""
    try:
        return store.get(key)
    except BrokenEntryError:
        return None


def history_rows(history: dict[str, list[float]]) -> list[dict[str, float]]:
    """Keras' ``History.history`` (metric -> values) as one row per epoch.

    The learning rate (logged by ReduceLROnPlateau) is left out: it is a setting, not a metric,
    and would share the metric axis of the curves.
    """
    kept = {name: values for name, values in history.items() if name != "learning_rate"}
    epochs = len(next(iter(kept.values()), []))
    return [{"epoch": epoch + 1, **{name: float(values[epoch]) for name, values in kept.items()}} for epoch in range(epochs)]
