"""Benchmark: how long each Concepts lesson figure takes to compute (lessons 2-5, 7, 8), on this machine.

Prints one JSON object:
- ``imports_s``: one-off costs a figure pays only the first time in a server process (TensorFlow +
  Keras, PyTorch, loading MiniLM).
- ``figures_ms``: median wall time of each figure's ``dl`` computation over ``--repeats`` runs after
  one warm-up run (what a learner waits for after moving a slider; the page caches repeated inputs).
- ``figures_cpu_ms``: the same in CPU time of this process (all threads), less sensitive to other
  processes on a shared machine.
- ``optimizer_race_vs_plain_keras``: the race (7 Keras optimizers × 300 steps, one ``tf.function``)
  against a plain eager Keras loop doing the same steps (GradientTape + ``optimizer.apply`` per step);
  ratio = race / plain (below 1 = faster).
- ``autograd_vs_gradient_tape``: forward + backward of the 2-2-1 network with ``dl.lessons.autograd`` against
  the same with TensorFlow's GradientTape on scalars (ratio = ours / TF).
- ``peak_rss_mb``: peak resident memory of the whole run.

    python bench/lessons.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from dl.lessons import (
    activations,  # noqa: E402
    architectures,  # noqa: E402
    autograd,  # noqa: E402
    losses,  # noqa: E402
    quantization,  # noqa: E402
)


def timed(function, clock=time.perf_counter) -> float:
    start = clock()
    function()
    return clock() - start


def median_ms(function, repeats: int, clock=time.perf_counter) -> float:
    function()  # warm-up: imports, tf.function tracing caches that belong to the process
    return round(1000 * statistics.median(timed(function, clock) for _ in range(repeats)), 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    repeats = parser.parse_args().repeats

    imports = {"tensorflow_keras": timed(lambda: __import__("keras") and __import__("tensorflow")),
               "torch": timed(lambda: __import__("torch"))}
    from dl.lessons import optimizer_race
    from dl.lessons.attention_weights import load_attention_model, sentence_attention
    from dl.lessons.gan_1d import GanConfig, train_gan

    start = time.perf_counter()
    attention_model = load_attention_model()
    imports["minilm_load"] = time.perf_counter() - start

    image = architectures.sample_image("flower")
    figures = {
        "activations (curves + 15-layer gradients + softmax)": lambda: (
            activations.activation_curves(["sigmoid", "tanh", "relu"]),
            activations.gradient_through_layers(["sigmoid", "tanh", "relu"], 15),
            activations.softmax_sweep((1.0, -1.0), 1.0)),
        "losses (all curves + mistake table)": lambda: (
            losses.regression_curves(0.0, 1.0), losses.probability_curves(1.0), losses.hinge_curve(1.0),
            losses.confident_mistake_table([0.99, 0.5, 0.01])),
        "backprop (2-2-1 graph, tables, all backward snapshots)": lambda: (
            lambda graph: (autograd.graph_tables(graph.output), autograd.backward_snapshots(graph.output)))(
                autograd.network_graph(1.0, 0.5, 1.0)),
        "cnn (96x96 photo, 3x3 conv + 2x2 max pool)": lambda: architectures.max_pool(
            architectures.convolve2d(image, architectures.KERNELS["outline"])),
        "rnn + lstm (40 steps, 8 units)": lambda: (
            architectures.simple_rnn_states(architectures.input_sequence("spike"), architectures.recurrent_weights(8)),
            architectures.lstm_states(architectures.input_sequence("spike"), architectures.recurrent_weights(8, gates=4))),
        "attention (MiniLM, one sentence, model loaded)": lambda: sentence_attention(
            attention_model, "The cat sat on the mat because it was tired", 2, None),
        "gan (600 steps, PyTorch)": lambda: train_gan(GanConfig()),
        "quantization (5,000 weights)": lambda: quantization.quantization_report(quantization.example_weights(), [4]),
    }
    for surface in optimizer_race.SURFACES:
        figures[f"optimizer race: {surface} (7 optimizers x 300 steps)"] = (
            lambda surface=surface: optimizer_race.run_race(optimizer_race.RaceConfig(surface=surface)))
    figures_ms = {name: median_ms(function, repeats) for name, function in figures.items()}
    # CPU seconds of this process: on a shared, overloaded machine closer to what an idle one would show
    figures_cpu_ms = {name: median_ms(function, repeats, time.process_time) for name, function in figures.items()}

    race_s = median_ms(lambda: optimizer_race.run_race(optimizer_race.RaceConfig(surface="rosenbrock")), repeats) / 1000
    plain_s = median_ms(lambda: plain_keras_race("rosenbrock", 300), max(1, repeats // 2)) / 1000
    ours_ms = median_ms(lambda: autograd.network_graph(1.0, 0.5, 1.0).output.backward(), repeats * 20)
    tape_ms = median_ms(tape_network, repeats * 20)
    print(json.dumps({
        "imports_s": {name: round(seconds, 2) for name, seconds in imports.items()},
        "figures_ms": figures_ms,
        "figures_cpu_ms": figures_cpu_ms,
        "optimizer_race_vs_plain_keras": {"race_s": round(race_s, 3), "plain_eager_keras_s": round(plain_s, 3),
                                          "ratio": round(race_s / plain_s, 3)},
        "autograd_vs_gradient_tape": {"ours_ms": ours_ms, "gradient_tape_ms": tape_ms, "ratio": round(ours_ms / tape_ms, 3)},
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "cpu_cores": os.cpu_count(),
    }, indent=1))


def plain_keras_race(surface_name: str, steps: int) -> None:
    """The same race written the plain way: an eager Python loop per optimizer, no tf.function."""
    import keras
    import tensorflow as tf

    from dl.lessons import optimizer_race

    surface = optimizer_race.SURFACES[surface_name]
    for name in optimizer_race.OPTIMIZERS:
        adaptive = name in optimizer_race.ADAPTIVE_OPTIMIZERS
        rate = surface.adaptive_learning_rate if adaptive else surface.sgd_learning_rate
        optimizer = optimizer_race.make_optimizer(name, rate, 0.9)
        point = keras.Variable(np.array(surface.start, dtype="float32"))
        for _ in range(steps):
            with tf.GradientTape() as tape:
                tape.watch(point.value)
                loss = surface.function(point.value[0], point.value[1])
            optimizer.apply([tape.gradient(loss, point.value)], [point])


def tape_network() -> None:
    import tensorflow as tf

    weights = {"w11": 0.5, "w12": -0.6, "b1": 0.1, "w21": -0.3, "w22": 0.8, "b2": 0.0, "v1": 1.2, "v2": -0.7, "c": 0.2}
    variables = {name: tf.Variable(value, dtype=tf.float64) for name, value in {"x1": 1.0, "x2": 0.5, **weights}.items()}
    with tf.GradientTape() as tape:
        v = variables
        h1 = tf.tanh(v["x1"] * v["w11"] + v["x2"] * v["w12"] + v["b1"])
        h2 = tf.tanh(v["x1"] * v["w21"] + v["x2"] * v["w22"] + v["b2"])
        loss = (tf.sigmoid(h1 * v["v1"] + h2 * v["v2"] + v["c"]) - 1.0) ** 2
    tape.gradient(loss, list(variables.values()))


if __name__ == "__main__":
    main()
