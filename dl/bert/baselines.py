"""What fine-tuning buys: two baselines on the same split that never change the pretrained weights.

Both use the frozen encoder's sentence embedding (the mean of its last hidden states over the real
tokens, as sentence-transformers does for MiniLM):

- logistic regression on the embeddings (a linear probe);
- nearest class centroid by cosine similarity (no training at all);

and the floor every model must clear on unequal labels: always the largest label (majority).
"""

from __future__ import annotations

from typing import Any

import numpy as np


def sentence_embeddings(encoder: Any, tokenizer: Any, texts: list[str], max_length: int, batch_size: int = 64) -> np.ndarray:
    """(n, hidden) sentence vectors: the pooling the exported probe's predict.py does (the very same function)."""
    from dl.bert.probe_predict_script import mean_pooled_vectors

    return mean_pooled_vectors(encoder, tokenizer, texts, max_length, batch_size)


def frozen_baselines(encoder: Any, tokenizer: Any, max_length: int, train_texts: list[str], train_labels: np.ndarray,
                     test_texts: list[str], test_labels: np.ndarray, num_classes: int) -> tuple[dict[str, dict[str, float]], Any]:
    """Held-out accuracy and macro F1 of the linear probe, of the nearest centroid and of always
    answering the largest training label (what a collapsed model scores), and the fitted probe (a
    scikit-learn ``LogisticRegression``, kept as a model of its own: ``dl.bert.probe``). ``encoder``: the
    pretrained encoder before any fine-tuning (the classifier's own, scored before the Trainer changes it)."""
    train_vectors = sentence_embeddings(encoder, tokenizer, train_texts, max_length)
    test_vectors = sentence_embeddings(encoder, tokenizer, test_texts, max_length)
    return baselines_from_vectors(train_vectors, train_labels, test_vectors, test_labels, num_classes)


def baselines_from_vectors(train_vectors: np.ndarray, train_labels: np.ndarray, test_vectors: np.ndarray,
                           test_labels: np.ndarray, num_classes: int) -> tuple[dict[str, dict[str, float]], Any]:
    """The three baselines of ``frozen_baselines`` on sentence vectors already computed, and the fitted probe."""
    from sklearn.linear_model import LogisticRegression

    probe = LogisticRegression(C=1.0, max_iter=2000).fit(train_vectors, train_labels)
    unit = train_vectors / (np.linalg.norm(train_vectors, axis=1, keepdims=True) + 1e-9)
    centroids = np.stack([unit[train_labels == label].mean(axis=0) for label in range(num_classes)])
    nearest = np.argmax((test_vectors / (np.linalg.norm(test_vectors, axis=1, keepdims=True) + 1e-9)) @ centroids.T, axis=1)
    majority = np.full(len(test_labels), np.bincount(train_labels, minlength=num_classes).argmax())
    return {
        "frozen_logistic_regression": scores(test_labels, probe.predict(test_vectors), num_classes),
        "nearest_centroid": scores(test_labels, nearest, num_classes),
        "majority": scores(test_labels, majority, num_classes),
    }, probe


def scores(true_labels: np.ndarray, predicted: np.ndarray, num_classes: int) -> dict[str, float]:
    """Accuracy and macro F1 (a label never predicted scores F1 0) of one baseline's answers."""
    from sklearn.metrics import f1_score

    return {"accuracy": float(np.mean(predicted == true_labels)),
            "macro_f1": float(f1_score(true_labels, predicted, labels=list(range(num_classes)), average="macro", zero_division=0))}
