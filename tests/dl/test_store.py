"""The model store: hits, atomic writes, races, broken entries, eviction."""

import json
import threading

import numpy as np
import pytest

from dl.store import BrokenEntryError, ModelStore, make_key


def save_array(array, folder):
    np.save(folder / "weights.npy", array)


def load_array(folder):
    return np.load(folder / "weights.npy")


def train_counter():
    """A 'training' that counts how often it ran and returns random weights."""
    calls = {"count": 0}

    def train():
        calls["count"] += 1
        weights = np.random.default_rng(calls["count"]).normal(size=(64, 64))
        return weights, {"task": "test", "metrics": {"accuracy": 0.5}}

    return train, calls


def test_key_depends_on_task_config_and_data():
    base = make_key("image", {"epochs": 3}, "abc")
    assert base == make_key("image", {"epochs": 3}, "abc")
    assert base != make_key("image", {"epochs": 4}, "abc")
    assert base != make_key("text", {"epochs": 3}, "abc")
    assert base != make_key("image", {"epochs": 3}, "abd")


def test_cache_hit_returns_identical_weights_without_training(store):
    train, calls = train_counter()
    key = make_key("test", {"a": 1}, "data")
    first = store.get_or_train(key, train, save_array, load_array)
    second = store.get_or_train(key, train, save_array, load_array)
    assert not first.from_cache and second.from_cache
    assert calls["count"] == 1
    np.testing.assert_array_equal(first.model, second.model)
    assert second.entry.meta["metrics"] == {"accuracy": 0.5}
    assert isinstance(second.entry.meta["versions"], dict)


def test_truncated_entry_is_detected_moved_aside_and_rebuilt(store):
    train, calls = train_counter()
    key = make_key("test", {}, "data")
    store.get_or_train(key, train, save_array, load_array)
    weights_file = store.root / key / "weights.npy"
    weights_file.write_bytes(weights_file.read_bytes()[:100])  # a crash mid-copy, a full disk...
    with pytest.raises(BrokenEntryError):
        store.get(key)
    result = store.get_or_train(key, train, save_array, load_array)
    assert not result.from_cache and calls["count"] == 2
    assert result.notes and "moved" in result.notes[0]
    assert any((store.root / "_broken").iterdir())
    assert store.get(key) is not None  # the rebuilt entry is good


def test_entry_that_fails_to_load_is_retrained(store):
    train, calls = train_counter()
    key = make_key("test", {}, "data")
    store.get_or_train(key, train, save_array, load_array)

    def failing_load(folder):
        raise ValueError("incompatible model file")

    result = store.get_or_train(key, train, save_array, failing_load)
    assert not result.from_cache and calls["count"] == 2
    assert "incompatible model file" in result.notes[0]


def test_missing_meta_means_broken(store):
    key = make_key("test", {}, "data")
    (store.root / key).mkdir()
    with pytest.raises(BrokenEntryError):
        store.get(key)


def test_two_writers_of_one_key_leave_one_good_entry(store):
    key = make_key("test", {}, "data")
    barrier = threading.Barrier(4)
    errors = []

    def writer(seed):
        try:
            barrier.wait()
            weights = np.full((256, 256), seed, dtype=np.float64)
            store.put(key, lambda folder: save_array(weights, folder), {"task": "test", "writer": seed})
        except Exception as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(seed,)) for seed in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    entry = store.get(key)  # verifies sizes and checksums
    weights = load_array(entry.path)
    assert np.all(weights == entry.meta["writer"])  # files and meta come from the same writer
    leftovers = [path.name for path in store.root.iterdir() if path.name.startswith(".tmp-")]
    assert leftovers == []


def test_failed_write_leaves_no_entry(store):
    key = make_key("test", {}, "data")

    def crash(folder):
        (folder / "half.bin").write_bytes(b"x" * 10)
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        store.put(key, crash, {})
    assert store.get(key) is None
    assert list(store.root.iterdir()) == []


def test_least_recently_used_entries_are_evicted_over_the_cap(tmp_path):
    store = ModelStore(tmp_path, max_bytes=3 * 110_000)
    keys = [make_key("test", {"i": i}, "d") for i in range(3)]
    for key in keys:
        store.put(key, lambda folder: (folder / "w.bin").write_bytes(b"0" * 100_000), {"task": "test"})
    store.get(keys[0])  # touch the oldest: now keys[1] is the least recently used
    fourth = make_key("test", {"i": 3}, "d")
    store.put(fourth, lambda folder: (folder / "w.bin").write_bytes(b"0" * 100_000), {"task": "test"})
    remaining = {entry.key for entry in store.entries()}
    assert keys[1] not in remaining
    assert {keys[0], keys[2], fourth} <= remaining


def test_summary_and_clear(store):
    key = make_key("test", {}, "data")
    store.put(key, lambda folder: (folder / "w.bin").write_bytes(b"1" * 1000), {"task": "demo"})
    summary = store.summary()
    assert summary["entries"] == 1 and summary["tasks"] == ["demo"] and summary["bytes"] >= 1000
    json.dumps(summary)
    assert store.clear() >= 1000
    assert store.summary()["entries"] == 0


def test_cache_dir_comes_from_environment(monkeypatch, tmp_path):
    from dl.store import default_cache_dir

    monkeypatch.setenv("DL_CACHE_DIR", str(tmp_path / "elsewhere"))
    assert default_cache_dir() == tmp_path / "elsewhere"
