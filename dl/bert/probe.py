"""The frozen-encoder + logistic-regression baseline as a model of its own (a linear probe).

Training fits it beside the fine-tuned model on the same split (``dl.bert.baselines``); the fitted
numbers go to ``frozen_probe.json`` in the model's store folder: the coefficients, intercept, label
names, the pooling rule, ``max_length`` and the pretrained model's name. No pickle: reading it back
executes nothing. Its sentence vectors come from the pretrained encoder, never the fine-tuned one, so
predicting loads that encoder (``dl.bert.backbone``; the built-in MiniLM ships offline) or, in an
unzipped export, the copy in its ``encoder/`` folder.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from dl.data.errors import DataError

PROBE_FILE = "frozen_probe.json"  # beside the fine-tuned model in its store folder, and in the baseline's export
ENCODER_FOLDER = "encoder"  # the pretrained encoder and tokenizer, in an export only
FORMAT = "frozen-encoder-logistic-regression/1"
POOLING = "mean of the pretrained encoder's last hidden states over the real word pieces (attention mask)"


def probe_document(regression: Any, class_names: list[str], pretrained_model: str, max_length: int) -> dict[str, Any]:
    """A fitted scikit-learn ``LogisticRegression`` as plain numbers: what ``probe_probabilities`` needs.

    Every label has training sentences (``dl.data.splits``), so the regression knows all ``class_names``."""
    return {"format": FORMAT, "classes": [str(name) for name in class_names], "pretrained_model": str(pretrained_model),
            "pooling": POOLING, "max_length": int(max_length), "coef": regression.coef_.tolist(),
            "intercept": regression.intercept_.tolist()}


def baseline_wins(metrics: dict[str, Any], margin: float = 0.01) -> bool:
    """The frozen-encoder baseline beat fine-tuning on the headline metric (macro F1 on unequal labels,
    else accuracy) by more than ``margin``."""
    lead = headline_metric(metrics)
    probe = metrics.get("baselines", {}).get("frozen_logistic_regression", {})
    return lead in probe and probe[lead] > metrics[lead] + margin


def headline_metric(metrics: dict[str, Any]) -> str:
    return "macro_f1" if metrics.get("imbalanced") else "accuracy"


class FrozenProbe:
    """A saved probe read back: ``probabilities(texts)`` like the fine-tuned model's ``predict``."""

    def __init__(self, document: dict[str, Any], folder: Path):
        self.document = document
        self.folder = folder
        self.class_names = [str(name) for name in document["classes"]]
        self.max_length = int(document["max_length"])
        self._encoder: tuple[Any, Any] | None = None

    def encoder(self) -> tuple[Any, Any]:
        """(pretrained encoder, tokenizer): the export's own copy when there is one, else from ``dl.bert.backbone``
        (loaded once per probe)."""
        if self._encoder is None:
            copy = self.folder / ENCODER_FOLDER
            if (copy / "config.json").is_file():
                from dl.bert.probe_predict_script import load_encoder

                self._encoder = load_encoder(copy)
            else:
                from dl.bert.backbone import load_encoder, load_tokenizer

                self._encoder = (load_encoder(self.document["pretrained_model"]), load_tokenizer(self.document["pretrained_model"]))
        return self._encoder

    def probabilities(self, texts: list[str]) -> np.ndarray:
        """(n, labels) probabilities; texts are cut at ``LIMITS.text_chars`` first, as for the fine-tuned model."""
        from dl.bert.probe_predict_script import probe_probabilities
        from dl.limits import LIMITS

        if not texts:
            return np.zeros((0, len(self.class_names)), np.float64)
        encoder, tokenizer = self.encoder()
        return probe_probabilities(self.document, encoder, tokenizer, [text[:LIMITS.text_chars] for text in texts])


def load_probe(folder: Path | str) -> FrozenProbe:
    """The probe saved in a model folder or an unzipped baseline export; DataError if there is none."""
    folder = Path(folder)
    folder = folder if folder.is_dir() else folder.parent
    path = folder / PROBE_FILE
    if not path.is_file():
        raise DataError(f"{folder} holds no {PROBE_FILE}: this model was trained before the frozen-encoder baseline "
                        "was kept; train it again.", "probe_missing", name=str(folder))
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise DataError(f"{path} could not be read as a frozen-encoder baseline ({error}).", "probe_unreadable",
                        name=str(path), error=str(error)) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise DataError(f"{path} is not a frozen-encoder baseline this version reads (format {FORMAT}).", "probe_foreign",
                        name=str(path), format=FORMAT)
    return FrozenProbe(document, folder)
