"""Browser: on the image page's Pretrained tab, upload a photo and see EfficientNet-Lite0's top-5 chart."""

from __future__ import annotations

from browser_utils import assert_no_exception, open_app, open_pretrained_tab, save_screenshot, wait_until_idle
from PIL import Image
from sklearn.datasets import load_sample_image


def test_upload_a_photo_and_see_the_top5_chart(page, app_url, tmp_path):
    photo = tmp_path / "flower.jpg"
    Image.fromarray(load_sample_image("flower.jpg")).save(photo, quality=92)
    open_app(page, app_url, "image_classification")
    uploader = open_pretrained_tab(page, "en")
    uploader.locator('input[type="file"]').set_input_files(str(photo))
    wait_until_idle(page)
    panel = page.locator('[role="tabpanel"]:visible')
    panel.locator(".js-plotly-plot").first.wait_for(timeout=120_000)
    assert_no_exception(page)
    assert panel.get_by_text("most likely").first.is_visible()
    assert "daisy" in panel.locator(".js-plotly-plot").first.inner_text()
    save_screenshot(page, "image-pretrained")


def test_a_file_that_is_not_a_photo_shows_an_error_box(page, app_url, tmp_path):
    fake = tmp_path / "holiday.png"
    fake.write_bytes(b"this is a text file pretending to be a PNG")
    open_app(page, app_url, "image_classification", language="zh")
    uploader = open_pretrained_tab(page, "zh")
    uploader.locator('input[type="file"]').set_input_files(str(fake))
    wait_until_idle(page)
    panel = page.locator('[role="tabpanel"]:visible')
    panel.locator('[data-testid="stAlertContentError"]').first.wait_for(timeout=60_000)
    assert "holiday.png" in panel.locator('[data-testid="stAlertContentError"]').first.inner_text()
    assert_no_exception(page)


