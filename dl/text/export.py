"""The text classifier's export: model.keras (vocabulary inside), classes.json, meta.json, a model
card and a runnable predict.py."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from dl.text.baseline import BASELINE_FILE
from dl.text.train import CLASSES_FILE, MODEL_FILE, TrainedTextClassifier

PREDICT_SCRIPT = Path(__file__).with_name("predict_script.py")
BASELINE_PREDICT_SCRIPT = Path(__file__).with_name("baseline_predict_script.py")


CARD = {
    "en": """# Text classifier ({model})

Trained by Deep Learning Playground. Held-out test texts: {test:,}.

| model | accuracy | macro F1 |
|---|---|---|
| {model} (this model) | {accuracy:.4f} | {macro_f1:.4f} |
| TF-IDF + logistic regression (same split) | {baseline_accuracy:.4f} | {baseline_macro_f1:.4f} |

| class | precision | recall | test texts |
|---|---|---|---|
{rows}

Settings: vocabulary {vocabulary:,}, sequence length {length}, n-grams {ngrams},
embedding {embedding}, learning rate {learning_rate:g}, batch {batch},
{epochs} epochs.

    pip install "tensorflow>=2.20" "keras>=3.10"
    python predict.py "first text" "second text"
""",
    "zh": """# 文本分类器（{model}）

由深度学习游乐场训练。留出测试文本：{test:,} 条。

| 模型 | 准确率 | 宏平均 F1 |
|---|---|---|
| {model}（本模型） | {accuracy:.4f} | {macro_f1:.4f} |
| TF-IDF + 逻辑回归（同一划分） | {baseline_accuracy:.4f} | {baseline_macro_f1:.4f} |

| 类别 | 精确率 | 召回率 | 测试文本数 |
|---|---|---|---|
{rows}

设置：词表 {vocabulary:,}，序列长度 {length}，n-gram {ngrams}，
嵌入维度 {embedding}，学习率 {learning_rate:g}，批大小 {batch}，
训练 {epochs} 轮。

    pip install "tensorflow>=2.20" "keras>=3.10"
    python predict.py "第一条文本" "第二条文本"
""",
}


def model_card(trained: TrainedTextClassifier, language: str = "en") -> str:
    """The network's model card (README.md of its zip) in English or Chinese (``"zh"``)."""
    metrics, baseline, config = trained.metrics, trained.metrics["baseline"], trained.config
    rows = "\n".join(f"| {name} | {precision:.3f} | {recall:.3f} | {support} |" for name, precision, recall, support in
                     zip(trained.class_names, metrics["precision"], metrics["recall"], metrics["support"], strict=True))
    return CARD[_language(language)].format(
        model=config.model, test=metrics["test_size"], accuracy=metrics["accuracy"], macro_f1=metrics["macro_f1"],
        baseline_accuracy=baseline["accuracy"], baseline_macro_f1=baseline["macro_f1"], rows=rows,
        vocabulary=config.vocabulary_size, length=config.sequence_length, ngrams=metrics.get("ngrams", config.ngrams),
        embedding=config.embedding_dim, learning_rate=config.learning_rate, batch=config.batch_size,
        epochs=metrics.get("epochs_run", 0))


def _language(language: str) -> str:
    return language if language in CARD else "en"


def export_zip(trained: TrainedTextClassifier, language: str = "en") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in (MODEL_FILE, CLASSES_FILE, "meta.json"):
            if (trained.path / name).is_file():
                archive.write(trained.path / name, name)
        archive.writestr("README.md", model_card(trained, language))
        archive.writestr("predict.py", PREDICT_SCRIPT.read_text())
    return buffer.getvalue()


BASELINE_CARD = {
    "en": """# Text classifier (TF-IDF + logistic regression)

Trained by Deep Learning Playground beside a {model} network, on the same training texts;
scored on the same {test:,} held-out texts.

| model | accuracy | macro F1 |
|---|---|---|
| TF-IDF + logistic regression (this model) | {baseline_accuracy:.4f} | {baseline_macro_f1:.4f} |
| {model} network | {accuracy:.4f} | {macro_f1:.4f} |

Tokens: the same as the network's (lower case, punctuation out, each Chinese character a token),
1-2-grams seen in at least two training texts, sublinear TF-IDF; class weights: {weights}.
The model is {file}: numbers only, read by predict.py with NumPy.

    pip install numpy
    python predict.py "first text" "second text"
""",
    "zh": """# 文本分类器（TF-IDF + 逻辑回归）

由深度学习游乐场与一个 {model} 网络并列训练，使用相同的训练文本；
在相同的 {test:,} 条留出文本上评分。

| 模型 | 准确率 | 宏平均 F1 |
|---|---|---|
| TF-IDF + 逻辑回归（本模型） | {baseline_accuracy:.4f} | {baseline_macro_f1:.4f} |
| {model} 网络 | {accuracy:.4f} | {macro_f1:.4f} |

词元与网络相同（小写、去掉标点、每个汉字一个词元），
至少出现在两条训练文本中的 1–2 元组，次线性 TF-IDF；类别权重：{weights}。
模型文件是 {file}：只有数字，predict.py 用 NumPy 读取。

    pip install numpy
    python predict.py "第一条文本" "第二条文本"
""",
}
WEIGHTS_WORDS = {"en": ("balanced", "none"), "zh": ("平衡", "无")}


def baseline_card(trained: TrainedTextClassifier, language: str = "en") -> str:
    metrics, baseline = trained.metrics, trained.metrics["baseline"]
    language = _language(language)
    balanced, none = WEIGHTS_WORDS[language]
    return BASELINE_CARD[language].format(
        model=trained.config.model, test=metrics["test_size"], accuracy=metrics["accuracy"], macro_f1=metrics["macro_f1"],
        baseline_accuracy=baseline["accuracy"], baseline_macro_f1=baseline["macro_f1"],
        weights=balanced if metrics.get("class_weights") else none, file=BASELINE_FILE)


def export_baseline_zip(trained: TrainedTextClassifier, language: str = "en") -> bytes:
    """The baseline as a model of its own: baseline.json, meta.json, a model card, a NumPy-only predict.py."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in (BASELINE_FILE, CLASSES_FILE, "meta.json"):
            archive.write(trained.path / name, name)
        archive.writestr("README.md", baseline_card(trained, language))
        archive.writestr("predict.py", BASELINE_PREDICT_SCRIPT.read_text())
    return buffer.getvalue()
