"""dl.runs: every stored run of a task as rows to compare, the hosted rule, the CSV (issue 26.3, 26.4)."""

from __future__ import annotations

import csv
import io
import time

import numpy as np
import pytest

from dl.runs import (
    Run,
    curve_metrics,
    curve_points,
    hosted_mode,
    list_runs,
    runs_csv,
    varying_settings,
    visible_runs,
)
from dl.store import ModelStore, make_key


def put_run(store: ModelStore, task: str, config: dict, *, builtin: bool, accuracy: float, epochs: int = 3,
            source: str = "digits") -> str:
    key = make_key(task, config, f"data-{source}")
    history = [{"epoch": epoch + 1, "loss": 1.0 / (epoch + 1), "val_accuracy": accuracy * (epoch + 1) / epochs}
               for epoch in range(epochs)]
    meta = {"task": task, "config": config, "metrics": {"accuracy": accuracy, "test_size": 360, "baseline": {"accuracy": 0.5}},
            "history": history, "train_seconds": 4.2, "data": {"source": source, "fingerprint": f"data-{source}", "builtin": builtin}}
    store.put(key, lambda folder: (folder / "model.bin").write_bytes(b"weights"), meta)
    return key


def test_runs_of_a_task_newest_first_with_what_differs(tmp_path):
    store = ModelStore(tmp_path)
    first = put_run(store, "text", {"epochs": 3, "optimizer": "adam", "filters": [8, 16]}, builtin=True, accuracy=0.7)
    time.sleep(0.01)
    second = put_run(store, "text", {"epochs": 5, "optimizer": "adam", "filters": [8, 32]}, builtin=True, accuracy=0.8, epochs=5)
    put_run(store, "recommender", {"epochs": 5}, builtin=True, accuracy=0.1)
    runs = list_runs(store, ["text"])
    assert [run.key for run in runs] == [second, first]
    assert varying_settings(runs) == ["epochs", "filters"]  # the optimizer is the same in both
    assert curve_metrics(runs) == ["loss", "val_accuracy"]
    points = curve_points(runs, "val_accuracy")
    assert len(points) == 8 and max(point["value"] for point in points) == pytest.approx(0.8)
    assert runs[0].number("accuracy") == 0.8 and runs[0].number("baseline") is None  # nested metrics are not compared


def test_the_csv_holds_every_setting_and_number_metric(tmp_path):
    store = ModelStore(tmp_path)
    put_run(store, "text", {"epochs": 3, "optimizer": "adam"}, builtin=True, accuracy=0.7, source="评论")
    put_run(store, "text", {"epochs": 5, "optimizer": "sgd"}, builtin=False, accuracy=0.8, source="mine.csv")
    data = runs_csv(list_runs(store, ["text"]))
    assert data.startswith("\ufeff".encode())  # Excel reads UTF-8 with a BOM
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert {row["data"] for row in rows} == {"评论", "mine.csv"}
    by_data = {row["data"]: row for row in rows}
    assert by_data["mine.csv"]["optimizer"] == "sgd" and float(by_data["mine.csv"]["accuracy"]) == 0.8
    assert by_data["评论"]["epochs"] == "3" and by_data["评论"]["test_size"] == "360"
    assert by_data["评论"]["data_fingerprint"] == "data-评论"


def test_a_hosted_visitor_sees_built_in_runs_and_their_own(tmp_path, monkeypatch):
    store = ModelStore(tmp_path)
    shared = put_run(store, "text", {"epochs": 3}, builtin=True, accuracy=0.7)
    theirs = put_run(store, "text", {"epochs": 4}, builtin=False, accuracy=0.8, source="their.csv")
    mine = put_run(store, "text", {"epochs": 5}, builtin=False, accuracy=0.9, source="my.csv")
    runs = list_runs(store, ["text"])
    assert {run.key for run in visible_runs(runs, hosted=False)} == {shared, theirs, mine}
    assert {run.key for run in visible_runs(runs, hosted=True, own_keys={mine})} == {shared, mine}
    monkeypatch.setenv("DL_HOSTED", "1")
    assert hosted_mode()
    monkeypatch.setenv("DL_HOSTED", "0")
    assert not hosted_mode()


def test_an_entry_older_than_the_built_in_flag_counts_as_an_upload(tmp_path):
    store = ModelStore(tmp_path)
    key = put_run(store, "text", {"epochs": 3}, builtin=True, accuracy=0.7)
    entry = store.get(key)
    del entry.meta["data"]["builtin"]
    assert not Run.from_entry(entry).builtin


def test_built_in_data_carries_the_flag_and_uploads_do_not():
    from dl.image.dataset import ImageDataset, data_summary, load_builtin
    from dl.text.data import build_dataset
    from dl.text.data import load_builtin as load_texts

    digits = load_builtin("digits")
    assert digits.builtin and digits.subset(np.arange(20)).builtin and data_summary(digits)["builtin"] is True
    reviews = load_texts("rotten_tomatoes")
    assert reviews.builtin and reviews.subset(200).builtin and reviews.subset(200).summary()["builtin"] is True
    upload = build_dataset([f"{word} film {index}" for index in range(10) for word in ("good", "bad")], ["pos", "neg"] * 10,
                           "mine.csv")
    assert not upload.builtin and upload.summary()["builtin"] is False
    pixels = ImageDataset(np.zeros((4, 8, 8, 1), np.uint8), np.array([0, 1, 0, 1]), ["a", "b"], "mine.zip")
    assert not pixels.builtin


def test_two_hundred_runs_list_quickly(tmp_path):
    """Issue 26's goal: the run list of 200 stored models in 0.5 s (this is the reading and the table's rows;
    bench/runs_list.py times the whole tab)."""
    store = ModelStore(tmp_path)
    config = {f"setting_{index}": index for index in range(25)}
    for index in range(200):
        put_run(store, "image-cnn", {**config, "epochs": index % 7, "learning_rate": 0.001 * (index % 5 + 1), "seed": index}, builtin=True,
                accuracy=0.5 + index / 500, epochs=20)
    started = time.perf_counter()
    runs = list_runs(store, ["image-cnn"])
    data = runs_csv(runs)
    seconds = time.perf_counter() - started
    assert len(runs) == 200 and data.count(b"\n") == 201
    assert varying_settings(runs) == ["epochs", "learning_rate", "seed"]
    assert seconds < 0.5, seconds
