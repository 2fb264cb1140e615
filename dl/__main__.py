"""The command line: ``python -m dl info``, ``python -m dl train TASK ...``, ``python -m dl predict TASK ...``.

Task commands live beside their task: every ``dl/<task>/cli.py`` is found by ``task_clis()`` and
becomes ``python -m dl train <task>`` / ``predict <task>`` (adding a task adds a folder, not a line
here). Each ``cli.py`` exposes ``add_train_arguments(parser)``, ``train(args)``, ``add_predict_arguments(parser)`` and
``predict(args)``; a task may add its own top-level commands with ``add_commands(subparsers)`` (the
recommender's ``python -m dl recommend``). Results are printed as JSON; a DataError prints its
message to stderr and exits 2.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from dl import device  # noqa: E402
from dl.data.errors import DataError  # noqa: E402
from dl.store import ModelStore  # noqa: E402

PACKAGE_DIR = Path(__file__).resolve().parent


def task_clis() -> dict[str, str]:
    """Task name -> module of its CLI functions, for every ``dl/<task>/cli.py`` (sorted by name)."""
    return {folder.name: f"dl.{folder.name}.cli" for folder in sorted(PACKAGE_DIR.iterdir()) if (folder / "cli.py").is_file()}


TASK_CLIS = task_clis()


def info(args: argparse.Namespace) -> dict[str, Any]:
    """Devices, framework versions and the model cache, as a dict."""
    report: dict[str, Any] = {"hardware": device.hardware_summary()}
    if not args.quick:
        report["frameworks"] = device.framework_devices()
    store = ModelStore()
    report["cache"] = store.summary()
    report["cache"]["models"] = [
        {"key": entry.key[:16], "task": entry.meta.get("task"), "bytes": entry.size_bytes, "metrics": entry.meta.get("metrics", {})}
        for entry in store.entries()
    ]
    return report


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m dl",
        description="Deep Learning Playground from the command line. Tasks: " + ", ".join(TASK_CLIS) + ".",
        epilog="Examples: python -m dl info --quick · python -m dl train image --data digits --epochs 5 · "
               "python -m dl train TASK --help",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    info_parser = commands.add_parser("info", help="print devices, versions and the model cache as JSON")
    info_parser.add_argument("--quick", action="store_true", help="skip importing TensorFlow and PyTorch")
    info_parser.set_defaults(handler=info)
    train_parser = commands.add_parser("train", help="train a model (or load it from the cache)")
    predict_parser = commands.add_parser("predict", help="predict with a trained or pretrained model")
    train_tasks = train_parser.add_subparsers(dest="task", required=True, metavar="TASK", help=", ".join(TASK_CLIS))
    predict_tasks = predict_parser.add_subparsers(dest="task", required=True, metavar="TASK", help=", ".join(TASK_CLIS))
    for task, module_name in TASK_CLIS.items():
        module = importlib.import_module(module_name)
        summary = (module.__doc__ or "").strip().splitlines()[0] if module.__doc__ else ""
        module.add_train_arguments(train_tasks.add_parser(task, help=summary))
        module.add_predict_arguments(predict_tasks.add_parser(task, help=summary))
        if hasattr(module, "add_commands"):
            module.add_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        handler = getattr(args, "handler", None)
        if handler is not None:  # info, and commands a task added (e.g. recommend)
            result = handler(args)
        else:
            module = importlib.import_module(TASK_CLIS[args.task])
            result = getattr(module, args.command)(args)
    except DataError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if result is not None:
        print(json.dumps(result, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
