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
from dl.recommender.recommend import DEFAULT_BLEND
from dl.recommender.train import CATALOG_FILE, MODEL_FILE, RATINGS_FILE, TrainedRecommender

PREDICT_SCRIPT = Path(__file__).with_name("predict_script.py")
STORED_FILES = (FACTORS_FILE, CATALOG_FILE, RATINGS_FILE, MODEL_FILE, "meta.json")


CARD = {
    "en": """# Movie recommender ({kind})

Trained by Deep Learning Playground on {users:,} users and
{items:,} items; held out: {test:,} ratings ({split} split),
relevant = rated >= {threshold:g}.

| model | RMSE | MAE | Precision@10 | NDCG@10 |
|---|---|---|---|---|
{table}

Settings: embedding size {embedding}, L2 {l2:g}, learning rate {learning_rate:g},
batch size {batch}, {epochs} epochs. Ranking: movies with at least
{min_ratings} training ratings, each movie's own part of its score shrunk by n/(n+{shrinkage:g}).
A new visitor (`--rate`) is ranked by that score plus {taste_weight:g} x their taste (0-1): how much
more often than its popularity suggests the people who rated the visitor's liked movies rated a movie.
""",
    "zh": """# 电影推荐模型（{kind}）

由深度学习游乐场在 {users:,} 位用户和 {items:,} 个条目上训练；
留出 {test:,} 条评分（{split} 划分），评分 ≥ {threshold:g} 算作相关。

| 模型 | RMSE | MAE | 精确率@10 | NDCG@10 |
|---|---|---|---|---|
{table}

设置：嵌入维度 {embedding}，L2 {l2:g}，学习率 {learning_rate:g}，
批大小 {batch}，训练 {epochs} 轮。排序：只推荐至少有
{min_ratings} 条训练评分的电影，每部电影自身那部分得分乘以 n/(n+{shrinkage:g})。
新访客（`--rate`）按这个得分加上 {taste_weight:g} 乘以其口味分（0 到 1）排序：给访客喜欢的电影评过分的人
给某部电影评分的频率比它的热门程度所预期的高出多少。
""",
}
SPLIT_NAMES = {"en": {"random": "random", "time": "time"}, "zh": {"random": "随机", "time": "按时间"}}
ROW_NAMES = {"en": ("{kind} (this model)", "user + movie bias baseline", "global mean baseline"),
             "zh": ("{kind}（本模型）", "用户 + 电影偏置基线", "全局均值基线")}
COMMANDS = """
    pip install numpy
    python predict.py --user {user}
    python predict.py --rate {first}=5 --rate {second}=4 --rate {third}=2
    python predict.py --similar {first}
"""


def model_card(trained: TrainedRecommender, language: str = "en") -> str:
    """The model card (README.md of the zip) in English or Chinese (``"zh"``)."""
    language = language if language in CARD else "en"
    metrics, baselines, config, catalog = trained.metrics, trained.metrics["baselines"], trained.config, trained.catalog
    this_model, bias, mean = ROW_NAMES[language]
    rows = [(this_model.format(kind=trained.kind), metrics), (bias, baselines["bias"]), (mean, baselines["global_mean"])]
    table = "\n".join(f"| {name} | {values['rmse']:.4f} | {values['mae']:.4f} | {values['precision_at_10']:.4f} | "
                      f"{values['ndcg_at_10']:.4f} |" for name, values in rows)
    card = CARD[language].format(
        kind=trained.kind, users=len(catalog.user_ids), items=len(catalog.item_ids), test=metrics.get("test_ratings", 0),
        split=SPLIT_NAMES[language].get(config.split, config.split), threshold=catalog.relevance_threshold, table=table, embedding=config.embedding_dim,
        l2=config.l2, learning_rate=config.learning_rate, batch=config.batch_size, epochs=metrics.get("epochs_run", 0),
        min_ratings=config.min_ratings_to_recommend, shrinkage=config.ranking_shrinkage,
        taste_weight=DEFAULT_BLEND.weight)
    return card + COMMANDS.format(user=catalog.user_ids[0], first=catalog.item_ids[0], second=catalog.item_ids[1],
                                  third=catalog.item_ids[2])


def export_zip(trained: TrainedRecommender, language: str = "en") -> bytes:
    """The zip described in the module docstring, built from the model's store folder."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in STORED_FILES:
            path = trained.path / name
            if path.is_file():
                archive.write(path, name)
        archive.writestr("README.md", model_card(trained, language))
        archive.writestr("predict.py", PREDICT_SCRIPT.read_text())
        archive.writestr("settings.json", json.dumps({"model": trained.kind}, indent=2))
    return buffer.getvalue()
