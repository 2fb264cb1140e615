"""BERT fine-tuning on easy real sentences: the loss falls and held-out accuracy beats chance,
English has no [UNK], Cancel stops within a step and stores nothing, a stored model reloads and
predicts identically, an unknown id offline raises a clear DataError."""

import time

import numpy as np
import pytest

from dl.bert.backbone import load_tokenizer, unknown_share
from dl.bert.config import BertConfig
from dl.bert.train import load_labeler_folder, predict_probabilities, stored_labeler, train_labeler
from dl.data import DataError
from dl.jobs import CANCELLED, JobRegistry, run_inline
from dl.text.data import build_dataset

GOOD = ["wonderful", "delightful", "brilliant", "moving", "charming", "superb"]
BAD = ["dreadful", "boring", "awful", "tedious", "clumsy", "terrible"]


def opinions(count: int = 120):
    texts, labels = [], []
    for index in range(count):
        words, label = (GOOD, "positive") if index % 2 else (BAD, "negative")
        texts.append(f"Review {index}: the film was {words[index % 6]} and the acting {words[(index + 3) % 6]}.")
        labels.append(label)
    return build_dataset(texts, labels, "opinions")


def test_fine_tuning_learns_and_reloads_identically(store):
    dataset = opinions()
    config = BertConfig(epochs=2, max_sentences=0, warmup_steps=2)
    trained = run_inline(lambda reporter: train_labeler(config, dataset, reporter, store))
    losses = [row["loss"] for row in trained.history]
    assert losses[-1] < losses[0], trained.history
    assert trained.metrics["accuracy"] >= 0.8, trained.metrics  # chance is 0.5 on 24 held-out sentences
    assert set(trained.metrics["baselines"]) == {"frozen_logistic_regression", "nearest_centroid"}
    model, tokenizer, labels, max_length = load_labeler_folder(trained.path)
    sentences = ["a charming and superb film", "a tedious, dreadful mess"]
    assert labels == trained.class_names and max_length == config.max_length
    np.testing.assert_allclose(predict_probabilities(model, tokenizer, sentences, max_length), trained.predict(sentences), atol=1e-5)
    again = run_inline(lambda reporter: train_labeler(config, dataset, reporter, store))
    assert again.from_cache and again.metrics == trained.metrics


def test_english_has_no_unknown_pieces_and_chinese_mostly_does():
    tokenizer = load_tokenizer("minilm")
    assert unknown_share(tokenizer, ["The quick brown fox jumps over the lazy dog."]) == 0.0
    assert unknown_share(tokenizer, ["这部电影太感人了，演员演得真好。"]) > 0.2


def test_cancel_stops_within_a_step_and_stores_nothing(store):
    dataset = opinions(200)
    config = BertConfig(epochs=5, max_sentences=0, batch_size=4)
    registry = JobRegistry(max_concurrent=1)
    job = registry.submit("cancel-me", lambda reporter: train_labeler(config, dataset, reporter, store))
    deadline = time.time() + 300
    while job.snapshot()[0].step < 1:
        assert time.time() < deadline and not job.finished, job.error
        time.sleep(0.2)
    job.cancel()
    assert job.wait(timeout=60) and job.status == CANCELLED
    assert stored_labeler(store, config, dataset) is None


def test_unknown_model_id_raises_a_clear_error(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(DataError, match="could not be loaded.*minilm"):
        load_tokenizer("no-such-user/no-such-model-xyz")
