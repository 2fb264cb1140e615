"""What the command line shows a person: no framework noise, a progress bar, a short summary.

Three pieces, used by ``dl/__main__.py`` and every task's ``cli.py``:

* ``quiet_frameworks`` sets the log levels of TensorFlow, absl, transformers and Python warnings
  before anything imports a framework. TensorFlow 2.20 writes its start-up lines ("oneDNN custom
  operations are on", "Could not find cuda drivers", "failed call to cuInit") from C++ straight to
  file descriptor 2, whatever ``TF_CPP_MIN_LOG_LEVEL`` says, so ``native_stderr_to_devnull`` points
  descriptor 2 at /dev/null and keeps Python's ``sys.stderr`` on a copy of the real one: our own
  messages still show, native chatter does not. ``--verbose`` skips both.
* ``TrainingProgress`` listens to a job (``dl.jobs.run_inline(..., listener=...)``) and draws a
  tqdm bar over all batches of all epochs (loss, ETA) with one line per finished epoch, or, for
  ``--json``, writes one JSON line per status change and per epoch to stderr, keeping stdout for
  the single result line.
* ``print_summary`` prints the result for a person: a headline and aligned ``label  value`` rows.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from dl.jobs import Progress

# Environment read by the frameworks when they are imported (so set before): quiet but not blind,
# errors still reach Python as exceptions.
QUIET_ENVIRONMENT = {
    "TF_CPP_MIN_LOG_LEVEL": "3",  # C++ logs below FATAL (what TensorFlow still honours)
    "TRANSFORMERS_VERBOSITY": "error",  # no "Some weights were not initialized" notices
    "TRANSFORMERS_NO_ADVISORY_WARNINGS": "1",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",  # the bar is ours
    "TOKENIZERS_PARALLELISM": "false",  # silences the fork warning of the Rust tokenizers
}

VERBOSE_HINT = "run again with --verbose to see the full traceback and the frameworks' logs"


def quiet_frameworks() -> None:
    """Set the frameworks' log levels and hide Python warnings; call before importing them."""
    for name, value in QUIET_ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    warnings.filterwarnings("ignore")
    logging.getLogger().setLevel(logging.ERROR)
    for name in ("tensorflow", "absl", "keras", "transformers", "torch", "h5py"):
        logging.getLogger(name).setLevel(logging.ERROR)


def native_stderr_to_devnull() -> None:
    """Send what C/C++ code writes to descriptor 2 to /dev/null; Python's ``sys.stderr`` keeps
    writing to the terminal through a duplicate of the original descriptor.

    Only for a whole ``python -m dl`` process: a test runner that captures descriptor 2 would lose
    its capture, so ``main()`` called from tests leaves it alone.
    """
    try:
        sys.stderr.flush()
        terminal = os.dup(2)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
    except OSError:  # no descriptor 2 (e.g. a detached process): nothing to hide
        return
    encoding = getattr(sys.stderr, "encoding", None) or "utf-8"
    sys.stderr = os.fdopen(terminal, "w", buffering=1, encoding=encoding, errors="backslashreplace")


def format_number(value: float) -> str:
    """Losses and metrics as people read them: 4 significant digits."""
    return f"{value:.4g}"


class TrainingProgress:
    """A job listener that shows training progress on ``stream`` (stderr).

    Human mode: status lines ("loading TensorFlow…"), a tqdm bar over every batch of every epoch
    when the stream is a terminal, and one line per finished epoch. JSON mode: one JSON object per
    status change and per finished epoch, nothing else.
    """

    def __init__(self, json_lines: bool = False, stream: TextIO | None = None):
        self.json_lines = json_lines
        self.stream = stream or sys.stderr
        self._bar: Any = None
        self._position: tuple[int, ...] = ()  # (epochs, steps, epoch, step) last drawn
        self._closed_at: tuple[int, ...] = ()  # the position when a status line closed the bar
        self._last_message = ""
        self._phase_name = ""  # a status line given after training started names a one-pass phase
        self._interactive = bool(getattr(self.stream, "isatty", lambda: False)())

    def __call__(self, progress: Progress, epoch_row: dict[str, float] | None) -> None:
        if progress.message and progress.message != self._last_message:
            self._last_message = progress.message
            self._phase_name = progress.message.rstrip("…. ") if progress.epochs else ""
            self.close()  # a status line starts a new phase (features, then the head; training, then scoring)
            self._emit({"status": progress.status, "message": progress.message}, progress.message)
        if epoch_row is not None:
            self._emit({"epoch": int(epoch_row["epoch"]), "epochs": progress.epochs,
                        **{name: value for name, value in epoch_row.items() if name != "epoch"}},
                       epoch_line(epoch_row, progress.epochs))
        elif progress.epochs and self._interactive and not self.json_lines:
            self._draw_bar(progress)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
            self._closed_at = self._position

    def _emit(self, record: dict[str, Any], text: str) -> None:
        if self.json_lines:
            print(json.dumps(record, ensure_ascii=False, default=str), file=self.stream, flush=True)
        elif self._bar is not None:
            self._bar.write(text, file=self.stream)
        else:
            print(text, file=self.stream, flush=True)

    def _draw_bar(self, progress: Progress) -> None:
        from tqdm import tqdm

        position = (progress.epochs, progress.steps, progress.epoch, progress.step)
        if self._bar is None and position == self._closed_at:
            return  # the phase that bar showed is over (e.g. scoring after the last epoch)
        self._position = position
        total = progress.epochs * progress.steps if progress.steps else progress.epochs
        done = (max(progress.epoch - 1, 0) * progress.steps + progress.step) if progress.steps else max(progress.epoch - 1, 0)
        if self._bar is None:
            self._bar = tqdm(total=total, file=self.stream, unit="batch" if progress.steps else "epoch",
                             desc=self._phase(progress), dynamic_ncols=True, leave=False,
                             mininterval=0.2)
        if self._bar.total != total:
            self._bar.total = total
        self._bar.set_description(self._phase(progress), refresh=False)
        if progress.loss is not None:
            self._bar.set_postfix(loss=format_number(progress.loss), refresh=False)
        self._bar.update(max(0, min(done, total) - self._bar.n))


    def _phase(self, progress: Progress) -> str:
        """``epoch 2/10``, or the status line for one-pass work such as extracting features."""
        if progress.epochs == 1 and self._phase_name:
            return self._phase_name
        return f"epoch {progress.epoch}/{progress.epochs}"


def epoch_line(row: dict[str, float], epochs: int) -> str:
    """``epoch 3/10  loss 0.7999  accuracy 0.7375  val_loss 0.2995`` (keys in the job's order)."""
    values = "  ".join(f"{name} {format_number(value)}" for name, value in row.items() if name != "epoch")
    return f"epoch {int(row['epoch'])}/{epochs}  {values}" if epochs else f"epoch {int(row['epoch'])}  {values}"


def print_summary(headline: str, rows: Sequence[tuple[str, Any]], stream: TextIO | None = None) -> None:
    """A headline, then ``label  value`` rows aligned on the labels (rows whose value is None are left out)."""
    stream = stream or sys.stdout
    shown = [(label, value) for label, value in rows if value is not None]
    width = max((len(label) for label, _ in shown), default=0)
    print(headline, file=stream)
    for label, value in shown:
        print(f"  {label.ljust(width)}  {value}", file=stream)


def percent(value: float | None) -> str | None:
    return None if value is None else f"{100 * value:.1f} %"


def seconds(value: float) -> str:
    return f"{value:.1f} s" if value < 90 else f"{value / 60:.1f} min"


def train_with_progress(work: Callable[[Any], Any], name: str, json_lines: bool) -> Any:
    """``dl.jobs.run_inline(work)`` with a ``TrainingProgress`` on stderr, the bar closed after."""
    from dl.jobs import run_inline

    progress = TrainingProgress(json_lines=json_lines)
    try:
        return run_inline(work, name=name, listener=progress)
    finally:
        progress.close()


def report_training(args: Any, result: dict[str, Any], what: str, rows: Sequence[tuple[str, Any]], started: float,
                    notes: Sequence[str] = ()) -> None:
    """Print a train command's result: one JSON line with ``--json``, else a summary for people.

    ``what`` names the model and data ("seed CNN on digits"); ``rows`` are the task's own figures;
    the model path and the time (and whether the cache answered) are added here. ``notes`` (e.g.
    "the cache cannot be written") go to stderr, or into the JSON as ``notes``.
    """
    elapsed = time.perf_counter() - started
    result = {**result, "seconds": round(elapsed, 2), **({"notes": list(notes)} if notes else {})}
    if not args.json:
        for note in notes:
            print(f"note: {note}", file=sys.stderr)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, default=str))
        return
    if result.get("from_cache"):
        trained = result.get("train_seconds")
        earlier = f" (training took {seconds(trained)})" if trained else ""
        headline = f"{what}: answered from the model cache in {seconds(elapsed)}{earlier}."
    else:
        headline = f"{what}: trained in {seconds(elapsed)}."
    print_summary(headline, [*rows, ("model", result.get("model"))])
