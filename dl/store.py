"""The on-disk model store: a content-addressed cache of trained models.

Key = sha256 of (task, config, data fingerprint, STORE_VERSION). An entry is a folder
``<root>/<key>/`` holding the model files and ``meta.json`` (config, metrics, history, versions,
time, and the size and sha256 of every file). Entries are written into a temporary folder and moved
into place with ``os.replace``, so a crash never leaves half an entry and two writers of one key
leave exactly one. An entry whose files do not match ``meta.json`` or that fails to load is moved
aside into ``<root>/_broken/`` and reported, and the caller retrains. The store is size-capped with
least-recently-used eviction (a hit touches ``<key>/last_used``).

A cache that cannot be written (a read-only folder, a full disk) never costs a training: the entry
goes to a temporary folder of this process instead, and the result's notes say it was not cached.
A writer killed mid-write leaves only a ``.tmp-`` folder, which is ignored and removed after an hour.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from dl.device import framework_versions
from dl.notes import Note

STORE_VERSION = 1
META_FILE = "meta.json"
LAST_USED_FILE = "last_used"
BROKEN_FOLDER = "_broken"
TEMP_PREFIX = ".tmp-"
KEEP_BROKEN = 3
STALE_TEMP_SECONDS = 3600  # a temporary folder this old belongs to a writer that died
DEFAULT_MAX_BYTES = 2 * 2**30  # 2 GiB: dozens of models, small next to a hosted app's disk

ModelT = TypeVar("ModelT")


def default_cache_dir() -> Path:
    """``$DL_CACHE_DIR`` if set, else the per-user cache folder of this app."""
    configured = os.environ.get("DL_CACHE_DIR")
    if configured:
        return Path(configured).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("deep-learning-playground"))


# Settings added to a task's config after models were stored under keys without them: at these values they
# are left out of the key, so every model stored before (and every project file saved before) still matches.
ADDED_LATER: dict[str, dict[str, Any]] = {
    "image-cnn": {"augment_brightness": 0.0, "augment_contrast": 0.0},  # issue 27
}


def make_key(task: str, config: dict[str, Any], data_fingerprint: str) -> str:
    """The store key of a model: sha256 over task, config, data fingerprint and store version."""
    later = ADDED_LATER.get(task, {})
    config = {name: value for name, value in config.items() if name not in later or value != later[name]}
    payload = json.dumps(
        {"task": task, "config": config, "data": data_fingerprint, "store_version": STORE_VERSION},
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()


@dataclass
class StoreEntry:
    key: str
    path: Path
    meta: dict[str, Any]

    @property
    def size_bytes(self) -> int:
        return sum(info["bytes"] for info in self.meta.get("files", {}).values())


@dataclass
class CachedResult(Generic[ModelT]):
    """What ``ModelStore.get_or_train`` returns."""

    model: ModelT
    entry: StoreEntry
    from_cache: bool
    notes: list[str] = field(default_factory=list)  # e.g. "a broken entry was moved aside"


class BrokenEntryError(RuntimeError):
    """An entry's files do not match its meta.json."""


class StoreWriteError(RuntimeError):
    """A trained model could be saved neither in the cache nor in a temporary folder."""


class ModelStore:
    """A folder of cached models; see the module docstring."""

    def __init__(self, root: Path | str | None = None, max_bytes: int = DEFAULT_MAX_BYTES):
        self.root = Path(root) if root is not None else default_cache_dir()
        self.max_bytes = max_bytes
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError:  # reads find nothing, writes fall back to a temporary folder (see put)
            pass

    # ------------------------------------------------------------------ reading
    def get(self, key: str) -> StoreEntry | None:
        """The verified entry for ``key``, or None. A broken entry raises BrokenEntryError."""
        path = self.root / key
        meta_path = path / META_FILE
        if not path.exists():
            return None
        if not meta_path.is_file():
            raise BrokenEntryError(f"{META_FILE} is missing")
        try:
            meta = json.loads(meta_path.read_text())
        except (OSError, ValueError) as error:
            raise BrokenEntryError(f"unreadable {META_FILE}: {error}") from error
        self._verify_files(path, meta)
        try:
            (path / LAST_USED_FILE).write_text(repr(time.time()))
        except OSError:  # a read-only cache still answers; only its eviction order goes stale
            pass
        return StoreEntry(key=key, path=path, meta=meta)

    def peek(self, key: str) -> StoreEntry | None:
        """The entry's ``meta.json`` as it is, or None: for showing a run, not loading it (no file is
        hashed and its last use is not updated, unlike ``get``)."""
        meta_path = self.root / key / META_FILE
        try:
            meta = json.loads(meta_path.read_text())
        except (OSError, ValueError):
            return None
        return StoreEntry(key=key, path=meta_path.parent, meta=meta)

    def entries(self) -> list[StoreEntry]:
        """All readable entries, most recently used first."""
        keys = [path.name for path in self._children() if not path.name.startswith((TEMP_PREFIX, BROKEN_FOLDER))]
        found = [entry for entry in map(self.peek, keys) if entry is not None]
        return sorted(found, key=self._last_used, reverse=True)

    def total_bytes(self) -> int:
        """Bytes on disk under the store's root (entries, broken and temporary folders)."""
        if not self.root.is_dir():
            return 0
        return sum(file.stat().st_size for file in self.root.rglob("*") if file.is_file())

    def summary(self) -> dict[str, Any]:
        """Folder, entry count, size and cap, for the home page and ``python -m dl info``."""
        entries = self.entries()
        return {
            "folder": str(self.root),
            "entries": len(entries),
            "bytes": self.total_bytes(),
            "max_bytes": self.max_bytes,
            "tasks": sorted({entry.meta.get("task", "?") for entry in entries}),
        }

    # ------------------------------------------------------------------ writing
    def put(
        self,
        key: str,
        write_files: Callable[[Path], None],
        meta: dict[str, Any],
        stamp: bool = True,
    ) -> StoreEntry:
        """Write an entry: ``write_files(folder)`` saves the model into a fresh folder.

        ``stamp=False`` keeps ``meta``'s own creation time and versions (a model opened from a
        project file was trained then, with those frameworks); the file list is always rewritten.

        The folder becomes visible under ``key`` only once complete. When another writer finished
        the same key first, its entry is kept and this one discarded: both were trained on the
        same inputs. An ``OSError`` (read-only folder, full disk) propagates; ``get_or_train``
        then keeps the model in a temporary folder.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        temporary = self.root / f"{TEMP_PREFIX}{key}-{uuid.uuid4().hex}"
        temporary.mkdir()
        try:
            self._write_entry(temporary, key, write_files, meta, stamp)
            target = self.root / key
            try:
                os.replace(temporary, target)
            except OSError:
                if not (target / META_FILE).is_file():
                    raise
                # another writer won the race with a complete entry: keep theirs
        finally:
            shutil.rmtree(temporary, ignore_errors=True)
        self.evict(keep=key)
        return StoreEntry(key=key, path=self.root / key, meta=json.loads((self.root / key / META_FILE).read_text()))

    def put_uncached(self, key: str, write_files: Callable[[Path], None], meta: dict[str, Any]) -> StoreEntry:
        """Write the entry into a new temporary folder outside the cache (for when the cache
        cannot be written): the model works for this session and is retrained next time."""
        folder = Path(tempfile.mkdtemp(prefix="dl-uncached-"))
        try:
            self._write_entry(folder, key, write_files, meta)
        except OSError as error:
            shutil.rmtree(folder, ignore_errors=True)
            raise StoreWriteError(f"The trained model could not be saved anywhere ({error}). "
                                  "Free some disk space and train again.") from error
        return StoreEntry(key=key, path=folder, meta=json.loads((folder / META_FILE).read_text()))

    def _write_entry(self, folder: Path, key: str, write_files: Callable[[Path], None], meta: dict[str, Any],
                     stamp: bool = True) -> None:
        write_files(folder)
        stamps = {"created": time.time(), "versions": {k: v for k, v in framework_versions().items() if v}} if stamp else {}
        full_meta = {
            **meta,
            "key": key,
            "store_version": STORE_VERSION,
            **stamps,
            "files": self._describe_files(folder),
        }
        (folder / META_FILE).write_text(json.dumps(full_meta, indent=2, default=str))
        (folder / LAST_USED_FILE).write_text(repr(time.time()))

    def get_or_train(
        self,
        key: str,
        train: Callable[[], tuple[ModelT, dict[str, Any]]],
        save: Callable[[ModelT, Path], None],
        load: Callable[[Path], ModelT],
    ) -> CachedResult[ModelT]:
        """Load the model cached under ``key``, or train, save and return it.

        ``train()`` returns ``(model, meta)`` where meta holds at least config, metrics and history.
        A cached entry that is broken or fails to ``load`` is moved aside and retrained; the
        result's ``notes`` say so.
        """
        notes: list[str] = []
        try:
            entry = self.get(key)
            if entry is not None:
                return CachedResult(model=load(entry.path), entry=entry, from_cache=True)
        except Exception as error:  # noqa: BLE001 - any load failure means: rebuild it
            try:
                notes.append(Note("cache_unreadable_moved", error=str(error), folder=str(self.move_aside(key))))
            except OSError as move_error:
                notes.append(Note("cache_unreadable_kept", error=str(error), reason=str(move_error.strerror or move_error)))
        model, meta = train()
        try:
            entry = self.put(key, lambda folder: save(model, folder), meta)
        except OSError as error:
            entry = self.put_uncached(key, lambda folder: save(model, folder), meta)
            notes.append(Note("cache_not_writable", folder=str(self.root), error=str(error.strerror or error)))
        return CachedResult(model=model, entry=entry, from_cache=False, notes=notes)

    def move_aside(self, key: str) -> Path | None:
        """Move a (broken) entry into ``_broken/`` so it can be inspected; return where it went."""
        source = self.root / key
        if not source.exists():
            return None
        destination = self.root / BROKEN_FOLDER / f"{key}-{int(time.time() * 1000)}"
        destination.parent.mkdir(exist_ok=True)
        os.replace(source, destination)
        return destination

    def delete(self, key: str) -> None:
        shutil.rmtree(self.root / key, ignore_errors=True)

    def clear(self) -> int:
        """Delete every entry (and broken or temporary folders); return the bytes freed."""
        freed = self.total_bytes()
        for path in self._children():
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
        return freed

    def evict(self, keep: str | None = None) -> list[str]:
        """Delete least-recently-used entries until the store fits ``max_bytes``; return their keys."""
        self._prune_broken()
        entries = self.entries()
        total = sum(entry.size_bytes for entry in entries)
        evicted = []
        for entry in reversed(entries):  # least recently used first
            if total <= self.max_bytes:
                break
            if entry.key == keep:
                continue
            self.delete(entry.key)
            total -= entry.size_bytes
            evicted.append(entry.key)
        return evicted

    # ------------------------------------------------------------------ helpers
    def _children(self) -> list[Path]:
        """The folders under the root (none when the root is missing or unreadable)."""
        try:
            return list(self.root.iterdir())
        except OSError:
            return []

    def _prune_broken(self) -> None:
        """Keep only the newest KEEP_BROKEN moved-aside entries: enough to inspect, bounded on disk;
        remove temporary folders of writers that died mid-write (older than STALE_TEMP_SECONDS)."""
        for path in self._children():
            try:
                stale = path.name.startswith(TEMP_PREFIX) and time.time() - path.stat().st_mtime > STALE_TEMP_SECONDS
            except OSError:
                continue
            if stale:
                shutil.rmtree(path, ignore_errors=True)
        broken = self.root / BROKEN_FOLDER
        if broken.is_dir():
            for old in sorted(broken.iterdir(), key=lambda path: path.stat().st_mtime)[:-KEEP_BROKEN]:
                shutil.rmtree(old, ignore_errors=True)

    def _last_used(self, entry: StoreEntry) -> float:
        try:
            return float((entry.path / LAST_USED_FILE).read_text())
        except (OSError, ValueError):
            return float(entry.meta.get("created", 0.0))

    @staticmethod
    def _describe_files(folder: Path) -> dict[str, dict[str, Any]]:
        return {
            file.relative_to(folder).as_posix(): {"bytes": file.stat().st_size, "sha256": _sha256(file)}
            for file in sorted(folder.rglob("*"))
            if file.is_file() and file.name not in (META_FILE, LAST_USED_FILE)
        }

    @staticmethod
    def _verify_files(folder: Path, meta: dict[str, Any]) -> None:
        files = meta.get("files")
        if not isinstance(files, dict):
            raise BrokenEntryError(f"{META_FILE} lists no files")
        for name, info in files.items():
            file = folder / name
            if not file.is_file():
                raise BrokenEntryError(f"missing file {name}")
            if file.stat().st_size != info["bytes"]:
                raise BrokenEntryError(f"{name} has {file.stat().st_size} bytes, expected {info['bytes']}")
            if _sha256(file) != info["sha256"]:
                raise BrokenEntryError(f"{name} does not match its checksum")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
