"""Text -> tokens, the same way in training, in the page, in the CLI and in the exported predict.py.

Lower-case, punctuation out (every Unicode punctuation character, so Chinese '，。！' too), then
split on spaces. Chinese has no spaces between words: each CJK character becomes a token of its
own, and the vectorizer's n-grams (default 1-2) add the character pairs that make most Chinese
words. On the Chinese reviews this scores like word segmentation with jieba (TF-IDF + logistic
regression: see docs/benchmarks.md) without the extra dependency or its 3x slower fit.
"""

from __future__ import annotations

import re
import unicodedata

CJK_CHARACTER = re.compile(r"([\u3400-\u9fff\uf900-\ufaff])")
EMPTY = "[empty]"  # a text with no word left (only punctuation or emoji): averaging zero tokens would give NaN


def prepare_text(text: str) -> str:
    """'Great movie，好看！' -> 'great movie 好 看' (tokens separated by single spaces)."""
    kept = "".join(" " if unicodedata.category(character).startswith(("P", "S")) else character
                   for character in text.lower())
    return " ".join(CJK_CHARACTER.sub(r" \1 ", kept).split()) or EMPTY


def tokens(text: str) -> list[str]:
    return prepare_text(text).split()
