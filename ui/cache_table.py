"""The home page's table of cached models: which page made each, on which data, how good, when.

The store's meta.json holds raw metrics (``accuracy 1``, ``train_ratings 7.69e+04``); a reader wants
the page, the data set's name, one headline number with the test size it rests on, and the date.
"""

from __future__ import annotations

import time
from typing import Any

from dl.metrics import SMALL_TEST_SIZE
from dl.runs import Run, hosted_mode, visible_runs
from dl.store import ModelStore, StoreEntry
from ui.formatting import human_size
from ui.i18n import t
from ui.training import own_runs

PAGE_OF_TASK = {
    "text": "text_classification",
    "image": "image_classification",
    "image-cnn": "image_classification",
    "image-transfer": "image_classification",
    "recommender": "movie_recommender",
    "bert": "bert_labeling",
    "gradient_lab": "gradient_lab",
}


def visible_entries(store: ModelStore) -> list[StoreEntry]:
    """Every entry on a local install; on a hosted one (DL_HOSTED), those on built-in data and this session's own."""
    entries = store.entries()
    allowed = {run.key for run in visible_runs(map(Run.from_entry, entries), hosted=hosted_mode(), own_keys=own_runs())}
    return [entry for entry in entries if entry.key in allowed]


def cache_header() -> list[str]:
    return [t("home.cache_page"), t("home.cache_data"), t("home.cache_result"), t("home.cache_trained"), t("home.cache_size")]


def cache_row(entry: StoreEntry) -> list[str]:
    meta = entry.meta
    task = str(meta.get("task", "?"))
    page = PAGE_OF_TASK.get(task)
    created = meta.get("created")
    return [
        t(f"nav.{page}") if page else task,
        str(meta.get("data", {}).get("source") or "?"),
        headline_result(meta.get("metrics", {})),
        time.strftime("%Y-%m-%d %H:%M", time.localtime(created)) if isinstance(created, (int, float)) else "?",
        human_size(entry.size_bytes),
    ]


def headline_result(metrics: dict[str, Any]) -> str:
    """``'RMSE 0.908'``, ``'accuracy 91.2% (48 test)'``; with a caution mark under SMALL_TEST_SIZE examples."""
    if isinstance(metrics.get("rmse"), (int, float)):
        return t("home.cache_rmse", rmse=metrics["rmse"])
    for name in ("accuracy", "val_accuracy"):
        value = metrics.get(name)
        if isinstance(value, (int, float)):
            test_size = metrics.get("test_size")
            if not isinstance(test_size, int):
                return t(f"home.cache_{name}", value=value * 100)
            text = t(f"home.cache_{name}_on", value=value * 100, count=test_size)
            return f"{text} ⚠️" if test_size < SMALL_TEST_SIZE else text
    return "–"
