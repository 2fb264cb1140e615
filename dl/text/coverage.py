"""Can a trained text model read this table? The share of its words the model has a vector for.

A model trained on English tweets sees a Chinese novel as unknown tokens only, and still gives every
row a label with a confident-looking probability. Measured on the built-in sets
(tests/dl/test_text_coverage.py, vocabulary from one half, share on the other): a set's own
held-out texts 0.94-1.00, English reviews of another domain 0.79-0.89, the other language
0.005 (English vocabulary, Chinese texts) and 0.36-0.41 (the reverse), so half is the line.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from dl.limits import LIMITS
from dl.text.tokens import EMPTY, prepare_text

LOW_COVERAGE = 0.5  # fewer known words than this: labels rest on a minority of the text
SAMPLE_TEXTS = 2_000  # enough for a share to two digits; a 100,000-row table is not tokenized twice


@dataclass(frozen=True)
class Coverage:
    known_share: float  # share of the table's word tokens in the model's vocabulary
    texts: int  # texts the share was measured on

    @property
    def low(self) -> bool:
        return self.known_share < LOW_COVERAGE


def vocabulary_coverage(vocabulary: Iterable[str], texts: list[str]) -> Coverage:
    """The share of the (first SAMPLE_TEXTS) texts' single-word tokens found in ``vocabulary``."""
    known_words = {entry for entry in vocabulary if entry and " " not in entry}  # n-gram entries hold spaces
    sample = texts[:SAMPLE_TEXTS]
    words = [word for text in sample for word in prepare_text(text[:LIMITS.text_chars]).split() if word != EMPTY]
    known = sum(word in known_words for word in words)
    return Coverage(known / len(words) if words else 0.0, len(sample))
