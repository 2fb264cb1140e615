"""The playground: built-in datasets, CSV parsing with clear errors, a Keras MLP that really learns."""

import numpy as np
import pytest

from dl.data.errors import DataError
from dl.jobs import Job, JobCancelled, ProgressReporter, run_inline
from dl.lessons.playground import (
    DATASETS,
    PlaygroundConfig,
    PlaygroundDataConfig,
    PlaygroundRun,
    make_playground_data,
    make_points,
    parse_points_csv,
    train_playground,
)


@pytest.mark.parametrize("dataset", [name for name in DATASETS if name != "csv"])
def test_builtin_datasets_have_balanced_classes_in_range(dataset):
    points, labels = make_points(dataset, 300, noise=0.0, seed=1)
    assert points.shape == (300, 2) and points.dtype == np.float32
    assert np.abs(points).max() < 1.6
    counts = np.bincount(labels)
    assert len(counts) == (3 if dataset == "blobs" else 2)
    assert counts.min() >= 0.3 * 300 / len(counts)
    again, _ = make_points(dataset, 300, noise=0.0, seed=1)
    np.testing.assert_array_equal(points, again)  # fixed seed, same points


def test_split_is_stratified_and_disjoint():
    data = make_playground_data(PlaygroundDataConfig(dataset="moons", num_points=200, test_fraction=0.25))
    assert len(data.x_test) == 50 and len(data.x_train) == 150
    assert np.bincount(data.y_test).tolist() == [25, 25]
    both = np.concatenate([data.x_train, data.x_test])
    assert len(np.unique(both, axis=0)) == 200


def test_csv_with_header_words_as_labels_and_any_column_order():
    rows = "\n".join(f"{i % 7},{i * 0.5},{'cat' if i % 2 else 'dog'}" for i in range(20))
    points, labels, names = parse_points_csv("Y,X,Label\n" + rows)
    assert names == ["cat", "dog"]
    assert points.shape == (20, 2)
    assert points[3].tolist() == [1.5, 3.0]  # x came from the second column
    assert labels[:2].tolist() == [1, 0]


def test_csv_without_header_and_gbk_encoding():
    rows = "\n".join(f"{i},{-i},{'正' if i % 2 else '负'}" for i in range(12))
    points, labels, names = parse_points_csv(rows.encode("gbk"))
    assert sorted(names) == ["正", "负"] and len(points) == 12


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "empty"),
        ("   \n\n", "empty"),
        ("a,b,c\n1,2,3\n", "no column x, y, label"),
        ("x,y\n" + "1,2\n" * 20, "no column label"),
        ("x,y,label\n" + "1,2,0\n" * 5 + "1,abc,1\n" + "1,2,1\n" * 10, "line 7: y is 'abc'"),
        ("x,y,label\n" + "1,2,0\n" * 20, "only one class"),
        ("x,y,label\n" + "1,2,0\n1,2,1\n", "at least 10"),
        ("x,y,label\n" + "1,2,0\n" * 100_001, "at most 100,000"),
        ("x,y,label\n" + "1,2,0\n" * 10 + "1,2,\n", "line 12: label is empty"),
        ("x,y,label\n" + "".join(f"1,2,{i}\n" for i in range(12)), "12 different labels"),
    ],
    ids=["empty", "blank", "wrong-columns", "no-label", "non-numeric", "one-class", "too-few", "too-many-rows",
         "empty-label", "too-many-classes"],
)
def test_bad_csv_raises_data_error_saying_what_is_wrong(content, message):
    with pytest.raises(DataError, match=message):
        parse_points_csv(content, "points.csv")


def test_csv_dataset_needs_an_upload():
    with pytest.raises(DataError, match="Upload a CSV"):
        make_playground_data(PlaygroundDataConfig(dataset="csv"))


def test_mlp_learns_circles_and_step_continues_the_same_model():
    data = make_playground_data(PlaygroundDataConfig(dataset="circles", num_points=400, noise=0.05))
    run = run_inline(lambda reporter: train_playground(PlaygroundConfig(epochs=20), data, reporter))
    assert run.accuracy("test") >= 0.95
    assert [row["epoch"] for row in run.history] == list(range(1, 21))
    assert {"loss", "val_loss", "accuracy", "val_accuracy"} <= set(run.history[-1])
    boundary = run.boundary
    assert boundary.epoch == 20 and boundary.probabilities.shape == (60, 60, 2)
    # the centre of the grid is the inner disc (class 1), a corner is outside the ring (class 0)
    assert boundary.predicted_class[30, 30] == 1 and boundary.predicted_class[0, 0] == 0
    weights_before = [w.copy() for w in run.model.get_weights()]
    run_inline(lambda reporter: run.train(1, reporter))
    assert run.epochs_done == 21 and run.history[-1]["epoch"] == 21 and run.boundary.epoch == 21
    assert any(not np.array_equal(a, b) for a, b in zip(weights_before, run.model.get_weights(), strict=True))


def test_mlp_learns_spiral():
    data = make_playground_data(PlaygroundDataConfig(dataset="spiral", num_points=400, noise=0.05))
    config = PlaygroundConfig(hidden_layers=(32, 32), activation="relu", learning_rate=0.01, epochs=60)
    run = run_inline(lambda reporter: train_playground(config, data, reporter))
    assert run.accuracy("test") >= 0.90


def test_three_blobs_use_softmax_and_cancel_keeps_finished_epochs():
    data = make_playground_data(PlaygroundDataConfig(dataset="blobs", num_points=150))
    run = PlaygroundRun(PlaygroundConfig(l2=1e-3, dropout=0.1, optimizer="momentum"), data)
    job = Job("blobs", "blobs", work=lambda reporter: None)
    reporter = ProgressReporter(job)
    run.train(3, reporter)
    assert run.boundary.probabilities.shape[-1] == 3
    np.testing.assert_allclose(run.boundary.probabilities.sum(axis=-1), 1.0, atol=1e-4)
    job.cancel()
    with pytest.raises(JobCancelled):
        run.train(5, reporter)
    assert run.epochs_done == 3  # cancelled at the first batch of epoch 4: nothing half-counted
