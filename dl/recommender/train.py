"""Train a recommender (or load it from the model store) and measure it against the baselines.

One job: split the ratings, fit the two baselines (global mean, user + movie biases) and the chosen
Keras model on the same training part, then score all three on the same held-out ratings (RMSE,
MAE, Precision/Recall/NDCG@10). The store entry holds the Keras model (for export), its weights as
NumPy arrays (``factors.npz``: what everything after training uses) and the catalogue of users,
movies and training ratings, so a cache hit, the CLI and ``predict.py`` need no TensorFlow.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from dl.jobs import ProgressReporter, keras_progress_callback
from dl.recommender.baselines import BiasBaseline, fit_bias_baseline, global_mean_baseline
from dl.recommender.config import RecommenderConfig
from dl.recommender.data import RatingsData
from dl.recommender.evaluate import ranking_metrics, rating_errors
from dl.recommender.factors import FactorModel, factors_from_keras
from dl.recommender.split import Split, split_ratings
from dl.store import ModelStore
from dl.task import Fitted, Resume, TaskResult, history_rows, stored_meta, task_key, train_or_load

TASK = "recommender"
MODEL_FILE = "model.keras"
CATALOG_FILE = "catalog.json"
RATINGS_FILE = "ratings.npz"
TOP_K = 10


@dataclass
class Catalog:
    """Who and what the model knows: own ids, movie titles/years/genres, and the training ratings
    (to leave out movies a user already rated, and to explain recommendations)."""

    user_ids: list[str]
    item_ids: list[str]
    titles: list[str]
    years: list[str]
    genres: list[list[str]]
    users: np.ndarray
    items: np.ndarray
    ratings: np.ndarray
    relevance_threshold: float

    @classmethod
    def from_data(cls, data: RatingsData, rows: np.ndarray) -> Catalog:
        return cls(data.user_ids, data.item_ids, data.titles, data.years, data.genres,
                   data.users[rows], data.items[rows], data.ratings[rows], data.relevance_threshold)

    def save(self, folder: Path) -> None:
        catalog = {"user_ids": self.user_ids, "item_ids": self.item_ids, "titles": self.titles, "years": self.years,
                   "genres": self.genres, "relevance_threshold": self.relevance_threshold}
        (folder / CATALOG_FILE).write_text(json.dumps(catalog, ensure_ascii=False))
        np.savez_compressed(folder / RATINGS_FILE, users=self.users.astype(np.int32),
                            items=self.items.astype(np.int32), ratings=self.ratings)

    @classmethod
    def load(cls, folder: Path) -> Catalog:
        catalog = json.loads((folder / CATALOG_FILE).read_text())
        with np.load(folder / RATINGS_FILE, allow_pickle=False) as saved:
            users, items, ratings = saved["users"].astype(np.int64), saved["items"].astype(np.int64), saved["ratings"]
        return cls(catalog["user_ids"], catalog["item_ids"], catalog["titles"], catalog["years"], catalog["genres"],
                   users, items, ratings, float(catalog["relevance_threshold"]))

    def rated_by(self, user: int) -> tuple[np.ndarray, np.ndarray]:
        """(movie indices, ratings) of one user's training ratings."""
        rows = self.users == user
        return self.items[rows], self.ratings[rows]


@dataclass
class TrainedRecommender:
    """What training returns: the model as arrays, its catalogue, and the stored meta."""

    factors: FactorModel
    catalog: Catalog
    config: RecommenderConfig
    metrics: dict[str, Any]
    history: list[dict[str, float]]
    path: Path
    from_cache: bool
    meta: dict[str, Any] = field(default_factory=dict)  # the store entry's meta.json
    notes: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.config.model

    @property
    def data_fingerprint(self) -> str:
        """The fingerprint of the ratings it was trained on (what a page keys its choices by)."""
        return str(self.meta.get("data", {}).get("fingerprint") or self.path.name)


def model_key(config: RecommenderConfig, data: RatingsData) -> str:
    return task_key(TASK, config, data.fingerprint())


def train_recommender(config: RecommenderConfig, data: RatingsData, reporter: ProgressReporter,
                      store: ModelStore, resume: Resume | None = None) -> TrainedRecommender:
    """Train ``config`` on ``data`` (or load it from ``store``); see the module docstring. ``resume``:
    continue that stored run (its embeddings and optimizer state) for ``resume.epochs`` more epochs."""
    config.validate()

    def fit(reporter: ProgressReporter) -> Fitted[tuple[Any, FactorModel, Catalog]]:
        split = split_ratings(data, config.split, config.test_fraction, config.validation_fraction, config.seed)
        keras_model, history, seconds = fit_keras_model(config, data, split, reporter, resume)
        factors = factors_from_keras(keras_model, config.model, data.rating_range)
        factors.item_counts = np.bincount(data.items[split.train], minlength=data.num_items).astype(np.int32)
        factors.ranking_shrinkage, factors.min_ratings = config.ranking_shrinkage, config.min_ratings_to_recommend
        reporter.say("evaluating")
        metrics = evaluate_all(factors, data, split)
        metrics.update(fit_seconds=round(seconds, 3), epochs_run=len(history), train_ratings=int(len(split.train)),
                       validation_ratings=int(len(split.validation)), test_ratings=int(len(split.test)),
                       moved_to_train=split.moved)
        return Fitted((keras_model, factors, Catalog.from_data(data, split.train)), metrics, history,
                      {"kind": config.model, "users": data.num_users, "items": data.num_items})

    def save(model: tuple[Any, FactorModel, Catalog], folder: Path) -> None:
        keras_model, factors, catalog = model
        keras_model.save(folder / MODEL_FILE)
        factors.save(folder)
        catalog.save(folder)

    def load(folder: Path) -> tuple[None, FactorModel, Catalog]:
        return None, FactorModel.load(folder), Catalog.load(folder)

    result: TaskResult = train_or_load(TASK, config, data.fingerprint(), fit, save, load, reporter, store,
                                       data.summary(), resume=resume)
    _, factors, catalog = result.model
    return TrainedRecommender(factors, catalog, config, result.metrics, result.history, result.path,
                              result.from_cache, result.meta, result.notes)


def fit_keras_model(config: RecommenderConfig, data: RatingsData, split: Split, reporter: ProgressReporter,
                    resume: Resume | None = None) -> tuple[Any, list[dict[str, float]], float]:
    """Fit the chosen Keras model on the training rows (or go on with a stored one); early stopping
    watches validation RMSE."""
    reporter.say("loading_tensorflow")
    import keras

    from dl.device import tensorflow_strategy
    from dl.recommender.models import build_model, make_optimizer

    strategy = tensorflow_strategy()  # first: a multi-worker strategy must exist before any TF op
    keras.utils.set_random_seed(config.seed)
    global_mean = float(data.ratings[split.train].mean())
    first_epoch = resume.epochs_done if resume else 0
    epochs = first_epoch + resume.epochs if resume else config.epochs
    with strategy.scope():
        if resume is not None:  # the saved model with its optimizer's state
            model = keras.models.load_model(resume.entry.path / MODEL_FILE, safe_mode=True)
        else:
            model = build_model(config, data.num_users, data.num_items, global_mean)
            model.compile(optimizer=make_optimizer(config.optimizer, config.learning_rate), loss="mse",
                          metrics=[keras.metrics.RootMeanSquaredError(name="rmse")])
    has_validation = len(split.validation) > 0
    monitor = "val_rmse" if has_validation else "rmse"
    callbacks = [keras_progress_callback(reporter, epochs)]
    if config.early_stopping:
        callbacks.append(keras.callbacks.EarlyStopping(monitor=monitor, patience=config.patience, restore_best_weights=True))
    reporter.say("")
    started = time.perf_counter()
    fitted = model.fit(
        _inputs(data, split.train), data.ratings[split.train],
        validation_data=(_inputs(data, split.validation), data.ratings[split.validation]) if has_validation else None,
        epochs=epochs, initial_epoch=first_epoch, batch_size=config.batch_size, callbacks=callbacks, verbose=0,
    )
    return model, history_rows(fitted.history), time.perf_counter() - started


def _inputs(data: RatingsData, rows: np.ndarray) -> dict[str, np.ndarray]:
    return {"user": data.users[rows].astype(np.int32), "item": data.items[rows].astype(np.int32)}


def evaluate_all(factors: FactorModel, data: RatingsData, split: Split) -> dict[str, Any]:
    """The model's and both baselines' RMSE, MAE and ranking metrics on the same test ratings."""
    train_users, train_items, train_ratings = data.users[split.train], data.items[split.train], data.ratings[split.train]
    bias = fit_bias_baseline(train_users, train_items, train_ratings, data.num_users, data.num_items)
    mean = global_mean_baseline(train_ratings, data.num_users, data.num_items)
    metrics = score(factors.predict, factors.rank_users, data, split)
    metrics["baselines"] = {"bias": score_baseline(bias, data, split), "global_mean": score_baseline(mean, data, split)}
    return metrics


def score_baseline(baseline: BiasBaseline, data: RatingsData, split: Split) -> dict[str, float]:
    low, high = data.rating_range
    return score(lambda users, items: np.clip(baseline.predict(users, items), low, high),
                 lambda users: np.stack([baseline.scores(user) for user in users]), data, split)  # ranked unclipped


def score(predict, score_users, data: RatingsData, split: Split) -> dict[str, float]:
    test = split.test
    metrics = rating_errors(predict(data.users[test], data.items[test]), data.ratings[test])
    metrics.update(ranking_metrics(score_users, data.users[split.train], data.items[split.train], data.users[test],
                                   data.items[test], data.ratings[test], data.num_items, data.relevance_threshold, TOP_K))
    return metrics


def stored_recommender(store: ModelStore, config: RecommenderConfig, data: RatingsData, resume: Resume | None = None):
    """The store entry of this config on this data (or resumed run), read without TensorFlow (None if not trained)."""
    return stored_meta(store, TASK, config, data.fingerprint(), resume)


def load_recommender_folder(folder: Path | str) -> tuple[FactorModel, Catalog, dict[str, Any]]:
    """A store entry or an unzipped export: (factors, catalogue, meta). DataError if it is not one."""
    from dl.data.errors import DataError

    folder = Path(folder)
    if folder.is_file():
        folder = folder.parent
    try:
        meta = json.loads((folder / "meta.json").read_text()) if (folder / "meta.json").is_file() else {}
        return FactorModel.load(folder), Catalog.load(folder), meta
    except (OSError, KeyError, ValueError) as error:
        raise DataError(f"{folder} is not a trained recommender (it needs factors.npz, catalog.json and "
                        f"ratings.npz: {error}).") from None
