"""Helpers shared by the per-task configuration dataclasses.

Each task keeps its own config dataclass beside its code (``dl/gradient_lab/trainer.py`` has
``GradientLabConfig``, ``dl/image/cnn.py`` has ``ImageClassifierConfig`` ...) and every default there
carries a one-line reason. This module turns any of them into the plain, JSON-friendly dict that
the model store hashes and that ``meta.json`` records, and back.
"""

from __future__ import annotations

import dataclasses
import enum
import json
from typing import Any, TypeVar

ConfigT = TypeVar("ConfigT")


def config_to_dict(config: Any) -> dict[str, Any]:
    """Return a JSON-serialisable dict of a config dataclass (enums by value, tuples as lists)."""
    if not dataclasses.is_dataclass(config) or isinstance(config, type):
        raise TypeError(f"expected a dataclass instance, got {type(config).__name__}")
    return json.loads(json.dumps(dataclasses.asdict(config), default=_json_default))


def config_from_dict(config_class: type[ConfigT], values: dict[str, Any]) -> ConfigT:
    """Build ``config_class`` from ``values``, ignoring keys the class does not know.

    Unknown keys are dropped rather than rejected so that an older ``meta.json`` still loads after a
    field was removed.
    """
    known = {field.name for field in dataclasses.fields(config_class)}  # type: ignore[arg-type]
    return config_class(**{key: value for key, value in values.items() if key in known})


def _json_default(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if hasattr(value, "tolist"):  # numpy scalars and arrays
        return value.tolist()
    raise TypeError(f"cannot serialise {type(value).__name__} in a config")
