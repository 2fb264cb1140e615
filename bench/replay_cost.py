"""What recording a replay costs (issue 25.5; goal: at most 5 % of training time).

The same training with and without the per-epoch snapshots, alternated, several rounds:
- the playground (XOR, 400 points, 30 epochs, the page's defaults), ``PlaygroundRun(record=True/False)``;
- the seed CNN on the built-in 8x8 digits (15 epochs, no early stopping), with ``dl.replay``'s callback
  or a do-nothing one in its place.
Prints JSON: median CPU seconds (all threads; on a shared machine wall time says less) and wall seconds
of each, their ratio, and the replay file's size.
    python bench/replay_cost.py [--rounds 3]
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import dl.image.cnn as cnn  # noqa: E402
from dl.image.dataset import load_builtin  # noqa: E402
from dl.jobs import run_inline  # noqa: E402
from dl.lessons.playground import PlaygroundConfig, PlaygroundDataConfig, PlaygroundRun, make_playground_data  # noqa: E402
from dl.replay import REPLAY_FILE, replay_callback  # noqa: E402
from dl.store import ModelStore  # noqa: E402


def timed(work) -> tuple[float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    work()
    return time.process_time() - cpu, time.perf_counter() - wall


def playground(record: bool) -> None:
    data = make_playground_data(PlaygroundDataConfig(dataset="xor", num_points=400))
    run_inline(lambda reporter: PlaygroundRun(PlaygroundConfig(), data, record=record).train(30, reporter))


def image(record: bool, sizes: list[int]) -> None:
    import keras

    cnn.replay_callback = replay_callback if record else (lambda epochs: keras.callbacks.Callback())
    config = cnn.ImageClassifierConfig(epochs=15, early_stopping=False, scale_to_data=False)
    with tempfile.TemporaryDirectory() as folder:
        trained = run_inline(lambda reporter: cnn.train_image_classifier(config, DIGITS, reporter, ModelStore(folder)))
        replay = Path(trained.model_path).parent / REPLAY_FILE
        if replay.is_file():
            sizes.append(replay.stat().st_size)


def summary(rows: list[tuple[float, float]]) -> dict:
    return {"cpu_seconds": round(statistics.median(cpu for cpu, _ in rows), 3),
            "wall_seconds": round(statistics.median(wall for _, wall in rows), 3)}


DIGITS = load_builtin("digits")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    playground(True), image(True, [])  # warm-up: imports and the first graph traces
    results, sizes = {}, []
    for name, work in (("playground", playground), ("image_seed_cnn", lambda record: image(record, sizes))):
        recorded, plain = [], []
        for _ in range(args.rounds):
            recorded.append(timed(lambda work=work: work(True)))
            plain.append(timed(lambda work=work: work(False)))
        results[name] = {"with_replay": summary(recorded), "without": summary(plain)}
        results[name]["cpu_ratio"] = round(results[name]["with_replay"]["cpu_seconds"] / results[name]["without"]["cpu_seconds"], 3)
        results[name]["wall_ratio"] = round(results[name]["with_replay"]["wall_seconds"] / results[name]["without"]["wall_seconds"], 3)
    results["image_seed_cnn"]["replay_file_bytes"] = max(sizes) if sizes else None
    print(json.dumps({"benchmark": "replay_cost", "rounds": args.rounds, "load_average": round(os.getloadavg()[0], 1), **results},
                     indent=2))


if __name__ == "__main__":
    main()
