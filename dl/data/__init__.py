"""Data: embedded datasets, parsers of uploads, and the DataError they raise on bad input.

``DataError`` is imported eagerly (every layer raises or catches it); the rest loads on first use
(PEP 562), so code that only needs the error, such as ``dl.jobs`` behind the home page, does not
pay for NumPy.
"""

from __future__ import annotations

import importlib
from typing import Any

from dl.data.errors import DataError

_LAZY = {
    "fingerprint": "dl.data.fingerprinting",
    "DatasetInfo": "dl.data.registry",
    "dataset_names": "dl.data.registry",
    "get_dataset": "dl.data.registry",
    "load_dataset": "dl.data.registry",
    "register_dataset": "dl.data.registry",
}

__all__ = ["DataError", *_LAZY]


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'dl.data' has no attribute {name!r}")
    return getattr(importlib.import_module(_LAZY[name]), name)
