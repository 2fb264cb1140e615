"""Export zip, predict.py in a subprocess, upload back, int8 compression, bad uploads."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile

import numpy as np
import pytest
from PIL import Image

from dl.data import DataError
from dl.vision.dataset import TrainedImageClassifier, load_sklearn_digits


@pytest.fixture(scope="module")
def digits_classifier():
    """A small seed-style CNN trained on sklearn's 8x8 digits (float pixels 0-255 in, like part A's)."""
    import keras

    from dl.vision.transfer import classification_metrics, stratified_split

    dataset = load_sklearn_digits()
    keras.utils.set_random_seed(0)
    train_indices, test_indices = stratified_split(dataset.labels, 0.2, seed=0)
    inputs = keras.Input((8, 8, 1))
    hidden = keras.layers.Rescaling(1 / 255)(inputs)
    hidden = keras.layers.Conv2D(16, 3, activation="relu", padding="same")(hidden)
    hidden = keras.layers.Flatten()(hidden)
    hidden = keras.layers.Dense(64, activation="relu")(hidden)
    model = keras.Model(inputs, keras.layers.Dense(10, activation="softmax")(hidden))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    images = dataset.images.astype(np.float32)
    fitted = model.fit(images[train_indices], dataset.labels[train_indices], epochs=8, batch_size=32, verbose=0)
    predicted = np.argmax(model.predict(images[test_indices], verbose=0), axis=1)
    metrics = classification_metrics(dataset.labels[test_indices], predicted, 10)
    history = [{"epoch": index + 1, "loss": loss} for index, loss in enumerate(fitted.history["loss"])]
    trained = TrainedImageClassifier(model, dataset.class_names, (8, 8), 1, metrics, history, "seed", test_indices)
    return trained, dataset


def unzip(data: bytes, folder):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        archive.extractall(folder)
    return folder


def test_the_digits_model_learned(digits_classifier):
    trained, _ = digits_classifier
    assert trained.metrics["accuracy"] > 0.9


def test_export_zip_loads_back_and_predicts_the_same(digits_classifier, tmp_path):
    from dl.vision.export import export_zip, load_uploaded_model

    trained, dataset = digits_classifier
    data = export_zip(trained)
    folder = unzip(data, tmp_path)
    for name in ("model.keras", "class_names.json", "model_card.json", "MODEL_CARD.md", "predict.py", "export_info.json"):
        assert (folder / name).is_file(), name
    card = json.loads((folder / "model_card.json").read_text())
    assert card["metrics"]["accuracy"] == pytest.approx(trained.metrics["accuracy"])
    assert "| 0 |" in (folder / "MODEL_CARD.md").read_text()
    sample = dataset.images[trained.test_indices[:20]].astype(np.float32)
    expected = trained.model.predict(sample, verbose=0)
    for upload, name in ((data, "export.zip"), ((folder / "model.keras").read_bytes(), "model.keras")):
        loaded = load_uploaded_model(upload, name, expected_input=(8, 8, 1))
        assert loaded.kind == "seed" and loaded.image_size == (8, 8) and loaded.channels == 1
        np.testing.assert_allclose(loaded.predict(sample), expected, atol=1e-5)
    assert load_uploaded_model(data, "export.zip").class_names == [str(digit) for digit in range(10)]


def test_predict_script_runs_in_a_subprocess_on_a_png(digits_classifier, tmp_path):
    from dl.vision.export import export_zip

    trained, dataset = digits_classifier
    folder = unzip(export_zip(trained), tmp_path / "export")
    index = int(trained.test_indices[0])
    png = tmp_path / "digit.png"
    Image.fromarray(dataset.images[index][..., 0]).save(png)
    run = subprocess.run([sys.executable, str(folder / "predict.py"), str(png)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    answer = json.loads(run.stdout.strip().splitlines()[-1])
    expected = trained.model.predict(dataset.images[index : index + 1].astype(np.float32), verbose=0)[0]
    assert answer["file"] == str(png)
    assert answer["label"] == trained.class_names[int(np.argmax(expected))]
    assert answer["probability"] == pytest.approx(float(expected.max()), abs=1e-4)


def test_int8_compression_is_smaller_and_about_as_accurate(digits_classifier, tmp_path):
    from dl.vision.export import compress_classifier, compressed_export_zip

    trained, dataset = digits_classifier
    report = compress_classifier(trained, dataset)
    keras_row, float_row, int8_row = report.rows
    assert int8_row["bytes"] < float_row["bytes"] / 2.5  # int8 weights: about a quarter of float32
    assert int8_row["bytes"] < keras_row["bytes"]
    assert int8_row["accuracy"] >= keras_row["accuracy"] - 0.03
    assert float_row["accuracy"] == pytest.approx(keras_row["accuracy"], abs=0.01)

    folder = unzip(compressed_export_zip(trained, report), tmp_path / "int8")
    assert json.loads((folder / "model_card.json").read_text())["compression"]["rows"][2]["name"] == "LiteRT int8"
    png = tmp_path / "digit.png"
    Image.fromarray(dataset.images[int(trained.test_indices[1])][..., 0]).save(png)
    run = subprocess.run([sys.executable, str(folder / "predict.py"), str(png)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert json.loads(run.stdout.strip().splitlines()[-1])["label"] in trained.class_names


def test_bad_model_uploads_raise_data_error(digits_classifier, tmp_path):
    import keras

    from dl.vision.export import export_zip, load_uploaded_model

    trained, _ = digits_classifier
    with pytest.raises(DataError, match="notes.txt"):
        load_uploaded_model(b"hello, I am not a model", "notes.txt")
    png = io.BytesIO()
    Image.new("RGB", (4, 4)).save(png, format="PNG")
    with pytest.raises(DataError, match="photo.keras"):
        load_uploaded_model(png.getvalue(), "photo.keras")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as writer:
        writer.writestr("readme.txt", "no model here")
    with pytest.raises(DataError, match="no Keras model"):
        load_uploaded_model(archive.getvalue(), "other.zip")
    corrupt = io.BytesIO()
    with zipfile.ZipFile(corrupt, "w") as writer:
        writer.writestr("config.json", "{not json")
    with pytest.raises(DataError, match="broken.keras"):
        load_uploaded_model(corrupt.getvalue(), "broken.keras")
    # right file, wrong input shape for the current data
    with pytest.raises(DataError, match="8x8x1"):
        load_uploaded_model(export_zip(trained), "digits.zip", expected_input=(28, 28, 1))
    # a Keras model that is not an image classifier (vector input)
    inputs = keras.Input((5,))
    tabular = keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(inputs))
    path = tmp_path / "tabular.keras"
    tabular.save(path)
    with pytest.raises(DataError, match="input of shape"):
        load_uploaded_model(path.read_bytes(), "tabular.keras")
