"""Every run of a task in the model store, as rows to compare.

A run is a store entry: its ``meta.json`` already holds when it was trained, on which data, with which
settings, its metrics, its per-epoch history and its training time. This module reads those files
(never a model, so no framework loads) and turns them into a table, a CSV, and curves to overlay.

On a shared server (``DL_HOSTED=1``) a visitor sees the runs on built-in data and their own runs
(``own_keys``: trained in their session or opened from their project file), never a model trained on
another visitor's upload: ``visible_runs`` applies that rule, and ``hosted_mode`` reads the setting.
"""

from __future__ import annotations

import csv
import io
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from dl.store import ModelStore, StoreEntry

HOSTED_SETTING = "DL_HOSTED"
TRUE_WORDS = {"1", "true", "yes", "on"}


def hosted_mode() -> bool:
    """True when ``DL_HOSTED`` says this app is shared by strangers (the Dockerfile sets it)."""
    return os.environ.get(HOSTED_SETTING, "").strip().lower() in TRUE_WORDS


@dataclass(frozen=True)
class Run:
    """One store entry as the run list shows it."""

    key: str
    task: str
    created: float | None
    data_source: str
    data_fingerprint: str
    builtin: bool
    config: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    train_seconds: float | None = None
    history: list[dict[str, float]] = field(default_factory=list)
    resumed_from: str | None = None  # the store key of the run this one went on from (``--project``)
    more_epochs: int = 0

    @classmethod
    def from_entry(cls, entry: StoreEntry) -> Run:
        meta, data = entry.meta, entry.meta.get("data", {})
        created = meta.get("created")
        seconds = meta.get("train_seconds")
        return cls(
            key=entry.key,
            task=str(meta.get("task", "?")),
            created=float(created) if isinstance(created, (int, float)) else None,
            data_source=str(data.get("source") or "?"),
            data_fingerprint=str(data.get("fingerprint") or ""),
            builtin=data.get("builtin") is True,  # entries older than the flag count as uploads: never shown to strangers
            config=dict(meta.get("config") or {}),
            metrics=dict(meta.get("metrics") or {}),
            train_seconds=float(seconds) if isinstance(seconds, (int, float)) else None,
            history=list(meta.get("history") or []),
            resumed_from=meta.get("resumed_from"),
            more_epochs=int(meta.get("more_epochs") or 0),
        )

    def resume(self) -> Any:
        """The ``dl.task.Resume`` that made this run (its key needs only the parent's key), or None."""
        if not self.resumed_from:
            return None
        from pathlib import Path

        from dl.task import Resume

        return Resume(StoreEntry(self.resumed_from, Path(self.resumed_from), {}), self.more_epochs)

    @property
    def when(self) -> str:
        return time.strftime("%Y-%m-%d %H:%M", time.localtime(self.created)) if self.created else "?"

    def number(self, metric: str) -> float | None:
        """A top-level metric as a float (nested ones such as the baseline's are not compared)."""
        value = self.metrics.get(metric)
        return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def list_runs(store: ModelStore, tasks: Iterable[str]) -> list[Run]:
    """Every readable run of ``tasks`` in ``store``, newest first."""
    wanted = set(tasks)
    runs = [Run.from_entry(entry) for entry in store.entries() if entry.meta.get("task") in wanted]
    return sorted(runs, key=lambda run: run.created or 0.0, reverse=True)


def visible_runs(runs: Iterable[Run], *, hosted: bool, own_keys: Iterable[str] = ()) -> list[Run]:
    """All runs on a local install; on a hosted one, runs on built-in data and the visitor's own."""
    if not hosted:
        return list(runs)
    own = set(own_keys)
    return [run for run in runs if run.builtin or run.key in own]


def varying_settings(runs: list[Run]) -> list[str]:
    """The settings that differ between ``runs`` (all of them for a single run), in config order."""
    names: list[str] = []
    for run in runs:
        names.extend(name for name in run.config if name not in names)
    if len(runs) < 2:
        return names
    return [name for name in names if len({setting_cell(run.config.get(name)) for run in runs}) > 1]


def number_metrics(runs: list[Run]) -> list[str]:
    """Metric names that are a number in at least one run, in first-seen order."""
    names: list[str] = []
    for run in runs:
        names.extend(name for name in run.metrics if name not in names and run.number(name) is not None)
    return names


def curve_metrics(runs: list[Run]) -> list[str]:
    """History columns (besides the epoch) that at least one run recorded."""
    names: list[str] = []
    for run in runs:
        for row in run.history:
            names.extend(name for name in row if name != "epoch" and name not in names)
    return names


def curve_points(runs: list[Run], metric: str) -> list[dict[str, Any]]:
    """Long-format points ``{run, epoch, value}`` of one history column, for overlaid curves."""
    points = []
    for run in runs:
        for index, row in enumerate(run.history):
            value = row.get(metric)
            if isinstance(value, (int, float)):
                points.append({"run": run.key, "epoch": int(row.get("epoch", index + 1)), "value": float(value)})
    return points


def table_rows(runs: list[Run], settings: list[str], metrics: list[str]) -> list[dict[str, Any]]:
    """One dict per run: key, when, data, the given settings and metrics, training seconds."""
    rows = []
    for run in runs:
        row: dict[str, Any] = {"key": run.key, "when": run.when, "data": run.data_source}
        row.update({name: setting_cell(run.config.get(name)) for name in settings})
        row.update({name: run.metrics.get(name) if run.number(name) is not None else None for name in metrics})
        row["train_seconds"] = run.train_seconds
        rows.append(row)
    return rows


def runs_csv(runs: list[Run]) -> bytes:
    """Every setting and number metric of ``runs`` as CSV (UTF-8 with a BOM, so Excel reads Chinese)."""
    settings = list(dict.fromkeys(name for run in runs for name in run.config))
    rows = table_rows(runs, settings, number_metrics(runs))
    for row, run in zip(rows, runs, strict=True):
        row["task"] = run.task
        row["data_fingerprint"] = run.data_fingerprint
    buffer = io.StringIO()
    columns = list(rows[0]) if rows else ["key", "when", "data", "train_seconds"]
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def setting_cell(value: Any) -> Any:
    """A setting as one table cell: lists and dicts as short text, numbers and text as they are."""
    if isinstance(value, (list, tuple)):
        return ", ".join(str(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{name}={item}" for name, item in value.items())
    return value
