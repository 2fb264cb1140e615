"""Image classification, training step: model type, settings -> config, the background job.

``choose_model_kind()`` offers the seed CNN, the stronger CNN and transfer learning ("seed", "strong",
"transfer"); both CNNs are the "seed" kind of ``dl.image.kinds`` (trained from scratch here).
``settings_form(dataset, network)`` returns that CNN's ``ImageClassifierConfig`` from widgets (their defaults are that network's own: the
dataclass defaults, or ``STRONG_CNN``). ``train_and_attach(kind, config, dataset)`` draws the Train button
and the live job, and returns the finished ``TrainedImageClassifier`` of the last training on this
dataset (or None).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import streamlit as st

from dl.config import config_from_dict, config_to_dict
from dl.image.cnn import (
    CLASS_WEIGHTS,
    COLOR_MODES,
    OPTIMIZERS,
    TASK,
    ImageClassifierConfig,
    strong_config,
    train_image_classifier,
    uses_class_weights,
)
from dl.image.dataset import ImageDataset, TrainedImageClassifier
from dl.task import Resume, task_key
from ui.data_doctor import set_widget
from ui.i18n import note_text, t
from ui.image.augment import render_preview
from ui.loaders import model_store
from ui.training import Reopener, SettingWidget, Work, small_test_caution, training_section, widget_states

RUN_TASKS = ("image-cnn", "image-transfer")  # the store's tasks of this page's models (dl.image.cnn / transfer TASK)
MODEL_KINDS = ("seed", "strong", "transfer")  # the radio's choices; "strong" is dl.image.cnn.STRONG_CNN
STATE = "image"  # the page's namespace: page_state("image"), Train button key "image_train"
MODEL_KIND_WIDGET = "image_model_kind"  # the data doctor's "transfer" fix sets it
CLASS_WEIGHTS_WIDGET = "image_class_weights"  # the data doctor's "class_weights" fix sets it
IMAGE_SIZES = [8, 16, 28, 32, 48, 64, 96, 128]
LEARNING_RATES = [0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03]
BATCH_SIZES = [8, 16, 32, 64, 128, 256]


def choose_model_kind() -> str:
    """The model radio: "seed" or "strong" (a CNN trained from scratch, ``settings_form`` draws its
    settings) or "transfer"."""
    choice = st.radio(
        t("image_classification.model_kind"), MODEL_KINDS, horizontal=True, key=MODEL_KIND_WIDGET,
        format_func={kind: t(f"image_classification.model_{kind}") for kind in MODEL_KINDS}.get,
    )
    if choice == "strong":
        st.caption(t("image_classification.strong_help"))
    return choice


def setting_widgets(network: str) -> tuple[SettingWidget, ...]:
    """The settings widgets of ``network`` ("seed" or "strong": each has its own keys), for opening a run."""
    suffix = "" if network == "seed" else f"_{network}"
    return tuple(SettingWidget(field, f"{key}{suffix}", choices, low, high) for field, key, choices, low, high in (
        ("conv_blocks", "image_conv_blocks", None, 1, 3),
        ("filters", "image_filters", (8, 16, 32, 64), None, None),
        ("dense_units", "image_dense", (32, 64, 128, 256, 512), None, None),
        ("dropout", "image_dropout", None, 0.0, 0.8),
        ("image_size", "image_size", tuple(IMAGE_SIZES), None, None),
        ("color_mode", "image_color_mode", COLOR_MODES, None, None),
        ("augment_flip", "image_flip", (True, False), None, None),
        ("augment_rotate", "image_rotate", None, 0.0, 0.25),
        ("augment_zoom", "image_zoom", None, 0.0, 0.3),
        ("augment_shift", "image_shift", None, 0.0, 0.3),
        ("augment_brightness", "image_brightness", None, 0.0, 0.5),
        ("augment_contrast", "image_contrast", None, 0.0, 0.8),
        ("optimizer", "image_optimizer", OPTIMIZERS, None, None),
        ("learning_rate", "image_lr", tuple(LEARNING_RATES), None, None),
        ("batch_size", "image_batch", tuple(BATCH_SIZES), None, None),
        ("epochs", "image_epochs", None, 1, 60),
        ("early_stopping", "image_early", (True, False), None, None),
        ("validation_split", "image_val", None, 0.0, 0.3),
    )) + (SettingWidget("class_weights", CLASS_WEIGHTS_WIDGET, CLASS_WEIGHTS),)


def link_settings() -> tuple[tuple[SettingWidget, ...], dict[str, Any]]:
    """The widgets a link carries (the built-in set, the model, both CNNs' settings) and their defaults."""
    widgets = (SettingWidget("source", "image_source", ("mnist", "digits")), SettingWidget("model", MODEL_KIND_WIDGET, MODEL_KINDS),
               *setting_widgets("seed"), *setting_widgets("strong")[:-1])  # one class-weights radio serves both
    defaults = {"image_source": "mnist", **setting_states(TASK, config_to_dict(ImageClassifierConfig())),
                **widget_states(setting_widgets("strong"), config_to_dict(strong_config()))}
    defaults[CLASS_WEIGHTS_WIDGET] = ImageClassifierConfig().class_weights
    return widgets, defaults


def setting_states(task: str, values: dict[str, Any]) -> dict[str, Any]:
    """The model radio and settings widgets' states that show a stored run (a CNN's network, or transfer)."""
    if task != TASK:
        return {MODEL_KIND_WIDGET: "transfer"}
    network = "strong" if values.get("network") == "strong" else "seed"
    return {MODEL_KIND_WIDGET: network, **widget_states(setting_widgets(network), values)}


def settings_form(dataset: ImageDataset, network: str) -> ImageClassifierConfig:
    """Widgets for every field of ``network``'s config ("seed" or "strong") that a user may change; their
    defaults are that network's (each has its own widgets, so the seed CNN's values never carry into the
    stronger one; like any Streamlit widget that is not drawn, a network's changed values are forgotten while
    the other one is chosen)."""
    default = strong_config() if network == "strong" else ImageClassifierConfig()
    suffix = "" if network == "seed" else f"_{network}"

    def key(name: str) -> str:
        return f"{name}{suffix}"

    with st.expander(t("image_classification.settings"), expanded=False):
        network_column, augmentation, training = st.columns(3)
        with network_column:
            st.markdown(f"**{t('image_classification.settings_network')}**")
            conv_blocks = st.slider(t("image_classification.conv_blocks"), 1, 3, default.conv_blocks, key=key("image_conv_blocks"))
            filters = st.select_slider(t("image_classification.filters"), [8, 16, 32, 64], default.filters, key=key("image_filters"))
            dense_units = st.select_slider(t("image_classification.dense_units"), [32, 64, 128, 256, 512], default.dense_units, key=key("image_dense"))
            dropout = st.slider(t("image_classification.dropout"), 0.0, 0.8, default.dropout, 0.05, key=key("image_dropout"))
            image_size = st.select_slider(t("image_classification.image_size"), IMAGE_SIZES, default.image_size, key=key("image_size"))
            color_mode = st.selectbox(t("image_classification.color_mode"), COLOR_MODES, key=key("image_color_mode"),
                                      format_func={mode: t(f"image_classification.color_{mode}") for mode in COLOR_MODES}.get)
        with augmentation:
            st.markdown(f"**{t('image_classification.settings_augmentation')}**")
            augment_flip = st.checkbox(t("image_classification.augment_flip"), default.augment_flip, key=key("image_flip"))
            augment_rotate = st.slider(t("image_classification.augment_rotate"), 0.0, 0.25, default.augment_rotate, 0.01, key=key("image_rotate"))
            augment_zoom = st.slider(t("image_classification.augment_zoom"), 0.0, 0.3, default.augment_zoom, 0.05, key=key("image_zoom"))
            augment_shift = st.slider(t("image_classification.augment_shift"), 0.0, 0.3, default.augment_shift, 0.05, key=key("image_shift"))
            augment_brightness = st.slider(t("augment.brightness"), 0.0, 0.5, default.augment_brightness, 0.05, key=key("image_brightness"))
            augment_contrast = st.slider(t("augment.contrast"), 0.0, 0.8, default.augment_contrast, 0.05, key=key("image_contrast"))
        with training:
            st.markdown(f"**{t('image_classification.settings_training')}**")
            optimizer = st.selectbox(t("image_classification.optimizer"), OPTIMIZERS, OPTIMIZERS.index(default.optimizer),
                                     key=key("image_optimizer"))
            learning_rate = st.select_slider(t("image_classification.learning_rate"), LEARNING_RATES, default.learning_rate, key=key("image_lr"))
            batch_size = st.select_slider(t("image_classification.batch_size"), BATCH_SIZES, default.batch_size, key=key("image_batch"))
            epochs = st.slider(t("image_classification.epochs"), 1, 60, default.epochs, key=key("image_epochs"))
            early_stopping = st.checkbox(t("image_classification.early_stopping"), default.early_stopping, key=key("image_early"))
            validation_split = st.slider(t("image_classification.validation_split"), 0.0, 0.3, default.validation_split, 0.05, key=key("image_val"))
            class_weights = st.radio(t("image_classification.class_weights"), CLASS_WEIGHTS, horizontal=True, key=CLASS_WEIGHTS_WIDGET,
                                     format_func={choice: t(f"image_classification.class_weights_{choice}") for choice in CLASS_WEIGHTS}.get,
                                     help=t("image_classification.class_weights_help"))
        config = dataclasses.replace(
            default, conv_blocks=conv_blocks, filters=filters, dense_units=dense_units, dropout=dropout, image_size=image_size,
            color_mode=color_mode, augment_flip=augment_flip, augment_rotate=augment_rotate, augment_zoom=augment_zoom,
            augment_shift=augment_shift, augment_brightness=augment_brightness, augment_contrast=augment_contrast,
            optimizer=optimizer, learning_rate=learning_rate, batch_size=batch_size, epochs=epochs,
            early_stopping=early_stopping, validation_split=validation_split, class_weights=class_weights,
        )
        render_preview(config, dataset)
    return config


def weights_on(config: ImageClassifierConfig | None, dataset: ImageDataset) -> bool:
    """Whether training will weight the classes (the transfer model, ``config`` None, never does)."""
    return config is not None and uses_class_weights(config, dataset.labels, dataset.num_classes)


def setting_fixes(model_kind: str) -> dict[str, Callable[[], None]]:
    """The doctor's fixes that change a setting: class weights and transfer learning belong to the seed CNN's
    choices (the transfer model has no class weights, and is chosen already)."""
    if model_kind == "transfer":
        return {}
    return {"class_weights": set_widget(CLASS_WEIGHTS_WIDGET, "on"), "transfer": set_widget(MODEL_KIND_WIDGET, "transfer")}


def transfer_work(dataset: ImageDataset) -> tuple[str, Callable[[Any], TrainedImageClassifier]] | None:
    """(store key, work) for transfer learning, or None when that part is not installed."""
    try:
        from dl.image import transfer
    except ImportError:
        st.info(t("common.coming_soon", what=t("image_classification.model_transfer")))
        return None
    config = transfer.TransferConfig()
    st.caption(t("image_classification.transfer_help"))
    return transfer.model_key(config, dataset), lambda reporter: transfer.train_transfer_classifier(
        config, dataset, reporter, model_store()
    )


def seed_work(config: ImageClassifierConfig, dataset: ImageDataset,
              resume: Resume | None = None) -> tuple[str, Callable[[Any], TrainedImageClassifier]]:
    """(store key, training job) of the CNN ``config`` on ``dataset`` (``resume``: a run resumed with ``--project``)."""
    return task_key(TASK, config, dataset.fingerprint(), resume), lambda reporter: train_image_classifier(
        config, dataset, reporter, model_store(), resume)


def reopener(dataset: ImageDataset | None, results_tab: str) -> Reopener:
    """What the "All runs" tab needs to open a stored CNN or transfer run on ``dataset``."""
    from dl.image import transfer

    def build_cnn(values: dict[str, Any], resume: Resume | None) -> tuple[str, Work]:
        return seed_work(config_from_dict(ImageClassifierConfig, values), dataset, resume)

    def build_transfer(values: dict[str, Any], resume: Any) -> tuple[str, Work]:  # transfer runs are not resumed
        config = config_from_dict(transfer.TransferConfig, values)
        return transfer.model_key(config, dataset), lambda reporter: transfer.train_transfer_classifier(
            config, dataset, reporter, model_store())
    fingerprint = dataset.fingerprint() if dataset is not None else None
    return Reopener(fingerprint, {TASK: build_cnn, transfer.TASK: build_transfer}, "image_classification", results_tab,
                    setting_states)


def train_and_attach(key: str, work: Callable[[Any], TrainedImageClassifier], dataset: ImageDataset) -> TrainedImageClassifier | None:
    """The Train button and the job's live view; the result of the last job on this dataset."""
    trained: TrainedImageClassifier | None = training_section(STATE, key, work, f"image · {dataset.source}", dataset.fingerprint())
    if trained is None:
        return None
    test_size = int(trained.metrics.get("test_size", 0))
    if trained.from_cache:
        st.success(t("image_classification.from_cache", accuracy=trained.metrics["accuracy"] * 100, test=test_size))
    else:
        st.success(t("image_classification.trained", accuracy=trained.metrics["accuracy"] * 100, epochs=len(trained.history),
                     test=test_size))
    small_test_caution(test_size)
    for note in trained.notes:
        st.info(note_text(note))
    return trained
