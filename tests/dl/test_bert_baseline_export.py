"""The frozen-encoder + logistic-regression baseline as a model of its own: its saved numbers give
scikit-learn's own probabilities; training keeps it (both strategies) and the kept probe reproduces
the accuracy training scored; its export's predict.py (torch + transformers + NumPy, in a fresh
process) and `predict bert --baseline` give the in-process probabilities; a folder without a probe
is refused with exit 2."""

import io
import json
import shutil
import subprocess
import sys
import zipfile

import numpy as np
import pytest
from cli_runner import run_cli

from dl.bert.backbone import load_encoder, load_tokenizer
from dl.bert.baselines import sentence_embeddings
from dl.bert.config import BertConfig
from dl.bert.export import export_baseline_zip, export_zip
from dl.bert.probe import PROBE_FILE, baseline_wins, load_probe, probe_document
from dl.bert.probe_predict_script import mean_pooled_vectors, probe_probabilities
from dl.bert.train import train_labeler
from dl.data.errors import DataError
from dl.jobs import run_inline
from dl.store import ModelStore
from dl.text.data import build_dataset

GOOD = ["wonderful", "delightful", "brilliant", "moving", "charming", "superb"]
BAD = ["dreadful", "boring", "awful", "tedious", "clumsy", "terrible"]
NEW = ["A charming, superb film.", "A tedious and dreadful mess that goes on and on for far too long.",
       "I am not sure what to think.", "Brilliant!"]


def opinions(count: int = 48):
    texts = [f"Review {index}: the film was {(GOOD if index % 2 else BAD)[index % 6]} and {(GOOD if index % 2 else BAD)[(index + 3) % 6]}."
             for index in range(count)]
    return build_dataset(texts, ["up" if index % 2 else "down" for index in range(count)], "opinions")


@pytest.fixture(scope="module")
def encoder():
    return load_encoder("minilm"), load_tokenizer("minilm")


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A full fine-tune of 48 sentences (a few seconds), shared by the tests below."""
    store = ModelStore(tmp_path_factory.mktemp("bert-store"))
    return run_inline(lambda reporter: train_labeler(BertConfig(epochs=1, max_sentences=0, warmup_steps=0), opinions(), reporter, store))


def test_pooling_ignores_padding_and_saved_numbers_give_scikit_learns_probabilities(encoder):
    from sklearn.linear_model import LogisticRegression

    model, tokenizer = encoder
    texts = opinions(60).texts
    batched = mean_pooled_vectors(model, tokenizer, NEW, 64)
    alone = np.concatenate([mean_pooled_vectors(model, tokenizer, [text], 64) for text in NEW])  # no padding at all
    np.testing.assert_allclose(batched, alone, atol=1e-5)
    vectors = sentence_embeddings(model, tokenizer, texts, 64)
    for labels, names in ((np.arange(60) % 2, ["down", "up"]), (np.arange(60) % 3, ["a", "b", "c"])):  # sigmoid, softmax
        regression = LogisticRegression(max_iter=2000).fit(vectors[:40], labels[:40])
        document = json.loads(json.dumps(probe_document(regression, names, "minilm", 64)))  # through JSON, as saved
        ours = probe_probabilities(document, model, tokenizer, texts[40:])
        assert np.abs(ours - regression.predict_proba(vectors[40:])).max() < 1e-9


def test_training_keeps_the_probe_and_it_scores_what_training_scored(trained):
    assert trained.has_baseline and trained.config.strategy == "full"
    document = json.loads((trained.path / PROBE_FILE).read_text(encoding="utf-8"))
    assert document["classes"] == trained.class_names and document["max_length"] == 64 and document["pretrained_model"] == "minilm"
    assert np.array(document["coef"]).shape == (1, 384) and "mean" in document["pooling"]
    test_texts = [opinions().texts[index] for index in trained.test_indices]
    probabilities = trained.predict_baseline(test_texts)
    labels = opinions().labels[trained.test_indices]
    scored = trained.metrics["baselines"]["frozen_logistic_regression"]["accuracy"]
    assert float(np.mean(probabilities.argmax(axis=1) == labels)) == pytest.approx(scored)
    assert load_probe(trained.path).document == document
    with zipfile.ZipFile(io.BytesIO(export_zip(trained))) as archive:  # the fine-tuned zip stays the fine-tuned model
        assert PROBE_FILE not in archive.namelist()


def test_exported_predict_py_and_the_cli_give_the_in_process_probabilities(trained, tmp_path):
    expected = trained.predict_baseline(NEW)
    with zipfile.ZipFile(io.BytesIO(export_baseline_zip(trained, "zh"))) as archive:
        names = set(archive.namelist())
        assert {PROBE_FILE, "meta.json", "README.md", "predict.py", "encoder/config.json", "encoder/model.safetensors",
                "encoder/tokenizer.json", "encoder/vocab.txt"} <= names and "model.safetensors" not in names
        assert "冻结的 minilm + 逻辑回归" in archive.read("README.md").decode()
        archive.extractall(tmp_path / "export")
    shutil.copy(tmp_path / "export" / "predict.py", tmp_path / "predict.py")  # not beside the files: it must use its own folder
    script = subprocess.run([sys.executable, "predict.py", "--probabilities", *NEW], cwd=tmp_path / "export", capture_output=True,
                            text=True, timeout=300)
    assert script.returncode == 0, script.stderr[-2000:]
    answers = [json.loads(line) for line in script.stdout.splitlines()]
    exported = np.array([[answer["probabilities"][name] for name in trained.class_names] for answer in answers])
    assert np.abs(exported - expected).max() < 1e-5, (exported, expected)
    assert [answer["label"] for answer in answers] == [trained.class_names[row] for row in expected.argmax(axis=1)]
    for arguments in (["--baseline", str(trained.path)], ["--model", str(tmp_path / "export")]):  # store folder; unzipped export
        cli = run_cli(["predict", "bert", "--json", *arguments, *NEW], tmp_path / "cache", framework="torch")
        assert cli.returncode == 0, cli.stderr[-2000:]
        assert [json.loads(line) for line in cli.stdout.splitlines()] == [{key: answer[key] for key in ("text", "label", "probability")}
                                                                           for answer in answers]


def test_a_model_stored_before_probes_were_kept_has_none_and_the_cli_refuses_it(trained, tmp_path):
    old = tmp_path / "old-model"
    shutil.copytree(trained.path, old)
    (old / PROBE_FILE).unlink()
    with pytest.raises(DataError) as raised:
        load_probe(old)
    assert raised.value.code == "probe_missing"
    (tmp_path / "foreign").mkdir()
    (tmp_path / "foreign" / PROBE_FILE).write_text(json.dumps({"format": "tfidf-logistic-regression/1"}))
    with pytest.raises(DataError, match="not a frozen-encoder baseline"):
        load_probe(tmp_path / "foreign")
    refused = run_cli(["predict", "bert", "--model", str(old), "--baseline", "a fine film"], tmp_path / "cache", framework="torch")
    assert refused.returncode == 2 and "holds no frozen_probe.json" in refused.stderr and "Traceback" not in refused.stderr


def test_baseline_wins_on_the_headline_metric_by_more_than_the_margin():
    def metrics(accuracy, f1, probe_accuracy, probe_f1, imbalanced=False):
        return {"accuracy": accuracy, "macro_f1": f1, "imbalanced": imbalanced,
                "baselines": {"frozen_logistic_regression": {"accuracy": probe_accuracy, "macro_f1": probe_f1}}}

    assert baseline_wins(metrics(0.70, 0.70, 0.75, 0.60))
    assert not baseline_wins(metrics(0.70, 0.70, 0.705, 0.90))  # within the margin; macro F1 is not the headline
    assert baseline_wins(metrics(0.90, 0.47, 0.88, 0.70, imbalanced=True))  # unequal labels: macro F1 decides
    assert not baseline_wins(metrics(0.80, 0.80, 0.95, 0.80, imbalanced=True))
