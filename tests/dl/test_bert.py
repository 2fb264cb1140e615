"""BERT fine-tuning on easy real sentences: the loss falls and held-out accuracy beats chance,
English has no [UNK], Cancel stops within a step and stores nothing, a stored model reloads and
predicts identically, an unknown id offline raises a clear DataError."""

import time

import numpy as np
import pytest

from dl.bert.backbone import load_tokenizer, unknown_share
from dl.bert.config import BertConfig
from dl.bert.train import class_weights_for, load_labeler_folder, predict_probabilities, stored_labeler, train_labeler
from dl.data import DataError
from dl.jobs import CANCELLED, JobRegistry, run_inline
from dl.text.data import build_dataset

GOOD = ["wonderful", "delightful", "brilliant", "moving", "charming", "superb"]
BAD = ["dreadful", "boring", "awful", "tedious", "clumsy", "terrible"]


def opinions(count: int = 120, negative_every: int = 2):
    texts, labels = [], []
    for index in range(count):
        words, label = (GOOD, "positive") if index % negative_every else (BAD, "negative")
        texts.append(f"Review {index}: the film was {words[index % 6]} and the acting {words[(index + 3) % 6]}.")
        labels.append(label)
    return build_dataset(texts, labels, "opinions")


def test_fine_tuning_learns_and_reloads_identically(store):
    """One opinion in five is negative: "auto" class weights weigh a negative 4x a positive, and the
    model finds the small label (always answering "positive" scores macro F1 0.44 here)."""
    dataset = opinions(negative_every=5)
    config = BertConfig(epochs=2, max_sentences=0, warmup_steps=2)
    trained = run_inline(lambda reporter: train_labeler(config, dataset, reporter, store))
    losses = [row["loss"] for row in trained.history]
    assert losses[-1] < losses[0], trained.history
    metrics = trained.metrics
    assert metrics["accuracy"] >= 0.8 and metrics["macro_f1"] >= 0.75, metrics  # 24 held-out sentences, 5 negative
    assert set(metrics["baselines"]) == {"frozen_logistic_regression", "nearest_centroid", "majority"}
    assert metrics["baselines"]["majority"]["macro_f1"] < 0.45 < metrics["macro_f1"] - 0.3
    assert metrics["imbalanced"] and metrics["class_weights"] == pytest.approx([120 / 48, 120 / 192])
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


def test_class_weights_switch_on_with_the_doctors_threshold():
    balanced, skewed = np.array([0, 1] * 10), np.array([0] * 16 + [1] * 4)
    assert class_weights_for(BertConfig(), balanced, 2) is None
    assert class_weights_for(BertConfig(), skewed, 2) == pytest.approx([20 / 32, 20 / 8])  # n / (labels x count)
    assert class_weights_for(BertConfig(class_weights="off"), skewed, 2) is None
    assert class_weights_for(BertConfig(class_weights="on"), balanced, 2) == pytest.approx([1.0, 1.0])
    with pytest.raises(DataError, match="class_weights"):
        BertConfig(class_weights="yes").validate()



def test_top_layers_train_on_stored_outputs_leave_the_bottom_alone_and_reload_identically(store):
    """The "top_layers" strategy through the real path: 200 clearly separable opinions, 2 epochs of the
    top 2 layers on the bottom 4's stored outputs. It beats the majority label by a margin, the frozen
    weights are bit for bit the pretrained ones while a trained one moved, and the saved folder (an
    ordinary Hugging Face model) predicts what the model in memory did; the frozen-encoder baseline is kept."""
    from dl.bert.backbone import load_classifier

    dataset = opinions(200)
    config = BertConfig(strategy="top_layers", trainable_layers=2, epochs=2, max_sentences=0, warmup_steps=2)
    trained = run_inline(lambda reporter: train_labeler(config, dataset, reporter, store))
    metrics = trained.metrics
    assert metrics["strategy"] == "top_layers" and metrics["frozen_layers"] == 4 and metrics["cached_sentences"] == 200
    assert trained.history[-1]["loss"] < trained.history[0]["loss"], trained.history
    assert metrics["accuracy"] >= 0.9 >= metrics["baselines"]["majority"]["accuracy"] + 0.35, metrics
    pretrained = load_classifier("minilm", trained.class_names).state_dict()
    tuned = trained.model.state_dict()
    for name in ("bert.embeddings.word_embeddings.weight", "bert.encoder.layer.0.attention.self.query.weight",
                 "bert.encoder.layer.3.output.dense.weight"):
        assert torch_equal(tuned[name], pretrained[name]), f"{name} changed although it was frozen"
    assert not torch_equal(tuned["bert.encoder.layer.5.output.dense.weight"], pretrained["bert.encoder.layer.5.output.dense.weight"])
    model, tokenizer, labels, max_length = load_labeler_folder(trained.path)
    sentences = ["a charming and superb film", "a tedious, dreadful mess", "Review 7: the film was moving."]
    assert labels == trained.class_names
    np.testing.assert_allclose(predict_probabilities(model, tokenizer, sentences, max_length), trained.predict(sentences), atol=1e-5)
    assert [labels[row] for row in trained.predict(sentences[:2]).argmax(axis=1)] == ["positive", "negative"]
    # the frozen-encoder baseline is kept too, fitted on vectors from the stored outputs: read back, on fresh
    # vectors from the pretrained encoder, it scores the held-out sentences as training did
    test_labels = dataset.labels[trained.test_indices]
    kept = trained.predict_baseline([dataset.texts[index] for index in trained.test_indices]).argmax(axis=1)
    assert float(np.mean(kept == test_labels)) == pytest.approx(metrics["baselines"]["frozen_logistic_regression"]["accuracy"])


def torch_equal(first, second) -> bool:
    import torch

    return bool(torch.equal(first, second))


def test_the_top_layers_on_stored_outputs_compute_what_the_whole_model_does():
    """The strategy's split forward pass (bottom layers once, stored, then the top layers and the head)
    against the model's own forward pass, on padded batches of real reviews of different lengths."""
    from dl.bert import top_layers
    from dl.bert.backbone import load_classifier

    tokenizer = load_tokenizer("minilm")
    model = load_classifier("minilm", ["no", "yes"]).eval()
    texts = opinions(40).texts + ["Short.", "A much longer sentence that keeps going, " * 8]
    whole = predict_probabilities(model, tokenizer, texts, 64)
    for frozen in (0, 4, 5):
        states = top_layers.lower_layer_states(model, tokenizer, texts, 64, frozen)
        split = top_layers.probabilities_from_states(model, states, np.arange(len(texts)), frozen)
        np.testing.assert_allclose(split, whole, atol=1e-5)


def test_auto_strategy_uses_the_top_layers_from_a_thousand_sentences():
    assert BertConfig().resolved(16).strategy == "full"
    assert BertConfig().resolved(999).max_sentences == 600
    chosen = BertConfig().resolved(12_000)
    assert chosen.strategy == "top_layers" and chosen.max_sentences > 1_000
    assert BertConfig(max_sentences=600).resolved(12_000).strategy == "full"  # a small sample: every layer trains
    assert BertConfig(strategy="full").resolved(12_000).max_sentences == 600
    assert BertConfig(strategy="top_layers", max_sentences=0).resolved(50).strategy == "top_layers"
    with pytest.raises(DataError, match="strategy"):
        BertConfig(strategy="half").validate()


def test_a_stored_fine_tuning_resumes_from_its_weights(store):
    """``--project P --epochs N`` for BERT: the saved model trains on (its loss goes on from the saved run's
    last, not from the pretrained model's first) and the history counts every epoch."""
    from dl.task import Resume

    dataset = opinions(60)
    config = BertConfig(epochs=1, max_sentences=0, warmup_steps=2)
    first = run_inline(lambda reporter: train_labeler(config, dataset, reporter, store))
    resumed = run_inline(lambda reporter: train_labeler(config, dataset, reporter, store, Resume(store.get(first.path.name), 1)))
    assert [row["epoch"] for row in resumed.history] == [1, 2] and resumed.metrics["epochs_run"] == 2
    assert resumed.history[1]["loss"] < first.history[0]["loss"], (first.history, resumed.history)
    assert resumed.metrics["baselines"] == first.metrics["baselines"]  # the pretrained encoder's, as stored
    assert (resumed.path / "frozen_probe.json").read_text() == (first.path / "frozen_probe.json").read_text()
