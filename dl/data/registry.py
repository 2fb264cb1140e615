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


_DATASETS: dict[tuple[str, str], DatasetInfo] = {}


def register_dataset(info: DatasetInfo) -> DatasetInfo:
    """Add ``info`` under (its task, its name); re-registering the same pair replaces it."""
    _DATASETS[(info.task, info.name)] = info
    return info


def dataset_names(task: str | None = None) -> list[str]:
    """Names of the registered datasets, in registration order, optionally only those of one task."""
    return [name for (dataset_task, name) in _DATASETS if task is None or dataset_task == task]


def get_dataset(name: str, task: str | None = None) -> DatasetInfo:
    """Look up a registered dataset by name (and task, when two tasks use one name, e.g. "digits").

    Raises DataError naming the known datasets when there is no such set.
    """
    found = [info for (dataset_task, dataset_name), info in _DATASETS.items()
             if dataset_name == name and (task is None or dataset_task == task)]
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        tasks = ", ".join(info.task for info in found)
        raise DataError(f"Several tasks have a dataset '{name}' ({tasks}): say which task.")
    known = ", ".join(dataset_names(task)) or "none registered"
    where = f" for {task}" if task else ""
    raise DataError(f"Unknown dataset '{name}'{where}. Known datasets: {known}.")


def load_dataset(task: str, name: str) -> Any:
    """Load the built-in dataset ``name`` of ``task`` (DataError naming the choices otherwise).

    A dataset class with a ``builtin`` field gets it set: meta.json records it, and a hosted app lists
    runs on built-in data to every visitor but runs on someone's upload only to that visitor.
    """
    dataset = get_dataset(name, task).load()
    if hasattr(dataset, "builtin"):
        dataset.builtin = True
    return dataset
