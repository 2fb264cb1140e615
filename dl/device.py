"""Which hardware training runs on: GPUs for TensorFlow and PyTorch, distribution, precision.

The decisions are pure functions of a device list and the environment (``choose_strategy_kind``,
``choose_torch_device``, ``should_use_mixed_precision``) so they are testable on a machine without a
GPU; the thin wrappers around them (``tensorflow_strategy``, ``torch_device``) ask the frameworks.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import json
import os
import platform
import shutil
import subprocess
import threading
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

STRATEGY_DEFAULT = "default"
STRATEGY_MIRRORED = "mirrored"
STRATEGY_MULTI_WORKER = "multi_worker"

FRAMEWORK_PACKAGES = ("tensorflow", "keras", "torch", "transformers", "streamlit")


@dataclass(frozen=True)
class GpuInfo:
    index: int
    name: str
    memory_mib: int | None = None


def choose_strategy_kind(num_gpus: int, tf_config: str | None) -> str:
    """Pick a tf.distribute strategy kind from the local GPU count and the TF_CONFIG variable.

    Several workers named in TF_CONFIG win (multi-machine training); otherwise two or more local
    GPUs mirror the model across them; one GPU or none uses TensorFlow's default strategy, which
    places everything on that single device.
    """
    role = cluster_role(tf_config)
    if role is not None and role.workers >= 2:
        return STRATEGY_MULTI_WORKER
    if num_gpus >= 2:
        return STRATEGY_MIRRORED
    return STRATEGY_DEFAULT


@dataclass(frozen=True)
class ClusterRole:
    """This process's place in the cluster TF_CONFIG describes."""

    task_type: str  # "worker" or "chief" (evaluators and parameter servers are not used here)
    index: int
    workers: int  # every process that trains: the workers plus the chief, if the cluster names one
    has_chief: bool

    @property
    def is_chief(self) -> bool:
        """TensorFlow's rule: the ``chief`` task, or worker 0 when the cluster names no chief."""
        if self.has_chief:
            return self.task_type == "chief"
        return self.task_type == "worker" and self.index == 0


def cluster_role(tf_config: str | None) -> ClusterRole | None:
    """Parse TF_CONFIG; None when it is unset or unreadable.

    ``{"cluster": {"worker": ["a:1", "b:2"]}, "task": {"type": "worker", "index": 1}}`` gives
    ``ClusterRole("worker", 1, workers=2, has_chief=False)``.
    """
    if not tf_config:
        return None
    try:
        parsed = json.loads(tf_config)
        cluster, task = parsed.get("cluster", {}), parsed.get("task", {})
        chiefs = len(cluster.get("chief", []))
        return ClusterRole(str(task.get("type", "worker")), int(task.get("index", 0)),
                           len(cluster.get("worker", [])) + chiefs, chiefs > 0)
    except (ValueError, AttributeError, TypeError):
        return None


def is_chief_process(environ: Mapping[str, str] | None = None) -> bool:
    """Whether this process may write shared results (the model store): the only process, or the
    chief of a distributed run.

    TensorFlow (TF_CONFIG): see ``ClusterRole.is_chief``. PyTorch (``torchrun`` sets RANK): rank 0.
    Every other process trains alongside the chief but must not write the shared store.
    """
    environ = os.environ if environ is None else environ
    role = cluster_role(environ.get("TF_CONFIG"))
    if role is not None and not role.is_chief:
        return False
    return environ.get("RANK", "0") == "0"


def should_use_mixed_precision(num_gpus: int) -> bool:
    """Mixed float16 pays off on GPUs only; on CPUs it is slower and less accurate."""
    return num_gpus > 0


def choose_torch_device(cuda_device_count: int) -> str:
    """``cuda`` when PyTorch sees a GPU, else ``cpu``."""
    return "cuda" if cuda_device_count > 0 else "cpu"


def tensorflow_gpus() -> list[Any]:
    """TensorFlow's physical GPU devices, with memory growth on so jobs can share a card."""
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    for gpu in gpus:
        try:
            tf.config.experimental.set_memory_growth(gpu, True)
        except RuntimeError:  # already initialised: growth can only be set before first use
            pass
    return gpus


_multi_worker_strategy: Any = None
_multi_worker_lock = threading.Lock()


def tensorflow_strategy(environ: Mapping[str, str] | None = None) -> Any:
    """Return the tf.distribute strategy for this machine (see ``choose_strategy_kind``).

    With several workers in TF_CONFIG this must run before TensorFlow executes its first operation
    (MultiWorkerMirroredStrategy configures collective ops at start-up, else "Collective ops must be
    configured at program startup"); training code therefore asks for the strategy first. The
    multi-worker strategy is made once per process and then reused: a second one cannot be made.
    """
    import tensorflow as tf

    global _multi_worker_strategy
    environ = os.environ if environ is None else environ
    kind = choose_strategy_kind(len(tensorflow_gpus()), environ.get("TF_CONFIG"))
    if kind == STRATEGY_MULTI_WORKER:
        with _multi_worker_lock:
            if _multi_worker_strategy is None:
                _multi_worker_strategy = make_keras_multi_worker_strategy()
            return _multi_worker_strategy
    if kind == STRATEGY_MIRRORED:
        return tf.distribute.MirroredStrategy()
    return tf.distribute.get_strategy()


def make_keras_multi_worker_strategy() -> Any:
    """A ``tf.distribute.MultiWorkerMirroredStrategy`` that Keras 3's ``fit`` and ``predict`` can use.

    Keras 3 (checked: 3.15 with TensorFlow 2.21) calls ``strategy.reduce`` in two ways this strategy
    rejects, so the plain strategy fails in ``fit`` (keras-team/keras#20585, tensorflow#72388):
    on an (x, y) tuple of per-replica batches (the strategy reduces one value, not a structure:
    "Attempt to convert a value (PerReplica...) to a Tensor"), and with ``axis=0`` on scalar
    per-replica logs such as the loss ("Invalid reduction dimension 0 for input with 0
    dimensions"). This subclass reduces each value of a structure on its own, and a scalar across
    replicas only. A batch of strings (the text models' input, which Keras "averages" only to get a
    sample batch to build the model with) is returned as this worker's batch: collectives refuse
    strings. Everything else is the stock strategy.
    """
    import tensorflow as tf

    class KerasMultiWorkerMirroredStrategy(tf.distribute.MultiWorkerMirroredStrategy):
        def reduce(self, reduce_op, value, axis):  # noqa: D102 - see the function's docstring
            reduce_one_value = super().reduce

            def reduce_value(per_replica):
                local_value = self.experimental_local_results(per_replica)[0]
                if local_value.dtype == tf.string:  # a batch of texts: nothing to average
                    return local_value
                rank = local_value.shape.rank
                return reduce_one_value(reduce_op, per_replica, None if rank == 0 else axis)

            return tf.nest.map_structure(reduce_value, value)

    return KerasMultiWorkerMirroredStrategy()


def configure_keras_precision() -> str:
    """Set Keras' global dtype policy (mixed_float16 on GPU, float32 on CPU) and return its name."""
    import keras

    policy = "mixed_float16" if should_use_mixed_precision(len(tensorflow_gpus())) else "float32"
    keras.mixed_precision.set_global_policy(policy)
    return policy


def torch_device() -> str:
    """The torch device string training and inference should use."""
    import torch

    return choose_torch_device(torch.cuda.device_count() if torch.cuda.is_available() else 0)


# Threads PyTorch may use for inference. One, because the CPU is usually shared (a TensorFlow
# training job, other sessions): measured on the 2-core reference machine under load, one
# EfficientNet photo took 90-110 ms with 1 thread and 1,600-2,000 ms with 2 (busy-waiting threads
# starve each other); MiniLM on one sentence ~2 s with 2 threads, tens of ms with 1. Unloaded, 2
# threads took 24 ms per photo. ``$DL_TORCH_INFERENCE_THREADS`` overrides it.
TORCH_INFERENCE_THREADS = int(os.environ.get("DL_TORCH_INFERENCE_THREADS", "1"))

_torch_threads_lock = threading.Lock()
_torch_threads_users = 0
_torch_threads_before = 0


@contextlib.contextmanager
def limited_torch_threads(max_threads: int = TORCH_INFERENCE_THREADS) -> Iterator[None]:
    """Run the block with at most ``max_threads`` PyTorch threads, restoring the process setting when
    the last concurrent user leaves (``torch.set_num_threads`` is process-wide, blocks may overlap
    across browser sessions)."""
    import torch

    global _torch_threads_users, _torch_threads_before
    with _torch_threads_lock:
        if _torch_threads_users == 0:
            _torch_threads_before = torch.get_num_threads()
            torch.set_num_threads(max(1, min(max_threads, _torch_threads_before)))
        _torch_threads_users += 1
    try:
        yield
    finally:
        with _torch_threads_lock:
            _torch_threads_users -= 1
            if _torch_threads_users == 0:
                torch.set_num_threads(_torch_threads_before)


def detect_gpus_without_frameworks() -> list[GpuInfo]:
    """NVIDIA GPUs as the driver reports them, without importing TensorFlow or PyTorch.

    Used by the home page, which must stay light; returns [] when there is no driver.
    """
    if shutil.which("nvidia-smi"):
        try:
            output = subprocess.run(
                ["nvidia-smi", "--query-gpu=index,name,memory.total", "--format=csv,noheader,nounits"],
                capture_output=True, text=True, timeout=10, check=True,
            ).stdout
            return parse_nvidia_smi(output)
        except (OSError, subprocess.SubprocessError):
            pass
    gpus = []
    for index, info_file in enumerate(sorted(Path("/proc/driver/nvidia/gpus").glob("*/information"))):
        fields = dict(line.split(":", 1) for line in info_file.read_text().splitlines() if ":" in line)
        gpus.append(GpuInfo(index=index, name=fields.get("Model", "NVIDIA GPU").strip()))
    return gpus


def parse_nvidia_smi(output: str) -> list[GpuInfo]:
    """Parse ``nvidia-smi --query-gpu=index,name,memory.total --format=csv,noheader,nounits``."""
    gpus = []
    for line in output.strip().splitlines():
        parts = [part.strip() for part in line.split(",")]
        if len(parts) >= 2 and parts[0].isdigit():
            memory = int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else None
            gpus.append(GpuInfo(index=int(parts[0]), name=parts[1], memory_mib=memory))
    return gpus


def framework_versions() -> dict[str, str | None]:
    """Installed versions of the frameworks, read from package metadata (nothing is imported)."""
    versions: dict[str, str | None] = {}
    for package in FRAMEWORK_PACKAGES:
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = None
    return versions


def hardware_summary() -> dict[str, Any]:
    """CPU, memory and GPUs of this machine, cheap enough for the home page."""
    gpus = detect_gpus_without_frameworks()
    return {
        "cpu_cores": os.cpu_count() or 1,
        "cpu_name": platform.machine(),  # platform.processor() runs `uname -p` in a subprocess on Linux
        "memory_gib": _total_memory_gib(),
        "gpus": [asdict(gpu) for gpu in gpus],
        "runs_on": "gpu" if gpus else "cpu",
        "python": platform.python_version(),
        "versions": framework_versions(),
    }


def framework_devices() -> dict[str, Any]:
    """What TensorFlow and PyTorch themselves see (imports both; for the CLI and diagnostics)."""
    report: dict[str, Any] = {}
    try:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        gpus = tensorflow_gpus()
        report["tensorflow"] = {
            "gpus": [gpu.name for gpu in gpus],
            "strategy": choose_strategy_kind(len(gpus), os.environ.get("TF_CONFIG")),
            "mixed_precision": should_use_mixed_precision(len(gpus)),
            **worker_report(os.environ),
        }
    except ImportError as error:
        report["tensorflow"] = {"error": str(error)}
    try:
        import torch

        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        report["torch"] = {
            "device": choose_torch_device(count),
            "gpus": [torch.cuda.get_device_name(index) for index in range(count)],
        }
    except ImportError as error:
        report["torch"] = {"error": str(error)}
    return report


def worker_report(environ: Mapping[str, str]) -> dict[str, Any]:
    """This process's place in a TF_CONFIG cluster (for ``python -m dl info``), or {} when alone."""
    role = cluster_role(environ.get("TF_CONFIG"))
    if role is None:
        return {}
    return {"task": f"{role.task_type} {role.index}", "workers": role.workers, "chief": role.is_chief}


def _total_memory_gib() -> float | None:
    """Physical memory; POSIX ``sysconf`` first (psutil's import alone costs the home page ~10 ms)."""
    try:
        return round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (AttributeError, ValueError, OSError):  # Windows has no sysconf
        pass
    try:
        import psutil

        return round(psutil.virtual_memory().total / 2**30, 1)
    except ImportError:
        return None
