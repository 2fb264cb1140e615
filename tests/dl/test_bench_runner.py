"""``python -m bench``: runs benchmark scripts in fresh processes and rewrites only its own section
of docs/benchmarks.md, keeping the hand-written text around it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.__main__ import END_MARKER, START_MARKER, flatten, last_json_document, write_section

ROOT = Path(__file__).resolve().parents[2]


def test_last_json_document_skips_other_output():
    printed = 'loading…\n{"partial": 1}\nnot json {\n{\n  "accuracy": 0.91,\n  "runs": [1, 2]\n}\n'
    assert last_json_document(printed) == {"accuracy": 0.91, "runs": [1, 2]}


def test_flatten_keeps_paths_and_summarises_long_series():
    rows = dict(flatten({"rt": {"accuracy": 0.78612, "classes": ["a", "b"]}, "history": list(range(30)),
                         "runs": [{"seed": 0, "accuracy": 0.97}]}))
    assert rows["rt.accuracy"] == "0.7861" and rows["rt.classes"] == "a, b"
    assert rows["history"] == "30 values, first 0, last 29"
    assert rows["runs[0].accuracy"] == "0.97"


def test_write_section_inserts_after_the_summary_then_replaces_itself():
    document = "# Benchmarks\n\n## Summary\n\n| a | b |\n\n## Model store\n\nprose\n"
    once = write_section(document, f"{START_MARKER}\nfirst\n{END_MARKER}")
    assert once.index("## Summary") < once.index("first") < once.index("## Model store")
    twice = write_section(once, f"{START_MARKER}\nsecond\n{END_MARKER}")
    assert "first" not in twice and "second" in twice and twice.count(START_MARKER) == 1
    assert twice.endswith("## Model store\n\nprose\n")


def test_a_real_run_writes_its_numbers(tmp_path):
    (tmp_path / "benchmarks.md").write_text("# Benchmarks\n\n## Summary\n\nhand-written\n\n## Details\n")
    done = subprocess.run([sys.executable, "-m", "bench", "--only", "store_cache_hit", "--docs", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    results = json.loads((tmp_path / "bench-results.json").read_text())["store_cache_hit"]
    assert results["exit_code"] == 0 and results["peak_rss_mb"] > 100
    assert 0 < results["result"]["hit_seconds_median"] < results["result"]["train_seconds_one_epoch_2000_images"]
    markdown = (tmp_path / "benchmarks.md").read_text()
    assert "hand-written" in markdown and "| hit_seconds_median |" in markdown and "| store_cache_hit |" in markdown
