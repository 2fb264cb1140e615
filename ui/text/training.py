"""Text classification, training step: model, settings -> TextClassifierConfig, the background job."""

from __future__ import annotations

from typing import Any

import streamlit as st

from dl.config import config_to_dict
from dl.task import Resume, task_key
from dl.text import data as text_data
from dl.text.config import CLASS_WEIGHTS, MODEL_KINDS, OPTIMIZERS, TextClassifierConfig
from dl.text.data import TextDataset
from dl.text.train import TASK, TrainedTextClassifier, train_text_classifier
from ui.i18n import note_text, t
from ui.loaders import model_store
from ui.training import (
    Reopener,
    SettingWidget,
    Work,
    remember_run,
    small_test_caution,
    task_reopener,
    training_section,
    widget_states,
)

PAGE = "text"  # page_state("text"); Train button key "text_train"
CLASS_WEIGHTS_WIDGET = "text_class_weights"  # the data doctor's class-weights fix sets it
VOCABULARY_SIZES = [1_000, 5_000, 10_000, 20_000, 50_000]
SEQUENCE_LENGTHS = [20, 50, 100, 200, 400]
LEARNING_RATES = [0.0003, 0.001, 0.003, 0.01]
BATCH_SIZES = [16, 32, 64, 128, 256]
MAX_TEXTS = [0, 500, 1_000, 2_000, 5_000, 10_000]


SETTING_WIDGETS = (  # what opening a run or a project sets (the other fields have no widget)
    SettingWidget("model", "text_model", MODEL_KINDS),
    SettingWidget("vocabulary_size", "text_vocabulary", tuple(VOCABULARY_SIZES)),
    SettingWidget("sequence_length", "text_sequence", tuple(SEQUENCE_LENGTHS)),
    SettingWidget("ngrams", "text_ngrams", (0, 1, 2, 3)),
    SettingWidget("embedding_dim", "text_embedding", (16, 32, 64, 128)),
    SettingWidget("optimizer", "text_optimizer", OPTIMIZERS),
    SettingWidget("learning_rate", "text_lr", tuple(LEARNING_RATES)),
    SettingWidget("epochs", "text_epochs", low=1, high=50),
    SettingWidget("batch_size", "text_batch", tuple(BATCH_SIZES)),
    SettingWidget("early_stopping", "text_early", (True, False)),
    SettingWidget("class_weights", CLASS_WEIGHTS_WIDGET, CLASS_WEIGHTS),
    SettingWidget("max_texts", "text_max_texts", tuple(MAX_TEXTS)),
)


def setting_states(task: str, values: dict[str, Any]) -> dict[str, Any]:
    """The settings widgets' states that show a stored run's config ``values``."""
    return widget_states(SETTING_WIDGETS, values)


def link_settings() -> tuple[tuple[SettingWidget, ...], dict[str, Any]]:
    """The widgets a link carries (the built-in data set and the settings) and their defaults."""
    names = tuple(text_data.builtin_names())
    widgets = (SettingWidget("source", "text_source", names), *SETTING_WIDGETS)
    return widgets, {"text_source": names[0], **setting_states(TASK, config_to_dict(TextClassifierConfig()))}


def settings_form(dataset: TextDataset) -> TextClassifierConfig:
    default = TextClassifierConfig()
    names = {kind: t(f"text_classification.model_{kind}") for kind in MODEL_KINDS}
    model = st.radio(t("text_classification.model"), MODEL_KINDS, index=MODEL_KINDS.index(default.model), horizontal=True,
                     key="text_model", format_func=names.get)
    st.caption(t(f"text_classification.model_{model}_help"))
    sizes = {count: (t("text_classification.all_texts") if count == 0 else f"{count:,}") for count in MAX_TEXTS}
    with st.expander(t("text_classification.settings"), expanded=False):
        left, right = st.columns(2)
        vocabulary_size = left.select_slider(t("text_classification.vocabulary_size"), VOCABULARY_SIZES, default.vocabulary_size,
                                             key="text_vocabulary")
        sequence_length = left.select_slider(t("text_classification.sequence_length"), SEQUENCE_LENGTHS, default.sequence_length,
                                             key="text_sequence")
        ngram_labels = {0: t("text_classification.ngrams_auto", count=default.ngrams_for(dataset.chinese)), 1: "1", 2: "2", 3: "3"}
        ngrams = left.radio(t("text_classification.ngrams"), [0, 1, 2, 3], index=default.ngrams, horizontal=True, key="text_ngrams",
                            format_func=ngram_labels.get, help=t("text_classification.ngrams_help"))
        embedding_dim = left.select_slider(t("text_classification.embedding_dim"), [16, 32, 64, 128], default.embedding_dim,
                                           key="text_embedding", disabled=model == "seed")
        optimizer = right.selectbox(t("text_classification.optimizer"), OPTIMIZERS, key="text_optimizer")
        learning_rate = right.select_slider(t("text_classification.learning_rate"), LEARNING_RATES, default.learning_rate, key="text_lr")
        epochs = right.slider(t("text_classification.epochs"), 1, 50, default.epochs, key="text_epochs")
        batch_size = right.select_slider(t("text_classification.batch_size"), BATCH_SIZES, default.batch_size, key="text_batch")
        early_stopping = right.checkbox(t("text_classification.early_stopping"), default.early_stopping, key="text_early")
        weight_labels = {choice: t(f"text_classification.class_weights_{choice}") for choice in CLASS_WEIGHTS}
        class_weights = right.radio(t("text_classification.class_weights"), CLASS_WEIGHTS, horizontal=True, key=CLASS_WEIGHTS_WIDGET,
                                    format_func=weight_labels.get, help=t("text_classification.class_weights_help"))
        max_texts = right.select_slider(t("text_classification.max_texts"), [count for count in MAX_TEXTS if count < len(dataset.texts)],
                                        0, format_func=sizes.get, key="text_max_texts", help=t("text_classification.max_texts_help"))
    return TextClassifierConfig(model=model, vocabulary_size=vocabulary_size, sequence_length=sequence_length, ngrams=ngrams,
                                embedding_dim=embedding_dim, optimizer=optimizer, learning_rate=learning_rate, epochs=epochs,
                                batch_size=batch_size, early_stopping=early_stopping, class_weights=class_weights,
                                max_texts=max_texts)


def text_work(config: TextClassifierConfig, dataset: TextDataset, resume: Resume | None = None) -> tuple[str, Work]:
    """(store key, training job) of ``config`` on ``dataset`` (``resume``: a run resumed with ``--project``)."""
    return task_key(TASK, config, dataset.fingerprint(), resume), lambda reporter: train_text_classifier(
        config, dataset, reporter, model_store(), resume)


def reopener(dataset: TextDataset | None, results_tab: str) -> Reopener:
    """What the "All runs" tab needs to open a stored run on ``dataset``."""
    return task_reopener(TASK, TextClassifierConfig, text_work, dataset, "text_classification", results_tab, setting_states)


def train_and_attach(config: TextClassifierConfig, dataset: TextDataset) -> TrainedTextClassifier | None:
    key, work = text_work(config, dataset)
    trained = training_section(PAGE, key, work, f"text · {config.model} · {dataset.source}", dataset.fingerprint())
    if trained is None:
        return None
    metrics = trained.metrics
    message = "from_cache" if trained.from_cache else "trained"
    st.success(t(f"text_classification.{message}", accuracy=metrics["accuracy"] * 100, test=metrics["test_size"],
                 baseline=metrics["baseline"]["accuracy"] * 100, epochs=metrics.get("epochs_run", 0)))
    small_test_caution(metrics["test_size"])
    for note in trained.notes:
        st.info(note_text(note))
    remember_run(PAGE, dataset.fingerprint(), trained)
    return trained

