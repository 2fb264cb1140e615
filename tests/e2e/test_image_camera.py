"""Browser: a burst of camera photos per class with Chromium's fake camera (issue 27, part 1).

Chromium's ``--use-fake-device-for-media-stream`` camera shows a moving test pattern, and
``--use-fake-ui-for-media-stream`` with the camera permission granted answers the permission prompt.
Three clicks on each class's camera keep three photos in that class (thumbnails, counts), the camera
is live again after each click, and the photos train together with a few uploads (the fake camera's
frames differ between the classes only by chance, so the test checks that training runs to a result,
not its accuracy). Then the same page at a phone's size: the camera and the thumbnails fit the screen.
"""

from __future__ import annotations

import re
import time

import pytest
from browser_utils import (
    CHROMIUM,
    CHROMIUM_ARGS,
    act_then_expect,
    assert_no_exception,
    open_app,
    press_train,
    save_screenshot,
    set_image_epochs,
    visible_effect,
    wait_until_idle,
)
from image_photos import shape_png

PATH = "image_classification"
FAKE_CAMERA = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
PHOTOS = 3  # per class: a burst
UPLOADS = 6  # per class, beside the photos: enough for a train/test split of every class
TRAINED = re.compile(r"test accuracy [\d.]+%")


@pytest.fixture(scope="module")
def camera_browser(browser):
    """A browser of its own (the fake camera is a launch option, so the shared one cannot have it), started by the
    shared one's Playwright: a second ``sync_playwright()`` in the same thread is refused."""
    camera_browser = browser.browser_type.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + FAKE_CAMERA, headless=True)
    yield camera_browser
    camera_browser.close()


@pytest.fixture
def camera_page(camera_browser):
    context = camera_browser.new_context(viewport={"width": 1400, "height": 1000}, permissions=["camera"])
    page = context.new_page()
    page.set_default_timeout(120_000)
    yield page
    context.close()


def slot(page, position: int):
    """The class slot at ``position`` (its container's key is a CSS class: st-key-image_class_slot_<id>)."""
    return page.locator('[class*="st-key-image_class_slot_"]').nth(position)


def take_burst(page, box, count: int) -> list[float]:
    """Open the slot's camera and click it ``count`` times, each once the previous photo is kept and the camera
    is live again; return the seconds from each click to its thumbnail."""
    act_then_expect(page, box.get_by_text("Take photos").click, visible_effect(box.locator('[data-testid="stCameraInputButton"]')))
    seconds = []
    for number in range(1, count + 1):
        shutter = box.locator('[data-testid="stCameraInputButton"]').filter(has_text="Take Photo")
        shutter.first.wait_for()
        page.wait_for_function("(box) => { const video = box.querySelector('video'); return video && video.readyState >= 2; }",
                               arg=box.element_handle())  # the stream runs: a click takes a frame
        started = time.monotonic()
        shutter.first.click()
        box.get_by_text(f"{number} photos in this class").wait_for()
        seconds.append(time.monotonic() - started)
        wait_until_idle(page)
    return seconds


def test_a_burst_of_photos_per_class_trains(camera_page, app_url):
    page = camera_page
    open_app(page, app_url, PATH)
    radio = page.locator('[data-testid="stRadio"]').first.get_by_text("Images per class", exact=True)
    act_then_expect(page, radio.click, visible_effect(slot(page, 1)))
    wait_until_idle(page)
    first, second = slot(page, 0), slot(page, 1)
    assert first.locator('[data-testid="stCameraInput"]').count() == 0  # closed until asked for

    seconds = take_burst(page, first, PHOTOS) + take_burst(page, second, PHOTOS)
    print(f"\nseconds from a click to its thumbnail: {[round(value, 2) for value in seconds]}")
    for box in (first, second):
        assert box.locator('[data-testid="stImage"]').count() == PHOTOS  # a thumbnail per photo
        assert box.locator('[data-testid="stCameraInputButton"]').filter(has_text="Take Photo").count() == 1  # live again
    page.get_by_text(f"{2 * PHOTOS} images · 2 classes").first.wait_for()  # the data step counts the photos

    first.get_by_role("button", name="✖️").first.click()  # the newest photo's remove button
    first.get_by_text(f"{PHOTOS - 1} photos in this class").wait_for()
    page.get_by_text(f"{2 * PHOTOS - 1} images · 2 classes").first.wait_for()
    wait_until_idle(page)

    for position, kind in ((0, "bars"), (1, "stripes")):
        uploader = slot(page, position).locator('input[type="file"]').first
        uploader.set_input_files([{"name": f"{kind}-{seed}.png", "mimeType": "image/png", "buffer": shape_png(kind, seed)}
                                  for seed in range(UPLOADS)])
        wait_until_idle(page)
    total = 2 * (PHOTOS + UPLOADS) - 1
    page.get_by_text(f"{total} images · 2 classes").first.wait_for()
    sizes = page.get_by_text(re.compile(r"each is cropped to a square")).first.inner_text()
    print(f"image sizes as the data doctor reports them: {sizes}")
    assert not re.search(r"to \d+×(1[0-9]{3}|[2-9][0-9]{3}) pixels", sizes), sizes  # photos asked for at 480p, not 4K
    assert_no_exception(page)
    save_screenshot(page, "image_camera")

    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    wait_until_idle(page)
    camera = first.locator('[data-testid="stCameraInput"]').first
    camera.scroll_into_view_if_needed()
    box = camera.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, box  # the camera fits the phone's width
    thumbnails = [first.locator('[data-testid="stImage"]').nth(index).bounding_box() for index in range(PHOTOS - 1)]
    assert all(thumb and thumb["x"] + thumb["width"] <= 390 for thumb in thumbnails), thumbnails
    save_screenshot(page, "image_camera_phone")
    page.set_viewport_size({"width": 1400, "height": 1000})
    wait_until_idle(page)

    set_image_epochs(page, 2)
    press_train(page)
    page.get_by_text(TRAINED).first.wait_for(timeout=300_000)
    assert_no_exception(page)
