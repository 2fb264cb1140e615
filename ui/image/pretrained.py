"""The Pretrained tab: classify any photo into the 1,000 ImageNet classes, no training needed.

``render_pretrained_tab()`` draws photo upload (or the camera, or a sample photo) and, per photo,
the top-5 classes of EfficientNet-Lite0 as a bar chart. ``top_classes_figure`` is shared with the
Export tab's "try an uploaded model".
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import plotly.graph_objects as go
import streamlit as st

from dl.data import DataError
from ui.errors import show_data_error
from ui.i18n import t
from ui.limits import show_limits
from ui.tabs import KEEP, kept_upload

PHOTO_TYPES = ["png", "jpg", "jpeg", "webp", "bmp", "gif", "tif", "tiff"]
SAMPLE_PHOTOS = {"flower.jpg": "sample_flower", "china.jpg": "sample_temple"}  # ship inside scikit-learn
MAX_PHOTOS = 12  # each takes ~25-100 ms on a CPU; a dozen keeps a rerun quick


def top_classes_figure(pairs: Sequence[tuple[str, float]], height: int = 230, colour: str = "#4C78A8") -> go.Figure:
    """Horizontal bars of (label, probability), the most probable on top, as percentages.

    Each bar is keyed by its rank, not its name: two classes called alike (ImageNet has two
    "missile"s, an uploaded model may repeat a folder name) stay two bars instead of one stacked bar.
    """
    ranks = [str(rank) for rank in range(len(pairs))][::-1]
    labels = [label for label, _ in pairs][::-1]
    percents = [probability * 100 for _, probability in pairs][::-1]
    figure = go.Figure(
        go.Bar(
            x=percents,
            y=ranks,
            orientation="h",
            text=[f"{value:.1f}%" for value in percents],
            textposition="auto",
            marker_color=colour,
            customdata=labels,
            hovertemplate="%{customdata}: %{x:.1f}%<extra></extra>",
        )
    )
    figure.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        xaxis={"title": t("image_pretrained.probability_axis"), "range": [0, 100]},
        # one category per rank, labelled with the class name; "type" keeps "0".."9" from becoming numbers
        yaxis={"automargin": True, "type": "category", "tickvals": ranks, "ticktext": labels},
    )
    return figure


@st.cache_data(show_spinner=False, max_entries=64)
def classify_photo_bytes(data: bytes, name: str) -> tuple[list[tuple[str, float]], bytes]:
    """Top-5 ImageNet classes of an uploaded photo and a PNG thumbnail of it (DataError if unreadable).

    Cached by content, so reruns of the page (any widget change) do not run the network again.
    """
    from dl.image.pretrained import classify_images
    from dl.image.uploads import decode_photo

    image = decode_photo(data, name)
    (top5,) = classify_images([image])
    thumbnail = image.copy()
    thumbnail.thumbnail((320, 320))
    buffer = io.BytesIO()
    thumbnail.save(buffer, format="PNG")
    return top5, buffer.getvalue()


def sample_photo_bytes(file_name: str) -> bytes:
    """One of scikit-learn's two sample photos as JPEG bytes (available offline)."""
    from PIL import Image
    from sklearn.datasets import load_sample_image

    buffer = io.BytesIO()
    Image.fromarray(load_sample_image(file_name)).save(buffer, format="JPEG", quality=92)
    return buffer.getvalue()


def _collect_photos() -> list[tuple[str, bytes]]:
    uploads = kept_upload("image_classification", "pretrained_upload", lambda: st.file_uploader(
        t("image_pretrained.upload"),
        type=PHOTO_TYPES,
        accept_multiple_files=True,
        key="pretrained_upload",
        help=t("image_pretrained.upload_help"),
    ))
    show_limits("photos")
    photos = [(upload.name, upload.getvalue()) for upload in uploads or []]
    left, right = st.columns(2)
    with left:
        sample = st.selectbox(
            t("image_pretrained.sample"),
            [None, *SAMPLE_PHOTOS],
            format_func=lambda name: t("image_pretrained.sample_none") if name is None else t(f"image_pretrained.{SAMPLE_PHOTOS[name]}"),
            key="pretrained_sample", persist_state=KEEP,
        )
    with right:
        use_camera = st.toggle(t("image_pretrained.use_camera"), key="pretrained_camera_on", persist_state=KEEP)
    if sample:
        photos.append((sample, sample_photo_bytes(sample)))
    if use_camera:
        shot = st.camera_input(t("image_pretrained.camera"), key="pretrained_camera")
        if shot is not None:
            photos.append((t("image_pretrained.camera_name"), shot.getvalue()))
    if len(photos) > MAX_PHOTOS:
        st.warning(t("image_pretrained.too_many", count=len(photos), limit=MAX_PHOTOS))
        photos = photos[:MAX_PHOTOS]
    return photos


def render_pretrained_tab() -> None:
    """Upload photos (or use the camera or a sample) and see EfficientNet-Lite0's top-5 ImageNet classes."""
    st.markdown(t("image_pretrained.intro"))
    photos = _collect_photos()
    if not photos:
        st.info(t("image_pretrained.empty"))
        return
    with st.spinner(t("image_pretrained.loading")):
        results = []
        for name, data in photos:
            try:
                results.append((name, *classify_photo_bytes(data, name)))
            except DataError as error:
                show_data_error(error)
    for index, (name, top5, thumbnail) in enumerate(results):
        st.markdown(f"**{name}** · {t('image_pretrained.best', label=top5[0][0], percent=f'{top5[0][1] * 100:.1f}')}")
        picture, chart = st.columns([1, 2])
        picture.image(thumbnail, width="stretch")
        chart.plotly_chart(top_classes_figure(top5), key=f"pretrained-top5-{index}")
    st.caption(t("image_pretrained.footnote"))
