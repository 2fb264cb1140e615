"""The classic baseline every text model is shown beside: TF-IDF + logistic regression.

Trained on the same training texts and scored on the same test texts as the Keras model. Tokens are
``dl.text.tokens.prepare_text``'s (characters for Chinese) with 1-2-grams, as the neural models see.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from dl.data.errors import DataError
from dl.text.baseline_predict_script import tfidf_probabilities

BASELINE_FILE = "baseline.json"  # the fitted baseline as numbers, beside the network in its store folder
FORMAT = "tfidf-logistic-regression/1"


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
                     test_labels: np.ndarray, num_classes: int, weighted: bool = False) -> tuple[dict[str, Any], Any]:
    """(accuracy, macro F1 and fit seconds of the baseline on the test texts; the fitted pipeline)."""
    from sklearn.metrics import f1_score

    started = time.perf_counter()
    pipeline = fit_baseline(train_texts, train_labels, weighted)
    predicted = pipeline.predict(test_texts)
    return {
        "accuracy": float(np.mean(predicted == test_labels)),
        "macro_f1": float(f1_score(test_labels, predicted, labels=list(range(num_classes)), average="macro", zero_division=0)),
        "seconds": round(time.perf_counter() - started, 3),
    }, pipeline


def baseline_document(pipeline: Any, class_names: list[str]) -> dict[str, Any]:
    """The fitted pipeline as plain numbers (JSON): what ``tfidf_probabilities`` needs, nothing to execute.

    A pipeline trained on fewer classes than ``class_names`` (a class missing from the training part)
    cannot happen: every class has at least one training text (``dl.data.splits``).
    """
    vectorizer, regression = pipeline.named_steps["tfidfvectorizer"], pipeline.named_steps["logisticregression"]
    return {"format": FORMAT, "classes": list(class_names), "ngram_range": list(vectorizer.ngram_range),
            "sublinear_tf": bool(vectorizer.sublinear_tf),
            "vocabulary": {gram: int(column) for gram, column in vectorizer.vocabulary_.items()},
            "idf": vectorizer.idf_.tolist(), "coef": regression.coef_.tolist(), "intercept": regression.intercept_.tolist()}


class BaselineModel:
    """A saved baseline, read back: ``probabilities(prepared_texts)`` like the network's."""

    def __init__(self, document: dict[str, Any]):
        self.document = document
        self.class_names = [str(name) for name in document["classes"]]

    def probabilities(self, prepared_texts: list[str]) -> np.ndarray:
        if not prepared_texts:
            return np.zeros((0, len(self.class_names)), np.float32)
        return tfidf_probabilities(self.document, prepared_texts).astype(np.float32)


def load_baseline(folder: Path) -> BaselineModel:
    """The baseline saved in a model folder or an unzipped baseline export; DataError if it is not one."""
    path = Path(folder) / BASELINE_FILE
    if not path.is_file():
        raise DataError(f"{folder} holds no {BASELINE_FILE}: this model was trained before baselines were kept; train it again.",
                        "baseline_missing", name=str(folder))
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise DataError(f"{path} could not be read as a baseline ({error}).", "baseline_unreadable", name=str(path),
                        error=str(error)) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise DataError(f"{path} is not a TF-IDF baseline this version reads (format {FORMAT}).", "baseline_foreign",
                        name=str(path), format=FORMAT)
    return BaselineModel(document)
