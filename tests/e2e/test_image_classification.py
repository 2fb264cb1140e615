"""Browser: upload a zip of two classes, train, see the confusion matrix, classify an image; train on
the built-in 8x8 digits; transfer learning on photos; download the trained model from the Export tab
and run its predict.py on a photo; a bad zip shows an error box, never a traceback.

The transfer tests share one trained model through the server's model store: the second one to press
Train with the same photos and settings gets it from the store in a second (each still passes alone)."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import zipfile

import numpy as np
from browser_utils import (
    act_then_expect,
    assert_no_exception,
    open_app,
    press_train,
    set_image_epochs,
    visible_effect,
    wait_until_idle,
)
from image_photos import random_crops, shape_png, three_class_photos
from PIL import Image
from playwright.sync_api import expect

PATH = "image_classification"
TRAINED = re.compile(r"test accuracy [\d.]+%")


def zip_bytes(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def png_bytes(pixels: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


def panel(page):
    """The open tab's panel."""
    return page.locator('[role="tabpanel"]:visible')


def choose_source(page, label: str, shown) -> None:
    """Pick an image source in the first radio group and wait for ``shown`` (its uploader or summary)."""
    act_then_expect(page, page.locator('[data-testid="stRadio"]').first.get_by_text(label, exact=True).click, visible_effect(shown))
    wait_until_idle(page)


def choose_zip_source(page) -> None:
    choose_source(page, "Upload a zip", page.locator('[data-testid="stFileUploader"]').filter(has_text="Zip of class folders"))


def upload(page, uploader_label: str, name: str, data: bytes, mime: str) -> None:
    uploader = page.locator('[data-testid="stFileUploader"]').filter(has_text=uploader_label).first
    uploader.locator('input[type="file"]').set_input_files(files=[{"name": name, "mimeType": mime, "buffer": data}])
    wait_until_idle(page)


def open_tab(page, name: str, content) -> None:
    """Click a tab and wait for ``content`` (only the open tab runs: it appears after the click)."""
    act_then_expect(page, page.get_by_role("tab", name=name).click, visible_effect(content))
    wait_until_idle(page)


def train(page) -> float:
    """Press Train, wait for the result line; return its test accuracy in percent."""
    press_train(page)
    page.get_by_text(TRAINED).first.wait_for(timeout=300_000)  # the fragment reruns the page when done
    wait_until_idle(page)
    assert_no_exception(page)
    return float(re.search(r"test accuracy ([\d.]+)%", page.get_by_text(TRAINED).first.inner_text()).group(1))


def shown_predictions(page, classes: str) -> list[tuple[str, float]]:
    """(label, percent) of every prediction line ("**label** (93.1%)") in the open tab."""
    texts = panel(page).locator('[data-testid="stMarkdownContainer"]').all_inner_texts()
    return [(match.group(1), float(match.group(2))) for text in texts
            if (match := re.fullmatch(rf"({classes}) \(([\d.]+)%\)", text.strip()))]


def test_upload_train_confusion_matrix_and_predict(page, app_url):
    page.set_default_timeout(180_000)  # the machine may be busy; TensorFlow loads on the first job
    open_app(page, app_url, PATH)
    page.get_by_text("Image classification").first.wait_for()
    choose_zip_source(page)
    # same colours, only the bar's direction differs: 40 per class, 16 held out for the test
    files = {f"bars/{index}.png": shape_png("bars", index) for index in range(40)}
    files.update({f"stripes/{index}.png": shape_png("stripes", 100 + index) for index in range(40)})
    upload(page, "Zip of class folders", "shapes.zip", zip_bytes(files), "application/zip")
    page.get_by_text("80 images · 2 classes").first.wait_for()
    assert_no_exception(page)
    accuracy = train(page)  # the page's default settings, as a new user would train
    assert accuracy >= 80.0, accuracy  # shape only; chance is 50 %

    open_tab(page, "② Results", page.locator(".js-plotly-plot").filter(has_text="Confusion matrix"))
    page.get_by_text("Where the model looked (Grad-CAM)").first.wait_for()

    open_tab(page, "③ Predict", page.locator('[data-testid="stFileUploader"]').filter(has_text="Images to classify"))
    upload(page, "Images to classify", "new_bar.png", shape_png("bars", 999), "image/png")
    page.get_by_text("where it looked").first.wait_for()
    wait_until_idle(page)
    predictions = [label for label, _ in shown_predictions(page, "bars|stripes")]
    assert predictions == ["bars"], predictions  # the right class for a new vertical bar
    assert_no_exception(page)


def test_train_on_the_built_in_digits(page, app_url):
    """The 8x8 digits with five epochs (the Settings' epochs slider): ten classes well above chance."""
    page.set_default_timeout(180_000)
    open_app(page, app_url, PATH)
    choose_source(page, "Small digits 8×8 (1,797)", page.get_by_text("1,797 images · 10 classes"))
    set_image_epochs(page, 5)
    accuracy = train(page)
    assert accuracy >= 80.0, accuracy  # chance: 10 %; measured 92.5 % after five epochs
    assert page.get_by_text(re.compile(r"Trained for 5 epochs|Loaded from the model cache")).count() == 1

    open_tab(page, "② Results", page.locator(".js-plotly-plot").filter(has_text="Confusion matrix"))
    matrix = panel(page).locator(".js-plotly-plot").filter(has_text="Confusion matrix").first
    ticks = matrix.locator(".xtick text").all_text_contents()
    assert ticks == [str(digit) for digit in range(10)], ticks  # the confusion matrix covers all ten digits
    assert_no_exception(page)


PHOTO_CLASSES = "flower|temple|digit"


def new_flower() -> bytes:
    """A crop of the flower photo the training set did not have (another random place and scale)."""
    from sklearn.datasets import load_sample_image

    return png_bytes(random_crops(load_sample_image("flower.jpg"), 1, np.random.default_rng(2024))[0])


def train_transfer_on_photos(page, app_url) -> float:
    """Upload 3 x 20 photos as a zip, pick transfer learning, train; return the test accuracy."""
    photos = three_class_photos(per_class=20, seed=0)
    files = {f"{photos.class_names[label]}/{index}.png": png_bytes(image)
             for index, (image, label) in enumerate(zip(photos.images, photos.labels, strict=True))}
    open_app(page, app_url, PATH)
    choose_zip_source(page)
    upload(page, "Zip of class folders", "photos.zip", zip_bytes(files), "application/zip")
    page.get_by_text("60 images · 3 classes").first.wait_for()
    transfer = page.get_by_text("A network pretrained on ImageNet turns each photo into 1,280 features")
    act_then_expect(page, page.locator('[data-testid="stRadio"]').filter(has_text="Seed CNN").get_by_text(
        "Transfer learning (EfficientNet-Lite0)", exact=True).click, visible_effect(transfer))
    wait_until_idle(page)
    return train(page)


def test_transfer_learning_on_photos(page, app_url):
    page.set_default_timeout(240_000)  # EfficientNet-Lite0 loads on the first transfer job
    accuracy = train_transfer_on_photos(page, app_url)
    assert accuracy >= 90.0, accuracy  # chance: 33 %; pretrained features separate these at once

    open_tab(page, "③ Predict", page.locator('[data-testid="stFileUploader"]').filter(has_text="Images to classify"))
    upload(page, "Images to classify", "new_flower.png", new_flower(), "image/png")
    page.get_by_text(re.compile(rf"^({PHOTO_CLASSES}) \([\d.]+%\)$")).first.wait_for()
    wait_until_idle(page)
    assert [label for label, _ in shown_predictions(page, PHOTO_CLASSES)] == ["flower"]
    assert page.get_by_text("where it looked").count() == 0  # Grad-CAM is for the seed CNN only
    assert_no_exception(page)


def test_export_zip_runs_its_predict_script(page, app_url, tmp_path):
    """Download the transfer model from the Export tab, unzip it, and run its predict.py on a photo:
    it prints the label and probability the Predict tab shows for the same photo."""
    page.set_default_timeout(240_000)
    train_transfer_on_photos(page, app_url)
    photo = tmp_path / "new_flower.png"
    photo.write_bytes(new_flower())

    open_tab(page, "③ Predict", page.locator('[data-testid="stFileUploader"]').filter(has_text="Images to classify"))
    upload(page, "Images to classify", photo.name, photo.read_bytes(), "image/png")
    page.get_by_text(re.compile(rf"^({PHOTO_CLASSES}) \([\d.]+%\)$")).first.wait_for()
    wait_until_idle(page)
    [(in_app_label, in_app_percent)] = shown_predictions(page, PHOTO_CLASSES)

    download_button = page.get_by_role("button", name=re.compile(r"Download zip \(model file"))
    open_tab(page, "Export", download_button)
    with page.expect_download(timeout=240_000) as download_info:
        download_button.click()
    download = download_info.value
    assert re.fullmatch(r"image-classifier-transfer\.zip", download.suggested_filename), download.suggested_filename
    archive = tmp_path / download.suggested_filename
    download.save_as(archive)
    folder = tmp_path / "model"
    with zipfile.ZipFile(archive) as opened:
        assert {"predict.py", "head.keras", "class_names.json", "export_info.json", "MODEL_CARD.md"} <= set(opened.namelist())
        opened.extractall(folder)

    finished = subprocess.run([sys.executable, "predict.py", str(photo)], cwd=folder, capture_output=True, text=True,
                              timeout=600, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})
    assert finished.returncode == 0, finished.stderr[-3000:]
    lines = [line for line in finished.stdout.splitlines() if line.startswith("{")]
    assert len(lines) == 1, finished.stdout
    printed = json.loads(lines[0])
    assert printed["file"] == str(photo) and printed["label"] in PHOTO_CLASSES.split("|"), printed
    # the same model on the same photo, outside the app: the same answer as the Predict tab
    assert printed["label"] == in_app_label, (printed, in_app_label)
    assert abs(printed["probability"] * 100 - in_app_percent) <= 0.1, (printed, in_app_percent)  # the page rounds to 0.1 %
    assert_no_exception(page)


def test_bad_zip_shows_error_box(page, app_url):
    open_app(page, app_url, PATH)
    choose_zip_source(page)
    evil = zip_bytes({"../../escape.png": shape_png("bars", 1), "bars/1.png": shape_png("bars", 2)})
    upload(page, "Zip of class folders", "evil.zip", evil, "application/zip")
    alert = page.locator('[data-testid="stAlert"]').filter(has_text="../../escape.png")
    expect(alert).to_have_count(1, timeout=60_000)
    assert "Problem with the data" in alert.first.inner_text()
    assert_no_exception(page)
