"""Helpers for AppTests of the image page's camera (``ui.image.camera``). Import as
``from camera_utils import take_photos, ...`` (a plain module, not conftest)."""

from __future__ import annotations

import io

from image_photos import shape_png
from PIL import Image

SLOTS_STATE = "image_class_slots"  # ui.image.data.SLOTS_STATE


def camera_jpeg(kind: str, seed: int) -> bytes:
    """A photo as ``st.camera_input`` gives one: JPEG bytes (of ``image_photos.shape_png``'s bars or stripes)."""
    buffer = io.BytesIO()
    Image.open(io.BytesIO(shape_png(kind, seed))).save(buffer, format="JPEG", quality=92)
    return buffer.getvalue()


def slot_ids(app) -> list[str]:
    return list(app.session_state[SLOTS_STATE])


def name_class(app, slot: str, name: str) -> None:
    app.text_input(key=f"image_slot_name_{slot}").set_value(name).run()


def open_camera(app, slot: str) -> None:
    """Switch on the slot's "Take photos" toggle (the camera is closed until then)."""
    app.toggle(key=f"image_slot_camera_on_{slot}").set_value(True).run()


def live_camera(app, slot: str):
    """The slot's camera widget as drawn now (its key carries the slot's shot counter)."""
    cameras = [camera for camera in app.camera_input if camera.key.startswith(f"image_slot_camera_{slot}_")]
    assert len(cameras) == 1, [camera.key for camera in app.camera_input]
    return cameras[0]


def take_photos(app, slot: str, kind: str, count: int, first_seed: int = 0) -> None:
    """A burst: click the slot's camera ``count`` times; after each photo the camera must be a new, empty one."""
    for shot in range(count):
        camera = live_camera(app, slot)
        camera.set_value(("image.jpg", camera_jpeg(kind, first_seed + shot), "image/jpeg")).run()
        assert not app.exception, app.exception
        fresh = live_camera(app, slot)
        assert fresh.key != camera.key and fresh.value is None  # live again at once: ready for the next click


def photo_names(app, slot: str) -> list[str]:
    """The names on the slot's thumbnails' remove buttons, newest first."""
    prefix = f"image_slot_photo_remove_{slot}_"
    return [button.key.removeprefix(prefix) for button in app.button if button.key and button.key.startswith(prefix)]
