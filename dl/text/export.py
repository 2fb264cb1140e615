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


def model_card(trained: TrainedTextClassifier) -> str:
    metrics, baseline, config = trained.metrics, trained.metrics["baseline"], trained.config
    rows = "\n".join(f"| {name} | {precision:.3f} | {recall:.3f} | {support} |" for name, precision, recall, support in
                     zip(trained.class_names, metrics["precision"], metrics["recall"], metrics["support"], strict=True))
    return f"""# Text classifier ({config.model})

Trained by Deep Learning Playground. Held-out test texts: {metrics['test_size']:,}.

| model | accuracy | macro F1 |
|---|---|---|
| {config.model} (this model) | {metrics['accuracy']:.4f} | {metrics['macro_f1']:.4f} |
| TF-IDF + logistic regression (same split) | {baseline['accuracy']:.4f} | {baseline['macro_f1']:.4f} |

| class | precision | recall | test texts |
|---|---|---|---|
{rows}

Settings: vocabulary {config.vocabulary_size:,}, sequence length {config.sequence_length}, n-grams {metrics.get('ngrams', config.ngrams)},
embedding {config.embedding_dim}, learning rate {config.learning_rate:g}, batch {config.batch_size},
{metrics.get('epochs_run', 0)} epochs.

    pip install "tensorflow>=2.20" "keras>=3.10"
    python predict.py "first text" "second text"
"""


def export_zip(trained: TrainedTextClassifier) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in (MODEL_FILE, CLASSES_FILE, "meta.json"):
            if (trained.path / name).is_file():
                archive.write(trained.path / name, name)
        archive.writestr("README.md", model_card(trained))
        archive.writestr("predict.py", PREDICT_SCRIPT.read_text())
    return buffer.getvalue()


def baseline_card(trained: TrainedTextClassifier) -> str:
    metrics, baseline = trained.metrics, trained.metrics["baseline"]
    return f"""# Text classifier (TF-IDF + logistic regression)

Trained by Deep Learning Playground beside a {trained.config.model} network, on the same training texts;
scored on the same {metrics['test_size']:,} held-out texts.

| model | accuracy | macro F1 |
|---|---|---|
| TF-IDF + logistic regression (this model) | {baseline['accuracy']:.4f} | {baseline['macro_f1']:.4f} |
| {trained.config.model} network | {metrics['accuracy']:.4f} | {metrics['macro_f1']:.4f} |

Tokens: the same as the network's (lower case, punctuation out, each Chinese character a token),
1-2-grams seen in at least two training texts, sublinear TF-IDF; class weights: {"balanced" if metrics.get("class_weights") else "none"}.
The model is {BASELINE_FILE}: numbers only, read by predict.py with NumPy.

    pip install numpy
    python predict.py "first text" "second text"
"""


def export_baseline_zip(trained: TrainedTextClassifier) -> bytes:
    """The baseline as a model of its own: baseline.json, meta.json, a model card, a NumPy-only predict.py."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in (BASELINE_FILE, CLASSES_FILE, "meta.json"):
            archive.write(trained.path / name, name)
        archive.writestr("README.md", baseline_card(trained))
        archive.writestr("predict.py", BASELINE_PREDICT_SCRIPT.read_text())
    return buffer.getvalue()
