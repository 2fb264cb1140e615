"""The recommender's export: one zip a person can run anywhere NumPy runs.

Contents: ``factors.npz`` + ``catalog.json`` + ``ratings.npz`` (the model as arrays, what
``predict.py`` reads), ``model.keras`` (the same model for Keras), ``meta.json`` (config, metrics,
history), ``README.md`` (a model card with the metrics beside the baselines) and ``predict.py``.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from dl.recommender.factors import FACTORS_FILE
from dl.recommender.train import CATALOG_FILE, MODEL_FILE, RATINGS_FILE, TrainedRecommender

PREDICT_SCRIPT = Path(__file__).with_name("predict_script.py")
STORED_FILES = (FACTORS_FILE, CATALOG_FILE, RATINGS_FILE, MODEL_FILE, "meta.json")


def model_card(trained: TrainedRecommender) -> str:
    metrics, baselines = trained.metrics, trained.metrics["baselines"]
    rows = [(f"{trained.kind} (this model)", metrics), ("user + movie bias baseline", baselines["bias"]),
            ("global mean baseline", baselines["global_mean"])]
    table = "\n".join(f"| {name} | {values['rmse']:.4f} | {values['mae']:.4f} | {values['precision_at_10']:.4f} | "
                      f"{values['ndcg_at_10']:.4f} |" for name, values in rows)
    config = trained.config
    return f"""# Movie recommender ({trained.kind})

Trained by Deep Learning Playground on {len(trained.catalog.user_ids):,} users and
{len(trained.catalog.item_ids):,} items; held out: {metrics.get('test_ratings', 0):,} ratings ({config.split} split),
relevant = rated >= {trained.catalog.relevance_threshold:g}.

| model | RMSE | MAE | Precision@10 | NDCG@10 |
|---|---|---|---|---|
{table}

Settings: embedding size {config.embedding_dim}, L2 {config.l2:g}, learning rate {config.learning_rate:g},
batch size {config.batch_size}, {metrics.get('epochs_run', 0)} epochs. Ranking: movies with at least
{config.min_ratings_to_recommend} training ratings, each movie's own part of its score shrunk by n/(n+{config.ranking_shrinkage:g}).

    pip install numpy
    python predict.py --user {trained.catalog.user_ids[0]}
    python predict.py --rate {trained.catalog.item_ids[0]}=5 --rate {trained.catalog.item_ids[1]}=4 --rate {trained.catalog.item_ids[2]}=2
    python predict.py --similar {trained.catalog.item_ids[0]}
"""


def export_zip(trained: TrainedRecommender) -> bytes:
    """The zip described in the module docstring, built from the model's store folder."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in STORED_FILES:
            path = trained.path / name
            if path.is_file():
                archive.write(path, name)
        archive.writestr("README.md", model_card(trained))
        archive.writestr("predict.py", PREDICT_SCRIPT.read_text())
        archive.writestr("settings.json", json.dumps({"model": trained.kind}, indent=2))
    return buffer.getvalue()
