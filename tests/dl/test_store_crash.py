"""Crash safety of the model store: a writer killed at any moment leaves no half entry, and a cache
that cannot be written costs no training (the model goes to a temporary folder, with a note)."""

from __future__ import annotations

import errno
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from dl.store import STALE_TEMP_SECONDS, TEMP_PREFIX, ModelStore, StoreWriteError, make_key

ROOT = Path(__file__).resolve().parents[2]
KEY = make_key("crash-test", {"size": 1}, "data")

# A child that writes one entry slowly (20 weight files, a pause between them), as a training's
# save does, so a kill lands in the middle of writing.
WRITER = textwrap.dedent(f"""
    import sys, time
    import numpy as np
    from dl.store import ModelStore

    def write(folder):
        for index in range(20):
            np.save(folder / f"weights_{{index}}.npy", np.full(50_000, index, dtype=np.float32))
            time.sleep(0.02)

    print("writing", flush=True)
    ModelStore(sys.argv[1]).put({KEY!r}, write, {{"task": "crash-test", "metrics": {{"accuracy": 0.5}}}})
    print("done", flush=True)
""")


def kill_writer_after(root: Path, delay: float) -> bool:
    """Start a writer, SIGKILL it ``delay`` seconds after it started writing; True if it finished first."""
    child = subprocess.Popen([sys.executable, "-c", WRITER, str(root)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "writing"
    time.sleep(delay)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=60)
    return child.returncode == 0


@pytest.mark.timeout(300)
def test_a_writer_killed_at_random_moments_never_leaves_a_half_entry(tmp_path):
    delays = random.Random(7).sample([step * 0.05 for step in range(12)], 8)  # 0 .. 0.55 s: before, during, after
    outcomes = []
    for attempt, delay in enumerate(delays):
        root = tmp_path / f"store{attempt}"
        finished = kill_writer_after(root, delay)
        store = ModelStore(root)
        entry = store.get(KEY)  # never raises BrokenEntryError: an entry is either whole or absent
        outcomes.append(entry is not None)
        assert [found.key for found in store.entries()] == ([KEY] if entry is not None else [])
        if entry is not None:
            assert len(entry.meta["files"]) == 20  # complete, and its checksums were verified by get()
        else:
            assert not finished
            trained: list[int] = []
            result = store.get_or_train(KEY, lambda calls=trained: calls.append(1) or ("model", {"task": "crash-test"}),
                                        lambda model, folder: (folder / "m.txt").write_text(model),
                                        lambda folder: (folder / "m.txt").read_text())
            assert trained == [1] and result.from_cache is False  # the next run retrains
            assert store.get(KEY) is not None
    assert False in outcomes  # at least one kill landed mid-write (the test tested something)


def test_a_dead_writers_temporary_folder_is_ignored_then_removed(tmp_path):
    store = ModelStore(tmp_path)
    leftover = tmp_path / f"{TEMP_PREFIX}{KEY}-dead"
    leftover.mkdir()
    (leftover / "weights_0.npy").write_bytes(b"half")
    assert store.get(KEY) is None and store.entries() == []
    store.evict()
    assert leftover.exists()  # it may belong to a writer that is still alive
    old = time.time() - STALE_TEMP_SECONDS - 60
    os.utime(leftover, (old, old))
    store.evict()
    assert not leftover.exists()


def save_array(model, folder: Path) -> None:
    np.save(folder / "w.npy", model)


def test_a_cache_folder_that_cannot_be_created_still_trains_with_a_note(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    store = ModelStore(blocker / "cache")  # what a read-only or mistyped DL_CACHE_DIR gives
    assert store.get(KEY) is None and store.entries() == [] and store.summary()["entries"] == 0
    result = store.get_or_train(KEY, lambda: (np.arange(3), {"task": "t"}), save_array, lambda folder: np.load(folder / "w.npy"))
    assert result.from_cache is False and list(result.model) == [0, 1, 2]
    assert np.load(result.entry.path / "w.npy").tolist() == [0, 1, 2]  # the model file exists for export
    assert result.entry.meta["files"]["w.npy"]["bytes"] > 0
    assert len(result.notes) == 1 and "cannot be written" in result.notes[0] and "trained again next time" in result.notes[0]


def test_a_full_disk_keeps_the_model_in_a_temporary_folder(tmp_path, monkeypatch):
    store = ModelStore(tmp_path)
    real_replace = os.replace

    def disk_full(source, target):
        if Path(target).parent == tmp_path:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_replace(source, target)

    monkeypatch.setattr("dl.store.os.replace", disk_full)
    result = store.get_or_train(KEY, lambda: (np.ones(4), {"task": "t"}), save_array, lambda folder: np.load(folder / "w.npy"))
    assert "No space left on device" in result.notes[0]
    assert result.entry.path.parent != tmp_path and (result.entry.path / "w.npy").is_file()
    assert store.entries() == [] and not any(path.name.startswith(TEMP_PREFIX) for path in tmp_path.iterdir())


def test_nowhere_to_save_is_a_clear_error(tmp_path, monkeypatch):
    store = ModelStore(tmp_path / "blocked")

    def no_space(model, folder):
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(StoreWriteError, match="could not be saved anywhere.*Free some disk space"):
        store.get_or_train(KEY, lambda: (np.ones(2), {"task": "t"}), no_space, lambda folder: None)
