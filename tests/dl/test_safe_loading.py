"""Nothing a user sends is ever run: models load in safe mode, arrays without pickle, weights as
plain tensors, Hugging Face models without remote code. Malicious files are refused and their
payload (creating a marker file) never runs; a scan of the source keeps it that way."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import numpy as np
import pytest
from bad_inputs import keras_zip_bomb, keras_zip_naming_os_system, keras_zip_with_lambda, pickle_payload

from dl.data.errors import DataError

ROOT = Path(__file__).resolve().parents[2]
SOURCE = sorted([*(ROOT / "dl").rglob("*.py"), *(ROOT / "ui").rglob("*.py"), *(ROOT / "app_pages").rglob("*.py")])


def calls(pattern: str) -> list[tuple[Path, str]]:
    """Every (file, whole call text, to its matching parenthesis) of calls matching ``pattern``
    (which ends with the call's opening parenthesis)."""
    found = []
    for path in SOURCE:
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(pattern, text):
            depth, end = 1, match.end()
            while depth and end < len(text):
                depth += {"(": 1, ")": -1}.get(text[end], 0)
                end += 1
            found.append((path, text[match.start(): end]))
    return found


@pytest.mark.parametrize("payload", [keras_zip_with_lambda, keras_zip_naming_os_system], ids=["lambda", "os.system"])
@pytest.mark.parametrize("loader", ["image_cli", "text_folder"])
def test_code_in_a_keras_config_is_refused_and_never_runs(loader, payload, tmp_path):
    marker = tmp_path / "payload-ran"
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "model.keras").write_bytes(payload(str(marker)))
    (folder / "classes.json").write_text('["a", "b"]')
    with pytest.raises(DataError, match="could not be loaded"):
        if loader == "image_cli":
            from dl.image.cnn import load_classifier_file

            load_classifier_file(folder / "model.keras")
        else:
            from dl.text.train import load_text_classifier

            load_text_classifier(folder)
    assert not marker.exists()


def test_a_pickle_named_keras_is_refused_and_never_unpickled(tmp_path):
    from dl.image.cnn import load_classifier_file

    marker = tmp_path / "payload-ran"
    path = tmp_path / "model.keras"
    path.write_bytes(pickle_payload(str(marker)))
    with pytest.raises(DataError, match="not a readable model archive"):
        load_classifier_file(path)
    assert not marker.exists()


def test_a_zip_bomb_model_is_refused_before_unpacking(tmp_path):
    from dl.image.cnn import load_classifier_file

    path = tmp_path / "model.keras"
    path.write_bytes(keras_zip_bomb())
    with pytest.raises(DataError, match="zip bomb"):
        load_classifier_file(path)


def test_a_recommender_folder_with_pickled_arrays_is_refused(tmp_path):
    from dl.recommender.train import load_recommender_folder

    buffer = io.BytesIO()
    np.savez(buffer, user_factors=np.array([{"evil": 1}], dtype=object))
    (tmp_path / "factors.npz").write_bytes(buffer.getvalue())
    with pytest.raises(DataError, match="not a trained recommender"):
        load_recommender_folder(tmp_path)


def tiny_bert_folder(folder, marker) -> None:
    """A real (random, 2-layer, 16-wide) BERT classifier saved as safetensors, with labels."""
    from transformers import BertConfig, BertForSequenceClassification

    config = BertConfig(vocab_size=40, hidden_size=16, num_hidden_layers=2, num_attention_heads=2, intermediate_size=16,
                        num_labels=2)
    BertForSequenceClassification(config).save_pretrained(folder)
    (folder / "labels.json").write_text('["no", "yes"]')


def test_a_bert_folder_with_broken_safetensors_and_a_pickle_is_refused(tmp_path):
    """The pickled ``pytorch_model.bin`` is never unpickled (safetensors only); the broken
    safetensors file is a DataError (it escaped as SafetensorError before)."""
    from dl.bert.train import load_labeler_folder

    marker = tmp_path / "payload-ran"
    folder = tmp_path / "bert"
    tiny_bert_folder(folder, marker)
    (folder / "model.safetensors").write_bytes(b"junk" * 10)
    (folder / "pytorch_model.bin").write_bytes(pickle_payload(str(marker)))
    with pytest.raises(DataError, match="could not be loaded"):
        load_labeler_folder(folder)
    assert not marker.exists()


def test_a_bert_folder_asking_for_remote_code_never_runs_it(tmp_path):
    """``auto_map`` names a Python file in the folder; with trust_remote_code=False it is never imported
    and the folder loads as the plain BERT its ``model_type`` says it is (the remote classes are ignored,
    not a reason to refuse a model whose weights are fine)."""
    from dl.bert.train import load_labeler_folder

    marker = tmp_path / "payload-ran"
    folder = tmp_path / "bert"
    tiny_bert_folder(folder, marker)
    config = json.loads((folder / "config.json").read_text())
    config["auto_map"] = {"AutoConfig": "evil.EvilConfig", "AutoModelForSequenceClassification": "evil.EvilModel"}
    (folder / "config.json").write_text(json.dumps(config))
    (folder / "evil.py").write_text(f"open({str(marker)!r}, 'w').close()\n")
    model, _, labels, _ = load_labeler_folder(folder)
    assert type(model).__name__ == "BertForSequenceClassification" and labels == ["no", "yes"]
    assert not marker.exists()


def test_every_keras_load_is_in_safe_mode():
    loads = calls(r"\bload_model\(")
    assert loads, "the scan found no load_model call: is the pattern still right?"
    assert [(path.name, call) for path, call in loads if "safe_mode=True" not in call] == []


def test_every_torch_load_takes_weights_only():
    loads = calls(r"\btorch\.load\(")
    assert loads and [(path.name, call) for path, call in loads if "weights_only=True" not in call] == []


def test_every_numpy_load_refuses_pickles():
    loads = calls(r"\bnp\.load\(")
    assert loads and [(path.name, call) for path, call in loads if "allow_pickle=False" not in call] == []


def test_every_hugging_face_load_refuses_remote_code():
    loads = calls(r"\.from_pretrained\(")
    assert loads and [(path.name, call) for path, call in loads if "trust_remote_code=False" not in call] == []


UNSAFE = {
    "eval or exec": r"(?<![.\w])(eval|exec)\(",  # the torch method model.eval() is fine
    "pickle": r"\bpickle\.loads?\(|\bjoblib\.load\(|\bdill\.|\bread_pickle\(|\bshelve\.|\bmarshal\.loads?\(",
    "unsafe YAML": r"\byaml\.(load|unsafe_load|full_load)\(",
    "unsafe switches": r"safe_mode\s*=\s*False|enable_unsafe_deserialization|allow_pickle\s*=\s*True|"
                       r"weights_only\s*=\s*False|trust_remote_code\s*=\s*True",
    "extracting a user's zip to disk": r"\.extractall\(",  # uploads are read in memory (zip slip)
}


@pytest.mark.parametrize("name", UNSAFE)
def test_nothing_evaluates_unpickles_or_switches_safety_off(name):
    found = [f"{path.relative_to(ROOT)}: {match.group(0)}" for path in SOURCE
             for match in re.finditer(UNSAFE[name], path.read_text(encoding="utf-8"))]
    assert found == []
