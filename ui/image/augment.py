"""Augmentation on the image page: a preview of what training will show, and the run beside its twin.

``render_preview(config, dataset)`` draws, on request, one image of the data under several random draws
of the chosen augmentation (``dl.image.augment.preview``: the model's own layers). ``render_comparison``
(Results tab) sets a CNN beside the same settings with augmentation off (or, for a run without any, with
the network's default augmentation): trained on the same images and scored on the same held-out ones,
so the difference is the augmentation's.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from dl.config import config_from_dict, config_to_dict
from dl.image import augment
from dl.image.cnn import ImageClassifierConfig, output_channels, strong_config
from dl.image.dataset import ImageDataset, TrainedImageClassifier
from dl.runs import Run
from dl.store import StoreEntry
from ui.i18n import t
from ui.image.data import display_pixels
from ui.job_widget import attached_job, show_job
from ui.loaders import model_store
from ui.training import start_own_job

PREVIEW_DRAWS = 8  # the image itself and seven random draws: one row of thumbnails
PREVIEW_WIDGET = "image_augment_preview"
PICK_STATE = "image_augment_preview_pick"
SHARE_SCORES = ("accuracy", "macro_f1", "balanced_accuracy")


@st.cache_data(show_spinner=False, max_entries=16)
def preview_draws(settings: dict, image: np.ndarray, channels: int) -> np.ndarray:
    """The draws for these settings and image (TensorFlow's first import takes seconds; a rerun none)."""
    return augment.preview(config_from_dict(ImageClassifierConfig, settings), image, channels, PREVIEW_DRAWS)


def render_preview(config: ImageClassifierConfig, dataset: ImageDataset) -> None:
    """A toggle; when on, one image of the data as training will see it under random draws."""
    if not st.toggle(t("augment.preview"), key=PREVIEW_WIDGET, help=t("augment.preview_help")):
        return
    if not augment.is_augmented(config):
        st.caption(t("augment.preview_none"))
        return
    index = st.session_state.get(PICK_STATE, 0) % len(dataset.labels)
    if st.button(t("augment.another_image"), icon="🎲", key="image_augment_another"):
        index = int(np.random.default_rng().integers(len(dataset.labels)))
        st.session_state[PICK_STATE] = index
    channels = output_channels(config, dataset.channels)
    with st.spinner(t("augment.preview_running")):
        draws = preview_draws(config_to_dict(config), dataset.images[index], channels)
    st.image([display_pixels(draw) for draw in draws], width=72,
             caption=[t("augment.original")] + [t("augment.draw", number=number) for number in range(1, len(draws))])
    st.caption(t("augment.preview_caption", name=dataset.class_names[int(dataset.labels[index])]))


def network_default(network: str) -> ImageClassifierConfig:
    return strong_config() if network == "strong" else ImageClassifierConfig()


def render_comparison(trained: TrainedImageClassifier, dataset: ImageDataset, seed_work) -> None:
    """The run beside its twin with augmentation switched; a button trains the twin when it is missing.

    ``seed_work(config, dataset)`` -> (store key, job): the page's own CNN job (``ui.image.training``)."""
    if trained.kind != "seed" or not trained.config or trained.path is None:
        return
    config = config_from_dict(ImageClassifierConfig, trained.config)
    other_config = augment.counterpart(config, network_default(config.network))
    key, work = seed_work(other_config, dataset)
    augmented = augment.is_augmented(config)
    st.subheader(t("augment.compare_title"))
    other = _finished_twin(key, work, augmented)
    if other is None:
        return
    this = Run.from_entry(StoreEntry(trained.path.name, trained.path, trained.meta))
    with_run, without_run = (this, other) if augmented else (other, this)
    _comparison_table(with_run, without_run)
    from ui.runs import overlay_figure

    labels = {with_run.key: t("augment.with"), without_run.key: t("augment.without")}
    curve = "val_accuracy" if any("val_accuracy" in row for row in this.history) else "accuracy"
    st.plotly_chart(overlay_figure([with_run, without_run], curve, labels), key="image_augment_curves")


def _finished_twin(key: str, work, augmented: bool) -> Run | None:
    """The twin run from the store (or its finished job), else its Train button or its live job."""
    entry = model_store().peek(key)
    if entry is not None:
        return Run.from_entry(entry)
    job = attached_job(key)
    if job is None:
        st.caption(t("augment.compare_missing_with" if not augmented else "augment.compare_missing_without"))
        label = t("augment.train_without") if augmented else t("augment.train_with")
        if st.button(label, icon="⚖️", key="image_augment_compare"):
            start_own_job(key, work, t("augment.job_name"))
            st.rerun()
        return None
    if not show_job(job, chart=False):
        return None
    result = job.result
    return Run.from_entry(StoreEntry(key, result.path, result.meta))


def _comparison_table(with_run: Run, without_run: Run) -> None:
    rows = []
    for name in SHARE_SCORES:
        values = [run.number(name) for run in (with_run, without_run)]
        if None not in values:
            rows.append({t("augment.score"): t(f"augment.score_{name}"), t("augment.with"): f"{values[0]:.1%}",
                         t("augment.without"): f"{values[1]:.1%}", t("augment.difference"): f"{(values[0] - values[1]) * 100:+.1f}"})
    epochs = [len(run.history) for run in (with_run, without_run)]
    rows.append({t("augment.score"): t("augment.score_epochs"), t("augment.with"): str(epochs[0]),
                 t("augment.without"): str(epochs[1]), t("augment.difference"): f"{epochs[0] - epochs[1]:+d}"})
    st.dataframe(rows, hide_index=True)
    difference = (with_run.number("accuracy") or 0.0) - (without_run.number("accuracy") or 0.0)
    st.caption(t("augment.verdict", points=difference * 100, test=int(with_run.metrics.get("test_size", 0))))

