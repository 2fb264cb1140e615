"""Nothing a user sends is ever run: models load in safe mode, arrays without pickle, weights as
plain tensors, Hugging Face models without remote code. Malicious files are refused and their
payload (creating a marker file) never runs; a scan of the source keeps it that way."""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pytest
from bad_inputs import keras_zip_bomb, keras_zip_with_lambda, pickle_payload

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


@pytest.mark.parametrize("loader", ["image_cli", "text_folder"])
def test_a_lambda_layer_is_refused_and_never_runs(loader, tmp_path):
    marker = tmp_path / "payload-ran"
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "model.keras").write_bytes(keras_zip_with_lambda(str(marker)))
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


def test_nothing_evaluates_or_unpickles():
    for path in SOURCE:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"(?<![.\w])(eval|exec)\(", text), path
        assert not re.search(r"\bpickle\.loads?\(|\bjoblib\.load\(|\bdill\.", text), path
