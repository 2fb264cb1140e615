"""Stable content fingerprints of training data, used as part of model-store keys."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import numpy as np


def fingerprint(*parts: Any) -> str:
    """Return a hex sha256 over arrays, bytes, strings, numbers, paths and nested lists/dicts.

    Arrays contribute their dtype, shape and raw bytes, so two datasets with equal values but a
    different dtype (uint8 vs float32 pixels) get different fingerprints, as a model trained on one
    is not the model for the other. An array-like that reads its data in chunks (``dl.image.disk.DiskImages``:
    ``dtype``, ``shape`` and ``chunks()``) contributes exactly what the same array in memory would,
    read a chunk at a time. Paths contribute the bytes of the file (or of every file in a
    folder, in sorted order), not their name.
    """
    digest = hashlib.sha256()
    for part in parts:
        _update(digest, part)
    return digest.hexdigest()


def _update(digest: hashlib._Hash, value: Any) -> None:
    if isinstance(value, np.ndarray):
        array = np.ascontiguousarray(value)
        digest.update(f"ndarray:{array.dtype.str}:{array.shape}:".encode())
        if array.dtype == object:
            for item in array.ravel():
                _update(digest, item)
        else:
            digest.update(array.tobytes())
    elif _is_chunked_array(value):
        digest.update(f"ndarray:{value.dtype.str}:{tuple(value.shape)}:".encode())
        for chunk in value.chunks():
            digest.update(np.ascontiguousarray(chunk).tobytes())
    elif isinstance(value, (bytes, bytearray, memoryview)):
        digest.update(b"bytes:%d:" % len(value))
        digest.update(bytes(value))
    elif isinstance(value, str):
        encoded = value.encode("utf-8")
        digest.update(b"str:%d:" % len(encoded))
        digest.update(encoded)
    elif isinstance(value, Path):
        _update_path(digest, value)
    elif isinstance(value, dict):
        digest.update(b"dict:%d:" % len(value))
        for key in sorted(value, key=str):
            _update(digest, str(key))
            _update(digest, value[key])
    elif isinstance(value, (list, tuple)):
        digest.update(b"list:%d:" % len(value))
        for item in value:
            _update(digest, item)
    elif value is None or isinstance(value, (bool, int, float, np.generic)):
        digest.update(f"scalar:{type(value).__name__}:{value!r}:".encode())
    elif hasattr(value, "to_numpy") and hasattr(value, "columns"):  # a pandas DataFrame
        _update(digest, [str(column) for column in value.columns])
        for column in value.columns:
            _update(digest, value[column].to_numpy())
    else:
        raise TypeError(f"cannot fingerprint a {type(value).__name__}")


def _is_chunked_array(value: Any) -> bool:
    """An array kept outside memory (duck-typed: dl.data sits below dl.image and does not import it)."""
    return hasattr(value, "chunks") and hasattr(value, "dtype") and hasattr(value, "shape") and value.dtype != object


def _update_path(digest: hashlib._Hash, path: Path) -> None:
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        relative = file.relative_to(path).as_posix() if path.is_dir() else ""
        _update(digest, relative)
        with open(file, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
