"""Recommender quality and speed on MovieLens 100k: every model kind and both splits, beside the
baselines, plus the speed of our training job against a plain Keras script of the seed model.

Prints JSON: per (split, model) RMSE, MAE, Precision@10, Recall@10, NDCG@10, epochs and seconds;
the two baselines per split; ``speed``: seconds for 10 epochs of the seed model through
``train_recommender`` (fit only, and the whole job with evaluation and saving) against the same
10 epochs in a plain ``keras.Model.fit`` on the same rows (ratio > 1 = we are slower); peak RSS.
Run: python bench/recommender_quality.py
"""

import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


from dl.jobs import run_inline  # noqa: E402
from dl.recommender.config import MODEL_KINDS, SPLITS, RecommenderConfig  # noqa: E402
from dl.recommender.data import load_movielens_100k  # noqa: E402
from dl.recommender.split import split_ratings  # noqa: E402
from dl.recommender.train import train_recommender  # noqa: E402
from dl.store import ModelStore  # noqa: E402

SPEED_EPOCHS = 10  # the seed article's epochs


def rounded(metrics: dict) -> dict:
    keys = ("rmse", "mae", "precision_at_10", "recall_at_10", "ndcg_at_10")
    return {key: round(float(metrics[key]), 4) for key in keys if key in metrics}


def plain_keras_seconds(data, config) -> float:
    """The seed article's model and fit call, written plainly, on the same training rows."""
    import keras

    split = split_ratings(data, config.split, config.test_fraction, config.validation_fraction, config.seed)
    keras.utils.set_random_seed(0)
    user_input = keras.Input((), dtype="int32", name="user")
    item_input = keras.Input((), dtype="int32", name="item")
    user_vector = keras.layers.Embedding(data.num_users, config.embedding_dim)(user_input)
    item_vector = keras.layers.Embedding(data.num_items, config.embedding_dim)(item_input)
    output = keras.layers.Dense(1)(keras.layers.Dot(axes=-1)([user_vector, item_vector]))
    model = keras.Model({"user": user_input, "item": item_input}, output)
    model.compile(optimizer=keras.optimizers.Adam(config.learning_rate), loss="mse")
    inputs = {"user": data.users[split.train].astype("int32"), "item": data.items[split.train].astype("int32")}
    started = time.perf_counter()
    model.fit(inputs, data.ratings[split.train], epochs=SPEED_EPOCHS, batch_size=config.batch_size, verbose=0,
              validation_data=({"user": data.users[split.validation].astype("int32"),
                                "item": data.items[split.validation].astype("int32")}, data.ratings[split.validation]))
    return time.perf_counter() - started


def main() -> None:
    data = load_movielens_100k()
    store = ModelStore(tempfile.mkdtemp(prefix="bench-recommender-"))
    report: dict = {"data": data.summary(), "runs": {}, "baselines": {}}
    for split in SPLITS:
        for kind in MODEL_KINDS:
            config = RecommenderConfig(model=kind, split=split)
            started = time.perf_counter()
            trained = run_inline(lambda reporter, config=config: train_recommender(config, data, reporter, store))
            report["runs"][f"{split}/{kind}"] = {
                **rounded(trained.metrics), "epochs": trained.metrics["epochs_run"],
                "fit_seconds": trained.metrics["fit_seconds"], "job_seconds": round(time.perf_counter() - started, 2),
            }
        report["baselines"][split] = {name: rounded(values) for name, values in trained.metrics["baselines"].items()}
    speed_config = RecommenderConfig(model="seed", epochs=SPEED_EPOCHS, early_stopping=False, seed=1)
    plain = min(plain_keras_seconds(data, speed_config) for _ in range(2))
    jobs = []
    for _ in range(2):  # the faster of two fresh trainings, as for the plain script
        config = speed_config
        fresh = ModelStore(tempfile.mkdtemp(prefix="bench-recommender-speed-"))
        started = time.perf_counter()
        trained = run_inline(lambda reporter, config=config, fresh=fresh: train_recommender(config, data, reporter, fresh))
        jobs.append((trained.metrics["fit_seconds"], time.perf_counter() - started))
    fit, job = min(jobs)
    report["speed"] = {"epochs": SPEED_EPOCHS, "plain_keras_fit_seconds": round(plain, 2), "our_fit_seconds": round(fit, 2),
                       "our_job_seconds": round(job, 2), "fit_ratio": round(fit / plain, 2), "job_ratio": round(job / plain, 2)}
    started = time.perf_counter()
    run_inline(lambda reporter: train_recommender(RecommenderConfig(), data, reporter, store))
    report["cache_hit_seconds"] = round(time.perf_counter() - started, 3)
    report["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
