"""The command line: ``python -m dl info``, ``python -m dl train TASK ...``, ``python -m dl predict TASK ...``.

Task commands live beside their task: every ``dl/<task>/cli.py`` is found by ``task_clis()`` and
becomes ``python -m dl train <task>`` / ``predict <task>`` (adding a task adds a folder, not a line
here). Each ``cli.py`` exposes ``add_train_arguments(parser)``, ``train(args)``, ``add_predict_arguments(parser)`` and
``predict(args)``; a task may add its own top-level commands with ``add_commands(subparsers)`` (the
recommender's ``python -m dl recommend``). A handler prints its own output (a summary for people,
or JSON with ``--json``) and returns an exit code, or None for 0. Every ``train(args)`` is
``dl.train_command.run_train_command(args, train_command)``: the task's ``train_command`` reads the
data, makes the config and names its result fields and summary rows; the cache lookup, the
progress and the report are the same for all.

Exit codes: 0 success; 2 the input was refused (a ``DataError`` or a usage error: one line on
stderr); 1 anything else (with a hint to run with ``--verbose``); 130 interrupted with Ctrl+C.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import dl
from dl import console, device
from dl.data.errors import DataError

PACKAGE_DIR = Path(__file__).resolve().parent

EXIT_OK, EXIT_FAILED, EXIT_REFUSED, EXIT_INTERRUPTED = 0, 1, 2, 130

EXIT_CODES_HELP = (
    "exit codes: 0 success · 2 the input was refused (the reason is printed on one line) · "
    "1 anything else (run again with --verbose for the traceback) · 130 interrupted"
)


def task_clis() -> dict[str, str]:
    """Task name -> module of its CLI functions, for every ``dl/<task>/cli.py`` (sorted by name)."""
    return {
        folder.name: f"dl.{folder.name}.cli"
        for folder in sorted(PACKAGE_DIR.iterdir())
        if (folder / "cli.py").is_file()
    }


TASK_CLIS = task_clis()


def info_report(quick: bool) -> dict[str, Any]:
    """Devices, framework versions and the model cache, as a dict."""
    from dl.store import ModelStore

    report: dict[str, Any] = {"hardware": device.hardware_summary()}
    if not quick:
        report["frameworks"] = device.framework_devices()
    store = ModelStore()
    report["cache"] = store.summary()
    report["cache"]["models"] = [
        {
            "key": entry.key[:16],
            "task": entry.meta.get("task"),
            "bytes": entry.size_bytes,
            "metrics": entry.meta.get("metrics", {}),
            "data": entry.meta.get("data", {}).get("source"),
        }
        for entry in store.entries()
    ]
    return report


def info(args: argparse.Namespace) -> None:
    report = info_report(args.quick)
    if args.json:
        print(json.dumps(report, indent=2, default=str))
        return
    hardware = report["hardware"]
    gpus = ", ".join(gpu.get("name", "?") for gpu in hardware["gpus"]) or "none (training runs on the CPU)"
    rows: list[tuple[str, Any]] = [
        ("CPU", f"{hardware['cpu_cores']} cores ({hardware['cpu_name']})"),
        ("memory", f"{hardware['memory_gib']} GiB" if hardware["memory_gib"] else None),
        ("GPUs", gpus),
        ("Python", hardware["python"]),
        *[(name, version or "not installed") for name, version in hardware["versions"].items()],
    ]
    for framework, seen in report.get("frameworks", {}).items():
        rows.append((f"{framework} sees", seen.get("error") or describe_framework(seen)))
    console.print_summary(f"Deep Learning Playground {dl.__version__}", rows)
    cache = report["cache"]
    print()
    console.print_summary(
        "Model cache",
        [
            ("folder", cache["folder"]),
            (
                "models",
                f"{cache['entries']} ({cache['bytes'] / 2**20:.1f} MiB of {cache['max_bytes'] / 2**30:.1f} GiB)",
            ),
            *[(model["task"] or "?", model_line(model)) for model in cache["models"]],
        ],
    )


STRATEGY_NAMES = {
    device.STRATEGY_DEFAULT: "one device",
    device.STRATEGY_MIRRORED: "MirroredStrategy over every GPU",
    device.STRATEGY_MULTI_WORKER: "MultiWorkerMirroredStrategy (TF_CONFIG)",
}


def describe_framework(seen: dict[str, Any]) -> str:
    devices = ", ".join(seen.get("gpus") or []) or "no GPU"
    chosen = seen.get("strategy") or seen.get("device")
    if not chosen:
        return devices
    where = STRATEGY_NAMES.get(chosen, chosen)
    if seen.get("task"):  # one process of a TF_CONFIG cluster
        where += f", as {seen['task']} of {seen['workers']} workers" + (" (chief)" if seen.get("chief") else "")
    return f"{devices}; trains on {where}"


def model_line(model: dict[str, Any]) -> str:
    metrics = model["metrics"]
    score = (
        f"accuracy {console.percent(metrics['accuracy'])}"
        if isinstance(metrics.get("accuracy"), float)
        else f"RMSE {metrics['rmse']:.3f}"
        if isinstance(metrics.get("rmse"), float)
        else ""
    )
    return "  ".join(
        part
        for part in (model["key"], str(model.get("data") or ""), score, f"{model['bytes'] / 2**20:.1f} MiB")
        if part
    )


def cache(args: argparse.Namespace) -> int:
    """``python -m dl cache [--clear]``: the model cache's folder, entries and size; ``--clear`` empties it.

    On a hosted app (DL_HOSTED) this is the only way to clear the cache: the page has no button for it.
    """
    from dl.store import ModelStore

    store = ModelStore()
    summary = store.summary()
    if args.clear:
        freed = store.clear()
        print(f"cleared {summary['entries']} models ({freed / 2**20:.1f} MiB) from {summary['folder']}")
    else:
        print(f"{summary['folder']}: {summary['entries']} models, {summary['bytes'] / 2**20:.1f} MiB")
    return EXIT_OK


def open_project(args: argparse.Namespace) -> int:
    """``python -m dl open PROJECT.zip``: check a project file and print its summary (exit 2 if refused)."""
    from dl.project import project_summary, read_project

    path = Path(args.project)
    if not path.is_file():
        raise DataError(f"{args.project} is not a file.")
    summary = project_summary(read_project(path.read_bytes(), path.name))
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, default=str))
        return EXIT_OK
    print(f"{summary['file']}: a {summary['task']} model on {summary['data']} "
          f"({'built-in' if summary['builtin'] else 'data inside the project'}), {summary['epochs_run']} epochs")
    for name, value in summary["metrics"].items():
        print(f"  {name}: {value:.4g}" if isinstance(value, float) else f"  {name}: {value}")
    print("  settings: " + ", ".join(f"{name}={value}" for name, value in summary["settings"].items()))
    print(f"  saved by app {summary['app_version']}; " + ", ".join(f"{name} {version}" for name, version in summary["versions"].items()))
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--verbose",
        action="store_true",
        default=argparse.SUPPRESS,  # a subcommand keeps a --verbose given before it
        help="show the frameworks' logs and warnings, and the traceback of an unexpected error",
    )
    parser = argparse.ArgumentParser(
        prog="python -m dl",
        parents=[common],
        description="Deep Learning Playground from the command line. Tasks: " + ", ".join(TASK_CLIS) + ".",
        epilog="examples: python -m dl info · python -m dl train image --data digits --epochs 5 · "
        "python -m dl train TASK --help\n" + EXIT_CODES_HELP,
    )
    parser.add_argument("--version", action="version", version=f"Deep Learning Playground {dl.__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    info_parser = commands.add_parser(
        "info",
        parents=[common],
        help="devices, versions and the model cache",
        description="Devices, framework versions and the model cache.",
        epilog=EXIT_CODES_HELP,
    )
    info_parser.add_argument("--quick", action="store_true", help="skip importing TensorFlow and PyTorch")
    info_parser.add_argument("--json", action="store_true", help="print the report as JSON")
    info_parser.set_defaults(handler=info)
    cache_parser = commands.add_parser("cache", parents=[common], help="the model cache: its size, or --clear it",
                                       description="The model cache's folder, models and size.", epilog=EXIT_CODES_HELP)
    cache_parser.add_argument("--clear", action="store_true", help="delete every cached model (the operator's job on a hosted app)")
    cache_parser.set_defaults(handler=cache)
    open_parser = commands.add_parser("open", parents=[common], help="check a project file and print what it holds",
                                      description="Check a project file (.zip from --save-project or the app's Save project) "
                                                  "and print its task, data, settings and results.", epilog=EXIT_CODES_HELP)
    open_parser.add_argument("project", metavar="PROJECT.zip")
    open_parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    open_parser.set_defaults(handler=open_project)
    train_parser = commands.add_parser("train", help="train a model (or load it from the cache)")
    predict_parser = commands.add_parser("predict", help="predict with a trained or pretrained model")
    train_tasks = train_parser.add_subparsers(dest="task", required=True, metavar="TASK", help=", ".join(TASK_CLIS))
    predict_tasks = predict_parser.add_subparsers(dest="task", required=True, metavar="TASK", help=", ".join(TASK_CLIS))
    for task, module_name in TASK_CLIS.items():
        module = importlib.import_module(module_name)
        summary = (module.__doc__ or "").strip().splitlines()[0] if module.__doc__ else ""
        options = {"help": summary, "parents": [common], "epilog": EXIT_CODES_HELP}
        train_task = train_tasks.add_parser(task, **options)
        module.add_train_arguments(train_task)
        train_task.add_argument("--project", metavar="PROJECT.zip",
                                help="resume this project's model for --epochs N more epochs, on its own data and settings "
                                     "(image CNN, text, recommender, BERT)")
        train_task.add_argument("--save-project", metavar="PROJECT.zip",
                                help="also write a project file: the model, its settings, results and data "
                                     "(open it with `python -m dl open` or on the app's pages)")
        module.add_predict_arguments(predict_tasks.add_parser(task, **options))
        if hasattr(module, "add_commands"):
            module.add_commands(commands, common)
    return parser


def run(args: argparse.Namespace) -> int | None:
    handler = getattr(args, "handler", None)
    if handler is None:  # train / predict TASK
        handler = getattr(importlib.import_module(TASK_CLIS[args.task]), args.command)
    return handler(args)


def main(argv: Sequence[str] | None = None, hide_native_logs: bool = False) -> int:
    """Parse, run, and turn the outcome into an exit code (see the module docstring).

    ``hide_native_logs`` (set when run as ``python -m dl``) also sends C++ output on descriptor 2
    to /dev/null unless ``--verbose``; see ``dl.console``.
    """
    args = build_parser().parse_args(argv)
    args.verbose = getattr(args, "verbose", False)
    if not args.verbose:
        console.quiet_frameworks()
        if hide_native_logs:
            console.native_stderr_to_devnull()
    try:
        code = run(args)
    except DataError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_REFUSED
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # the reader went away (``| head``): stop quietly, as Unix tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILED
    except Exception as error:  # noqa: BLE001 - the CLI's last word: a message, not a crash
        if args.verbose:
            traceback.print_exc()
        print(f"error: {type(error).__name__}: {error}", file=sys.stderr)
        if not args.verbose:
            print(f"({console.VERBOSE_HINT})", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK if code is None else code


if __name__ == "__main__":
    sys.exit(main(hide_native_logs=True))
