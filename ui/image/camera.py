"""The photos a class slot keeps: taken with the camera, or put back from a project file.

Each slot of the image page's "Images per class" source keeps a list of photos in the session
(``KeptFile``: a name and the bytes), beside what its uploader holds. The camera is closed until
the slot's "Take photos" toggle opens it (a camera asks for permission and keeps the device busy).
A burst works because the camera widget's key carries a per-slot shot counter: the widget's
``on_change`` callback stores the photo and bumps the counter before the page reruns, so the rerun
draws a new, empty camera, live again at once, and a click on it takes the next photo.

The photos join the slot's uploads before the data set is built, so the counts, the sample grid
and the data doctor follow each photo. A project keeps them with the uploads, and opening a
project puts every file of a class back here (an uploader cannot be refilled).
"""

from __future__ import annotations

from pathlib import PurePosixPath

import streamlit as st

from dl.data import DataError
from dl.image.uploads import decode_photo
from ui.i18n import t
from ui.tabs import KeptFile

PHOTOS_STATE = "image_slot_photos"  # session key: {slot id: [KeptFile, ...]} in the order they came
SHOTS_STATE = "image_slot_shots"  # session key: {slot id: photos taken so far}, part of the camera's key
CAMERA_RESOLUTION = "480p"  # the models see at most 128 px; unasked, Chromium's fake camera gave 3840x2160 frames
# (a 4K photo per click: slow to send from a phone, to decode on every rerun, and heavy in a project file)
THUMBNAILS_SHOWN = 12  # the newest photos drawn as thumbnails; more would crowd a phone's screen
THUMBNAIL_PIXELS = 64  # the longer side of a thumbnail, in pixels


def slot_photos(slot: str) -> list[KeptFile]:
    """The photos ``slot`` keeps (the list itself: callers read it, the widgets here change it)."""
    return st.session_state.setdefault(PHOTOS_STATE, {}).setdefault(slot, [])


def camera_for_slot(slot: str, class_name: str) -> list[KeptFile]:
    """Draw the slot's "Take photos" toggle, its camera while open and its thumbnails; return its photos."""
    photos = slot_photos(slot)
    if st.toggle(t("camera.take_photos"), key=f"image_slot_camera_on_{slot}", help=t("camera.take_photos_help")):
        shots = st.session_state.setdefault(SHOTS_STATE, {}).get(slot, 0)
        camera_key = f"image_slot_camera_{slot}_{shots}"
        st.camera_input(t("camera.camera", name=class_name), key=camera_key, on_change=_keep_photo, args=(slot, camera_key),
                        label_visibility="collapsed", resolution=CAMERA_RESOLUTION)
    if photos:
        _thumbnails(slot, photos)
    return photos


def _keep_photo(slot: str, camera_key: str) -> None:
    """The camera's callback, run before the page: keep the photo and move on to a fresh camera."""
    photo = st.session_state.get(camera_key)
    if photo is None:  # the user cleared the photo: nothing to keep
        return
    photos, shots = slot_photos(slot), st.session_state.setdefault(SHOTS_STATE, {})
    shots[slot] = shots.get(slot, 0) + 1
    photos.append(KeptFile(unique_name(f"camera-{shots[slot]}.jpg", {kept.name for kept in photos}), photo.getvalue()))


def unique_name(name: str, taken: set[str]) -> str:
    """``name``, or with the first number that makes it new: camera-1.jpg, camera-2.jpg, … (cat.png, cat-2.png, …)."""
    if name not in taken:
        return name
    path = PurePosixPath(name)
    stem, number = path.stem, 2
    if "-" in stem and stem.rsplit("-", 1)[1].isdigit():
        stem, number = stem.rsplit("-", 1)[0], int(stem.rsplit("-", 1)[1]) + 1
    while f"{stem}-{number}{path.suffix}" in taken:
        number += 1
    return f"{stem}-{number}{path.suffix}"


def _thumbnails(slot: str, photos: list[KeptFile]) -> None:
    """The newest photos, each with a button that removes it; a count and "remove all" when there are many."""
    caption, clear = st.columns([3, 2], vertical_alignment="center")
    caption.caption(t("camera.kept", count=len(photos)) if len(photos) <= THUMBNAILS_SHOWN
                    else t("camera.kept_newest", count=len(photos), shown=THUMBNAILS_SHOWN))
    if len(photos) > 1:
        clear.button(t("camera.remove_all"), key=f"image_slot_photos_clear_{slot}", type="tertiary", on_click=photos.clear)
    with st.container(horizontal=True, gap="small"):
        for photo in reversed(photos[-THUMBNAILS_SHOWN:]):
            with st.container(width=THUMBNAIL_PIXELS + 8, gap=None, horizontal_alignment="center"):
                small = thumbnail(photo.data, photo.name)
                if small is None:
                    st.caption(photo.name)
                else:
                    st.image(small, width=THUMBNAIL_PIXELS)
                st.button("✖️", key=f"image_slot_photo_remove_{slot}_{photo.name}", type="tertiary",
                          help=t("camera.remove_photo", name=photo.name), on_click=_remove_photo, args=(slot, photo.name))


def _remove_photo(slot: str, name: str) -> None:
    photos = slot_photos(slot)
    photos[:] = [photo for photo in photos if photo.name != name]


@st.cache_data(show_spinner=False, max_entries=256)
def thumbnail(data: bytes, name: str) -> bytes | None:
    """A small JPEG of a photo (a camera frame is ~50 kB: sending twelve on every rerun would be slow on a
    phone), or None when the bytes are not a readable image (the data step lists such a file as skipped)."""
    import io

    try:
        image = decode_photo(data, name)
    except DataError:
        return None
    image.thumbnail((THUMBNAIL_PIXELS * 2, THUMBNAIL_PIXELS * 2))  # twice the size: sharp on a phone's dense screen
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def forget_slot(slot: str) -> None:
    """A removed slot takes its photos (and its camera's counter) with it."""
    st.session_state.setdefault(PHOTOS_STATE, {}).pop(slot, None)
    st.session_state.setdefault(SHOTS_STATE, {}).pop(slot, None)


def keep_only(slots: list[str]) -> None:
    """Drop the photos of slots that no longer exist (a data set replaced by a project's)."""
    for state in (PHOTOS_STATE, SHOTS_STATE):
        kept = st.session_state.setdefault(state, {})
        for slot in [slot for slot in kept if slot not in slots]:
            kept.pop(slot)


def put_back(slot: str, files: list[tuple[str, bytes]]) -> None:
    """Make ``files`` (a project's files of one class, in order) the photos of ``slot``."""
    photos = slot_photos(slot)
    photos.clear()
    for name, data in files:
        photos.append(KeptFile(unique_name(PurePosixPath(name).name, {photo.name for photo in photos}), data))
