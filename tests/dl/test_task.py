"""The training contract (dl.task): one meta.json shape, cache hits, cancelled runs never stored."""

from dataclasses import dataclass

import numpy as np
import pytest

from dl.jobs import Job, JobCancelled, ProgressReporter, run_inline
from dl.store import ModelStore
from dl.task import Fitted, StoredModel, StoredModelUnreadable, stored_meta, task_key, train_or_load


@dataclass(frozen=True)
class RidgeConfig:
    penalty: float = 0.1  # a little shrinkage keeps the solve well conditioned


def ridge_fit(config, x, y, calls):
    """A real (tiny) model: ridge regression solved in closed form, scored on held-out rows."""

    def fit(reporter):
        calls.append(1)
        train, test = slice(0, 80), slice(80, None)
        gram = x[train].T @ x[train] + config.penalty * np.eye(x.shape[1])
        weights = np.linalg.solve(gram, x[train].T @ y[train])
        rmse = float(np.sqrt(np.mean((x[test] @ weights - y[test]) ** 2)))
        return Fitted(weights, {"rmse": rmse}, [{"epoch": 1, "loss": rmse}], {"features": x.shape[1]})

    return fit


def save(weights, folder):
    np.save(folder / "weights.npy", weights)


def load(folder):
    return np.load(folder / "weights.npy")


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(100, 3))
    return x, x @ np.array([1.0, -2.0, 0.5]) + rng.normal(scale=0.1, size=100)


def test_train_then_hit_records_the_standard_meta(tmp_path, data):
    store, calls, config = ModelStore(tmp_path), [], RidgeConfig()
    work = lambda reporter: train_or_load("ridge", config, "data-1", ridge_fit(config, *data, calls), save, load,  # noqa: E731
                                          reporter, store, {"source": "test", "rows": 100})
    first = run_inline(work)
    second = run_inline(work)
    assert calls == [1] and not first.from_cache and second.from_cache
    np.testing.assert_array_equal(first.model, second.model)
    assert first.metrics["rmse"] < 0.2  # it learned: the noise is 0.1, predicting 0 gives ~2.3
    meta = second.meta
    assert meta["task"] == "ridge" and meta["config"] == {"penalty": 0.1} and meta["features"] == 3
    assert meta["data"] == {"source": "test", "rows": 100, "fingerprint": "data-1"}
    assert first.key == task_key("ridge", config, "data-1")
    assert stored_meta(store, "ridge", config, "data-1").meta["metrics"] == first.metrics
    assert stored_meta(store, "ridge", RidgeConfig(penalty=1.0), "data-1") is None


def test_a_cancelled_run_is_never_stored(tmp_path, data):
    store, calls, config = ModelStore(tmp_path), [], RidgeConfig()
    job = Job("k", "k", work=lambda reporter: None)
    job.cancel()
    with pytest.raises(JobCancelled):
        train_or_load("ridge", config, "data-1", ridge_fit(config, *data, calls), save, load, ProgressReporter(job), store)
    assert calls == [1] and stored_meta(store, "ridge", config, "data-1") is None


def test_a_deferred_hit_loads_the_model_only_when_it_is_used(tmp_path, data):
    """defer_load: a cache hit returns meta at once; load runs once, on the first get()."""
    store, calls, loads, config = ModelStore(tmp_path), [], [], RidgeConfig()

    def counting_load(folder):
        loads.append(folder)
        return load(folder)

    def work(reporter):
        return train_or_load("ridge", config, "data-1", ridge_fit(config, *data, calls), save, counting_load,
                             reporter, store, defer_load=True)

    first = run_inline(work)
    assert not isinstance(first.model, StoredModel)  # trained now: the model itself
    hit = run_inline(work)
    assert hit.from_cache and isinstance(hit.model, StoredModel) and not hit.model.loaded and loads == []
    assert hit.metrics == first.metrics  # what a page shows first needs no load
    np.testing.assert_array_equal(hit.model.get(), first.model)
    hit.model.get()
    assert loads == [hit.path] and calls == [1]


def test_a_deferred_model_that_cannot_be_loaded_is_moved_aside(tmp_path, data):
    store, calls, config = ModelStore(tmp_path), [], RidgeConfig()

    def broken_load(folder):
        raise OSError("written by an incompatible version")

    def work(reporter):
        return train_or_load("ridge", config, "data-1", ridge_fit(config, *data, calls), save, broken_load,
                             reporter, store, defer_load=True)

    run_inline(work)
    hit = run_inline(work)
    with pytest.raises(StoredModelUnreadable, match="incompatible version.*Train again") as caught:
        hit.model.get()
    assert caught.value.code == "stored_model_unreadable"
    assert stored_meta(store, "ridge", config, "data-1") is None  # moved aside: the next run trains again
    assert not run_inline(work).from_cache and calls == [1, 1]
