"""The text data doctor: each finding appears on a set made to have it and not on a clean one; its
data fixes remove what they say; and the defaults that hold on imbalanced texts (class weights,
macro-F1 early stopping) beat the majority-class predictor where the old defaults collapsed to it."""

import numpy as np
import pytest

from dl.data_doctor.labels import balanced_class_weights, majority_baseline, needs_class_weights
from dl.data_doctor.texts import apply_text_fix, diagnose_texts
from dl.jobs import run_inline
from dl.stopping import macro_f1_stopping, plan_stopping
from dl.text.config import TextClassifierConfig
from dl.text.data import build_dataset, load_builtin
from dl.text.train import train_text_classifier


@pytest.fixture(scope="module")
def rotten():
    return load_builtin("rotten_tomatoes")


def cut(dataset, per_class: list[int], seed: int = 0):
    """``per_class[i]`` texts of class i, drawn at random: a smaller or an imbalanced set of real reviews."""
    rng = np.random.default_rng(seed)
    texts, labels = [], []
    for label, count in enumerate(per_class):
        for index in rng.permutation(np.flatnonzero(dataset.labels == label))[:count]:
            texts.append(dataset.texts[index])
            labels.append(dataset.class_names[label])
    return build_dataset(texts, labels, f"cut {per_class}")


def test_a_balanced_set_of_real_reviews_is_clean(rotten):
    diagnosis = diagnose_texts(cut(rotten, [300, 300]))
    assert diagnosis.healthy, diagnosis.codes()
    assert diagnosis.seconds < 1.0


def test_imbalance_is_a_problem_with_a_fix_and_a_warning_once_weighted(rotten):
    skewed = cut(rotten, [450, 50])
    finding = diagnose_texts(skewed).get("imbalance")
    assert finding is not None and finding.fix == "class_weights" and finding.severity.label == "problem"
    assert finding.values["share"] == pytest.approx(90.0) and finding.values["smallest_count"] == 50
    weighted = diagnose_texts(skewed, class_weights_on=True)
    assert weighted.get("imbalance") is None and weighted.get("imbalance_weighted").fix == ""
    assert needs_class_weights(skewed.labels, 2) and not needs_class_weights(cut(rotten, [300, 250]).labels, 2)


def test_tiny_and_small_classes(rotten):
    assert diagnose_texts(cut(rotten, [60, 6])).get("tiny_classes").values["smallest_count"] == 6
    few = diagnose_texts(cut(rotten, [60, 60]))
    assert few.get("few_examples").values == {"smallest_count": 60, "needed": 100}
    assert diagnose_texts(cut(rotten, [60, 60])).get("tiny_classes") is None


def test_near_duplicates_and_conflicting_labels_are_found_and_removed(rotten):
    base = cut(rotten, [200, 200])
    texts = list(base.texts) + [text.upper() + "!!" for text in base.texts[:20]]  # 20 copies with the same label
    labels = [base.class_names[label] for label in base.labels] + [base.class_names[label] for label in base.labels[:20]]
    texts += ["What a GREAT film.", "what a great film"]  # the same review under two labels
    labels += ["fresh", "rotten"]
    data = build_dataset(texts, labels, "typed twice")
    diagnosis = diagnose_texts(data)
    assert diagnosis.get("near_duplicates").values["count"] == 20
    assert diagnosis.get("conflicting_labels").values == {"groups": 1, "texts": 2}
    assert diagnosis.fixes()[:2] == ["drop_conflicts", "drop_near_duplicates"]
    fixed = apply_text_fix(apply_text_fix(data, "drop_near_duplicates"), "drop_conflicts")
    assert len(fixed.texts) == len(data.texts) - 22
    assert diagnose_texts(fixed).get("near_duplicates") is None and diagnose_texts(fixed).get("conflicting_labels") is None


def test_short_long_and_mixed_language_texts(rotten):
    base = cut(rotten, [150, 150])
    short = build_dataset(list(base.texts) + [f"ok {n}" for n in range(60)], [base.class_names[label] for label in base.labels] + ["fresh"] * 60, "short")
    assert 60 <= diagnose_texts(short).get("short_texts").values["count"] <= 65  # a few real snippets are that short too
    assert diagnose_texts(base, sequence_length=10).get("long_texts").values["share"] > 50
    assert diagnose_texts(base, sequence_length=200).get("long_texts") is None
    chinese = load_builtin("chinese_reviews")
    mixed = build_dataset(list(base.texts) + chinese.texts[:100] + chinese.texts[-100:],
                          [base.class_names[label] for label in base.labels] + ["fresh"] * 100 + ["rotten"] * 100, "mixed")
    assert 30 < diagnose_texts(mixed).get("mixed_languages").values["chinese_share"] < 50
    assert diagnose_texts(base).get("mixed_languages") is None


def test_majority_predictor_and_balanced_weights():
    labels = np.array([0] * 90 + [1] * 10)
    assert majority_baseline(labels, 2) == pytest.approx({"accuracy": 0.9, "macro_f1": 0.9 / 1.9})
    weights = balanced_class_weights(labels, 2)
    assert weights[0] * 90 == pytest.approx(weights[1] * 10)  # each class carries the same total weight


def test_patience_scales_with_the_updates_in_an_epoch():
    assert plan_stopping(10_000, 64, 2, 20).patience == 2  # 157 updates an epoch: the configured 2 epochs
    small = plan_stopping(300, 64, 2, 20)  # 5 updates an epoch
    assert small.patience == 10 and small.min_epochs == 10


class ConstantModel:
    """Just enough of a Keras model for the callback: weights that can be read and restored."""

    def __init__(self):
        self.stop_training, self.weights = False, [np.zeros(1)]

    def get_weights(self):
        return [weight.copy() for weight in self.weights]

    def set_weights(self, weights):
        self.weights = weights


def test_stopping_never_stops_a_majority_class_model_and_restores_the_best_epoch():
    labels = np.array([0] * 18 + [1] * 2)
    majority = np.tile([0.9, 0.1], (20, 1))
    scores = iter([majority] * 6 + [np.eye(2)[labels]] + [majority] * 6)
    callback = macro_f1_stopping(lambda: next(scores), labels, 2, plan_stopping(10_000, 64, 2, 13))
    model = ConstantModel()
    callback.set_model(model)
    for epoch in range(6):  # always the majority class: no improvement, yet no stop
        callback.on_epoch_end(epoch, {})
        assert not model.stop_training
    model.weights = [np.ones(1)]
    callback.on_epoch_end(6, logs := {})  # perfect: the best epoch
    assert logs["val_macro_f1"] == 1.0
    model.weights = [np.full(1, 2.0)]
    for epoch in range(7, 13):
        callback.on_epoch_end(epoch, {})
    assert model.stop_training  # two epochs without improvement after a model that learned
    callback.on_train_end()
    assert model.weights[0][0] == 1.0


def test_a_tie_in_macro_f1_is_broken_by_validation_loss():
    """16 validation images, a perfect first epoch: later epochs can only tie, so the loss decides."""
    labels = np.array([0] * 14 + [1] * 2)
    perfect = np.eye(2)[labels]
    callback = macro_f1_stopping(lambda: perfect, labels, 2, plan_stopping(10_000, 64, 2, 20))
    model = ConstantModel()
    callback.set_model(model)
    for epoch, loss in enumerate([0.6, 0.4, 0.2, 0.3, 0.35]):
        model.weights = [np.full(1, float(epoch))]
        callback.on_epoch_end(epoch, {"val_loss": loss})
    assert model.stop_training and callback.best_epoch == 2
    callback.on_train_end()
    assert model.weights[0][0] == 2.0  # the tied epoch with the lowest validation loss, not the first


def test_defaults_beat_the_majority_class_on_imbalanced_reviews(rotten, store):
    """90/10 Rotten Tomatoes, 1,000 texts: the old defaults (val-accuracy early stopping, patience 2,
    no weights) stopped after 3 epochs predicting "fresh" for everything (macro F1 0.474)."""
    skewed = cut(rotten, [900, 100])
    trained = run_inline(lambda reporter: train_text_classifier(TextClassifierConfig(), skewed, reporter, store))
    metrics = trained.metrics
    assert metrics["class_weights"] and metrics["majority"]["macro_f1"] == pytest.approx(0.9 / 1.9, abs=0.01)
    assert metrics["macro_f1"] > metrics["majority"]["macro_f1"] + 0.08, metrics
    assert metrics["balanced_accuracy"] > 0.58
