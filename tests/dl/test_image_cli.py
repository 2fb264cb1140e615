"""``python -m dl train image`` / ``predict image``: JSON out, same models as the page."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
from PIL import Image

from dl.__main__ import main
from dl.image.dataset import load_sklearn_digits

ROOT = Path(__file__).resolve().parents[2]


def last_json_line(text: str) -> dict:
    return json.loads([line for line in text.strip().splitlines() if line.startswith("{")][-1])


def test_train_digits_then_predict_png(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DL_CACHE_DIR", str(tmp_path / "cache"))
    assert main(["train", "image", "--data", "digits", "--epochs", "5", "--json"]) == 0
    result = last_json_line(capsys.readouterr().out)
    assert result["classes"] == [str(digit) for digit in range(10)]
    assert result["accuracy"] > 0.8 and result["from_cache"] is False  # chance is 0.1
    model_path = Path(result["model"])
    assert model_path.suffix == ".keras" and model_path.is_file()

    # the same command again is a cache hit on the same file
    assert main(["train", "image", "--data", "digits", "--epochs", "5", "--json"]) == 0
    again = last_json_line(capsys.readouterr().out)
    assert again["from_cache"] is True and again["model"] == result["model"] and again["accuracy"] == result["accuracy"]

    # predict through the real entry point: one JSON line per file, a broken file reported, not fatal;
    # one held-out test digit of each class (the model never saw them), saved as 32x32 PNGs
    digits = load_sklearn_digits()
    test_indices = set(json.loads((model_path.parent / "meta.json").read_text())["test_indices"])
    picks = {}
    for digit in range(10):
        index = next(int(i) for i in np.flatnonzero(digits.labels == digit) if int(i) in test_indices)
        path = tmp_path / f"digit{digit}.png"
        Image.fromarray(digits.images[index][..., 0]).resize((32, 32), Image.Resampling.NEAREST).save(path)
        picks[digit] = path
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not a png")
    files = [str(picks[digit]) for digit in range(10)] + [str(broken)]
    output = subprocess.run(
        [sys.executable, "-m", "dl", "predict", "image", "--json", "--model", str(model_path), *files],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
        env={**os.environ, "DL_CACHE_DIR": str(tmp_path / "cache")},
    )
    assert output.returncode == 2, output.stderr  # one file was refused: the others still get their line
    lines = [json.loads(line) for line in output.stdout.strip().splitlines()]
    assert [line["file"] for line in lines] == files
    labels = [line["label"] for line in lines[:10]]
    assert sum(label == str(digit) for digit, label in enumerate(labels)) >= 8, labels  # the right digit
    assert all(0.0 < line["probability"] <= 1.0 for line in lines[:10])
    assert "not an image" in lines[10]["error"]


def test_train_on_a_zip_and_bad_data_exits_2(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DL_CACHE_DIR", str(tmp_path / "cache"))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for index in range(6):
            for name, colour in (("dark", 20 + index), ("light", 230 - index)):
                image = io.BytesIO()
                Image.new("L", (12, 12), colour).save(image, format="PNG")
                archive.writestr(f"{name}/{index}.png", image.getvalue())
    data = tmp_path / "shades.zip"
    data.write_bytes(buffer.getvalue())
    assert main(["train", "image", "--data", str(data), "--epochs", "1", "--json"]) == 0
    result = last_json_line(capsys.readouterr().out)
    assert result["classes"] == ["dark", "light"] and result["data"] == "shades.zip"

    (tmp_path / "flat.zip").write_bytes(b"PK\x05\x06" + b"\0" * 18)  # an empty zip: no folders
    assert main(["train", "image", "--data", str(tmp_path / "flat.zip"), "--json"]) == 2
    assert "no folders" in capsys.readouterr().err
