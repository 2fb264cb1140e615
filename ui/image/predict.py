"""Image classification, Predict tab: upload images or take a photo, see the top classes and,
for the seed CNN, where it looked (Grad-CAM)."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from dl.data import DataError
from dl.image.dataset import TrainedImageClassifier
from ui.errors import show_data_error
from ui.i18n import t
from ui.image.data import IMAGE_TYPES, display_pixels
from ui.image.familiarity import show_familiarity
from ui.image.pretrained import top_classes_figure
from ui.image.results import grad_cam_overlay
from ui.limits import show_limits
from ui.loaders import load_model_once
from ui.tabs import KEEP, kept_upload

MAX_IMAGES = 12  # a rerun classifies every image again; a dozen keeps it quick
TOP_COUNT = 5


def probabilities_figure(pairs: list[tuple[str, float]]) -> go.Figure:
    """Horizontal bars of the most probable classes, best on top, in percent (one bar per class)."""
    return top_classes_figure(pairs, height=60 + 34 * len(pairs), colour="#E45756")


def render_predict_tab(trained: TrainedImageClassifier | None) -> None:
    if trained is None:
        st.info(t("image_classification.no_model_yet"))
        return
    st.caption(t("image_classification.predict_help", classes=", ".join(trained.class_names)))
    uploads = kept_upload("image_classification", "image_predict_files", lambda: st.file_uploader(
        t("image_classification.predict_upload"), type=IMAGE_TYPES, accept_multiple_files=True, key="image_predict_files"))
    show_limits("photos")
    photos = [(file.name, file.getvalue()) for file in (uploads or [])[:MAX_IMAGES]]
    if st.toggle(t("image_classification.use_camera"), key="image_use_camera", persist_state=KEEP):
        shot = st.camera_input(t("image_classification.camera"), key="image_camera")
        if shot is not None:
            photos.append((t("image_classification.camera_photo"), shot.getvalue()))
    if len(uploads or []) > MAX_IMAGES:
        st.warning(t("image_classification.too_many", count=MAX_IMAGES))
    if photos:
        load_model_once(trained)
    for name, data in photos:
        try:
            render_prediction(trained, name, data)
        except DataError as error:
            show_data_error(error)


def render_prediction(trained: TrainedImageClassifier, name: str, data: bytes) -> None:
    """One uploaded image: thumbnail, Grad-CAM (seed CNN), top classes as bars and, when the model has
    a training profile, whether the image is far from the training data."""
    from dl.image.cnn import predict_probabilities, top_classes
    from dl.image.familiarity import check_prediction
    from dl.image.uploads import DEFAULT_LIMITS, decode_photo, images_to_array

    image = decode_photo(data, name)
    pixels = images_to_array([image], DEFAULT_LIMITS.storage_size, 1 if image.mode == "L" else 3)
    probabilities = predict_probabilities(trained, pixels)[0]
    pairs = top_classes(probabilities, trained.class_names, min(TOP_COUNT, len(trained.class_names)))
    familiarity = check_prediction(trained, pixels, image.size)
    picture, chart = st.columns([1, 2], vertical_alignment="center")
    with picture:
        shown = [display_pixels(pixels[0])]
        if trained.model_kind.has_grad_cam:
            shown.append(display_pixels(grad_cam_overlay(trained, pixels[0])[0]))
        st.image(shown, width=110, caption=[name] + [t("image_classification.where_it_looked")] * (len(shown) - 1))
    with chart:
        st.markdown(t("image_classification.prediction", label=pairs[0][0], probability=pairs[0][1] * 100))
        show_familiarity(familiarity)
        st.plotly_chart(probabilities_figure(pairs), key=f"image_prediction_{name}_{hash(data)}")
