"""Text models on real reviews: each kind learns (well above chance), the baseline is scored on the
same split, a cache hit returns the same metrics, occlusion points at the opinion words."""

import numpy as np
import pytest

from dl.jobs import run_inline
from dl.text.config import TextClassifierConfig
from dl.text.data import load_builtin
from dl.text.explain import explain
from dl.text.train import train_text_classifier, working_set

SMALL = 3_000  # stratified sample: 600 test texts, so 8 points above chance is well outside noise


@pytest.fixture(scope="module")
def rotten():
    return load_builtin("rotten_tomatoes")


@pytest.mark.parametrize("kind", ["seed", "avgpool", "cnn", "bilstm"])
def test_each_model_learns_on_rotten_tomatoes(kind, rotten, store):
    config = TextClassifierConfig(model=kind, max_texts=SMALL, epochs=6)
    trained = run_inline(lambda reporter: train_text_classifier(config, rotten, reporter, store))
    metrics = trained.metrics
    majority = max(np.bincount(working_set(rotten, config).labels)) / SMALL
    assert metrics["accuracy"] > majority + 0.08, metrics["accuracy"]  # chance: always the larger class (~58 %)
    assert metrics["baseline"]["accuracy"] > majority + 0.08
    assert 0 < metrics["macro_f1"] <= 1 and len(metrics["test_predicted"]) == metrics["test_size"] == len(trained.test_indices)
    assert trained.predict(["a wonderful, moving and beautifully acted film"]).shape == (1, 2)


def test_cache_hit_and_explanation(rotten, store):
    config = TextClassifierConfig(max_texts=4_000)
    trained = run_inline(lambda reporter: train_text_classifier(config, rotten, reporter, store))
    again = run_inline(lambda reporter: train_text_classifier(config, rotten, reporter, store))
    assert again.from_cache and again.metrics == trained.metrics
    good, bad = again.predict(["a wonderful, moving, beautifully acted film", "a dull, boring and tedious mess"])
    fresh = again.class_names.index("fresh")
    assert good[fresh] > 0.5 > bad[fresh]
    explanation = explain(again.model, "the plot is dull but the acting is wonderful")
    strongest = explanation.tokens[int(np.argmax(np.abs(explanation.contributions)))]
    assert strongest in {"dull", "wonderful"}, list(zip(explanation.tokens, explanation.contributions))
    praise = explain(again.model, "great wonderful")  # either word alone is enough: removal alone called both neutral
    assert again.class_names[praise.label] == "fresh" and min(praise.contributions) > 0, praise


def test_chinese_reviews_learn_by_character(store):
    chinese = load_builtin("chinese_reviews")
    config = TextClassifierConfig(max_texts=3_000, epochs=6)
    trained = run_inline(lambda reporter: train_text_classifier(config, chinese, reporter, store))
    assert trained.metrics["accuracy"] > 0.70 and trained.metrics["baseline"]["accuracy"] > 0.70
    positive = trained.class_names.index("positive")
    good, bad = trained.predict(["这本书写得真好，值得一读。", "质量太差，完全不值这个价。"])
    assert good[positive] > 0.5 > bad[positive]
