"""The camera per class (issue 27.1): how long the image page's rerun takes when a photo is added.

AppTest opens the image page's "Images per class" source with two class slots, opens both cameras
and feeds 640x480 JPEG frames (crops of scikit-learn's two sample photos, the size the page asks the
camera for) alternately into the two slots, timing each whole rerun: the camera's callback keeping
the photo, the data set rebuilt from every file of the slots, the counts, the sample grid and the data
doctor. Reported: the median rerun around 10, 30 and 60 photos in all (it grows with the photos: the
data set is decoded again each time), and the bytes of one frame. The browser adds its own part
(sending the photo, drawing the new camera): tests/e2e/test_image_camera.py prints that (-s).

Run: python bench/camera_rerun.py   (about a minute). Prints JSON.
"""

from __future__ import annotations

import io
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "app"), str(ROOT / "tests" / "dl")]
PHOTOS = 60
WINDOW = 5  # reruns either side of a reported count: one rerun alone is noisy on a shared machine


def camera_frame(photo, seed: int) -> bytes:
    """A 640x480 JPEG cut from ``photo`` at a place that depends on ``seed``."""
    import numpy as np
    from PIL import Image

    top, left = np.random.default_rng(seed).integers(0, 90, 2)
    frame = Image.fromarray(photo[top:top + 327, left:left + 436]).resize((640, 480))
    buffer = io.BytesIO()
    frame.save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def main() -> None:
    from apptest_utils import open_page
    from camera_utils import live_camera, open_camera, slot_ids
    from sklearn.datasets import load_sample_image

    photos = [load_sample_image("flower.jpg"), load_sample_image("china.jpg")]
    app = open_page("image_classification")
    app.radio(key="image_source").set_value("slots").run()
    slots = slot_ids(app)
    for slot in slots:
        open_camera(app, slot)
    seconds, frame = [], b""
    for shot in range(PHOTOS):
        frame = camera_frame(photos[shot % 2], shot)
        camera = live_camera(app, slots[shot % 2])
        started = time.perf_counter()
        camera.set_value(("image.jpg", frame, "image/jpeg")).run()
        seconds.append(time.perf_counter() - started)
        assert not app.exception, app.exception
    near = {count: round(statistics.median(seconds[max(0, count - WINDOW):count + WINDOW]), 3) for count in (10, 30, PHOTOS)}
    print(json.dumps({"photos": PHOTOS, "frame_bytes": len(frame), "median_rerun_seconds_near": near,
                      "slowest_rerun_seconds": round(max(seconds), 3)}))


if __name__ == "__main__":
    main()
