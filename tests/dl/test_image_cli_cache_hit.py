"""A second identical `python -m dl train image` is answered from the model store's meta.json,
without importing TensorFlow, and prints the same result as the training did."""

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

from image_photos import shape_png

ROOT = Path(__file__).resolve().parents[2]
# runs the CLI in-process, then reports whether TensorFlow was imported (on stderr, last line)
PROBE = (
    "import runpy, sys\n"
    "sys.argv = ['dl', *sys.argv[1:]]\n"
    "try:\n    runpy.run_module('dl', run_name='__main__')\nexcept SystemExit as exit:\n    assert not exit.code, exit.code\n"
    "print('tensorflow imported:', 'tensorflow' in sys.modules, file=sys.stderr)\n"
)


def run_train(arguments, cache):
    done = subprocess.run(
        [sys.executable, "-c", PROBE, "train", "image", *arguments, "--json"], cwd=ROOT, capture_output=True,
        text=True, timeout=600, env={**os.environ, "DL_CACHE_DIR": str(cache)},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1]), done.stderr.strip().splitlines()[-1]


def test_second_identical_training_is_read_from_the_store_without_tensorflow(tmp_path):
    data = tmp_path / "shapes.zip"
    with zipfile.ZipFile(data, "w") as archive:
        for index in range(12):
            archive.writestr(f"bars/{index}.png", shape_png("bars", index))
            archive.writestr(f"stripes/{index}.png", shape_png("stripes", 50 + index))
    arguments = ["--data", str(data), "--epochs", "2"]
    first, first_probe = run_train(arguments, tmp_path / "cache")
    second, second_probe = run_train(arguments, tmp_path / "cache")
    assert first["from_cache"] is False and first_probe == "tensorflow imported: True"
    assert second["from_cache"] is True and second_probe == "tensorflow imported: False"
    for result in (first, second):
        assert result["data_doctor"].pop("seconds") >= 0  # how long the checks took: the one number that may differ
    assert {key: value for key, value in second.items() if key not in ("from_cache", "seconds")} == {
        key: value for key, value in first.items() if key not in ("from_cache", "seconds")
    }
    assert second["seconds"] < first["seconds"]
    assert Path(second["model"]).is_file()
