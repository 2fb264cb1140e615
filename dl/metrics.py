"""Metrics shared by the classification tasks (images, texts)."""

from __future__ import annotations

from typing import Any

import numpy as np

SMALL_TEST_SIZE = 30  # under this many held-out examples one example moves accuracy by more than 3 points


def classification_metrics(true_labels: np.ndarray, probabilities: np.ndarray, num_classes: int) -> dict[str, Any]:
    """Accuracy, per-class precision and recall, confusion matrix and each test image's prediction.

    ``confusion_matrix[i][j]`` counts images of class i predicted as class j. Precision of a class
    that was never predicted is 0 (sklearn's ``zero_division=0``).
    """
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    predicted = probabilities.argmax(axis=1)
    classes = list(range(num_classes))
    precision, recall, _, support = precision_recall_fscore_support(
        true_labels, predicted, labels=classes, zero_division=0
    )
    return {
        "accuracy": float(np.mean(predicted == true_labels)) if len(true_labels) else 0.0,
        "precision": [float(value) for value in precision],
        "recall": [float(value) for value in recall],
        "support": [int(value) for value in support],
        "confusion_matrix": confusion_matrix(true_labels, predicted, labels=classes).tolist(),
        "test_size": int(len(true_labels)),
        "test_predicted": [int(value) for value in predicted],
        "test_confidence": [float(value) for value in probabilities.max(axis=1)],
    }


def macro_f1(metrics: dict[str, Any]) -> float:
    """Mean over classes of the harmonic mean of precision and recall (from ``classification_metrics``)."""
    scores = [2 * p * r / (p + r) if p + r else 0.0 for p, r in zip(metrics["precision"], metrics["recall"], strict=True)]
    return float(np.mean(scores))


def balanced_accuracy(metrics: dict[str, Any]) -> float:
    """Mean recall over the classes that have test examples: a majority-class model scores 1/classes."""
    recalls = [recall for recall, support in zip(metrics["recall"], metrics["support"], strict=True) if support]
    return float(np.mean(recalls)) if recalls else 0.0
