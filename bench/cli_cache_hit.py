"""A second identical `python -m dl train image --data ZIP --json` against the first, whole processes.

The second run finds its model in the store: it should print the stored result without importing
TensorFlow. Prints JSON: seconds of each run (median of 3 for the hit), their ratio, whether the
hit imported TensorFlow. Run: python bench/cli_cache_hit.py [--images 240] [--epochs 8]
"""

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent


def shapes_zip(path: Path, images: int) -> None:
    """``images`` noisy 64x64 PNGs, half with a vertical bar and half with a horizontal one."""
    rng = np.random.default_rng(0)
    with zipfile.ZipFile(path, "w") as archive:
        for index in range(images):
            kind = "bars" if index % 2 else "stripes"
            pixels = rng.integers(0, 60, (64, 64, 3)).astype(np.uint8)
            offset = int(rng.integers(8, 48))
            if kind == "bars":
                pixels[:, offset:offset + 8] = 220
            else:
                pixels[offset:offset + 8, :] = 220
            buffer = io.BytesIO()
            Image.fromarray(pixels).save(buffer, format="PNG")
            archive.writestr(f"{kind}/{index}.png", buffer.getvalue())


def timed_run(arguments: list[str], environment: dict[str, str]) -> tuple[float, dict]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "dl", *arguments], cwd=ROOT, env=environment,
                          capture_output=True, text=True, check=True)
    return time.perf_counter() - started, json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, default=240)
    parser.add_argument("--epochs", type=int, default=8)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-cli-"))
    data = folder / "shapes.zip"
    shapes_zip(data, args.images)
    environment = {**os.environ, "DL_CACHE_DIR": str(folder / "cache"), "TF_CPP_MIN_LOG_LEVEL": "2"}
    command = ["train", "image", "--data", str(data), "--epochs", str(args.epochs), "--json"]
    first_seconds, first = timed_run(command, environment)
    hits = [timed_run(command, environment) for _ in range(3)]
    hit_seconds = statistics.median(seconds for seconds, _ in hits)
    probe = subprocess.run(
        [sys.executable, "-c", "import sys, runpy; sys.argv = ['dl', *sys.argv[1:]]\n"
         "try:\n    runpy.run_module('dl', run_name='__main__')\nexcept SystemExit:\n    pass\n"
         "print('tensorflow' in sys.modules, file=sys.stderr)", *command],
        cwd=ROOT, env=environment, capture_output=True, text=True, check=True,
    )
    print(json.dumps({
        "images": args.images, "epochs": args.epochs,
        "first_run_seconds": round(first_seconds, 2), "cache_hit_seconds": round(hit_seconds, 2),
        "ratio": round(hit_seconds / first_seconds, 3),
        "hit_imports_tensorflow": probe.stderr.strip().splitlines()[-1] == "True",
        "same_result": all(result["accuracy"] == first["accuracy"] for _, result in hits),
        "from_cache": [result["from_cache"] for _, result in hits],
    }, indent=2))


if __name__ == "__main__":
    main()
