"""Run every benchmark and write the results into docs/benchmarks.md: ``python -m bench``.

Each script in ``bench/`` prints one JSON document on stdout. This runner starts them one after the
other in fresh processes (so one's imports and caches do not speed up the next), records each one's
wall time, peak memory (the child's own ``ru_maxrss``) and exit status, and writes:

* ``docs/bench-results.json``: every script's JSON as printed, plus those three figures;
* the section of ``docs/benchmarks.md`` between ``<!-- bench:start -->`` and ``<!-- bench:end -->``:
  one table of all runs, then each script's numbers, flattened to ``key path | value`` rows.

The prose around that section (what each number means, before/after figures of past changes) is
written by people and kept as is.

    python -m bench                       # everything (about an hour on 2 cores)
    python -m bench --quick               # smaller settings (about 15 minutes)
    python -m bench --only text_accuracy recommender_quality
    python -m bench --list
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = ROOT / "bench"
DOCS = ROOT / "docs"
START_MARKER, END_MARKER = "<!-- bench:start -->", "<!-- bench:end -->"
MAX_ROWS_PER_BENCHMARK = 60  # long per-epoch series are summarised, not listed
MAX_LIST_ITEMS = 8


@dataclass(frozen=True)
class Benchmark:
    name: str
    measures: str
    arguments: tuple[str, ...] = ()
    quick_arguments: tuple[str, ...] | None = ()  # None: left out of --quick runs
    timeout_seconds: int = 3600


BENCHMARKS = (
    Benchmark("store_cache_hit", "model-store hit vs training (seed CNN)"),
    Benchmark("projects", "open a project (fresh process), resume it, the run list of 200 models"),
    Benchmark("cli_cache_hit", "second identical `python -m dl train image` (whole processes)", (), ("--images", "120", "--epochs", "3")),
    Benchmark("home_render", "home page first render vs a bare Streamlit page", ("--repeats", "5"), ("--repeats", "3")),
    Benchmark("app_cache_hit", "image page: result of a cache hit, then Grad-CAM (AppTest)"),
    Benchmark("concepts_rerun", "Concepts page rerun time", (), ("--repeats", "3")),
    Benchmark("lessons", "lesson figure compute times", (), ("--repeats", "2")),
    Benchmark("playground", "playground MLP vs plain Keras"),
    Benchmark("gradient_lab", "gradient-lab presets: problem and fix"),
    Benchmark("image_accuracy", "seed CNN accuracy, MNIST-5k and digits", (), ("--data", "digits")),
    Benchmark("image_throughput", "seed CNN training speed vs plain Keras fit", ("--rounds", "3"), ("--rounds", "1")),
    Benchmark("image_pretrained", "pretrained EfficientNet-Lite0, transfer learning, int8", (), None),
    Benchmark("text_accuracy", "text models vs TF-IDF baseline; speed vs plain Keras", (), ("--quick",)),
    Benchmark("recommender_quality", "MovieLens 100k: models vs baselines; speed vs plain Keras"),
    Benchmark("recommender_ranking", "default recommender's NDCG/Precision@10 vs the bias baseline: MovieLens and a long-tailed file"),
    Benchmark("recommender_fold_in", "new visitor's fold-in quality and speed"),
    Benchmark("own_data", "text defaults on small, imbalanced and noisy cuts vs TF-IDF and the majority class", (),
              ("--quick", "--seeds", "0")),
    Benchmark("image_small_data", "seed CNN on small and imbalanced cuts: old vs new defaults", (), ("--quick",)),
    Benchmark("bert_labeling", "MiniLM fine-tuning vs frozen baselines; labelling speed", ("--sentences", "2000"), ("--sentences", "300")),
    Benchmark("image_inside", "image 'Inside the model': one photo's layers, arithmetic and histograms", (), ("--repeats", "3")),
    Benchmark("text_inside", "text 'Inside the model': nearest words, token map, filters", (), ("--quick",)),
    Benchmark("bert_attention", "BERT attention view: one sentence, both models, the figures"),
    Benchmark("replay_cost", "recording a replay: the same training with and without it", ("--rounds", "5"), ("--rounds", "1")),
)


@dataclass
class Run:
    name: str
    command: str
    seconds: float
    peak_rss_mb: float
    exit_code: int
    result: Any = None
    error: str = ""
    when: str = field(default_factory=lambda: datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"))


def run_benchmark(benchmark: Benchmark, quick: bool) -> Run:
    """Run one script in a fresh process; its JSON, wall time, own peak RSS and exit code."""
    arguments = benchmark.quick_arguments if quick else benchmark.arguments
    command = [sys.executable, str(BENCH_DIR / f"{benchmark.name}.py"), *(arguments or ())]
    shown = " ".join(["python", f"bench/{benchmark.name}.py", *(arguments or ())])
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    output: list[str] = []
    reader = threading.Thread(target=lambda: output.append(child.stdout.read()), daemon=True)
    reader.start()
    timer = threading.Timer(benchmark.timeout_seconds, child.kill)
    timer.start()
    _, status, usage = os.wait4(child.pid, 0)  # this child's own rusage: its peak RSS, not the runner's
    timer.cancel()
    reader.join()
    child.returncode = os.waitstatus_to_exitcode(status)
    run = Run(benchmark.name, shown, time.perf_counter() - started, usage.ru_maxrss / 1024, child.returncode)
    try:
        run.result = last_json_document("".join(output))
    except ValueError as error:
        run.error = f"no JSON on stdout ({error})"
    if child.returncode != 0:
        run.error = f"exit code {child.returncode}" + (" (killed after the timeout)" if child.returncode == -9 else "")
    return run


def last_json_document(text: str) -> Any:
    """The last JSON object printed (scripts may print other lines before it)."""
    decoder = json.JSONDecoder()
    found = None
    position = text.find("{")
    while position != -1:
        try:
            found, end = decoder.raw_decode(text, position)
            position = text.find("{", end)
        except json.JSONDecodeError:
            position = text.find("{", position + 1)
    if found is None:
        raise ValueError("nothing parsed")
    return found


def flatten(value: Any, prefix: str = "") -> list[tuple[str, str]]:
    """``{"a": {"b": 1.23456}}`` -> ``[("a.b", "1.235")]``; short lists of scalars inline, long ones summarised."""
    if isinstance(value, dict):
        rows: list[tuple[str, str]] = []
        for key, item in value.items():
            rows += flatten(item, f"{prefix}.{key}" if prefix else str(key))
        return rows
    if isinstance(value, list):
        if all(not isinstance(item, (dict, list)) for item in value):
            if len(value) <= MAX_LIST_ITEMS:
                return [(prefix, ", ".join(format_value(item) for item in value))]
            return [(prefix, f"{len(value)} values, first {format_value(value[0])}, last {format_value(value[-1])}")]
        if len(value) > MAX_LIST_ITEMS:
            return [(prefix, f"{len(value)} records")]
        rows = []
        for index, item in enumerate(value):
            rows += flatten(item, f"{prefix}[{index}]")
        return rows
    return [(prefix, format_value(value))]


def format_value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def markdown_section(runs: list[Run]) -> str:
    """The generated part of docs/benchmarks.md, from every benchmark's latest run."""
    lines = [
        START_MARKER,
        f"## Latest runs of `python -m bench` ({os.cpu_count()} cores, Python {platform.python_version()})",
        "",
        "Written by `python -m bench`; the raw JSON is in `docs/bench-results.json`. Each script ran in a "
        "fresh process; peak RSS is that process's own maximum resident memory. Rows keep the date of their "
        "own run when only some benchmarks were rerun (`--only`).",
        "",
        "| benchmark | measures | command | finished | wall time | peak RSS | status |",
        "|---|---|---|---|---|---|---|",
    ]
    measures = {benchmark.name: benchmark.measures for benchmark in BENCHMARKS}
    for run in runs:
        status = "ok" if not run.error else f"**failed**: {run.error}"
        lines.append(f"| {run.name} | {measures.get(run.name, '')} | `{run.command}` | {run.when} | {run.seconds:.0f} s | "
                     f"{run.peak_rss_mb:.0f} MB | {status} |")
    for run in runs:
        if run.result is None:
            continue
        rows = flatten(run.result)
        lines += ["", f"### {run.name}", "", "| result | value |", "|---|---|"]
        lines += [f"| {key} | {value} |" for key, value in rows[:MAX_ROWS_PER_BENCHMARK]]
        if len(rows) > MAX_ROWS_PER_BENCHMARK:
            lines.append(f"| … | {len(rows) - MAX_ROWS_PER_BENCHMARK} more in docs/bench-results.json |")
    lines.append(END_MARKER)
    return "\n".join(lines)


def write_section(document: str, section: str) -> str:
    """Replace the generated section of ``document`` (or insert it before the first ``## `` after
    the summary table: right after the hand-written summary)."""
    if START_MARKER in document and END_MARKER in document:
        head, rest = document.split(START_MARKER, 1)
        return head + section + rest.split(END_MARKER, 1)[1]
    anchor = document.find("\n## ", document.find("## Summary") + 1)
    if anchor == -1:
        return document.rstrip("\n") + "\n\n" + section + "\n"
    return document[: anchor + 1] + section + "\n\n" + document[anchor + 1:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller settings; skips the slowest benchmarks")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="run only these benchmarks")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    parser.add_argument("--docs", type=Path, default=DOCS, help="folder of benchmarks.md and bench-results.json")
    args = parser.parse_args(argv)
    if args.list:
        for benchmark in BENCHMARKS:
            print(f"{benchmark.name:22} {benchmark.measures}")
        return 0
    unknown = set(args.only or ()) - {benchmark.name for benchmark in BENCHMARKS}
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))} (see --list)")
    chosen = [benchmark for benchmark in BENCHMARKS if (not args.only or benchmark.name in args.only)
              and not (args.quick and benchmark.quick_arguments is None and not args.only)]
    runs = []
    for benchmark in chosen:
        print(f"running {benchmark.name} …", file=sys.stderr, flush=True)
        run = run_benchmark(benchmark, args.quick)
        print(f"  {run.seconds:.0f} s, {'ok' if not run.error else run.error}", file=sys.stderr, flush=True)
        runs.append(run)
    args.docs.mkdir(parents=True, exist_ok=True)
    results_file = args.docs / "bench-results.json"
    latest = {name: Run(name=name, **fields) for name, fields in
              (json.loads(results_file.read_text()) if results_file.is_file() else {}).items()}
    latest.update({run.name: run for run in runs})
    ordered = [latest[benchmark.name] for benchmark in BENCHMARKS if benchmark.name in latest]
    results_file.write_text(json.dumps({run.name: {key: value for key, value in asdict(run).items() if key != "name"}
                                        for run in ordered}, indent=2, ensure_ascii=False) + "\n")
    markdown = args.docs / "benchmarks.md"
    document = markdown.read_text() if markdown.is_file() else "# Benchmarks\n"
    markdown.write_text(write_section(document, markdown_section(ordered)))
    print(f"wrote {markdown} and {results_file}", file=sys.stderr)
    return 0 if all(not run.error for run in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
