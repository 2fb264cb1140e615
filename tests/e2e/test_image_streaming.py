"""Browser: a photo zip the server keeps on disk (issue 27.3) shows a sample grid, trains and scores.

A server of its own with ``DL_IMAGES_ON_DISK_MB=0`` sends every upload to disk, so 60 photos take the
path a 20,000-photo zip takes: the pixels go to ``<cache>/images/*.u8``, the Data tab shows counts and
a grid of samples (never every image), and training reads its batches from that file.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from browser_utils import (
    assert_no_exception,
    open_app,
    press_train,
    require_chromium,
    save_screenshot,
    set_image_epochs,
    start_streamlit,
    stop_streamlit,
    wait_until_idle,
)
from photo_zip import photo_zip
from test_image_classification import choose_zip_source, upload

PER_CLASS = 20
TRAINED = re.compile(r"test accuracy ([\d.]+)%")


@pytest.fixture(scope="module")
def disk_server(tmp_path_factory):
    require_chromium()
    cache = tmp_path_factory.mktemp("disk-cache")
    server, url, _ = start_streamlit({"DL_IMAGES_ON_DISK_MB": "0", "DL_CACHE_DIR": str(cache)})
    yield url, cache
    stop_streamlit(server)


def test_a_zip_kept_on_disk_shows_samples_and_trains(page, disk_server):
    url, cache = disk_server
    page.set_default_timeout(180_000)
    open_app(page, url, "image_classification")
    page.get_by_text("Image classification").first.wait_for()
    choose_zip_source(page)
    upload(page, "Zip of class folders", "photos.zip", photo_zip(PER_CLASS), "application/zip")
    page.get_by_text(f"{3 * PER_CLASS} images · 3 classes").first.wait_for()
    assert_no_exception(page)
    stored = list((Path(cache) / "images").glob("*.u8"))
    assert [path.stat().st_size for path in stored] == [3 * PER_CLASS * 128 * 128 * 3]  # the pixels are on disk
    thumbnails = page.locator('[data-testid="stImage"]').count()
    assert 3 <= thumbnails <= 18, thumbnails  # a sample grid (six a class at most), not all 60 photos
    set_image_epochs(page, 4)
    press_train(page)
    page.get_by_text(TRAINED).first.wait_for(timeout=300_000)
    wait_until_idle(page)
    assert_no_exception(page)
    accuracy = float(TRAINED.search(page.get_by_text(TRAINED).first.inner_text()).group(1))
    assert accuracy >= 60.0, accuracy  # three classes of photos: chance is 33 %
    save_screenshot(page, "image_streaming")
    if os.environ.get("STREAMING_SHOT"):  # a look at the whole page without touching docs/
        page.set_viewport_size({"width": 1400, "height": 2600})
        wait_until_idle(page)
        page.screenshot(path=os.environ["STREAMING_SHOT"])
