"""The classic baseline every text model is shown beside: TF-IDF + logistic regression.

Trained on the same training texts and scored on the same test texts as the Keras model. Tokens are
``dl.text.tokens.prepare_text``'s (characters for Chinese) with 1-2-grams, as the neural models see.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np


def fit_baseline(train_texts: list[str], train_labels: np.ndarray, weighted: bool = False) -> Any:
    """``weighted``: balanced class weights, as the network gets them on imbalanced data."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    pipeline = make_pipeline(
        TfidfVectorizer(token_pattern=r"\S+", ngram_range=(1, 2), min_df=2, sublinear_tf=True, max_features=200_000),
        LogisticRegression(C=4.0, max_iter=2000, class_weight="balanced" if weighted else None),
    )
    return pipeline.fit(train_texts, train_labels)


def baseline_metrics(train_texts: list[str], train_labels: np.ndarray, test_texts: list[str],
                     test_labels: np.ndarray, num_classes: int, weighted: bool = False) -> dict[str, Any]:
    """Accuracy and macro F1 of the baseline on the test texts, and how long it took."""
    from sklearn.metrics import f1_score

    started = time.perf_counter()
    pipeline = fit_baseline(train_texts, train_labels, weighted)
    predicted = pipeline.predict(test_texts)
    return {
        "accuracy": float(np.mean(predicted == test_labels)),
        "macro_f1": float(f1_score(test_labels, predicted, labels=list(range(num_classes)), average="macro", zero_division=0)),
        "seconds": round(time.perf_counter() - started, 3),
    }
