"""The command line as a person and a script meet it: quiet, a summary, JSON on request, exit codes.

The subprocess tests run ``python -m dl`` exactly as a user does (``tests/dl/cli_runner.py``), so
the framework noise they check for is what a terminal would show.
"""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from cli_runner import run_cli
from PIL import Image

from dl import console
from dl.__main__ import main
from dl.jobs import Progress

# What TensorFlow 2.20+ prints at start-up on a machine without a GPU, and Python warnings.
NOISE = ("absl", "oneDNN", "cuda", "cuInit", "E0000", "I0000", "W0000", "Warning", "WARNING", "Traceback")


def write_shades_zip(path, per_class: int = 6) -> None:
    """Two classes of flat grey squares. Six a class trains in a second (too few updates to learn
    them); forty a class for twenty epochs learns them perfectly (measured: held-out accuracy 1.0 in 18 s)."""
    with zipfile.ZipFile(path, "w") as archive:
        for index in range(per_class):
            for name, colour in (("dark", 20 + index), ("light", 230 - index)):
                image = io.BytesIO()
                Image.new("L", (12, 12), colour).save(image, format="PNG")
                archive.writestr(f"{name}/{index}.png", image.getvalue())


@pytest.fixture(scope="module")
def shades(tmp_path_factory):
    folder = tmp_path_factory.mktemp("shades")
    write_shades_zip(folder / "shades.zip")
    return folder


def test_a_normal_run_shows_a_summary_and_no_framework_noise(shades):
    cache = shades / "quiet-cache"
    done = run_cli(["train", "image", "--data", str(shades / "shades.zip"), "--epochs", "2"], cache)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "tensorflow imported: True" in done.stderr  # it really trained
    for noise in NOISE:
        assert noise not in done.stderr, (noise, done.stderr[-3000:])
    assert "training the seed CNN on shades.zip: 12 images, 2 classes" in done.stderr
    assert "epoch 2/2  accuracy" in done.stderr  # one line per epoch (no bar: stderr is not a terminal)
    assert "seed CNN on shades.zip: trained in" in done.stdout
    assert "held-out accuracy" in done.stdout and "model" in done.stdout and "dark, light" in done.stdout

    again = run_cli(["train", "image", "--data", str(shades / "shades.zip"), "--epochs", "2"], cache)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "answered from the model cache" in again.stdout and "training took" in again.stdout
    assert "tensorflow imported: False" in again.stderr


def test_json_prints_exactly_one_object_and_progress_as_json_lines_on_stderr(shades):
    done = run_cli(["train", "image", "--data", str(shades / "shades.zip"), "--epochs", "2", "--json"], shades / "json-cache")
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout)  # the whole of stdout is one JSON document ...
    assert done.stdout.count("\n") == 1  # ... on one line
    assert result["classes"] == ["dark", "light"] and result["from_cache"] is False and result["seconds"] > 0
    progress = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    assert [row["epoch"] for row in progress if "epoch" in row] == [1, 2]
    assert {"loss", "accuracy", "epochs"} <= set(progress[-1])
    assert any(row.get("message") == "loading TensorFlow…" for row in progress)


def test_refused_input_exits_2_with_one_line_and_no_traceback(shades, tmp_path):
    empty = tmp_path / "empty.zip"
    empty.write_bytes(b"PK\x05\x06" + b"\0" * 18)
    for arguments, words in (
        (["train", "image", "--data", str(empty)], "no folders"),
        (["train", "image", "--data", str(tmp_path / "missing.zip")], "does not exist"),
        (["train", "text", "--data", str(tmp_path / "missing.csv"), "--json"], "neither a built-in set"),
        (["predict", "image", "--model", str(shades / "shades.zip"), str(empty)], "not an image"),
    ):
        done = run_cli(arguments, tmp_path / "cache")
        assert done.returncode == 2, (arguments, done.stderr[-2000:])
        errors = [line for line in done.stderr.splitlines() if not line.startswith("tensorflow imported")]
        assert len(errors) == 1 and errors[0].startswith("error: ") and words in errors[0], (arguments, done.stderr)
        assert done.stdout == ""


def test_predict_on_a_mixed_batch_answers_every_good_file_and_exits_2(tmp_path):
    write_shades_zip(tmp_path / "shades.zip", per_class=40)
    trained = run_cli(["train", "image", "--data", str(tmp_path / "shades.zip"), "--epochs", "20", "--json"], tmp_path / "json-cache")
    assert trained.returncode == 0, trained.stderr[-2000:]
    summary = json.loads(trained.stdout)
    assert summary["accuracy"] >= 0.9, summary  # a model that knows dark from light, or the labels below mean nothing
    model = summary["model"]
    dark, light, broken = tmp_path / "dark.png", tmp_path / "light.png", tmp_path / "broken.png"
    Image.new("L", (12, 12), 25).save(dark)
    Image.new("L", (12, 12), 225).save(light)
    broken.write_bytes(b"\x89PNG\r\n\x1a\n not really")
    files = [str(dark), str(broken), str(light), str(tmp_path / "gone.png")]

    readable = run_cli(["predict", "image", "--model", model, *files], tmp_path / "cache")
    assert readable.returncode == 2, readable.stderr[-2000:]
    lines = readable.stdout.splitlines()
    assert [line.split()[:2] for line in lines] == [[str(dark), "dark"], [str(light), "light"]]  # each file's own label
    assert all("%" in line for line in lines)
    errors = [line for line in readable.stderr.splitlines() if line.startswith("error: ")]
    assert errors == [f"error: {broken}: not an image (not a format Pillow can read)",
                      f"error: {tmp_path / 'gone.png'}: cannot read: No such file or directory"]

    as_json = run_cli(["predict", "image", "--json", "--model", model, *files], tmp_path / "cache")
    assert as_json.returncode == 2
    records = [json.loads(line) for line in as_json.stdout.splitlines()]
    assert [record["file"] for record in records] == files  # in order, one per file
    assert [record.get("label") for record in records] == ["dark", None, "light", None]
    assert "not an image" in records[1]["error"] and "cannot read" in records[3]["error"]


def test_an_unexpected_error_exits_1_with_a_hint_and_verbose_shows_the_traceback(monkeypatch, capsys):
    def broken(args):
        raise RuntimeError("the disk caught fire")

    monkeypatch.setattr("dl.__main__.run", broken)
    assert main(["info", "--quick"]) == 1
    err = capsys.readouterr().err
    assert err.splitlines() == ["error: RuntimeError: the disk caught fire", f"({console.VERBOSE_HINT})"]
    assert main(["--verbose", "info", "--quick"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" in err and "the disk caught fire" in err and console.VERBOSE_HINT not in err
    assert main(["info", "--quick", "--verbose"]) == 1  # the flag works after the command too
    assert "Traceback" in capsys.readouterr().err


def test_version_help_and_info_table(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("DL_CACHE_DIR", str(tmp_path))
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.startswith("Deep Learning Playground 0.")
    with pytest.raises(SystemExit):
        main(["train", "image", "--help"])
    assert "exit codes: 0 success" in " ".join(capsys.readouterr().out.split())
    assert main(["info", "--quick"]) == 0
    table = capsys.readouterr().out
    assert "CPU" in table and "tensorflow" in table and "Model cache" in table and str(tmp_path) in table
    assert not table.lstrip().startswith("{")


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_training_progress_draws_a_bar_on_a_terminal_and_lines_elsewhere():
    def feed(listener):
        listener(Progress(status="running", message="loading TensorFlow…"), None)
        for epoch in (1, 2):
            for step in range(1, 5):
                listener(Progress(status="running", epochs=2, steps=4, epoch=epoch, step=step, loss=1.0 / epoch), None)
            listener(Progress(status="running", epochs=2, steps=4, epoch=epoch, step=4), {"epoch": epoch, "loss": 1.0 / epoch})
        listener.close()

    terminal = FakeTerminal()
    feed(console.TrainingProgress(stream=terminal))
    drawn = terminal.getvalue()
    assert "batch" in drawn and "epoch 2/2" in drawn and "loss=0.5" in drawn  # the tqdm bar
    assert "epoch 1/2  loss 1" in drawn and "loading TensorFlow…" in drawn

    log = io.StringIO()
    feed(console.TrainingProgress(stream=log))
    assert log.getvalue().splitlines() == ["loading TensorFlow…", "epoch 1/2  loss 1", "epoch 2/2  loss 0.5"]

    lines = io.StringIO()
    feed(console.TrainingProgress(json_lines=True, stream=lines))
    records = [json.loads(line) for line in lines.getvalue().splitlines()]
    assert records == [{"status": "running", "message": "loading TensorFlow…"},
                       {"epoch": 1, "epochs": 2, "loss": 1.0}, {"epoch": 2, "epochs": 2, "loss": 0.5}]


def test_print_summary_aligns_labels_and_skips_empty_rows():
    out = io.StringIO()
    console.print_summary("Trained.", [("accuracy", "91.0 %"), ("skipped files", None), ("model", "/tmp/m")], out)
    assert out.getvalue().splitlines() == ["Trained.", "  accuracy  91.0 %", "  model     /tmp/m"]
