"""The Export tab: download the trained model (zip with predict.py), compress it to int8, and
upload a ``.keras`` model back to classify with it.

``render_export_tab(trained, dataset=None)``: ``trained`` is the page's TrainedImageClassifier (or
None before training); ``dataset`` is the data it was trained on, needed only to measure the
compressed model's accuracy on the held-out test images.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from dl.data import DataError
from dl.image.dataset import ImageDataset, TrainedImageClassifier
from ui.errors import show_data_error
from ui.formatting import human_size
from ui.i18n import t
from ui.image.pretrained import PHOTO_TYPES, top_classes_figure
from ui.limits import show_limits

_STATE = "image_export"  # session_state[_STATE] = {model identity: {"zip": bytes, "compression": ...}}


def _model_identity(trained: TrainedImageClassifier) -> str:
    """Stable per trained model: its store file, else the Python object."""
    return trained.model_path or f"object-{id(trained.model)}"


def _cache_for(trained: TrainedImageClassifier) -> dict[str, Any]:
    cache = st.session_state.setdefault(_STATE, {})
    identity = _model_identity(trained)
    if identity not in cache:
        cache.clear()  # one model at a time: zips of old models only hold memory
        cache[identity] = {}
    return cache[identity]


def _file_stem(trained: TrainedImageClassifier) -> str:
    return f"image-classifier-{trained.kind}"


def render_download(trained: TrainedImageClassifier) -> None:
    """The zip download (packed when clicked), its contents and the model card preview."""
    from dl.image.export import export_zip, model_card

    st.subheader(t("image_export.download_title"))
    st.markdown(t("image_export.contents", model_file=trained.model_kind.model_file))
    if trained.model_kind.exports_head_only:  # say what predict.py needs besides the file
        st.info(t("image_export.transfer_note"), icon="ℹ️")
    saved = Path(trained.model_path) if trained.model_path else None
    size = human_size(saved.stat().st_size) if saved is not None and saved.is_file() else "?"
    st.download_button(
        t("image_export.download", size=size),
        lambda: export_zip(trained),  # packed only when clicked: a large CNN's zip can be hundreds of MB
        file_name=f"{_file_stem(trained)}.zip",
        mime="application/zip",
        icon="📦",
        key="image_export_download",
    )
    st.code(t("image_export.usage"), language="bash")
    with st.expander(t("image_export.card_preview")):
        render_card_preview(model_card(trained), trained)


def render_card_preview(card: dict[str, Any], trained: TrainedImageClassifier) -> None:
    """The card's facts in the page's language; the zip's MODEL_CARD.md holds them in English (a file
    that travels with the model reads the same everywhere), with the confusion matrix and settings."""
    metrics = card.get("metrics", {})
    height, width = trained.image_size
    if trained.model_kind.exports_head_only:
        model_input = t("image_export.card_input_transfer")
    else:
        colour = t("image_export.card_grey" if trained.channels == 1 else "image_export.card_rgb")
        model_input = t("image_export.card_input_seed", colour=colour, width=width, height=height)
    facts = {
        t("image_export.card_classes"): f"{len(card['classes'])}: {', '.join(card['classes'])}",
        t("image_export.card_input"): model_input,
        t("image_export.card_epochs"): str(card.get("epochs_trained", "?")),
        t("image_export.card_exported"): t("image_export.card_exported_value", time=card["exported"].removesuffix(" UTC")),
    }
    if "accuracy" in metrics:
        facts[t("image_export.card_accuracy")] = t("image_export.card_accuracy_value", accuracy=metrics["accuracy"] * 100,
                                                   images=metrics.get("test_size", "?"))
    st.markdown("\n".join(f"- **{label}**: {value}" for label, value in facts.items()))
    if metrics.get("precision") and metrics.get("recall"):
        st.dataframe(pd.DataFrame({
            t("image_export.card_class"): card["classes"],
            t("image_export.card_precision"): [round(value, 3) for value in metrics["precision"]],
            t("image_export.card_recall"): [round(value, 3) for value in metrics["recall"]],
        }), hide_index=True)
    st.caption(t("image_export.card_file_note"))


def backend_name(backend: str) -> str:
    """The compression backend in the page's language (the report's English name otherwise)."""
    return t("image_export.backend_litert") if backend.startswith("LiteRT") else backend


def render_compression(trained: TrainedImageClassifier, dataset: ImageDataset | None) -> None:
    """Int8 quantization on demand, its before/after table and the compressed download."""
    from dl.image.export import compress_classifier, compressed_export_zip

    st.subheader(t("image_export.compress_title"))
    st.markdown(t("image_export.compress_intro"))
    if dataset is None or len(trained.test_indices) == 0:
        st.info(t("image_export.compress_needs_data"))
        return
    cache = _cache_for(trained)
    if st.button(t("image_export.compress_button"), icon="🗜️", key="image_export_compress"):
        with st.spinner(t("image_export.compressing")):
            try:
                report = compress_classifier(trained, dataset)
            except DataError as error:
                show_data_error(error)
                return
            cache["compression"] = report
            cache["compressed_zip"] = compressed_export_zip(trained, report)
    report = cache.get("compression")
    if report is None:
        return
    before, after = report.rows[0], report.rows[-1]
    size, accuracy, latency = st.columns(3)
    size.metric(t("image_export.size"), human_size(after["bytes"]), f"{(after['bytes'] / before['bytes'] - 1) * 100:+.0f}%", delta_color="inverse")
    accuracy.metric(t("image_export.accuracy"), f"{after['accuracy']:.1%}", t("image_export.accuracy_points", points=(after["accuracy"] - before["accuracy"]) * 100))
    latency.metric(t("image_export.latency"), f"{after['ms_per_image']:.2f} ms", f"{after['ms_per_image'] - before['ms_per_image']:+.2f} ms", delta_color="inverse")
    table = pd.DataFrame(
        {
            t("image_export.variant"): [row["name"] for row in report.rows],
            t("image_export.size"): [human_size(row["bytes"]) for row in report.rows],
            t("image_export.accuracy"): [f"{row['accuracy']:.1%}" for row in report.rows],
            t("image_export.latency"): [f"{row['ms_per_image']:.2f} ms" for row in report.rows],
        }
    )
    st.dataframe(table, hide_index=True)
    st.caption(t("image_export.compress_caption", images=report.test_size, backend=backend_name(report.backend)))
    st.caption(t("image_export.compress_compare"))
    if report.note:
        st.caption(t("image_export.transfer_compress_note"))
    st.download_button(
        t("image_export.download_int8", size=human_size(len(cache["compressed_zip"]))),
        cache["compressed_zip"],
        file_name=f"{_file_stem(trained)}-int8.zip",
        mime="application/zip",
        icon="🗜️",
        key="image_export_download_int8",
    )


def render_upload() -> None:
    """Upload a .keras file (or an exported zip) and classify photos with it."""
    from dl.image.export import load_uploaded_model
    from dl.image.uploads import decode_photo, images_to_array

    st.subheader(t("image_export.upload_title"))
    upload = st.file_uploader(t("image_export.upload"), type=["keras", "zip"], key="image_export_model_upload", help=t("image_export.upload_help"))
    show_limits("model")
    if upload is None:
        return
    identity = f"{upload.file_id}-{upload.name}-{upload.size}"
    loaded = st.session_state.get("image_export_uploaded_model")
    if loaded is None or loaded[0] != identity:  # load once per uploaded file, not on every rerun
        try:
            with st.spinner(t("image_export.loading_model")):
                loaded = (identity, load_uploaded_model(upload.getvalue(), upload.name))
        except DataError as error:
            show_data_error(error)
            return
        st.session_state["image_export_uploaded_model"] = loaded
    uploaded = loaded[1]
    height, width = uploaded.image_size
    st.success(
        t("image_export.loaded", name=uploaded.file_name, kind=t(f"image_export.kind_{uploaded.kind}"), width=width,
          height=height, channels=uploaded.channels, classes=", ".join(uploaded.class_names))
    )
    photo = st.file_uploader(t("image_export.try_photo"), type=PHOTO_TYPES, key="image_export_photo")
    show_limits("photos")
    if photo is None:
        return
    try:
        image = decode_photo(photo.getvalue(), photo.name)
    except DataError as error:
        show_data_error(error)
        return
    from dl.image.uploads import DEFAULT_LIMITS

    stored = images_to_array([image], DEFAULT_LIMITS.storage_size, uploaded.channels)
    probabilities = uploaded.predict(stored)[0]  # resized as the model needs (a transfer model does it itself)
    ranked = sorted(zip(uploaded.class_names, probabilities.tolist(), strict=True), key=lambda pair: -pair[1])[:5]
    picture, chart = st.columns([1, 2])
    picture.image(image, width="stretch")
    chart.plotly_chart(top_classes_figure(ranked), key="image_export_uploaded_prediction")


def render_export_tab(trained: TrainedImageClassifier | None, dataset: ImageDataset | None = None) -> None:
    """Download / compress the trained model (when there is one) and upload a model back."""
    if trained is None:
        st.info(t("image_export.train_first"))
    else:
        render_download(trained)
        st.divider()
        render_compression(trained, dataset)
    st.divider()
    render_upload()
