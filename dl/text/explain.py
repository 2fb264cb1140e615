"""Which tokens pushed a prediction: two-sided occlusion.

Each token is scored twice and the two are averaged: how much the predicted class's probability
drops when the token is removed from the text, and how much it rises when the token stands alone
(against an empty text). Removal alone misleads when words repeat each other: in "great wonderful"
either word is enough, so removing one changes nothing and both looked neutral. Exact for the model
as it is (no gradients) and one batched call of 2n + 2 texts per sentence.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dl.text.models import class_probabilities
from dl.text.tokens import EMPTY, prepare_text

MAX_OCCLUDED_TOKENS = 200  # a longer text is explained over its first 200 tokens (one batch of 402 texts)


@dataclass
class Explanation:
    tokens: list[str]
    contributions: list[float]  # in probability of ``label``: positive pushed towards it
    label: int
    probability: float


def explain(model, text: str) -> Explanation:
    words = prepare_text(text).split()[:MAX_OCCLUDED_TOKENS]
    removed = [" ".join(words[:index] + words[index + 1:]) or EMPTY for index in range(len(words))]
    probabilities = class_probabilities(model, [" ".join(words), EMPTY, *removed, *words])
    label = int(np.argmax(probabilities[0]))
    full, empty = probabilities[0, label], probabilities[1, label]
    without = probabilities[2:2 + len(words), label]
    alone = probabilities[2 + len(words):, label]
    contributions = ((full - without) + (alone - empty)) / 2
    return Explanation(words, [float(value) for value in contributions], label, float(full))
