"""Image classification, data step: pick a built-in set, upload a zip, or fill class slots (uploads and
camera photos, ``ui.image.camera``).

``choose_dataset()`` draws the source picker and returns an ``ImageDataset`` (or None while
nothing usable is uploaded; a DataError is shown as an error box). ``apply_fixes()`` returns it
after the data doctor's data fixes (with an info line and Undo), ``show_dataset()`` draws the
counts per class, the skipped files and a grid of samples, ``show_doctor()`` the data doctor.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from pathlib import PurePosixPath

import numpy as np
import pandas  # noqa: F401 - see below
import plotly.graph_objects as go
import streamlit as st

from dl.data import DataError
from dl.data_doctor import Diagnosis
from dl.data_doctor.images import DATA_FIXES, apply_image_fix, diagnose_images
from dl.image.dataset import ImageDataset, load_builtin
from dl.image.disk import is_on_disk
from dl.image.uploads import dataset_from_class_files, read_image_zip
from dl.project import CLASSES_OPTION, Project
from ui.data_doctor import add_data_fix, applied_fixes_line, doctor_panel, fixed_data
from ui.errors import show_data_error
from ui.i18n import t
from ui.image.camera import camera_for_slot, forget_slot, keep_only, put_back, unique_name
from ui.limits import show_limits
from ui.projects import remember_data
from ui.tabs import KeptFile, kept_upload

# pandas is imported above on purpose: plotly looks pandas up in sys.modules without waiting, so
# while another thread of the server is still importing it, go.Figure(...) fails with "partially
# initialized module 'pandas'" (seen in the browser tests). A plain import waits for it to finish.
SOURCES = ("mnist", "digits", "zip", "slots")
IMAGE_TYPES = ["png", "jpg", "jpeg", "webp", "bmp", "gif", "tif", "tiff"]
SLOTS_STATE = "image_class_slots"
SAMPLES_PER_CLASS = 6
DOCTOR_STRINGS = "data_doctor_images"  # the image findings' sentences; the shared ones come from data_doctor


@st.cache_data(show_spinner=False, max_entries=2)
def builtin_dataset(name: str) -> ImageDataset:
    return load_builtin(name)


@st.cache_data(show_spinner=False, max_entries=4)
def zip_dataset(data: bytes, file_name: str) -> ImageDataset:
    return read_image_zip(data, file_name)


@st.cache_data(show_spinner=False, max_entries=4)
def slots_dataset(files_by_class: dict[str, list[tuple[str, bytes]]], source_name: str) -> ImageDataset:
    """``source_name`` is an argument, not a ``t()`` call inside: a cached value must not freeze a language."""
    return dataset_from_class_files(files_by_class, source_name)


def still_on_disk(read: Callable[..., ImageDataset], *arguments) -> ImageDataset:
    """``read(*arguments)`` (a cached reader), read again when its pixels file was removed since: the images
    folder drops the oldest sets to keep its size (``dl.image.disk.prune_folder``), and this session's cached
    data set would otherwise point at a file that is gone."""
    dataset = read(*arguments)
    if is_on_disk(dataset.images) and not dataset.images.path.is_file():
        read.clear()
        dataset = read(*arguments)
    return dataset


def choose_dataset() -> ImageDataset | None:
    """The source picker; returns the chosen dataset or None (nothing uploaded yet / bad data)."""
    source = st.radio(
        t("image_classification.source"), SOURCES, horizontal=True,
        format_func={name: t(f"image_classification.source_{name}") for name in SOURCES}.get, key="image_source",
    )
    try:
        if source in ("mnist", "digits"):
            dataset = builtin_dataset(source)
            remember_data("image", dataset.fingerprint(), builtin=source)
            return dataset
        if source == "zip":
            return _zip_upload()
        return _class_slots()
    except DataError as error:
        show_data_error(error)
        return None


def _zip_upload() -> ImageDataset | None:
    st.caption(t("image_classification.zip_help"))
    upload = kept_upload("image", "image_zip", lambda: st.file_uploader(t("image_classification.zip_upload"), type=["zip"],
                                                                          key="image_zip"))  # kept: a project opened
    show_limits("zip")
    if upload is None:
        return None
    dataset = still_on_disk(zip_dataset, upload.getvalue(), upload.name)
    remember_data("image", dataset.fingerprint(), files={"data": KeptFile(upload.name, upload.getvalue())})
    return dataset


def _class_slots() -> ImageDataset | None:
    st.caption(t("image_classification.slots_help"))
    slots: list[str] = st.session_state.setdefault(SLOTS_STATE, [_new_slot() for _ in range(2)])
    keep_only(slots)  # photos of slots that are gone (a project's data replaced them) go with them
    classes: list[tuple[str, list[KeptFile]]] = []
    columns = st.columns(min(len(slots), 3) or 1)
    for position, slot in enumerate(list(slots)):
        with columns[position % len(columns)].container(border=True, key=f"image_class_slot_{slot}"):  # key: a CSS class
            name = _class_name(slot, position)
            uploads = st.file_uploader(
                t("image_classification.class_images"), type=IMAGE_TYPES, accept_multiple_files=True,
                key=f"image_slot_files_{slot}",
            )
            photos = camera_for_slot(slot, name)
            if len(slots) > 2 and st.button(t("image_classification.remove_class"), key=f"image_slot_remove_{slot}", icon="🗑️"):
                slots.remove(slot)
                forget_slot(slot)
                st.rerun()
            classes.append((name, [KeptFile(file.name, file.getvalue()) for file in uploads or []] + list(photos)))
    show_limits("photos")
    if st.button(t("image_classification.add_class"), icon="➕", key="image_slot_add"):
        slots.append(_new_slot())
        st.rerun()
    if not any(files for _, files in classes):
        return None
    names = [name.strip().casefold() for name, _ in classes]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise DataError(t("image_classification.duplicate_class", name=duplicates[0]))
    files_by_class = {name: [(file.name, file.data) for file in files] for name, files in classes}
    dataset = still_on_disk(slots_dataset, files_by_class, t("image_classification.slots_source"))
    remember_data("image", dataset.fingerprint(), **class_files_for_project(classes))
    return dataset


def _new_slot() -> str:
    return uuid.uuid4().hex[:8]


def _class_name(slot: str, position: int) -> str:
    """The slot's name box; "Class N" until typed (a name put back from a project is in the session already,
    and giving a widget a default besides its session value makes Streamlit warn)."""
    key = f"image_slot_name_{slot}"
    default = None if key in st.session_state else t("image_classification.class_default", number=position + 1)
    return st.text_input(t("image_classification.class_name"), value=default, key=key) or ""


def class_files_for_project(classes: list[tuple[str, list[KeptFile]]]) -> dict:
    """``remember_data``'s files and options for data kept class by class: each file under its class's folder
    (``class-1/camera-3.jpg``; a class's name is the user's text, not a safe folder name), the classes in order."""
    files: dict[str, KeptFile] = {}
    listed = []
    for number, (name, class_files) in enumerate(classes, start=1):
        taken: set[str] = set()
        paths = []
        for file in class_files:
            base = unique_name(safe_file_name(file.name), taken)
            taken.add(base)
            paths.append(f"class-{number}/{base}")
            files[paths[-1]] = KeptFile(paths[-1], file.data)
        listed.append({"name": name, "files": paths})
    return {"files": files, "options": {CLASSES_OPTION: listed}}


def safe_file_name(name: str) -> str:
    """A file name as a safe path part (a browser sends a bare name; a hand-made request could send anything)."""
    base = PurePosixPath(name.replace("\\", "/")).name.strip()
    return base if base not in ("", ".", "..") else "image"


def restore_project_data(project: Project) -> str | None:
    """Put a project's class-slot data back as the slots' photos (an uploader cannot be refilled); the source
    radio's value for it, or None when the project's data is not kept class by class."""
    classes = project.class_files()
    if classes is None:
        return None
    slots = [_new_slot() for _ in classes]
    st.session_state[SLOTS_STATE] = slots
    keep_only(slots)
    for slot, (name, files) in zip(slots, classes, strict=True):
        st.session_state[f"image_slot_name_{slot}"] = name
        put_back(slot, files)
    return "slots"


def apply_fixes(dataset: ImageDataset, page: str) -> ImageDataset:
    """The data after the doctor's data fixes applied to it on ``page`` (none: the data itself)."""
    fixed = fixed_data(page, dataset, apply_image_fix)
    applied_fixes_line(page, dataset.fingerprint(), len(fixed.labels), DOCTOR_STRINGS)
    return fixed


@st.cache_resource(show_spinner=False, max_entries=8, hash_funcs={ImageDataset: ImageDataset.fingerprint})
def image_diagnosis(dataset: ImageDataset, class_weights_on: bool) -> Diagnosis:
    """The doctor's findings, once per data set and setting (MNIST-5k's copies take ~3 s, a small zip ~0.1 s)."""
    return diagnose_images(dataset, class_weights_on)


def show_doctor(dataset: ImageDataset, source: ImageDataset, page: str, class_weights_on: bool,
                setting_fixes: dict[str, Callable[[], None]]) -> None:
    """The data doctor on ``dataset`` (``source`` after its data fixes): ``setting_fixes`` change a widget,
    the data fixes are recorded against ``source``, the data as chosen."""
    fixes = {**setting_fixes, **{fix: functools.partial(add_data_fix, page, source.fingerprint(), fix) for fix in DATA_FIXES}}
    with st.spinner(t("image_classification.doctor_running")):
        diagnosis = image_diagnosis(dataset, class_weights_on)
    doctor_panel(diagnosis, page, fixes, namespace=DOCTOR_STRINGS)


def show_dataset(dataset: ImageDataset) -> None:
    """Counts per class, skipped files, sample images (the doctor says when the classes are unbalanced)."""
    counts = dataset.class_counts()
    height, width = dataset.image_size
    st.caption(t(
        "image_classification.dataset_summary", images=len(dataset.labels), classes=dataset.num_classes,
        height=height, width=width,
        colour=t("image_classification.greyscale") if dataset.channels == 1 else t("image_classification.colour"),
    ))
    if is_on_disk(dataset.images):  # a big upload (dl.image.disk)
        st.caption(t("image_classification.on_disk", size=round(np.prod(dataset.images.shape) / 2**20)))
    if dataset.skipped:
        with st.expander(t("image_classification.skipped", count=len(dataset.skipped))):
            st.code("\n".join(dataset.skipped), language=None)
    counts_column, samples_column = st.columns([1, 2])
    with counts_column:
        figure = go.Figure(go.Bar(x=list(counts.values()), y=list(counts), orientation="h", marker_color="#4C78A8"))
        figure.update_layout(height=max(160, 26 * len(counts) + 60), margin={"l": 10, "r": 10, "t": 30, "b": 10},
                             title=t("image_classification.counts_title"), yaxis={"type": "category", "autorange": "reversed"})
        st.plotly_chart(figure, key="image_class_counts")
    with samples_column:
        show_samples(dataset)


def show_samples(dataset: ImageDataset, per_class: int = SAMPLES_PER_CLASS) -> None:
    """A grid: one row per class (up to 10 classes), ``per_class`` images each."""
    rng = np.random.default_rng(0)
    st.markdown(f"**{t('image_classification.samples_title')}**")
    for label, name in list(enumerate(dataset.class_names))[:10]:
        members = np.flatnonzero(dataset.labels == label)
        picks = rng.choice(members, size=min(per_class, len(members)), replace=False)
        row = st.columns([1.6] + [1] * per_class, vertical_alignment="center")
        row[0].markdown(f"`{name}`")
        for column, index in zip(row[1:], picks, strict=False):
            column.image(display_pixels(dataset.images[index]), width=56)


def display_pixels(image: np.ndarray) -> np.ndarray:
    """A uint8 (h, w, 1|3) image as something st.image shows crisply at thumbnail size."""
    pixels = image[..., 0] if image.shape[-1] == 1 else image
    scale = max(1, 56 // max(pixels.shape[:2]))
    return np.kron(pixels, np.ones((scale, scale, 1) if pixels.ndim == 3 else (scale, scale), dtype=np.uint8))
