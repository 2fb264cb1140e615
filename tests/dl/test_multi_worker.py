"""Distributed training for real, on localhost, as on several machines (docs/gpu.md).

Keras: two `python -m dl train image` processes form one MultiWorkerMirroredStrategy cluster
through TF_CONFIG, each with its own model cache as separate machines would have. BERT:
`torchrun --nproc_per_node 2` runs two ranks of `python -m dl train bert` (gloo on the CPU). In both,
every process must finish with the same metrics (one synchronised model), and only the chief
(worker 0, rank 0) writes the model cache; the others keep their copy in a temporary folder.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for probe in sockets:
            probe.bind(("127.0.0.1", 0))
        return [probe.getsockname()[1] for probe in sockets]
    finally:
        for probe in sockets:
            probe.close()


def tf_config(ports: list[int], index: int) -> str:
    return json.dumps({"cluster": {"worker": [f"localhost:{port}" for port in ports]},
                       "task": {"type": "worker", "index": index}})


@pytest.mark.timeout(420)
def test_two_workers_train_one_image_model(tmp_path):
    ports = free_ports(2)
    workers = []
    started = time.perf_counter()
    for index in range(2):
        folder = tmp_path / f"worker{index}"
        (folder / "tmp").mkdir(parents=True)
        environment = {**os.environ, "TF_CONFIG": tf_config(ports, index), "DL_CACHE_DIR": str(folder / "cache"),
                       "TMPDIR": str(folder / "tmp"), "CUDA_VISIBLE_DEVICES": ""}
        workers.append(subprocess.Popen(
            [sys.executable, "-m", "dl", "train", "image", "--data", "digits", "--epochs", "1", "--json"],
            cwd=REPO, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        ))
    try:
        outputs = [worker.communicate(timeout=400) for worker in workers]
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
    seconds = time.perf_counter() - started
    for worker, (_, stderr) in zip(workers, outputs):
        assert worker.returncode == 0, stderr[-2000:]
    chief, helper = (json.loads(stdout.strip().splitlines()[-1]) for stdout, _ in outputs)
    print(f"two workers: accuracy {chief['accuracy']:.3f} in {seconds:.1f} s")
    assert chief["accuracy"] > 0.5  # ten classes: chance is 0.1
    assert helper["accuracy"] == pytest.approx(chief["accuracy"])  # one synchronised model
    assert Path(chief["model"]).is_relative_to(tmp_path / "worker0" / "cache")
    assert Path(helper["model"]).is_relative_to(tmp_path / "worker1" / "tmp")
    assert not (tmp_path / "worker1" / "cache").exists() or not any((tmp_path / "worker1" / "cache").iterdir())


@pytest.mark.timeout(420)
def test_torchrun_two_ranks_fine_tune_bert(tmp_path):
    torchrun = Path(sys.executable).parent / "torchrun"
    assert torchrun.exists(), "torchrun comes with torch (a requirement): the install is broken"
    (tmp_path / "tmp").mkdir()
    environment = {**os.environ, "DL_CACHE_DIR": str(tmp_path / "cache"), "TMPDIR": str(tmp_path / "tmp"),
                   "CUDA_VISIBLE_DEVICES": ""}
    environment.pop("TF_CONFIG", None)
    result = subprocess.run(
        [str(torchrun), "--nproc_per_node", "2", "--master_port", str(free_ports(1)[0]), "-m", "dl", "train", "bert",
         "--data", "rotten_tomatoes", "--max-samples", "40", "--epochs", "1", "--json"],
        cwd=REPO, env=environment, capture_output=True, text=True, timeout=400,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert len(lines) == 2  # one result per rank
    chief = next(line for line in lines if "notes" not in line)
    helper = next(line for line in lines if "notes" in line)
    assert helper["accuracy"] == pytest.approx(chief["accuracy"])
    assert Path(chief["model"]).is_relative_to(tmp_path / "cache")
    assert Path(helper["model"]).is_relative_to(tmp_path / "tmp")
