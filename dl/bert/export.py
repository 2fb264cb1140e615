"""The fine-tuned model folder as a zip: safetensors weights, tokenizer, labels, metrics card, predict.py."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from dl.bert.train import TrainedLabeler

PREDICT_SCRIPT = Path(__file__).with_name("predict_script.py")
SKIPPED = ("last_used",)


CARD = {
    "en": """# Sentence labeler (fine-tuned {model})

{parameters:,} parameters, {layers} layers, hidden size {hidden}.
Labels: {labels}. Held-out sentences: {test:,}.

| model | accuracy |
|---|---|
| fine-tuned (this model) | {accuracy:.4f} |
| frozen embeddings + logistic regression | {frozen:.4f} |
| nearest class centroid (no training) | {centroid:.4f} |

Fine-tuning: {epochs} epochs, learning rate {learning_rate:g}, batch {batch}, max length
{max_length}, warm-up {warmup} steps, weight decay {weight_decay:g}, gradient clipping
{clipping:g}; {strategy}.

    pip install "torch>=2.4" "transformers>=5"
    python predict.py "first sentence" "second sentence"
""",
    "zh": """# 句子标注器（微调后的 {model}）

{parameters:,} 个参数，{layers} 层，隐藏维度 {hidden}。
标签：{labels}。留出句子：{test:,} 个。

| 模型 | 准确率 |
|---|---|
| 微调（本模型） | {accuracy:.4f} |
| 冻结的嵌入 + 逻辑回归 | {frozen:.4f} |
| 最近类中心（不训练） | {centroid:.4f} |

微调：{epochs} 轮，学习率 {learning_rate:g}，批大小 {batch}，最大长度
{max_length}，预热 {warmup} 步，权重衰减 {weight_decay:g}，梯度裁剪
{clipping:g}；{strategy}。

    pip install "torch>=2.4" "transformers>=5"
    python predict.py "第一个句子" "第二个句子"
""",
}
STRATEGY = {
    "en": {"top_layers": "only the top {layers} layers and the head trained, on the frozen lower layers' outputs for "
                         "{sentences:,} sentences computed once",
           "full": "every weight trained"},
    "zh": {"top_layers": "只训练最上面 {layers} 层和输出头，所用的是冻结的底层对 {sentences:,} 个句子一次性算好的输出",
           "full": "训练了所有权重"},
}


def model_card(trained: TrainedLabeler, language: str = "en") -> str:
    """The model card (README.md of the zip) in English or Chinese (``"zh"``)."""
    language = language if language in CARD else "en"
    metrics, config = trained.metrics, trained.config
    baselines = metrics["baselines"]
    facts = trained.meta.get("model_facts", {})
    return CARD[language].format(
        model=config.model, parameters=facts.get("parameters", 0), layers=facts.get("layers", "?"),
        hidden=facts.get("hidden_size", "?"), labels=", ".join(trained.class_names), test=metrics["test_size"],
        accuracy=metrics["accuracy"], frozen=baselines["frozen_logistic_regression"]["accuracy"],
        centroid=baselines["nearest_centroid"]["accuracy"], epochs=config.epochs, learning_rate=config.learning_rate,
        batch=config.batch_size, max_length=config.max_length, warmup=config.warmup_steps,
        weight_decay=config.weight_decay, clipping=config.max_grad_norm, strategy=strategy_line(trained, language))


def strategy_line(trained: TrainedLabeler, language: str = "en") -> str:
    metrics = trained.metrics
    if metrics.get("strategy") == "top_layers":
        return STRATEGY[language]["top_layers"].format(layers=metrics["trainable_layers"],
                                                       sentences=metrics.get("cached_sentences", 0))
    return STRATEGY[language]["full"]


def export_zip(trained: TrainedLabeler, language: str = "en") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(trained.path.iterdir()):
            if path.is_file() and path.name not in SKIPPED:
                archive.write(path, path.name)
        archive.writestr("README.md", model_card(trained, language))
        archive.writestr("predict.py", PREDICT_SCRIPT.read_text())
    return buffer.getvalue()
