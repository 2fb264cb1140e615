"""Image pixels kept in a file instead of in memory: what lets a 20,000-photo upload train on a small host.

An upload of more than ``DISK_THRESHOLD_BYTES`` of stored pixels is written, image after image, into one
raw uint8 file (n, height, width, channels) under the cache folder (``dl.store.default_cache_dir()``), named
by the sha256 of the upload so the same upload comes back without being decoded again. ``DiskImages`` reads
it like a read-only array: ``shape``, ``dtype``, ``ndim``, ``len``, and ``images[i]``, ``images[a:b]`` or
``images[index_array]`` return ordinary numpy arrays of just those images.

Reads use ``os.pread`` at an offset, never ``np.memmap``: every page of a memory map that is touched counts
in the process's resident size, so one pass over a mapped 1 GB file leaves the process 1 GB larger; a
pread copies one batch into a buffer that is freed with it. Whole-set passes go ``chunks()`` at a time.

A ``DiskImages`` pickles as its path, shape and index order (``st.cache_data`` pickles what it returns),
never as its pixels.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

# Above this many bytes of stored pixels an upload goes to disk: 256 MiB is ~5,400 colour images at
# 128x128. Below it the pixels stay in memory as before (nothing changes for small sets, and a few
# hundred MB is affordable on a 2.7 GB host); above it, a set of up to 20,000 images would take ~1 GB.
DISK_THRESHOLD_BYTES = 256 * 2**20
THRESHOLD_VARIABLE = "DL_IMAGES_ON_DISK_MB"  # an operator's own threshold in MiB (0: every upload goes to disk)
CHUNK = 128  # images per step of a whole-set pass: 6 MB of 128x128x3 pixels, ~25 MB as float32
IMAGES_FOLDER = "images"  # under the cache folder, beside the model store's entries
FILE_SUFFIX = ".u8"  # raw uint8 pixels, row-major (n, height, width, channels), no header
# what the images folder may hold: four 20,000-photo sets (~1 GB each); older sets are removed first. Like
# the model store's cap, it keeps a hosted app's disk from filling up with every visitor's uploads
FOLDER_BYTES = 4 * 2**30
ABANDONED_SECONDS = 3600  # a half-written file this old belongs to a reader that was killed
META_SUFFIX = ".json"  # beside the pixels: shape, and whatever the reader needs to rebuild its dataset


def disk_threshold_bytes() -> int:
    """Stored pixels above which an upload goes to disk: ``$DL_IMAGES_ON_DISK_MB`` MiB when set (a host
    with less memory sends sets to disk sooner; 0 sends every set, as the page tests do), else
    ``DISK_THRESHOLD_BYTES``. Read at each upload, so a running server's tests can change it."""
    configured = os.environ.get(THRESHOLD_VARIABLE, "").strip()
    try:
        return int(float(configured) * 2**20) if configured else DISK_THRESHOLD_BYTES
    except ValueError:
        return DISK_THRESHOLD_BYTES


def images_folder() -> Path:
    """Where uploaded pixels are kept on disk (``<cache>/images``)."""
    from dl.store import default_cache_dir

    return default_cache_dir() / IMAGES_FOLDER


class DiskImages:
    """A read-only uint8 array (n, height, width, channels) whose pixels stay in a file.

    ``order`` (optional): which stored images, in which order, this view shows (``subset`` of a subset
    composes); None shows all of them in file order.
    """

    dtype = np.dtype(np.uint8)
    ndim = 4

    def __init__(self, path: Path | str, stored_shape: tuple[int, int, int, int], order: np.ndarray | None = None):
        self.path = Path(path)
        self.stored_shape = tuple(int(value) for value in stored_shape)
        self.order = None if order is None else np.asarray(order, dtype=np.int64)
        self._image_bytes = int(np.prod(self.stored_shape[1:]))
        self._handle: int | None = None
        self._handle_pid: int | None = None

    # ---------------------------------------------------------------- array-like
    @property
    def shape(self) -> tuple[int, int, int, int]:
        return (len(self), *self.stored_shape[1:])

    def __len__(self) -> int:
        return self.stored_shape[0] if self.order is None else len(self.order)

    def __getitem__(self, key: Any) -> np.ndarray:
        if isinstance(key, tuple):  # images[a:b, ..., 0] and the like: pick the images, then index them
            picked = self[key[0]]
            return picked[key[1:]] if isinstance(key[0], (int, np.integer)) else picked[(slice(None), *key[1:])]
        if isinstance(key, (int, np.integer)):
            position = int(key) + len(self) if key < 0 else int(key)
            if not 0 <= position < len(self):
                raise IndexError(f"image {key} of {len(self)}")
            return self._read_stored(np.array([self._stored_index(position)]))[0]
        if isinstance(key, slice):
            positions = np.arange(len(self))[key]
        else:
            positions = np.asarray(key)
            if positions.dtype == bool:
                positions = np.flatnonzero(positions)
            positions = positions.astype(np.int64)
            positions = np.where(positions < 0, positions + len(self), positions)
            if len(positions) and (positions.min() < 0 or positions.max() >= len(self)):
                raise IndexError(f"an index is out of range for {len(self)} images")
        stored = positions if self.order is None else self.order[positions]
        return self._read_stored(stored)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        """All pixels in memory: what an unchanged caller gets (correct, but not memory-bounded)."""
        pixels = self[:]
        return pixels if dtype is None else pixels.astype(dtype)

    def chunks(self, size: int = CHUNK) -> Iterator[np.ndarray]:
        """The images in order, ``size`` at a time (a whole-set pass in bounded memory)."""
        for start in range(0, len(self), size):
            yield self[start : start + size]

    def subset(self, indices: np.ndarray) -> DiskImages:
        """A view of the images at ``indices`` (in that order): nothing is read or copied."""
        indices = np.asarray(indices, dtype=np.int64)
        order = indices if self.order is None else self.order[indices]
        return DiskImages(self.path, self.stored_shape, order)

    def __reduce__(self) -> tuple[Any, ...]:
        return (DiskImages, (str(self.path), self.stored_shape, self.order))

    def __repr__(self) -> str:
        return f"DiskImages({str(self.path)!r}, shape={self.shape})"

    # ---------------------------------------------------------------- reading
    def _stored_index(self, position: int) -> int:
        return position if self.order is None else int(self.order[position])

    def _file(self) -> int:
        if self._handle is None or self._handle_pid != os.getpid():  # a forked child opens its own
            self._handle, self._handle_pid = os.open(self.path, os.O_RDONLY), os.getpid()
        return self._handle

    def _read_stored(self, stored: np.ndarray) -> np.ndarray:
        """The stored images at ``stored`` (file positions), in that order: one pread per run of
        consecutive positions, so a slice of an unordered file is a single read."""
        out = np.empty((len(stored), *self.stored_shape[1:]), dtype=np.uint8)
        flat = out.reshape(len(stored), self._image_bytes)
        handle, start = self._file(), 0
        while start < len(stored):
            end = start + 1
            while end < len(stored) and stored[end] == stored[end - 1] + 1:
                end += 1
            wanted = (end - start) * self._image_bytes
            data = os.pread(handle, wanted, int(stored[start]) * self._image_bytes)
            if len(data) != wanted:
                raise OSError(f"{self.path} is shorter than its {self.stored_shape[0]} images")
            flat[start:end] = np.frombuffer(data, dtype=np.uint8).reshape(end - start, self._image_bytes)
            start = end
        return out

    def __del__(self) -> None:
        if self._handle is not None and self._handle_pid == os.getpid():
            try:
                os.close(self._handle)
            except OSError:
                pass


def is_on_disk(images: Any) -> bool:
    return isinstance(images, DiskImages)


def take(images: Any, indices: np.ndarray) -> Any:
    """``images[indices]`` for an array; a view (its ``subset``) for pixels on disk or prepared lazily
    (``DiskImages``, ``dl.image.pixels.StreamedPixels``): nothing is read until it is used."""
    return images[indices] if isinstance(images, np.ndarray) else images.subset(indices)


def image_chunks(images: np.ndarray | DiskImages, size: int = CHUNK) -> Iterator[np.ndarray]:
    """``size`` images at a time, in order, from an array or from disk."""
    for start in range(0, len(images), size):
        yield images[start : start + size]


# -------------------------------------------------------------------------------------------------- writing
class DiskImageWriter:
    """Writes images one at a time into a new pixels file, then moves it into place (``finish``).

    Written into a temporary file beside the target and renamed at the end, so a crash or a refused
    upload never leaves a half-written file under the final name. ``channels`` is 3: whether the set
    is greyscale is known only after the last image, and ``finish(greyscale=True)`` then keeps one.
    """

    def __init__(self, target: Path, capacity: int, size: tuple[int, int]):
        self.target = Path(target)
        self.size = size
        self.count = 0
        self.capacity = capacity
        self.target.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=self.target.parent, prefix=".writing-", suffix=FILE_SUFFIX)
        self._handle, self._temporary = handle, Path(name)

    def append(self, pixels: np.ndarray) -> None:
        """One image, uint8 (height, width, 3)."""
        data = np.ascontiguousarray(pixels, dtype=np.uint8).tobytes()
        os.pwrite(self._handle, data, self.count * len(data))
        self.count += 1

    def finish(self, greyscale: bool) -> DiskImages:
        """Close the file, keep one channel when every image was grey, and move it into place. The
        reader writes its meta beside it (``write_meta``) once the data passed its checks: a file
        without one is never read back."""
        os.close(self._handle)
        self._handle = -1
        shape = (self.count, *self.size, 3)
        if greyscale:
            self._keep_first_channel(shape)
            shape = (self.count, *self.size, 1)
        os.replace(self._temporary, self.target)
        self._temporary = self.target  # abandon() now removes the moved file
        prune_folder(self.target.parent, keep=self.target)
        return DiskImages(self.target, shape)

    def abandon(self) -> None:
        """Remove the half-written file (the upload was refused or reading failed)."""
        if self._handle >= 0:
            os.close(self._handle)
            self._handle = -1
        self._temporary.unlink(missing_ok=True)
        self.target.with_suffix(META_SUFFIX).unlink(missing_ok=True)

    def _keep_first_channel(self, shape: tuple[int, int, int, int]) -> None:
        """Rewrite the file with one channel (all three were equal), a chunk at a time."""
        colour = DiskImages(self._temporary, shape)
        handle, name = tempfile.mkstemp(dir=self.target.parent, prefix=".writing-", suffix=FILE_SUFFIX)
        try:
            offset = 0
            for chunk in colour.chunks():
                data = np.ascontiguousarray(chunk[..., :1]).tobytes()
                os.pwrite(handle, data, offset)
                offset += len(data)
        finally:
            os.close(handle)
        del colour
        os.replace(name, self._temporary)


def prune_folder(folder: Path, keep: Path, limit: int = FOLDER_BYTES) -> list[Path]:
    """Remove the least recently stored or reused sets until the folder holds at most ``limit`` bytes
    (never ``keep``, the set just written), and half-written files of killed readers; return what went.

    A session still showing a removed set reads on through the file handle it has open; one without a
    handle yet gets the upload read again when it uploads it next."""
    now, removed = time.time(), []
    for stale in folder.glob(".writing-*"):
        if now - _modified(stale) > ABANDONED_SECONDS:
            stale.unlink(missing_ok=True)
            removed.append(stale)
    sets = sorted((path for path in folder.glob(f"*{FILE_SUFFIX}") if path != keep), key=_modified)
    total = sum(_size(path) for path in [*sets, keep])
    while sets and total > limit:
        oldest = sets.pop(0)
        total -= _size(oldest)
        oldest.unlink(missing_ok=True)
        oldest.with_suffix(META_SUFFIX).unlink(missing_ok=True)
        removed.append(oldest)
    return removed


def _modified(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def write_meta(pixels_path: Path, meta: dict[str, Any]) -> None:
    meta_path = pixels_path.with_suffix(META_SUFFIX)
    temporary = meta_path.with_name(f".writing-{meta_path.name}")
    temporary.write_text(json.dumps(meta, ensure_ascii=False))
    os.replace(temporary, meta_path)


def read_stored(pixels_path: Path) -> tuple[DiskImages, dict[str, Any]] | None:
    """The pixels and meta stored for an upload earlier, or None when there are none (or they are broken)."""
    try:
        meta = json.loads(pixels_path.with_suffix(META_SUFFIX).read_text())
        shape = tuple(int(value) for value in meta["shape"])
        if len(shape) != 4 or pixels_path.stat().st_size != int(np.prod(shape)):
            return None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    try:
        os.utime(pixels_path)  # reused: the last set prune_folder removes
    except OSError:
        pass
    return DiskImages(pixels_path, shape), meta
