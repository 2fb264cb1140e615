"""`python -m dl info` prints JSON about devices, versions and the cache."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np

from dl.store import ModelStore, make_key

ROOT = Path(__file__).resolve().parents[2]


def test_info_prints_devices_versions_and_cache(tmp_path):
    store = ModelStore(tmp_path)
    store.put(make_key("demo", {}, "d"), lambda folder: np.save(folder / "w.npy", np.ones(10)), {"task": "demo", "metrics": {"accuracy": 0.9}})
    result = subprocess.run(
        [sys.executable, "-m", "dl", "info", "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=180,
        env={**__import__("os").environ, "DL_CACHE_DIR": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout)
    assert report["hardware"]["cpu_cores"] >= 1
    assert report["hardware"]["versions"]["tensorflow"]
    assert "gpus" in report["frameworks"]["tensorflow"] and report["frameworks"]["torch"]["device"] in ("cpu", "cuda")
    assert report["cache"]["folder"] == str(tmp_path)
    assert report["cache"]["entries"] == 1 and report["cache"]["models"][0]["task"] == "demo"
    assert report["cache"]["models"][0]["metrics"] == {"accuracy": 0.9}


def test_help_lists_every_task_folder_with_a_cli():
    result = subprocess.run([sys.executable, "-m", "dl", "--help"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    folders = sorted(path.parent.name for path in (ROOT / "dl").glob("*/cli.py"))
    assert folders and "image" in folders
    assert f"Tasks: {', '.join(folders)}." in " ".join(result.stdout.split())
