"""`python -m dl train bert` / `predict bert` and the exported predict.py, in subprocesses."""

import io
import json
import zipfile

from cli_runner import ROOT, run_cli

GOOD = ["wonderful", "delightful", "brilliant", "moving", "charming", "superb"]
BAD = ["dreadful", "boring", "awful", "tedious", "clumsy", "terrible"]


def run(arguments, cache, cwd=ROOT, script=None):
    return run_cli(arguments, cache, cwd, script, framework="torch")


def test_train_predict_cache_hit_and_exported_script(tmp_path):
    table = tmp_path / "opinions.csv"
    table.write_text("sentence,verdict\n" + "".join(
        f"Review {index}: the film was {(GOOD if index % 2 else BAD)[index % 6]} and {(GOOD if index % 2 else BAD)[(index + 3) % 6]},"
        f"{'up' if index % 2 else 'down'}\n" for index in range(100)))
    arguments = ["train", "bert", "--data", str(table), "--epochs", "2", "--max-samples", "0", "--json"]
    first = run(arguments, tmp_path / "cache")
    assert first.returncode == 0, first.stderr[-3000:]
    result = json.loads(first.stdout.strip().splitlines()[-1])
    assert result["from_cache"] is False and result["accuracy"] >= 0.8 and set(result["labels"]) == {"up", "down"}
    assert {"baseline_accuracy", "model", "labels"} <= set(result)
    # balanced, distinct, English: the doctor has only MiniLM's unknown-piece note (measured while training)
    assert result["majority_macro_f1"] < 0.5 and result["class_weights"] is None
    assert [finding["code"] for finding in result["data_doctor"]["findings"]] == ["unknown_pieces_ok"]
    second = run(arguments, tmp_path / "cache")
    cached = json.loads(second.stdout.strip().splitlines()[-1])
    assert cached["from_cache"] is True and cached["data_doctor"]["findings"] == result["data_doctor"]["findings"]
    assert second.stderr.strip().splitlines()[-1] == "torch imported: False"

    sentences = ["a charming and superb film", "a tedious, dreadful mess"]
    labelled = run(["predict", "bert", "--json", "--model", result["model"], *sentences], tmp_path / "cache")
    assert labelled.returncode == 0, labelled.stderr[-2000:]
    assert [json.loads(line)["label"] for line in labelled.stdout.strip().splitlines()] == ["up", "down"]

    from dl.bert.config import BertConfig
    from dl.bert.export import export_zip
    from dl.bert.train import train_labeler
    from dl.jobs import run_inline
    from dl.store import ModelStore
    from dl.text.data import read_text_file

    dataset = read_text_file(table.read_bytes(), table.name)
    trained = run_inline(lambda reporter: train_labeler(BertConfig(epochs=2, max_sentences=0), dataset, reporter,
                                                        ModelStore(tmp_path / "cache")))
    assert trained.from_cache
    folder = tmp_path / "export"
    zipfile.ZipFile(io.BytesIO(export_zip(trained))).extractall(folder)
    assert {"model.safetensors", "labels.json", "predict.py", "README.md", "tokenizer.json"} <= {path.name for path in folder.iterdir()}
    exported = run(sentences, tmp_path, cwd=folder, script="predict.py")
    assert exported.returncode == 0, exported.stderr[-2000:]
    assert [json.loads(line)["label"] for line in exported.stdout.strip().splitlines()] == ["up", "down"]

    refused = run(["predict", "bert", "--model", str(tmp_path), "hello"], tmp_path / "cache")
    assert refused.returncode == 2 and "not a fine-tuned BERT folder" in refused.stderr and "Traceback" not in refused.stderr


def test_train_top_layers_from_the_command_line_and_label_with_the_folder(tmp_path):
    """``--strategy top_layers --layers 2``: the summary says so, and ``predict bert`` reads the saved folder."""
    table = tmp_path / "opinions.csv"
    table.write_text("sentence,verdict\n" + "".join(
        f"Review {index}: the film was {(GOOD if index % 2 else BAD)[index % 6]} and {(GOOD if index % 2 else BAD)[(index + 3) % 6]},"
        f"{'up' if index % 2 else 'down'}\n" for index in range(100)))
    trained = run(["train", "bert", "--data", str(table), "--strategy", "top_layers", "--layers", "2", "--epochs", "2",
                   "--max-samples", "0", "--json"], tmp_path / "cache")
    assert trained.returncode == 0, trained.stderr[-3000:]
    result = json.loads(trained.stdout.strip().splitlines()[-1])
    assert result["strategy"] == "top_layers" and result["trainable_layers"] == 2 and result["cache_seconds"] >= 0
    assert result["accuracy"] >= 0.8 > result["majority_accuracy"] + 0.2
    labelled = run(["predict", "bert", "--json", "--model", result["model"], "a charming and superb film", "a tedious, dreadful mess"],
                   tmp_path / "cache")
    assert labelled.returncode == 0, labelled.stderr[-2000:]
    assert [json.loads(line)["label"] for line in labelled.stdout.strip().splitlines()] == ["up", "down"]
    refused = run(["train", "bert", "--data", str(table), "--strategy", "half"], tmp_path / "cache")
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
