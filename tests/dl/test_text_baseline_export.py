"""The TF-IDF baseline as a model of its own: its saved numbers give scikit-learn's own
probabilities; its export's NumPy-only predict.py and `predict text` give the page's answers; a
file that is not a baseline is refused."""

import io
import json
import subprocess
import sys
import zipfile

import numpy as np
import pytest
from cli_runner import run_cli

from dl.data.errors import DataError
from dl.jobs import run_inline
from dl.text.baseline import baseline_document, fit_baseline, load_baseline
from dl.text.baseline_predict_script import tfidf_probabilities
from dl.text.config import TextClassifierConfig
from dl.text.data import build_dataset, load_builtin
from dl.text.export import export_baseline_zip
from dl.text.tokens import prepare_text
from dl.text.train import train_text_classifier

TYPED = ["A wonderful, moving and beautifully acted film.", "A dull, boring and predictable mess.", "这部电影很好看"]


@pytest.fixture(scope="module")
def rotten():
    return load_builtin("rotten_tomatoes")


@pytest.mark.parametrize("weighted", [False, True])
def test_saved_numbers_give_scikit_learns_probabilities(rotten, weighted):
    foods = load_builtin("fine_foods")
    texts = [prepare_text(text) for text in rotten.texts[:1500] + foods.texts[:500]]  # three classes: softmax
    labels = np.concatenate([rotten.labels[:1500], np.full(500, 2)])
    pipeline = fit_baseline(texts[::2], labels[::2], weighted)
    document = json.loads(json.dumps(baseline_document(pipeline, ["fresh", "rotten", "food"])))  # through JSON, as saved
    ours = tfidf_probabilities(document, texts[1::2])
    assert np.abs(ours - pipeline.predict_proba(texts[1::2])).max() < 1e-9
    binary = fit_baseline(texts[:1500], labels[:1500])  # two classes: one coefficient row and a sigmoid
    document = baseline_document(binary, ["fresh", "rotten"])
    assert np.abs(tfidf_probabilities(document, texts[1500:]) - binary.predict_proba(texts[1500:])).max() < 1e-9


def test_exported_baseline_predicts_as_the_page_does(rotten, store, tmp_path):
    sample = build_dataset(rotten.texts[:1200], [rotten.class_names[label] for label in rotten.labels[:1200]], "sample")
    trained = run_inline(lambda reporter: train_text_classifier(TextClassifierConfig(epochs=2), sample, reporter, store))
    expected = trained.predict_baseline(TYPED)
    with zipfile.ZipFile(io.BytesIO(export_baseline_zip(trained))) as archive:
        assert set(archive.namelist()) == {"baseline.json", "classes.json", "meta.json", "README.md", "predict.py"}
        archive.extractall(tmp_path / "export")
    script = subprocess.run([sys.executable, "predict.py", *TYPED], cwd=tmp_path / "export", capture_output=True, text=True,
                            timeout=120)
    assert script.returncode == 0, script.stderr
    answers = [json.loads(line) for line in script.stdout.splitlines()]
    for answer, row in zip(answers, expected, strict=True):
        assert answer["label"] == trained.class_names[int(row.argmax())]
        assert answer["probability"] == pytest.approx(float(row.max()), abs=1e-4)
    for arguments in (["--model", str(tmp_path / "export")], ["--model", str(trained.path), "--baseline"]):
        cli = run_cli(["predict", "text", "--json", *arguments, *TYPED], tmp_path / "cache")
        assert cli.returncode == 0, cli.stderr[-2000:]
        assert [json.loads(line) for line in cli.stdout.splitlines()] == answers
        assert "tensorflow imported: False" in cli.stderr  # the baseline needs no TensorFlow


def test_a_file_that_is_not_a_baseline_is_refused(tmp_path):
    (tmp_path / "baseline.json").write_text(json.dumps({"format": "something else", "vocabulary": {}}))
    with pytest.raises(DataError, match="not a TF-IDF baseline"):
        load_baseline(tmp_path)
    (tmp_path / "baseline.json").write_text("{not json")
    with pytest.raises(DataError, match="could not be read"):
        load_baseline(tmp_path)
    cli = run_cli(["predict", "text", "--model", str(tmp_path), "some text"], tmp_path / "cache")
    assert cli.returncode == 2 and "could not be read" in cli.stderr
