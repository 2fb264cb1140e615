"""Which tokens pushed a prediction: occlusion.

Each token is removed in turn and the text classified again; a token's contribution is how much the
predicted class's probability drops without it (negative: the token argued against the class).
Exact for the model as it is (no gradients, no approximations) and one batched call per sentence.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dl.text.models import class_probabilities
from dl.text.tokens import prepare_text

MAX_OCCLUDED_TOKENS = 200  # a longer text is explained over its first 200 tokens (one batch of 201 texts)


@dataclass
class Explanation:
    tokens: list[str]
    contributions: list[float]  # probability of ``label`` lost when the token is removed
    label: int
    probability: float


def explain(model, text: str) -> Explanation:
    words = prepare_text(text).split()[:MAX_OCCLUDED_TOKENS]
    variants = [" ".join(words)] + [" ".join(words[:index] + words[index + 1:]) for index in range(len(words))]
    probabilities = class_probabilities(model, variants)
    label = int(np.argmax(probabilities[0]))
    contributions = probabilities[0, label] - probabilities[1:, label]
    return Explanation(words, [float(value) for value in contributions], label, float(probabilities[0, label]))
