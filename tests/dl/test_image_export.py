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
from dl.image.dataset import load_sklearn_digits
from dl.jobs import run_inline


@pytest.fixture(scope="module")
def digits_classifier(tmp_path_factory):
    """The seed CNN (dl.image.cnn) trained briefly on sklearn's 8x8 digits, scaled to 16x16."""
    from dl.image.cnn import ImageClassifierConfig, train_image_classifier
    from dl.store import ModelStore

    dataset = load_sklearn_digits()
    store = ModelStore(tmp_path_factory.mktemp("store"))
    config = ImageClassifierConfig(image_size=16, epochs=6)
    trained = run_inline(lambda reporter: train_image_classifier(config, dataset, reporter, store))
    return trained, dataset


def app_probabilities(trained, png_bytes: bytes, name: str) -> np.ndarray:
    """What the page predicts for an uploaded file: decoded, stored like an upload, then the model."""
    from dl.image.cnn import predict_probabilities
    from dl.image.uploads import DEFAULT_LIMITS, decode_image, images_to_array

    image = decode_image(png_bytes, name)
    return predict_probabilities(trained, images_to_array([image], DEFAULT_LIMITS.storage_size, trained.channels))[0]


def png_of(pixels: np.ndarray, path) -> bytes:
    Image.fromarray(pixels[..., 0] if pixels.shape[-1] == 1 else pixels).save(path)
    return path.read_bytes()


def unzip(data: bytes, folder):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        archive.extractall(folder)
    return folder


def test_the_digits_model_learned(digits_classifier):
    trained, _ = digits_classifier
    assert trained.metrics["accuracy"] > 0.85


def test_export_zip_loads_back_and_predicts_the_same(digits_classifier, tmp_path):
    from dl.image.export import export_zip, load_uploaded_model

    trained, dataset = digits_classifier
    data = export_zip(trained)
    folder = unzip(data, tmp_path)
    for name in ("model.keras", "class_names.json", "model_card.json", "MODEL_CARD.md", "predict.py", "export_info.json"):
        assert (folder / name).is_file(), name
    card = json.loads((folder / "model_card.json").read_text())
    assert card["metrics"]["accuracy"] == pytest.approx(trained.metrics["accuracy"])
    assert "| 0 |" in (folder / "MODEL_CARD.md").read_text()
    from dl.image.pixels import prepare_pixels

    sample = prepare_pixels(dataset.images[trained.test_indices[:20]], (16, 16), 1)
    expected = trained.model.predict(sample, verbose=0)
    for upload, name in ((data, "export.zip"), ((folder / "model.keras").read_bytes(), "model.keras")):
        loaded = load_uploaded_model(upload, name, expected_input=(16, 16, 1))
        assert loaded.kind == "seed" and loaded.image_size == (16, 16) and loaded.channels == 1
        np.testing.assert_allclose(loaded.predict(sample), expected, atol=1e-5)
    assert load_uploaded_model(data, "export.zip").class_names == [str(digit) for digit in range(10)]


def test_predict_script_runs_in_a_subprocess_on_a_png(digits_classifier, tmp_path):
    from dl.image.export import export_zip

    trained, dataset = digits_classifier
    folder = unzip(export_zip(trained), tmp_path / "export")
    png = tmp_path / "digit.png"
    expected = app_probabilities(trained, png_of(dataset.images[int(trained.test_indices[0])], png), png.name)
    run = subprocess.run([sys.executable, str(folder / "predict.py"), str(png)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    answer = json.loads(run.stdout.strip().splitlines()[-1])
    assert answer["file"] == str(png)
    assert answer["label"] == trained.class_names[int(np.argmax(expected))]
    assert answer["probability"] == pytest.approx(float(expected.max()), abs=1e-3)


def test_int8_compression_is_smaller_and_about_as_accurate(digits_classifier, tmp_path):
    from dl.image.export import compress_classifier, compressed_export_zip

    trained, dataset = digits_classifier
    report = compress_classifier(trained, dataset)
    keras_row, float_row, int8_row = report.rows
    assert int8_row["bytes"] < float_row["bytes"] / 2.5  # int8 weights: about a quarter of float32
    assert int8_row["bytes"] < keras_row["bytes"]
    assert int8_row["accuracy"] >= keras_row["accuracy"] - 0.03
    assert float_row["accuracy"] == pytest.approx(keras_row["accuracy"], abs=0.01)

    folder = unzip(compressed_export_zip(trained, report), tmp_path / "int8")
    assert json.loads((folder / "model_card.json").read_text())["compression"]["rows"][2]["name"] == "LiteRT int8"
    # ten held-out test digits through the int8 predict.py: the right digit, not just any class name
    indices = [int(index) for index in trained.test_indices[:10]]
    pngs = []
    for position, index in enumerate(indices):
        png = tmp_path / f"digit{position}.png"
        png_of(dataset.images[index], png)
        pngs.append(str(png))
    run = subprocess.run([sys.executable, str(folder / "predict.py"), *pngs], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    answers = [json.loads(line) for line in run.stdout.strip().splitlines() if line.startswith("{")]
    assert [answer["file"] for answer in answers] == pngs
    truth = [trained.class_names[int(dataset.labels[index])] for index in indices]
    right = sum(answer["label"] == label for answer, label in zip(answers, truth))
    assert right >= 8, (truth, [answer["label"] for answer in answers])  # the float model scores > 85 %


def test_bad_model_uploads_raise_data_error(digits_classifier, tmp_path):
    import keras

    from dl.image.export import export_zip, load_uploaded_model

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
    with pytest.raises(DataError, match="16x16x1"):
        load_uploaded_model(export_zip(trained), "digits.zip", expected_input=(28, 28, 1))
    # a Keras model that is not an image classifier (vector input)
    inputs = keras.Input((5,))
    tabular = keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(inputs))
    path = tmp_path / "tabular.keras"
    tabular.save(path)
    with pytest.raises(DataError, match="input of shape"):
        load_uploaded_model(path.read_bytes(), "tabular.keras")


def test_transfer_model_exports_its_head_and_predict_py_rebuilds_the_features(tmp_path):
    from image_photos import three_class_photos

    from dl.image.export import compress_classifier, export_zip, load_uploaded_model
    from dl.image.transfer import TransferConfig, train_transfer_classifier
    from dl.store import ModelStore

    photos = three_class_photos(per_class=8, seed=1)
    store = ModelStore(tmp_path / "store")
    trained = run_inline(lambda reporter: train_transfer_classifier(TransferConfig(epochs=20), photos, reporter, store))
    folder = unzip(export_zip(trained), tmp_path / "export")
    assert (folder / "head.keras").is_file()
    assert "EfficientNet-Lite0" in json.loads((folder / "model_card.json").read_text())["note"]
    loaded = load_uploaded_model((folder / "head.keras").read_bytes(), "head.keras")
    assert loaded.kind == "transfer" and loaded.class_names == ["class 0", "class 1", "class 2"]
    test_images = photos.images[trained.test_indices]
    np.testing.assert_allclose(loaded.predict(test_images), trained.model.predict(test_images), atol=1e-5)

    index = int(trained.test_indices[0])
    png = tmp_path / "photo.png"
    png_of(photos.images[index], png)
    run = subprocess.run([sys.executable, str(folder / "predict.py"), str(png)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    answer = json.loads(run.stdout.strip().splitlines()[-1])
    expected = trained.model.predict(photos.images[index : index + 1])[0]
    assert answer["label"] == trained.class_names[int(np.argmax(expected))]
    assert answer["probability"] == pytest.approx(float(expected.max()), abs=1e-3)

    report = compress_classifier(trained, photos)
    assert "head" in report.note and report.rows[2]["accuracy"] >= report.rows[0]["accuracy"] - 0.1


def test_a_model_with_python_code_is_refused_by_safe_mode(tmp_path):
    import keras

    from dl.image.export import load_uploaded_model

    inputs = keras.Input((8, 8, 1))
    doubled = keras.layers.Lambda(lambda pixels: pixels * 2)(inputs)
    model = keras.Model(inputs, keras.layers.Dense(2, activation="softmax")(keras.layers.Flatten()(doubled)))
    path = tmp_path / "sneaky.keras"
    model.save(path)
    with pytest.raises(DataError, match="sneaky.keras.*Lambda"):
        load_uploaded_model(path.read_bytes(), "sneaky.keras")


def test_strong_cnn_exports_and_predict_py_agrees(tmp_path):
    """The "Stronger CNN" (batch norm, augmentation, a cosine-scheduled AdamW) exports like the seed CNN:
    the zip loads back in safe mode and its predict.py gives the page's answer."""
    from dl.image.cnn import strong_config, train_image_classifier
    from dl.image.export import export_zip, load_uploaded_model
    from dl.image.pixels import prepare_pixels
    from dl.store import ModelStore

    dataset = load_sklearn_digits()
    config = strong_config(image_size=16, epochs=3, scale_to_data=False)
    trained = run_inline(lambda reporter: train_image_classifier(config, dataset, reporter, ModelStore(tmp_path / "store")))
    assert trained.metrics["accuracy"] > 0.5  # chance is 0.1
    data = export_zip(trained)
    folder = unzip(data, tmp_path / "export")
    sample = prepare_pixels(dataset.images[trained.test_indices[:20]], (16, 16), 1)
    loaded = load_uploaded_model(data, "export.zip", expected_input=(16, 16, 1))
    np.testing.assert_allclose(loaded.predict(sample), trained.model.predict(sample, verbose=0), atol=1e-5)
    png = tmp_path / "digit.png"
    expected = app_probabilities(trained, png_of(dataset.images[int(trained.test_indices[0])], png), png.name)
    run = subprocess.run([sys.executable, str(folder / "predict.py"), str(png)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    answer = json.loads(run.stdout.strip().splitlines()[-1])
    assert answer["label"] == trained.class_names[int(np.argmax(expected))]
    assert answer["probability"] == pytest.approx(float(expected.max()), abs=1e-3)
