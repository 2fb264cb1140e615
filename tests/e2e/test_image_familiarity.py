"""Browser: a digits CNN trained on the page warns that a colour photo is far from its training data
(issue 24, item 5), beside the prediction on the Predict tab; a digit gets no warning.

With UPDATE_SCREENSHOTS=1 the Predict tab is saved as docs/image_far_from_training.png."""

from __future__ import annotations

import io
import re

from browser_utils import (
    act_then_expect,
    assert_no_exception,
    open_app,
    press_train,
    save_screenshot,
    set_image_epochs,
    visible_effect,
    wait_until_idle,
)
from PIL import Image
from sklearn.datasets import load_sample_image

from dl.image.dataset import load_sklearn_digits

PATH = "image_classification"


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def upload_images(page, files: list[tuple[str, bytes]]) -> None:
    uploader = page.locator('[data-testid="stFileUploader"]').filter(has_text="Images to classify").first
    uploader.locator('input[type="file"]').set_input_files(
        files=[{"name": name, "mimeType": "image/png", "buffer": data} for name, data in files])
    wait_until_idle(page)


def train_digits_for_five_epochs(page) -> None:
    digits = page.locator('[data-testid="stRadio"]').first.get_by_text("Small digits 8×8 (1,797)", exact=True)
    act_then_expect(page, digits.click, visible_effect(page.get_by_text("1,797 images · 10 classes")))
    wait_until_idle(page)
    set_image_epochs(page, 5)
    press_train(page)
    page.get_by_text(re.compile(r"test accuracy [\d.]+%")).first.wait_for(timeout=300_000)
    wait_until_idle(page)


def test_predict_tab_warns_that_a_photo_is_far_from_the_training_digits(page, app_url):
    page.set_default_timeout(180_000)  # the machine may be busy; TensorFlow loads on the first job
    open_app(page, app_url, PATH)
    train_digits_for_five_epochs(page)
    uploader = page.locator('[data-testid="stFileUploader"]').filter(has_text="Images to classify")
    act_then_expect(page, page.get_by_role("tab", name="③ Predict").click, visible_effect(uploader))
    wait_until_idle(page)
    flower = Image.fromarray(load_sample_image("flower.jpg")[60:420, 120:600])  # 480x360, a colour photo
    digit = Image.fromarray(load_sklearn_digits().images[-1, ..., 0]).resize((64, 64), Image.NEAREST)
    upload_images(page, [("flower.png", png_bytes(flower)), ("digit.png", png_bytes(digit))])
    warnings = page.locator('[data-testid="stAlertContentWarning"]').filter(has_text="Far from the training data")
    warnings.first.wait_for()
    page.get_by_text("Like the training images").first.wait_for()
    assert warnings.count() == 1  # the flower only
    assert "greyscale" in warnings.first.inner_text()  # its reasons are listed
    assert_no_exception(page)
    save_screenshot(page, "image_far_from_training")
