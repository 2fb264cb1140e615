"""Big image sets from disk (issue 27.3): peak memory of 20,000 photos against 2,000, and training speed.

Zips of real photo crops (``tests/dl/photo_zip.py``: sklearn's flower and temple photos and upscaled
MNIST digits, 128x128 JPEG, 3 classes) are read and trained on through the real path
(``read_image_zip`` -> ``train_image_classifier``, a fresh cache folder), each run in its own process so
its peak resident size (``ru_maxrss``, the kernel's high-water mark of the process's RSS) is its own.

1. Memory: the same run on 2,000 and on 20,000 photos with the default settings (2,000 stay in memory,
   20,000 pass ``DISK_THRESHOLD_BYTES`` and go to disk, every batch streamed from the file). Goal:
   under 500 MB apart. Also the idle size (after importing TensorFlow, before reading) so the growth
   over it can be read off.
2. Throughput: one set trained in each of ``MODES`` (in turn, ``--rounds`` times; medians), the images per
   second of ``model.fit`` (``metrics["fit_seconds"]``) and of the whole training call (preparing the
   pixels included). Goal: disk >= 0.9x memory.

    python bench/image_streaming.py [--big 20000] [--small 2000] [--speed 2000] [--epochs 2] [--speed-epochs 4] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "dl"))  # photo_zip and image_photos: the photos the tests use
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def current_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


MODES = {  # how a run keeps its images
    "default": "the app's own choice: in memory up to 256 MiB of stored pixels, on disk above",
    "memory": "in memory whatever the size (the path before issue 27.3)",
    "disk": "on disk whatever the size: every batch read from the file and prepared as training goes",
}


def one_run(zip_path: str, epochs: int, mode: str) -> dict:
    """Read one zip and train on it in this process; what it cost."""
    import tensorflow  # noqa: F401 - loaded first, so the idle size counts it

    from dl.image.cnn import ImageClassifierConfig, train_image_classifier
    from dl.image.disk import is_on_disk
    from dl.image.uploads import UploadLimits, read_image_zip
    from dl.jobs import run_inline
    from dl.store import ModelStore

    idle = current_mib()
    limits = UploadLimits(disk_threshold_bytes={"memory": 2**62, "disk": 1}.get(mode))
    started = time.perf_counter()
    dataset = read_image_zip(Path(zip_path).read_bytes(), Path(zip_path).name, limits)
    read_seconds = time.perf_counter() - started
    after_read = peak_mib()
    config = ImageClassifierConfig(epochs=epochs, early_stopping=False)
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        trained = run_inline(lambda reporter: train_image_classifier(config, dataset, reporter, ModelStore(folder)))
        train_seconds = time.perf_counter() - started
    metrics = trained.metrics
    seen = metrics["train_images"] * metrics["epochs_run"]
    return {
        "images": len(dataset.labels), "on_disk": is_on_disk(dataset.images),
        "idle_rss_mib": round(idle, 1), "peak_rss_after_read_mib": round(after_read, 1), "peak_rss_mib": round(peak_mib(), 1),
        "read_seconds": round(read_seconds, 2), "train_seconds": round(train_seconds, 2),
        "fit_seconds": metrics["fit_seconds"], "fit_images_per_second": round(seen / metrics["fit_seconds"], 1),
        "train_call_images_per_second": round(seen / train_seconds, 1), "accuracy": round(metrics["accuracy"], 4),
    }


def in_subprocess(zip_path: Path, epochs: int, mode: str) -> dict:
    with tempfile.TemporaryDirectory() as cache:
        completed = subprocess.run(
            [sys.executable, __file__, "--worker", str(zip_path), "--epochs", str(epochs), "--mode", mode],
            capture_output=True, text=True, env={**os.environ, "DL_CACHE_DIR": cache}, check=False,
        )
    if completed.returncode != 0:
        raise RuntimeError(completed.stderr[-3000:])
    return json.loads(completed.stdout.strip().splitlines()[-1])


def photo_zip_file(per_class: int, folder: Path) -> Path:
    from photo_zip import photo_zip

    path = folder / f"photos-{3 * per_class}.zip"
    if not path.exists():
        path.write_bytes(photo_zip(per_class, seed=per_class))
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--big", type=int, default=20_000)
    parser.add_argument("--small", type=int, default=2_000)
    parser.add_argument("--speed", type=int, default=2_000, help="images of the memory-against-disk speed runs")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--speed-epochs", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--zips", default=str(Path(tempfile.gettempdir()) / "dl-bench-photo-zips"))
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--mode", default="default", choices=tuple(MODES), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(one_run(args.worker, args.epochs, args.mode)))
        return
    folder = Path(args.zips)
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    big, small = photo_zip_file(args.big // 3, folder), photo_zip_file(args.small // 3, folder)
    speed_zip = photo_zip_file(args.speed // 3, folder)
    zips_seconds = time.perf_counter() - started
    memory = {"small": in_subprocess(small, args.epochs, "default"), "big": in_subprocess(big, args.epochs, "default")}
    speed_runs: dict[str, list[dict]] = {"memory": [], "disk": []}
    for _ in range(args.rounds):  # in turn, so a busy moment on a shared machine hits every mode
        for mode in speed_runs:
            speed_runs[mode].append(in_subprocess(speed_zip, args.speed_epochs, mode))

    def median(mode: str, key: str) -> float:
        return float(np.median([run[key] for run in speed_runs[mode]]))

    speed = {mode: {key: median(mode, key) for key in ("fit_images_per_second", "train_call_images_per_second")}
             for mode in speed_runs}
    print(json.dumps({
        "modes": MODES, "zip_bytes": {"small": small.stat().st_size, "big": big.stat().st_size},
        "zips_seconds": round(zips_seconds, 1), "epochs": args.epochs, "speed_epochs": args.speed_epochs,
        "rss": "ru_maxrss of each run's own process (its peak resident size), MiB",
        "memory_runs": memory,
        "peak_rss_difference_mib": round(memory["big"]["peak_rss_mib"] - memory["small"]["peak_rss_mib"], 1),
        "big_growth_over_idle_mib": round(memory["big"]["peak_rss_mib"] - memory["big"]["idle_rss_mib"], 1),
        "speed_medians": speed,
        "fit_speed_over_memory": {mode: round(speed[mode]["fit_images_per_second"] / speed["memory"]["fit_images_per_second"], 3)
                                  for mode in ("disk",)},
        "train_call_speed_over_memory": {
            mode: round(speed[mode]["train_call_images_per_second"] / speed["memory"]["train_call_images_per_second"], 3)
            for mode in ("disk",)},
        "speed_runs": speed_runs,
    }, indent=1))


if __name__ == "__main__":
    main()
