"""BERT labeling, fine-tuning step: model choice, settings -> BertConfig, the background job."""

from __future__ import annotations

from typing import Any

import streamlit as st

from dl.bert.config import BUILTIN_MODEL, CLASS_WEIGHTS, DEFAULT_SENTENCES, STRATEGIES, BertConfig
from dl.bert.train import TASK, TrainedLabeler, train_labeler
from dl.config import config_to_dict
from dl.task import Resume, task_key
from dl.text.data import TextDataset
from ui.i18n import note_text, t
from ui.loaders import model_store
from ui.training import (
    Reopener,
    SettingWidget,
    Work,
    small_test_caution,
    task_reopener,
    training_section,
    widget_states,
)

PAGE = "bert"  # page_state("bert"); Train button key "bert_train"
ONLINE = "online"
MAX_SENTENCES = sorted({0, 100, 300, 600, 1_000, 2_000, 5_000, 10_000, *DEFAULT_SENTENCES.values()})
CLASS_WEIGHTS_KEY = "bert_class_weights"  # the data doctor's class-weights fix sets it
LENGTH_KEY = "bert_length"
FEW_SHOT = 50  # fewer sentences than this: a few-shot demo, which needs more and smaller steps (10 epochs, batch 2)


def choose_model() -> str:
    """The built-in MiniLM, or a Hugging Face id typed in."""
    kinds = [BUILTIN_MODEL, ONLINE]
    names = {BUILTIN_MODEL: t("bert_labeling.model_builtin"), ONLINE: t("bert_labeling.model_online")}
    kind = st.radio(t("bert_labeling.model"), kinds, horizontal=True, key="bert_model_kind", format_func=names.get)
    if kind == BUILTIN_MODEL:
        st.caption(t("bert_labeling.builtin_facts"))
        return BUILTIN_MODEL
    model = st.text_input(t("bert_labeling.model_id"), "bert-base-uncased", key="bert_model_id", help=t("bert_labeling.model_id_help"))
    return model.strip() or BUILTIN_MODEL


def setting_widgets(strategy: str) -> tuple[SettingWidget, ...]:
    """The settings widgets (both regimes' epoch and batch widgets: which one is drawn depends on the data's
    size; the sample-size widget of ``strategy``)."""
    sample_key = "bert_max_sentences" + ("" if strategy == "auto" else f"_{strategy}")
    return (
        SettingWidget("strategy", "bert_strategy", STRATEGIES),
        SettingWidget("epochs", "bert_epochs", low=1, high=20), SettingWidget("epochs", "bert_epochs_few_shot", low=1, high=20),
        SettingWidget("learning_rate", "bert_lr", (1e-5, 3e-5, 5e-5, 1e-4, 2e-4, 5e-4)),
        SettingWidget("batch_size", "bert_batch", (2, 4, 8, 16, 32, 64)),
        SettingWidget("batch_size", "bert_batch_few_shot", (2, 4, 8, 16, 32, 64)),
        SettingWidget("max_length", LENGTH_KEY, (16, 32, 64, 128, 256)),
        SettingWidget("warmup_steps", "bert_warmup", low=0, high=100),
        SettingWidget("weight_decay", "bert_decay", (0.0, 0.01, 0.05, 0.1)),
        SettingWidget("max_grad_norm", "bert_clip", (0.5, 1.0, 2.0, 5.0)),
        SettingWidget("max_sentences", sample_key, tuple(MAX_SENTENCES)),
        SettingWidget("trainable_layers", "bert_layers", low=1, high=12),
        SettingWidget("class_weights", CLASS_WEIGHTS_KEY, CLASS_WEIGHTS),
    )


def setting_states(task: str, values: dict[str, Any]) -> dict[str, Any]:
    """The settings widgets' states that show a stored run."""
    return widget_states(setting_widgets(values.get("strategy", "auto")), values)


def link_settings() -> tuple[tuple[SettingWidget, ...], dict[str, Any]]:
    """The widgets a link carries (the built-in set, the settings of the "auto" strategy) and their defaults.
    The few-shot widgets and the sample size are left out: their defaults depend on the data, not the config."""
    from dl.text import data as text_data

    names = tuple(text_data.builtin_names())
    widgets = tuple(widget for widget in setting_widgets("auto")
                    if not widget.key.endswith("_few_shot") and widget.field != "max_sentences")  # its default depends on the data
    return (SettingWidget("source", "bert_source", names), *widgets), {
        "bert_source": names[0], **widget_states(widgets, config_to_dict(BertConfig()))}


def settings_form(dataset: TextDataset, model: str) -> BertConfig:
    default = BertConfig()
    sizes = {count: (t("bert_labeling.all") if count == 0 else f"{count:,}") for count in MAX_SENTENCES}
    few_shot = len(dataset.texts) < FEW_SHOT
    st.caption(t("bert_labeling.defaults_why") + (" " + t("bert_labeling.few_shot") if few_shot else ""))
    with st.expander(t("bert_labeling.settings"), expanded=False):
        strategy = st.radio(t("bert_labeling.strategy"), STRATEGIES, horizontal=True, key="bert_strategy",
                            format_func={name: t(f"bert_labeling.strategy_{name}") for name in STRATEGIES}.get, help=t("bert_labeling.strategy_help"))
        left, right = st.columns(2)
        # the few-shot and the normal defaults are separate widgets: a value set for sixteen typed
        # sentences (10 epochs of 2) must not carry over to 600 reviews (a 20-minute run on a CPU)
        regime = "_few_shot" if few_shot else ""
        epochs = left.slider(t("bert_labeling.epochs"), 1, 20, 10 if few_shot else default.epochs, key=f"bert_epochs{regime}")
        learning_rate = left.select_slider(t("bert_labeling.learning_rate"), [1e-5, 3e-5, 5e-5, 1e-4, 2e-4, 5e-4], default.learning_rate,
                                           key="bert_lr", format_func=lambda value: f"{value:g}")
        batch_size = left.select_slider(t("bert_labeling.batch_size"), [2, 4, 8, 16, 32, 64], 2 if few_shot else default.batch_size,
                                        key=f"bert_batch{regime}")
        max_length = left.select_slider(t("bert_labeling.max_length"), [16, 32, 64, 128, 256], default.max_length, key=LENGTH_KEY)
        warmup_steps = right.slider(t("bert_labeling.warmup_steps"), 0, 100, default.warmup_steps, key="bert_warmup")
        weight_decay = right.select_slider(t("bert_labeling.weight_decay"), [0.0, 0.01, 0.05, 0.1], default.weight_decay, key="bert_decay")
        max_grad_norm = right.select_slider(t("bert_labeling.max_grad_norm"), [0.5, 1.0, 2.0, 5.0], default.max_grad_norm, key="bert_clip")
        options = [count for count in MAX_SENTENCES if count < len(dataset.texts)]
        # each chosen strategy has its own sample-size widget: 4,000 sentences suit the top layers, not a full fine-tune
        suggested = BertConfig(strategy=strategy).resolved(len(dataset.texts)).max_sentences
        max_sentences = right.select_slider(t("bert_labeling.max_sentences"), options, suggested if suggested in options else 0,
                                            format_func=sizes.get, key="bert_max_sentences" + ("" if strategy == "auto" else f"_{strategy}"),
                                            help=t("bert_labeling.max_sentences_help"))
        layers = right.slider(t("bert_labeling.trainable_layers"), 1, 12, default.trainable_layers, key="bert_layers",
                              help=t("bert_labeling.trainable_layers_help"), disabled=strategy == "full")
    class_weights = st.radio(t("bert_labeling.class_weights"), CLASS_WEIGHTS, horizontal=True, key=CLASS_WEIGHTS_KEY,
                             format_func={name: t(f"bert_labeling.class_weights_{name}") for name in CLASS_WEIGHTS}.get,
                             help=t("bert_labeling.class_weights_help"))
    config = BertConfig(model=model, epochs=epochs, class_weights=class_weights, learning_rate=learning_rate, batch_size=batch_size,
                        max_length=max_length, warmup_steps=warmup_steps, weight_decay=weight_decay, max_grad_norm=max_grad_norm,
                        max_sentences=max_sentences, strategy=strategy, trainable_layers=layers)
    chosen = config.resolved(len(dataset.texts))
    st.caption(t(f"bert_labeling.strategy_uses_{chosen.strategy}", layers=chosen.trainable_layers,
                 sentences=min(len(dataset.texts), chosen.max_sentences or len(dataset.texts))))
    return config


def bert_work(config: BertConfig, dataset: TextDataset, resume: Resume | None = None) -> tuple[str, Work]:
    """(store key, fine-tuning job) of ``config`` on ``dataset`` (``resume``: a run resumed with ``--project``)."""
    return task_key(TASK, config, dataset.fingerprint(), resume), lambda reporter: train_labeler(
        config, dataset, reporter, model_store(), resume)


def reopener(dataset: TextDataset | None, results_tab: str) -> Reopener:
    """What the "All runs" tab needs to open a stored run on ``dataset``."""
    return task_reopener(TASK, BertConfig, bert_work, dataset, "bert_labeling", results_tab, setting_states)


def train_and_attach(config: BertConfig, dataset: TextDataset) -> TrainedLabeler | None:
    key, work = bert_work(config, dataset)
    trained = training_section(PAGE, key, work,
                               f"bert · {config.model} · {dataset.source}", dataset.fingerprint())
    if trained is None:
        return None
    metrics = trained.metrics
    message = "from_cache" if trained.from_cache else "trained"
    if metrics.get("imbalanced"):  # unequal labels: accuracy flatters a model that ignores the small ones
        message += "_imbalanced"
    st.success(t(f"bert_labeling.{message}", accuracy=metrics["accuracy"] * 100, f1=metrics["macro_f1"],
                 majority=metrics["baselines"].get("majority", {}).get("macro_f1", 0.0),
                 baseline=metrics["baselines"]["frozen_logistic_regression"]["accuracy"] * 100, epochs=metrics.get("epochs_run", 0),
                 test=metrics["test_size"]))
    small_test_caution(metrics["test_size"])
    if trained.meta.get("truncated"):
        st.info(t("bert_labeling.truncated", count=trained.meta["truncated"], length=config.max_length))
    for note in trained.notes:
        st.info(note_text(note))
    return trained
