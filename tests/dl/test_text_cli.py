"""`python -m dl train text` / `predict text` and the exported predict.py, run as a user would."""

import io
import json
import zipfile
from pathlib import Path

from cli_runner import ROOT, run_cli

GOOD = ["wonderful", "great", "moving", "brilliant", "lovely", "superb"]
BAD = ["awful", "boring", "dull", "terrible", "tedious", "bad"]


def run(arguments, cache, cwd=ROOT, script=None):
    return run_cli(arguments, cache, cwd, script, framework="tensorflow")


def opinion_table(path: Path) -> Path:
    """300 short reviews whose label follows their opinion word; a CSV with Chinese column names."""
    rows = ["评论,情感"]
    for index in range(300):
        words = GOOD if index % 2 else BAD
        rows.append(f"the film number {index} was {words[index % 6]} and {words[(index + 1) % 6]},{'好' if index % 2 else '差'}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_train_predict_cache_hit_and_export(tmp_path):
    data = opinion_table(tmp_path / "reviews.csv")
    arguments = ["train", "text", "--data", str(data), "--epochs", "15", "--json"]
    first = run(arguments, tmp_path / "cache")
    assert first.returncode == 0, first.stderr[-2000:]
    result = json.loads(first.stdout.strip().splitlines()[-1])
    assert result["from_cache"] is False and result["accuracy"] >= 0.9 and result["baseline_accuracy"] >= 0.9
    assert result["classes"] == ["好", "差"] or set(result["classes"]) == {"好", "差"}
    second = run(arguments, tmp_path / "cache")
    assert json.loads(second.stdout.strip().splitlines()[-1])["from_cache"] is True
    assert second.stderr.strip().splitlines()[-1] == "tensorflow imported: False"

    predicted = run(["predict", "text", "--json", "--model", result["model"], "it was superb and lovely", "so dull and tedious"],
                    tmp_path / "cache")
    assert predicted.returncode == 0, predicted.stderr[-2000:]
    labels = [json.loads(line)["label"] for line in predicted.stdout.strip().splitlines()]
    assert labels == ["好", "差"]
    table = tmp_path / "new.csv"
    table.write_text("id,review\n1,it was superb and lovely\n2,so dull and tedious\n")
    from_table = run(["predict", "text", "--json", "--model", result["model"], "--csv", str(table), "--text-col", "review"], tmp_path / "cache")
    assert [json.loads(line)["label"] for line in from_table.stdout.strip().splitlines()] == ["好", "差"], from_table.stderr[-1000:]

    from dl.jobs import run_inline
    from dl.store import ModelStore
    from dl.text.config import TextClassifierConfig
    from dl.text.data import read_text_file
    from dl.text.export import export_zip
    from dl.text.train import train_text_classifier

    dataset = read_text_file(data.read_bytes(), data.name)
    trained = run_inline(lambda reporter: train_text_classifier(TextClassifierConfig(epochs=15), dataset, reporter,
                                                                ModelStore(tmp_path / "cache")))
    assert trained.from_cache
    folder = tmp_path / "export"
    zipfile.ZipFile(io.BytesIO(export_zip(trained))).extractall(folder)
    exported = run(["it was superb and lovely", "so dull and tedious"], tmp_path, cwd=folder, script="predict.py")
    assert exported.returncode == 0, exported.stderr[-2000:]
    assert [json.loads(line)["label"] for line in exported.stdout.strip().splitlines()] == ["好", "差"]


def test_refused_input_exits_2(tmp_path):
    missing = run(["train", "text", "--data", "no-such-file.csv"], tmp_path / "cache")
    assert missing.returncode == 2 and "neither a built-in set" in missing.stderr and "Traceback" not in missing.stderr
    one_class = tmp_path / "one.csv"
    one_class.write_text("text,label\n" + "".join(f"text {index},same\n" for index in range(20)))
    refused = run(["train", "text", "--data", str(one_class)], tmp_path / "cache")
    assert refused.returncode == 2 and "one class" in refused.stderr
    not_a_model = run(["predict", "text", "--model", str(tmp_path), "hello"], tmp_path / "cache")
    assert not_a_model.returncode == 2 and "not a text classifier" in not_a_model.stderr
