"""The registry of datasets that ship inside installed packages (no network needed).

Each task module registers its loaders (``register_dataset``) when it is imported; the pages and
the CLI list and load them by name. A loader returns whatever its task needs (arrays, a
DataFrame); the registry only knows names, descriptions, the task and where the data comes from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dl.data.errors import DataError


@dataclass(frozen=True)
class DatasetInfo:
    name: str
    task: str
    description: str
    source: str
    load: Callable[[], Any] = field(repr=False, compare=False)
    license_note: str = ""


_DATASETS: dict[str, DatasetInfo] = {}


def register_dataset(info: DatasetInfo) -> DatasetInfo:
    """Add ``info`` to the registry (re-registering the same name replaces it)."""
    _DATASETS[info.name] = info
    return info


def dataset_names(task: str | None = None) -> list[str]:
    """Names of the registered datasets, optionally only those of one task."""
    return [name for name, info in _DATASETS.items() if task is None or info.task == task]


def get_dataset(name: str) -> DatasetInfo:
    """Look up a registered dataset, raising DataError with the known names when it is missing."""
    try:
        return _DATASETS[name]
    except KeyError:
        known = ", ".join(sorted(_DATASETS)) or "none registered"
        raise DataError(f"Unknown dataset '{name}'. Known datasets: {known}.") from None
