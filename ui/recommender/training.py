"""Movie recommender, training step: model, settings -> RecommenderConfig, the background job."""

from __future__ import annotations

from typing import Any

import streamlit as st

from dl.config import config_to_dict
from dl.recommender.config import MODEL_KINDS, OPTIMIZERS, SPLITS, RecommenderConfig
from dl.recommender.data import RatingsData
from dl.recommender.train import TASK, TrainedRecommender, train_recommender
from dl.task import Resume, task_key
from ui.i18n import note_text, t
from ui.loaders import model_store
from ui.training import Reopener, SettingWidget, Work, remember_run, task_reopener, training_section, widget_states

PAGE = "movie_recommender"
EMBEDDING_SIZES = [4, 8, 16, 32, 64, 128]
L2_VALUES = [0.0, 0.001, 0.01, 0.03, 0.1, 0.3, 1.0]
LEARNING_RATES = [0.0003, 0.001, 0.003, 0.01, 0.03]
BATCH_SIZES = [64, 128, 256, 512, 1024, 4096]
MIN_RATINGS_VALUES = [1, 2, 3, 5, 10, 20, 50]


SETTING_WIDGETS = (  # what opening a run or a project sets (the other fields have no widget)
    SettingWidget("model", "recommender_model", MODEL_KINDS),
    SettingWidget("split", "recommender_split", SPLITS),
    SettingWidget("embedding_dim", "recommender_dim", tuple(EMBEDDING_SIZES)),
    SettingWidget("l2", "recommender_l2", tuple(L2_VALUES)),
    SettingWidget("min_ratings_to_recommend", "recommender_min_ratings", tuple(MIN_RATINGS_VALUES)),
    SettingWidget("hidden_units", "recommender_hidden", (16, 32, 64, 128, 256)),
    SettingWidget("optimizer", "recommender_optimizer", OPTIMIZERS),
    SettingWidget("learning_rate", "recommender_lr", tuple(LEARNING_RATES)),
    SettingWidget("epochs", "recommender_epochs", low=1, high=100),
    SettingWidget("batch_size", "recommender_batch", tuple(BATCH_SIZES)),
    SettingWidget("early_stopping", "recommender_early", (True, False)),
)


def setting_states(task: str, values: dict[str, Any]) -> dict[str, Any]:
    """The settings widgets' states that show a stored run's config ``values``."""
    return widget_states(SETTING_WIDGETS, values)


def link_settings() -> tuple[tuple[SettingWidget, ...], dict[str, Any]]:
    """The widgets a link carries (the data source and the settings) and their defaults."""
    widgets = (SettingWidget("source", "recommender_source", ("builtin",)), *SETTING_WIDGETS)
    return widgets, {"recommender_source": "builtin", **setting_states(TASK, config_to_dict(RecommenderConfig()))}


def settings_form(data: RatingsData) -> RecommenderConfig:
    """The model choice and every setting; defaults are the config's own."""
    default = RecommenderConfig()
    model = st.radio(t("movie_recommender.model"), MODEL_KINDS, index=MODEL_KINDS.index(default.model), horizontal=True,
                     key="recommender_model", format_func={kind: t(f"movie_recommender.model_{kind}") for kind in MODEL_KINDS}.get)
    st.caption(t(f"movie_recommender.model_{model}_help"))
    splits = SPLITS if data.timestamps is not None else ("random",)
    split = st.radio(t("movie_recommender.split"), splits, horizontal=True, key="recommender_split",
                     format_func={name: t(f"movie_recommender.split_{name}") for name in SPLITS}.get)
    with st.expander(t("movie_recommender.settings"), expanded=False):
        left, right = st.columns(2)
        embedding_dim = left.select_slider(t("movie_recommender.embedding_dim"), EMBEDDING_SIZES, default.embedding_dim,
                                           key="recommender_dim", help=t("movie_recommender.embedding_dim_help"))
        l2 = left.select_slider(t("movie_recommender.l2"), L2_VALUES, default.l2, key="recommender_l2",
                                help=t("movie_recommender.l2_help"))
        min_ratings = left.select_slider(t("movie_recommender.min_ratings"), MIN_RATINGS_VALUES,
                                         default.min_ratings_to_recommend, key="recommender_min_ratings",
                                         help=t("movie_recommender.min_ratings_help"))
        hidden_units = left.select_slider(t("movie_recommender.hidden_units"), [16, 32, 64, 128, 256], default.hidden_units,
                                          key="recommender_hidden", disabled=model != "neural")
        optimizer = right.selectbox(t("movie_recommender.optimizer"), OPTIMIZERS, key="recommender_optimizer")
        learning_rate = right.select_slider(t("movie_recommender.learning_rate"), LEARNING_RATES, default.learning_rate,
                                            key="recommender_lr")
        epochs = right.slider(t("movie_recommender.epochs"), 1, 100, default.epochs, key="recommender_epochs")
        batch_size = right.select_slider(t("movie_recommender.batch_size"), BATCH_SIZES, default.batch_size, key="recommender_batch")
        early_stopping = right.checkbox(t("movie_recommender.early_stopping"), default.early_stopping, key="recommender_early")
    return RecommenderConfig(model=model, embedding_dim=embedding_dim, l2=l2, hidden_units=hidden_units, optimizer=optimizer,
                             learning_rate=learning_rate, epochs=epochs, batch_size=batch_size,
                             early_stopping=early_stopping, split=split, min_ratings_to_recommend=min_ratings)


def recommender_work(config: RecommenderConfig, data: RatingsData, resume: Resume | None = None) -> tuple[str, Work]:
    """(store key, training job) of ``config`` on ``data`` (``resume``: a run resumed with ``--project``)."""
    return task_key(TASK, config, data.fingerprint(), resume), lambda reporter: train_recommender(
        config, data, reporter, model_store(), resume)


def reopener(data: RatingsData | None, results_tab: str) -> Reopener:
    """What the "All runs" tab needs to open a stored run on ``data``."""
    return task_reopener(TASK, RecommenderConfig, recommender_work, data, "movie_recommender", results_tab, setting_states)


def train_and_attach(config: RecommenderConfig, data: RatingsData) -> TrainedRecommender | None:
    """Train button and live job; records every finished run on this data for the Results table."""
    key, work = recommender_work(config, data)
    trained = training_section(PAGE, key, work,
                               f"recommender · {config.model} · {data.source}", data.fingerprint())
    if trained is None:
        return None
    metrics = trained.metrics
    message = "from_cache" if trained.from_cache else "trained"
    bias = metrics["baselines"]["bias"]
    st.success(t(f"movie_recommender.{message}", rmse=metrics["rmse"], baseline=bias["rmse"], ndcg=metrics["ndcg_at_10"],
                 baseline_ndcg=bias["ndcg_at_10"], epochs=metrics.get("epochs_run", 0)))
    for note in trained.notes:
        st.info(note_text(note))
    remember_run(PAGE, data.fingerprint(), trained)
    return trained

