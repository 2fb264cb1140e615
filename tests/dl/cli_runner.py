"""Run ``python -m dl ...`` (or an exported ``predict.py``) in a subprocess, as a user would.

``run_cli`` runs the CLI in-process of a fresh interpreter and prints, as the last line on stderr,
whether ``framework`` was imported: a cache hit must answer without TensorFlow or PyTorch.
Import as ``from cli_runner import run_cli`` (tests/dl is on sys.path, see tests/conftest.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def probe(framework: str) -> str:
    return (
        "import runpy, sys\n"
        "sys.argv = ['dl', *sys.argv[1:]]\n"
        "try:\n    runpy.run_module('dl', run_name='__main__')\n"
        "except SystemExit as exit:\n    if exit.code:\n        sys.exit(exit.code)\n"
        f"print('{framework} imported:', '{framework}' in sys.modules, file=sys.stderr)\n"
    )


def run_cli(arguments: list[str], cache: Path, cwd: Path = ROOT, script: str | None = None,
            framework: str = "tensorflow") -> subprocess.CompletedProcess:
    """``python -m dl *arguments`` (or ``python script *arguments`` in ``cwd``) with its own model cache."""
    command = [sys.executable, script] if script else [sys.executable, "-c", probe(framework)]
    return subprocess.run([*command, *arguments], cwd=cwd, capture_output=True, text=True, timeout=900,
                          env={**os.environ, "DL_CACHE_DIR": str(cache)})
