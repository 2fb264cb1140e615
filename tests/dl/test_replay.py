"""Training you can replay (issue 25.5): what is recorded per epoch, checked against the model itself."""

from __future__ import annotations

import numpy as np

from dl.image.cnn import ImageClassifierConfig, train_image_classifier
from dl.image.dataset import load_builtin
from dl.jobs import run_inline
from dl.lessons.playground import PlaygroundConfig, PlaygroundDataConfig, PlaygroundRun, make_playground_data
from dl.replay import REPLAY_FILE, load_replay
from dl.store import ModelStore


def test_the_image_cnn_records_every_epoch_and_its_last_kernels_are_the_models(tmp_path):
    config = ImageClassifierConfig(epochs=3, early_stopping=False, scale_to_data=False)
    trained = run_inline(lambda reporter: train_image_classifier(config, load_builtin("digits"), reporter, ModelStore(tmp_path)))
    epochs = trained.replay
    assert [row["epoch"] for row in epochs] == [0, 1, 2, 3]  # the starting weights, then every epoch
    assert epochs[0]["metrics"] == {} and set(epochs[-1]["metrics"]) >= {"loss", "val_accuracy"}
    np.testing.assert_allclose(epochs[-1]["metrics"]["loss"], trained.history[-1]["loss"], atol=1e-4)
    kernel = np.asarray(trained.model.get_layer("conv_1").kernel).mean(axis=2)  # (3, 3, 32), channel mean
    np.testing.assert_allclose(np.asarray(epochs[-1]["first_kernels"]), np.moveaxis(kernel, -1, 0), atol=1e-5)
    assert np.abs(np.asarray(epochs[-1]["first_kernels"]) - np.asarray(epochs[0]["first_kernels"])).max() > 0.01
    names = [row["layer"] for row in epochs[-1]["layers"]]
    assert names == ["conv_1", "dense", "probabilities"]
    dense = np.asarray(trained.model.get_layer("dense").kernel)
    np.testing.assert_allclose(epochs[-1]["layers"][1]["spread"], dense.std(), atol=1e-5)


def test_a_missing_or_foreign_replay_file_gives_no_replay(tmp_path):
    assert load_replay(tmp_path) == []
    (tmp_path / REPLAY_FILE).write_text("{not json")
    assert load_replay(tmp_path) == []
    (tmp_path / REPLAY_FILE).write_text('{"format": "replay/99", "epochs": [{"epoch": 0}]}')
    assert load_replay(tmp_path) == []


def test_the_playground_records_its_starting_weights_and_every_epoch():
    data = make_playground_data(PlaygroundDataConfig(dataset="xor", num_points=200))
    run = run_inline(lambda reporter: PlaygroundRun(PlaygroundConfig(), data).train(3, reporter))
    run = run_inline(lambda reporter: run.train(2, reporter))  # a second press continues the same record
    snapshots = run.snapshots
    assert [snapshot.epoch for snapshot in snapshots] == [0, 1, 2, 3, 4, 5]
    np.testing.assert_allclose(snapshots[-1].probabilities.astype(np.float32), run.boundary.probabilities, atol=1e-3)
    assert snapshots[-1].metrics["val_accuracy"] == run.history[-1]["val_accuracy"]
    hidden = np.asarray(run.model.get_layer("hidden_1").kernel)
    assert snapshots[-1].layers[0].layer == "hidden_1" and abs(snapshots[-1].layers[0].spread - hidden.std()) < 1e-6
    silent = run_inline(lambda reporter: PlaygroundRun(PlaygroundConfig(), data, record=False).train(2, reporter))
    assert silent.snapshots == []
