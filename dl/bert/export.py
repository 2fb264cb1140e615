"""The fine-tuned model folder as a zip (safetensors weights, tokenizer, labels, metrics card,
predict.py), and the frozen-encoder + logistic-regression baseline's zip (frozen_probe.json, the
pretrained encoder, a card and its own predict.py)."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

from dl.bert.probe import ENCODER_FOLDER, PROBE_FILE
from dl.bert.train import TrainedLabeler

PREDICT_SCRIPT = Path(__file__).with_name("predict_script.py")
PROBE_PREDICT_SCRIPT = Path(__file__).with_name("probe_predict_script.py")
SKIPPED = ("last_used", PROBE_FILE)  # the baseline has its own zip


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


BASELINE_CARD = {
    "en": """# Sentence labeler (frozen {pretrained} + logistic regression)

Trained by Deep Learning Playground beside a fine-tuned {model}, on the same training sentences;
scored on the same {test:,} held-out sentences. The encoder is the pretrained one, never changed:
a sentence's vector is the mean of its last hidden states over the real word pieces (at most
{max_length}), and a logistic regression on those vectors picks the label.

| model | accuracy | macro F1 |
|---|---|---|
| frozen encoder + logistic regression (this model) | {baseline_accuracy:.4f} | {baseline_macro_f1:.4f} |
| fine-tuned {model} | {accuracy:.4f} | {macro_f1:.4f} |

Labels: {labels}. The logistic regression is {file} (numbers only); `encoder/` holds the pretrained
encoder's weights (`model.safetensors`) and tokenizer.

    pip install torch "transformers>=5" numpy
    python predict.py "first sentence" "second sentence"
""",
    "zh": """# 句子标注器（冻结的 {pretrained} + 逻辑回归）

由深度学习游乐场与一个微调的 {model} 并列训练，使用相同的训练句子；
在相同的 {test:,} 个留出句子上评分。编码器是预训练的原样，从不改动：
句子的向量是它最后一层隐藏状态在真实词片（最多 {max_length} 个）上的平均，
再由这些向量上的逻辑回归给出标签。

| 模型 | 准确率 | 宏平均 F1 |
|---|---|---|
| 冻结的编码器 + 逻辑回归（本模型） | {baseline_accuracy:.4f} | {baseline_macro_f1:.4f} |
| 微调的 {model} | {accuracy:.4f} | {macro_f1:.4f} |

标签：{labels}。逻辑回归保存在 {file}（只有数字）；`encoder/` 文件夹里是预训练编码器的
权重（`model.safetensors`）和分词器。

    pip install torch "transformers>=5" numpy
    python predict.py "第一个句子" "第二个句子"
""",
}


def baseline_card(trained: TrainedLabeler, language: str = "en") -> str:
    """The frozen-encoder baseline's model card (README.md of its zip) in English or Chinese (``"zh"``)."""
    language = language if language in BASELINE_CARD else "en"
    metrics, probe = trained.metrics, trained.metrics["baselines"]["frozen_logistic_regression"]
    return BASELINE_CARD[language].format(
        pretrained=trained.config.model, model=trained.config.model, test=metrics["test_size"],
        max_length=trained.config.max_length, baseline_accuracy=probe["accuracy"], baseline_macro_f1=probe.get("macro_f1", 0.0),
        accuracy=metrics["accuracy"], macro_f1=metrics["macro_f1"], labels=", ".join(trained.class_names), file=PROBE_FILE)


def export_baseline_zip(trained: TrainedLabeler, language: str = "en") -> bytes:
    """The frozen-encoder baseline as a model of its own: frozen_probe.json, the pretrained encoder and its
    tokenizer in encoder/, meta.json, a model card and a predict.py that needs torch, transformers and NumPy."""
    from dl.bert.backbone import save_encoder

    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="bert-encoder-") as scratch, \
            zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in (PROBE_FILE, "meta.json"):
            archive.write(trained.path / name, name)
        save_encoder(trained.baseline.document["pretrained_model"], Path(scratch))
        for path in sorted(Path(scratch).iterdir()):
            # safetensors weights barely compress and deflating 90 MB takes seconds: stored as they are
            archive.write(path, f"{ENCODER_FOLDER}/{path.name}",
                          zipfile.ZIP_STORED if path.suffix == ".safetensors" else zipfile.ZIP_DEFLATED)
        archive.writestr("README.md", baseline_card(trained, language))
        archive.writestr("predict.py", PROBE_PREDICT_SCRIPT.read_text())
    return buffer.getvalue()
