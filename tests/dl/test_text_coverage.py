"""dl.text.coverage: a model's vocabulary knows most words of its own kind of text and few of another
language's, so a table from the wrong language is flagged before it is labelled (issue 24.3)."""

from collections import Counter

import pytest

from dl.text.coverage import LOW_COVERAGE, vocabulary_coverage
from dl.text.data import load_builtin
from dl.text.tokens import prepare_text


def vocabulary_of(texts, size=20_000):
    """The words a TextVectorization adapted on ``texts`` would keep: the most frequent ``size``."""
    counts = Counter(word for text in texts for word in prepare_text(text).split())
    return [word for word, _ in counts.most_common(size)]


@pytest.fixture(scope="module")
def halves():
    sets = {name: load_builtin(name).texts for name in ("rotten_tomatoes", "fine_foods", "chinese_reviews")}
    return {name: (texts[::2], texts[1::2]) for name, texts in sets.items()}


def test_own_kind_of_text_is_known_and_another_language_is_not(halves):
    shares = {}
    for model_set, (train, _) in halves.items():
        vocabulary = vocabulary_of(train)
        for table_set, (_, held_out) in halves.items():
            shares[model_set, table_set] = vocabulary_coverage(vocabulary, held_out).known_share
    print({f"{model} model, {table} table": round(share, 3) for (model, table), share in shares.items()})
    for name in halves:
        assert shares[name, name] > 0.8  # held-out texts of the same set
    assert shares["rotten_tomatoes", "fine_foods"] > LOW_COVERAGE  # English reviews of another domain: still read
    for english in ("rotten_tomatoes", "fine_foods"):  # measured: 0.005, and 0.36-0.41 (English words in Chinese reviews)
        assert shares[english, "chinese_reviews"] < 0.1 and shares["chinese_reviews", english] < LOW_COVERAGE


def test_n_grams_and_empty_texts_do_not_count():
    coverage = vocabulary_coverage(["good", "good film", "bad"], ["Good!", "!!!", "awful bad"])
    assert coverage.known_share == pytest.approx(2 / 3) and coverage.texts == 3
    assert vocabulary_coverage(["good"], ["???"]).known_share == 0.0
