"""Browser: upload a zip of two classes, train, see the confusion matrix, classify an image; a bad
zip shows an error box, never a traceback."""

from __future__ import annotations

import io
import re
import time
import zipfile

from browser_utils import assert_no_exception, open_app, wait_until_idle
from image_photos import shape_png

PATH = "image_classification"


def zip_bytes(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def choose_zip_source(page, label: str) -> None:
    """Pick the zip source and wait for its uploader."""
    page.locator('[data-testid="stRadio"]').first.get_by_text(label, exact=True).click()
    page.locator('[data-testid="stFileUploader"]').filter(has_text="Zip of class folders").first.wait_for(timeout=60_000)
    wait_until_idle(page)


def upload(page, uploader_label: str, name: str, data: bytes, mime: str) -> None:
    uploader = page.locator('[data-testid="stFileUploader"]').filter(has_text=uploader_label).first
    uploader.locator('input[type="file"]').set_input_files(files=[{"name": name, "mimeType": mime, "buffer": data}])
    wait_until_idle(page)


def test_upload_train_confusion_matrix_and_predict(page, app_url):
    page.set_default_timeout(180_000)  # the machine may be busy; TensorFlow loads on the first job
    open_app(page, app_url, PATH)
    page.get_by_text("Image classification").first.wait_for()
    choose_zip_source(page, "Upload a zip")
    # same colours, only the bar's direction differs: 40 per class, 16 held out for the test
    files = {f"bars/{index}.png": shape_png("bars", index) for index in range(40)}
    files.update({f"stripes/{index}.png": shape_png("stripes", 100 + index) for index in range(40)})
    upload(page, "Zip of class folders", "shapes.zip", zip_bytes(files), "application/zip")
    page.get_by_text("80 images · 2 classes").first.wait_for()
    assert_no_exception(page)
    # the page's default settings, as a new user would train

    page.locator("button").filter(has_text="Train").first.click()
    page.get_by_text("test accuracy").first.wait_for(timeout=300_000)  # the fragment reruns the page when done
    wait_until_idle(page)
    assert_no_exception(page)
    shown = page.get_by_text(re.compile(r"test accuracy [\d.]+%")).first.inner_text()
    accuracy = float(re.search(r"test accuracy ([\d.]+)%", shown).group(1))
    assert accuracy >= 80.0, shown  # shape only; chance is 50 %

    page.get_by_role("tab", name="② Results").click()
    page.locator(".js-plotly-plot").filter(has_text="Confusion matrix").first.wait_for()
    page.get_by_text("Where the model looked (Grad-CAM)").first.wait_for()

    page.get_by_role("tab", name="③ Predict").click()
    upload(page, "Images to classify", "new_bar.png", shape_png("bars", 999), "image/png")
    page.get_by_text("where it looked").first.wait_for()
    panel = page.locator('[role="tabpanel"]:visible')
    shown = panel.locator('[data-testid="stMarkdownContainer"]').all_inner_texts()
    predictions = [match.group(1) for text in shown if (match := re.fullmatch(r"(bars|stripes) \([\d.]+%\)", text.strip()))]
    assert predictions == ["bars"], shown  # the right class for a new vertical bar
    assert_no_exception(page)


def test_bad_zip_shows_error_box(page, app_url):
    open_app(page, app_url, PATH)
    choose_zip_source(page, "Upload a zip")
    evil = zip_bytes({"../../escape.png": shape_png("bars", 1), "bars/1.png": shape_png("bars", 2)})
    upload(page, "Zip of class folders", "evil.zip", evil, "application/zip")
    alert = page.locator('[data-testid="stAlert"]').filter(has_text="../../escape.png")
    deadline = time.time() + 60
    while not alert.count() and time.time() < deadline:
        time.sleep(0.5)
    assert alert.count() == 1
    assert "Problem with the data" in alert.first.inner_text()
    assert_no_exception(page)
