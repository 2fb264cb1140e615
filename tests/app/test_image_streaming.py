"""AppTest: a photo set the page keeps on disk (issue 27.3) trains and shows like any upload.

``DL_IMAGES_ON_DISK_MB=0`` sends every upload to disk, so a small zip takes the path a 20,000-photo one
takes: the Data tab shows counts and a sample grid (never every image), training reads batches from
the file, and the Results tab shows the held-out scores.
"""

from __future__ import annotations

import os
from pathlib import Path

from apptest_utils import chart_specs, open_page, run_until, show_tab
from photo_zip import photo_zip

PAGE = "image_classification"
RESULTS = 1
PER_CLASS = 20


def test_a_zip_kept_on_disk_shows_a_sample_grid_and_trains(monkeypatch):
    monkeypatch.setenv("DL_IMAGES_ON_DISK_MB", "0")
    app = open_page(PAGE, "en")
    app.radio(key="image_source").set_value("zip").run()
    app.file_uploader(key="image_zip").set_value(("photos.zip", photo_zip(PER_CLASS), "application/zip")).run()
    assert not app.exception and not app.error
    stored = list((Path(os.environ["DL_CACHE_DIR"]) / "images").glob("*.u8"))
    assert len(stored) == 1 and stored[0].stat().st_size == 3 * PER_CLASS * 128 * 128 * 3  # the pixels went to disk
    megabytes = round(3 * PER_CLASS * 128 * 128 * 3 / 2**20)
    assert any(f"kept on disk ({megabytes:,} MB)" in caption.value for caption in app.caption)  # the page says where
    thumbnails = app.get("image")
    assert 3 <= len(thumbnails) <= 3 * 6 < 3 * PER_CLASS  # a sample grid (six a class at most), not every image
    app.slider(key="image_epochs").set_value(4)
    app.button(key="image_train").click().run()
    show_tab(app, RESULTS, PAGE)
    run_until(app, lambda page: any("Confusion matrix" in str(spec.get("layout", {}).get("title")) for spec in chart_specs(page)))
    assert not app.error
    accuracy = next(metric for metric in app.metric if metric.value.endswith("%"))
    assert float(accuracy.value.rstrip("%")) >= 60.0  # three classes of photos: chance is 33 %


def test_a_set_removed_from_disk_to_make_room_is_read_again(monkeypatch):
    """The images folder drops the oldest sets (dl.image.disk.prune_folder); a session still showing one reads
    its upload again instead of failing on a missing file."""
    monkeypatch.setenv("DL_IMAGES_ON_DISK_MB", "0")
    app = open_page(PAGE, "en")
    app.radio(key="image_source").set_value("zip").run()
    app.file_uploader(key="image_zip").set_value(("photos.zip", photo_zip(4), "application/zip")).run()
    (stored,) = (Path(os.environ["DL_CACHE_DIR"]) / "images").glob("*.u8")
    stored.unlink()  # as the folder's size cap would
    app.run()
    assert not app.exception and not app.error
    assert stored.is_file()  # read again from the upload the page still holds
    assert any("12 images · 3 classes" in caption.value for caption in app.caption)

