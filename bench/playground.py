"""Benchmark of the Concepts page's computations; prints JSON.

* playground: the playground's incremental Keras run (per-epoch boundary grid + progress reporting)
  against a plain ``model.fit`` of the same network on the same points: seconds, ratio, test accuracy.
  Also what one "Step" (one more epoch) costs and what one boundary grid costs.
* regularization: wall time of each live figure's computation (the target is < 2 s each).
* peak resident memory of this process.

Run: ``python bench/playground.py`` (TensorFlow is imported before any timing starts).
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from dl.jobs import run_inline  # noqa: E402
from dl.lessons import regularization  # noqa: E402
from dl.lessons.playground import PlaygroundConfig, PlaygroundDataConfig, PlaygroundRun, make_playground_data  # noqa: E402

CASES = {
    "circles": (PlaygroundDataConfig(dataset="circles"), PlaygroundConfig(epochs=30)),
    "spiral": (PlaygroundDataConfig(dataset="spiral", noise=0.05),
               PlaygroundConfig(hidden_layers=(32, 32), activation="relu", learning_rate=0.01, epochs=60)),
}


def plain_keras(config: PlaygroundConfig, data) -> tuple[float, float]:
    """The same MLP written as a plain Keras script: (seconds for fit, test accuracy)."""
    keras.utils.set_random_seed(config.seed)
    inputs = keras.Input(shape=(2,))
    hidden = keras.layers.Normalization(mean=data.x_train.mean(axis=0), variance=data.x_train.var(axis=0))(inputs)
    for width in config.hidden_layers:
        hidden = keras.layers.Dense(width, activation=config.activation)(hidden)
    outputs = keras.layers.Dense(1, activation="sigmoid")(hidden)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(config.learning_rate), loss="binary_crossentropy", metrics=["accuracy"])
    start = time.perf_counter()
    model.fit(data.x_train, data.y_train, validation_data=(data.x_test, data.y_test), epochs=config.epochs,
              batch_size=config.batch_size, verbose=0)
    seconds = time.perf_counter() - start
    accuracy = float(((model.predict(data.x_test, verbose=0)[:, 0] > 0.5) == data.y_test).mean())
    return seconds, accuracy


def playground_run(config: PlaygroundConfig, data) -> dict:
    run = PlaygroundRun(config, data)
    start = time.perf_counter()
    run_inline(lambda reporter: run.train(config.epochs, reporter))
    seconds = time.perf_counter() - start
    step_start = time.perf_counter()
    run_inline(lambda reporter: run.train(1, reporter))
    step_seconds = time.perf_counter() - step_start
    grid_start = time.perf_counter()
    for _ in range(10):
        run._publish_boundary()
    return {"seconds": round(seconds, 2), "test_accuracy": round(run.accuracy("test"), 3),
            "step_seconds": round(step_seconds, 3),
            "boundary_grid_ms": round((time.perf_counter() - grid_start) * 100, 1)}


def timed(function, *args, repeats: int = 3, **kwargs) -> float:
    """Best of ``repeats`` wall times in seconds (the first call also pays imports: reported apart)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function(*args, **kwargs)
        times.append(time.perf_counter() - start)
    return round(min(times), 3)


def main() -> None:
    report: dict = {"playground": {}, "regularization": {}}
    plain_keras(CASES["circles"][1], make_playground_data(CASES["circles"][0]))  # warm-up: TF start-up is not measured
    for name, (data_config, config) in CASES.items():
        data = make_playground_data(data_config)
        ours = playground_run(config, data)
        plain_seconds, plain_accuracy = plain_keras(config, data)
        report["playground"][name] = {
            "epochs": config.epochs, "train_points": len(data.x_train), **ours,
            "plain_keras_seconds": round(plain_seconds, 2), "plain_keras_test_accuracy": round(plain_accuracy, 3),
            "time_ratio_vs_plain_keras": round(ours["seconds"] / plain_seconds, 2),
        }
    start = time.perf_counter()
    regularization.weight_paths("l1")
    report["regularization"]["first_call_with_sklearn_import_s"] = round(time.perf_counter() - start, 3)
    for penalty in regularization.PENALTIES:
        report["regularization"][f"weight_paths_{penalty}_s"] = timed(regularization.weight_paths, penalty)
    sine = regularization.NoisySineConfig()
    report["regularization"]["capacity_sweep_s"] = timed(regularization.capacity_sweep, sine)
    for label, config in (("none", regularization.RegularizedMLPConfig()),
                          ("dropout_0.3", regularization.RegularizedMLPConfig(dropout=0.3)),
                          ("weight_decay_0.001", regularization.RegularizedMLPConfig(weight_decay=0.001))):
        result = regularization.train_regularized_mlp(config, sine)
        report["regularization"][f"mlp_{label}"] = {
            "seconds": timed(regularization.train_regularized_mlp, config, sine, repeats=2),
            "final_validation_mse": round(float(result.curves["validation_loss"].iloc[-1]), 4),
            "best_validation_mse": round(float(result.curves["validation_loss"].min()), 4),
            "early_stop_step": result.stop_step,
        }
    report["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    report["load_average_1min"] = round(os.getloadavg()[0], 2)
    report["note"] = "2 CPU cores shared with other engineers' jobs while measured: timings are pessimistic"
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    np.set_printoptions(precision=3)
    main()
