"""Background training jobs with progress events, cancel and a process-wide registry.

A job runs ``work(reporter)`` in a daemon thread. The work reports through its ``ProgressReporter``
(``start_epoch``, ``end_batch``, ``end_epoch``, ``say``) and calls ``reporter.check_cancelled()``
or uses ``keras_progress_callback(reporter)``, which both stop at the next batch after
``job.cancel()``. The registry keys jobs by the caller's key (usually the model-store key), so a
browser session that leaves a page and comes back, or a second session asking for the same model,
finds the same job instead of starting another. A semaphore bounds how many jobs train at once;
the others wait with status ``queued`` and say so.
"""

from __future__ import annotations

import os
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from dl.data.errors import DataError

QUEUED, RUNNING, DONE, FAILED, CANCELLED = "queued", "running", "done", "failed", "cancelled"
FINISHED_STATES = (DONE, FAILED, CANCELLED)


class JobCancelled(Exception):
    """Raised inside a job's work by ``check_cancelled`` once the job was cancelled."""


# Status lines a job's work can show, by code: the CLI prints the English text, pages translate the
# code (locales/*/jobs.json "message_<code>"), so a Chinese user never sees an English queue line.
STATUS_MESSAGES = {
    "loading_tensorflow": "loading TensorFlow…",
    "loading_efficientnet": "loading EfficientNet-Lite0…",
    "preparing_images": "preparing images…",
    "extracting_features": "extracting features from the photos…",
    "training_head": "training the head…",
    "evaluating": "scoring the held-out data…",
    "tokenizing": "building the vocabulary…",
    "reading_frozen_layers": "reading every sentence through the frozen lower layers once…",
    "loading_transformers": "loading PyTorch and the pretrained model…",
    "waiting_for_slot": "Waiting for another training job to finish.",
}


@dataclass(frozen=True)
class Progress:
    """One snapshot of a job's progress; every field a page needs to draw its bar and text."""

    status: str = QUEUED
    message: str = ""  # English, for the CLI and logs
    message_code: str = ""  # the STATUS_MESSAGES code of ``message`` ("" for free text or none)
    epoch: int = 0  # 1-based epoch in progress (0 = not started)
    epochs: int = 0
    step: int = 0  # batches done in the current epoch
    steps: int = 0  # batches per epoch (0 = unknown)
    loss: float | None = None
    metrics: dict[str, float] = field(default_factory=dict)
    elapsed_seconds: float = 0.0
    eta_seconds: float | None = None
    training_ended: bool = False  # the last epoch ran (early stopping may end before ``epochs``)

    @property
    def stopped_early(self) -> bool:
        return self.training_ended and 0 < self.epoch < self.epochs

    @property
    def fraction(self) -> float:
        """Overall completion in [0, 1], counting finished batches across epochs."""
        if self.status == DONE or self.training_ended:
            return 1.0
        if self.epochs <= 0:
            return 0.0
        within = self.step / self.steps if self.steps else 0.0
        return min(1.0, max(0.0, (max(self.epoch - 1, 0) + within) / self.epochs))


class ProgressReporter:
    """Handed to a job's work; turns its calls into Progress snapshots and history rows."""

    def __init__(self, job: Job):
        self._job = job

    @property
    def cancelled(self) -> bool:
        return self._job._cancel_event.is_set()

    def check_cancelled(self) -> None:
        if self.cancelled:
            raise JobCancelled()

    def say(self, message: str) -> None:
        """Show a status line without changing counters: a STATUS_MESSAGES code such as
        ``"loading_tensorflow"`` (pages translate it), other text as is, or "" to clear it."""
        code = message if message in STATUS_MESSAGES else ""
        self._job._update(message=STATUS_MESSAGES.get(message, message), message_code=code)

    def start_training(self, epochs: int, steps_per_epoch: int = 0) -> None:
        """The first batch is next: a "loading …" status line is over (it stayed up through a whole
        BERT fine-tune before); any other line stays until the work replaces it."""
        changes: dict[str, Any] = {"epochs": epochs, "steps": steps_per_epoch, "epoch": 1, "step": 0, "training_ended": False}
        if self._job.progress.message_code.startswith("loading_"):
            changes.update(message="", message_code="")
        self._job._training_started_at = time.time()  # loading a framework or a model is not training
        self._job._first_batch_at = None
        self._job._update(**changes)

    def end_training(self) -> None:
        """No epoch follows (all ran, or early stopping ended the run): the bar is full and no time
        is left to count down, while the work may still score the held-out data."""
        self._job._update(training_ended=True)

    def start_epoch(self, epoch: int) -> None:
        """``epoch`` is 1-based."""
        self._job._update(epoch=epoch, step=0)

    def end_batch(self, step: int, loss: float | None = None, steps: int | None = None) -> None:
        """``step`` = batches finished in this epoch (1-based). Also the cancellation point."""
        changes: dict[str, Any] = {"step": step}
        if loss is not None:
            changes["loss"] = float(loss)
        if steps:
            changes["steps"] = steps
        self._job._update(**changes)
        self.check_cancelled()

    def end_epoch(self, epoch: int, metrics: dict[str, float]) -> None:
        """Record one history row (epoch plus every metric, e.g. loss, val_loss, accuracy)."""
        clean = {name: float(value) for name, value in metrics.items() if _is_number(value)}
        self._job._record_epoch(epoch, clean)

    def callback(self) -> Callable[..., None]:
        """A plain function ``(step, steps, loss, epoch=None)`` for hand-written loops."""

        def report(step: int, steps: int, loss: float | None = None, epoch: int | None = None) -> None:
            if epoch is not None and epoch != self._job.progress.epoch:
                self.start_epoch(epoch)
            self.end_batch(step, loss, steps)

        return report


class Job:
    """A unit of background work; read ``progress``, ``history``, ``result`` and ``error``."""

    def __init__(self, key: str, name: str, work: Callable[[ProgressReporter], Any],
                 listener: Callable[[Progress, dict[str, float] | None], None] | None = None):
        self.id = uuid.uuid4().hex[:12]
        self.key = key
        self.name = name
        self._work = work
        self._lock = threading.Lock()
        self._cancel_event = threading.Event()
        self._done_event = threading.Event()
        self._started_at: float | None = None
        self._training_started_at: float | None = None  # the ETA counts from here, not from loading
        self._first_batch_at: float | None = None  # when the first batch ended: the ETA's first timing
        self.created_at = time.time()
        self.progress = Progress(status=QUEUED)
        self.history: list[dict[str, float]] = []
        self.result: Any = None
        self.error: str | None = None  # a message fit to show a user
        self.data_error: DataError | None = None  # the user's input was refused: pages translate it
        self.error_details: str | None = None  # the traceback, for a details expander
        self.thread: threading.Thread | None = None
        # Called after every change with (progress, the new history row or None): the CLI's bar.
        self._listener = listener

    # ---------------------------------------------------------------- public
    @property
    def status(self) -> str:
        return self.progress.status

    @property
    def finished(self) -> bool:
        return self.status in FINISHED_STATES

    def cancel(self) -> None:
        """Ask the work to stop; it does at its next batch (a queued job never starts)."""
        self._cancel_event.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the job finished; return whether it did within ``timeout`` seconds."""
        return self._done_event.wait(timeout)

    def snapshot(self) -> tuple[Progress, list[dict[str, float]]]:
        """A consistent copy of (progress, history) for drawing."""
        with self._lock:
            return self.progress, list(self.history)

    # ---------------------------------------------------------------- internals
    def _update(self, epoch_row: dict[str, float] | None = None, **changes: Any) -> None:
        with self._lock:
            now = time.time()
            elapsed = now - self._started_at if self._started_at else 0.0
            progress = replace(self.progress, **changes, elapsed_seconds=elapsed)
            self.progress = replace(progress, eta_seconds=self._eta(progress, now))
        if self._listener is not None:
            self._listener(self.progress, epoch_row)

    def _eta(self, progress: Progress, now: float) -> float | None:
        """Seconds left. Until the first epoch ends: the time per batch x the batches left, timed on the
        first batch (so a 20,000-image run shows an estimate a moment after it starts, not after an
        epoch), then on the batches since it (the first one also traces the model's graph, which later
        ones skip). After an epoch: the time so far scaled by the fraction done (counting validation too)."""
        fraction = progress.fraction
        if not 0 < fraction < 1:
            return None
        started = self._training_started_at or self._started_at or now
        total_batches = progress.steps * progress.epochs
        done = (max(progress.epoch - 1, 0)) * progress.steps + progress.step
        if self.history or not progress.steps or done <= 0:
            return (now - started) * (1 - fraction) / fraction
        if self._first_batch_at is None:
            self._first_batch_at = now
        if done == 1 or now <= self._first_batch_at:
            per_batch = self._first_batch_at - started
        else:
            per_batch = (now - self._first_batch_at) / (done - 1)
        return per_batch * (total_batches - done)

    def _record_epoch(self, epoch: int, metrics: dict[str, float]) -> None:
        row = {"epoch": epoch, **metrics}
        with self._lock:
            self.history.append(row)
        self._update(epoch_row=row, epoch=epoch, metrics=metrics, loss=metrics.get("loss", self.progress.loss))

    def _run(self, slots: threading.Semaphore) -> None:
        if self._cancel_event.is_set():
            self._finish(CANCELLED, "Cancelled before it started.")
            return
        with slots:
            self._started_at = time.time()
            self._update(status=RUNNING, message="", message_code="")
            try:
                self.result = self._work(ProgressReporter(self))
            except JobCancelled:
                self._finish(CANCELLED, "Cancelled.")
            except DataError as error:
                self.error, self.data_error = str(error), error
                self._finish(FAILED, str(error))
            except Exception as error:  # noqa: BLE001 - a job's failure is shown, never lost
                self.error = f"{type(error).__name__}: {error}"
                self.error_details = traceback.format_exc()
                self._finish(FAILED, self.error)
            else:
                self._finish(CANCELLED if self._cancel_event.is_set() else DONE, "")

    def _finish(self, status: str, message: str) -> None:
        self._update(status=status, message=message, message_code="")
        self._done_event.set()


class JobRegistry:
    """Process-wide table of jobs by key, with a bound on how many run at once."""

    def __init__(self, max_concurrent: int = 1, keep_finished: int = 50):
        self.max_concurrent = max_concurrent
        self.keep_finished = keep_finished
        self._slots = threading.Semaphore(max_concurrent)
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def submit(self, key: str, work: Callable[[ProgressReporter], Any], name: str = "") -> Job:
        """Start ``work`` in the background under ``key``, or return the job already there.

        A job under the same key that is queued, running or done is returned as is (reattach);
        one that failed or was cancelled is replaced by a fresh start.
        """
        with self._lock:
            existing = self._jobs.get(key)
            if existing is not None and existing.status not in (FAILED, CANCELLED):
                return existing
            job = Job(key=key, name=name or key[:12], work=work)
            if self._running_count() >= self.max_concurrent:
                job._update(message=STATUS_MESSAGES["waiting_for_slot"], message_code="waiting_for_slot")
            self._jobs[key] = job
            self._prune()
        job.thread = threading.Thread(target=job._run, args=(self._slots,), name=f"job-{job.id}", daemon=True)
        job.thread.start()
        return job

    def get(self, key: str) -> Job | None:
        with self._lock:
            return self._jobs.get(key)

    def forget(self, key: str) -> None:
        """Drop a finished job from the table (e.g. after its result was stored)."""
        with self._lock:
            job = self._jobs.get(key)
            if job is not None and job.finished:
                del self._jobs[key]

    def _running_count(self) -> int:
        return sum(1 for job in self._jobs.values() if not job.finished)

    def _prune(self) -> None:
        finished = [job for job in self._jobs.values() if job.finished]
        for job in sorted(finished, key=lambda job: job.created_at)[: max(0, len(finished) - self.keep_finished)]:
            del self._jobs[job.key]


def default_max_concurrent_jobs() -> int:
    """``$DL_MAX_JOBS`` or 1: on 2 cores and a few GB, two trainings at once only slow both down."""
    try:
        return max(1, int(os.environ.get("DL_MAX_JOBS", "1")))
    except ValueError:
        return 1


_REGISTRY: JobRegistry | None = None
_REGISTRY_LOCK = threading.Lock()


def registry() -> JobRegistry:
    """The process-wide registry every browser session shares."""
    global _REGISTRY
    with _REGISTRY_LOCK:
        if _REGISTRY is None:
            _REGISTRY = JobRegistry(max_concurrent=default_max_concurrent_jobs())
        return _REGISTRY


def keras_progress_callback(reporter: ProgressReporter, epochs: int, steps_per_epoch: int = 0) -> Any:
    """A keras.callbacks.Callback that reports batches and epochs and stops at the next batch
    after the job is cancelled (Keras checks ``model.stop_training`` after every batch)."""
    import keras

    class _ReportProgress(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            reporter.start_training(epochs, steps_per_epoch or int(self.params.get("steps") or 0))

        def on_epoch_begin(self, epoch, logs=None):
            reporter.start_epoch(epoch + 1)

        def on_train_batch_end(self, batch, logs=None):
            loss = (logs or {}).get("loss")
            try:
                reporter.end_batch(batch + 1, float(loss) if loss is not None else None)
            except JobCancelled:
                self.model.stop_training = True

        def on_epoch_end(self, epoch, logs=None):
            if reporter.cancelled:  # a cut-short epoch's averages would mislead: leave it out
                self.model.stop_training = True
                return
            reporter.end_epoch(epoch + 1, dict(logs or {}))

        def on_train_end(self, logs=None):
            reporter.end_training()

    return _ReportProgress()


def _is_number(value: Any) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def run_inline(work: Callable[[ProgressReporter], Any], name: str = "inline",
               listener: Callable[[Progress, dict[str, float] | None], None] | None = None) -> Any:
    """Run ``work`` in this thread with a real reporter (CLI, notebooks, tests); errors propagate.
    ``listener(progress, epoch_row)`` sees every change (``dl.console.TrainingProgress`` draws it)."""
    job = Job(key=name, name=name, work=work, listener=listener)
    job._started_at = time.time()
    job._update(status=RUNNING)
    return work(ProgressReporter(job))
