"""Race the real Keras optimizers across 2-D loss surfaces from the same starting point.

Each optimizer moves a ``keras.Variable`` of shape (2,), the point (x, y), using the gradient of the
surface from ``tf.GradientTape``; the step rule is whatever ``keras.optimizers.<Name>.apply`` does,
so momentum, Nesterov look-ahead, Adagrad's accumulator and Adam's bias correction are Keras' own.
The whole race runs inside one ``tf.function``, so it takes about a second.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

OPTIMIZERS = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"]
ADAPTIVE_OPTIMIZERS = {"adagrad", "rmsprop", "adam", "adamw"}
DIVERGED_BEYOND = 1e3  # a coordinate this large has left every surface's plot: the run blew up


@dataclass(frozen=True)
class Surface:
    """A 2-D loss surface: the function (works on NumPy arrays and TensorFlow tensors alike), the
    region to draw, where every optimizer starts, where the minimum is, and learning rates that
    make a fair race on it (the SGD family needs a far smaller step than the adaptive methods,
    whose step is about the learning rate whatever the gradient's size)."""

    function: Callable
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    start: tuple[float, float]
    minimum: tuple[float, float]
    sgd_learning_rate: float
    adaptive_learning_rate: float
    gradient_noise: float = 0.0  # std of Gaussian noise added to each gradient (a stand-in for minibatches)


def _rosenbrock(x, y):
    return (1.0 - x) ** 2 + 100.0 * (y - x**2) ** 2


def _saddle(x, y):
    # x² - y² is a saddle at the origin; the y⁴ term bends it back up so the minima sit at y = ±√2.
    return x**2 - y**2 + 0.25 * y**4


def _beale(x, y):
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2


def _bowl(x, y):
    return 0.5 * x**2 + 2.0 * y**2


SURFACES: dict[str, Surface] = {
    "rosenbrock": Surface(_rosenbrock, (-2.0, 2.0), (-1.0, 3.0), (-1.5, 2.5), (1.0, 1.0), 0.001, 0.1),
    "saddle": Surface(_saddle, (-2.0, 2.0), (-2.5, 2.5), (-1.8, 0.001), (0.0, 1.41421356), 0.02, 0.05),
    "beale": Surface(_beale, (-1.0, 4.5), (-1.5, 2.0), (1.0, 1.5), (3.0, 0.5), 0.005, 0.05),
    "noisy_bowl": Surface(_bowl, (-3.0, 3.0), (-3.0, 3.0), (-2.5, 2.0), (0.0, 0.0), 0.05, 0.1, gradient_noise=1.0),
}


@dataclass(frozen=True)
class RaceConfig:
    surface: str = "rosenbrock"  # the classic curved valley: easy to find, slow to follow
    steps: int = 300  # long enough for most runs to settle on every surface, short enough to compute in ~1 s
    sgd_learning_rate: float | None = None  # None: the surface's own default (Surface.sgd_learning_rate)
    adaptive_learning_rate: float | None = None  # None: the surface's default for Adagrad/RMSprop/Adam/AdamW
    momentum: float = 0.9  # the usual choice for SGD with momentum and Nesterov
    optimizers: tuple[str, ...] = tuple(OPTIMIZERS)  # everyone races by default
    seed: int = 0  # fixes the gradient noise of the noisy bowl


def make_optimizer(name: str, learning_rate: float, momentum: float):
    """The Keras optimizer ``name`` (one of OPTIMIZERS) with the given learning rate."""
    import keras

    factories = {
        "sgd": lambda: keras.optimizers.SGD(learning_rate),
        "momentum": lambda: keras.optimizers.SGD(learning_rate, momentum=momentum),
        "nesterov": lambda: keras.optimizers.SGD(learning_rate, momentum=momentum, nesterov=True),
        "adagrad": lambda: keras.optimizers.Adagrad(learning_rate),
        "rmsprop": lambda: keras.optimizers.RMSprop(learning_rate),
        "adam": lambda: keras.optimizers.Adam(learning_rate),
        "adamw": lambda: keras.optimizers.AdamW(learning_rate),  # Keras' default weight decay, 0.004
    }
    if name not in factories:
        raise ValueError(f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}")
    return factories[name]()


def run_race(config: RaceConfig) -> pd.DataFrame:
    """Every optimizer's path over ``config.surface`` from the surface's start.

    Returns a long DataFrame with columns optimizer, step (0 = the start), x, y, loss (the surface's
    value, without noise) and diverged (True on the last row of a run that flew off to infinity; its
    path stops there).
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras
    import tensorflow as tf

    surface = SURFACES[config.surface]
    noise = np.random.default_rng(config.seed).normal(0.0, surface.gradient_noise, size=(config.steps, 2))
    optimizers, points = [], []
    for name in config.optimizers:
        adaptive = name in ADAPTIVE_OPTIMIZERS
        learning_rate = config.adaptive_learning_rate if adaptive else config.sgd_learning_rate
        if learning_rate is None:
            learning_rate = surface.adaptive_learning_rate if adaptive else surface.sgd_learning_rate
        optimizer = make_optimizer(name, learning_rate, config.momentum)
        point = keras.Variable(np.array(surface.start, dtype="float32"), name=f"point_{name}")
        optimizer.build([point])
        optimizers.append(optimizer)
        points.append(point)
    descend = _descent_loop(tf, surface, points, optimizers, tf.constant(noise, dtype=tf.float32))
    paths = descend(tf.constant(config.steps)).numpy().astype(float)  # (steps + 1, optimizers, 2)
    return pd.concat([_path_table(name, paths[:, index], surface) for index, name in enumerate(config.optimizers)],
                     ignore_index=True)


def _descent_loop(tf, surface: Surface, points: list, optimizers: list, noise) -> Callable:
    """One compiled loop moving every optimizer's point ``steps`` times; returns the (steps + 1, optimizers, 2)
    paths. A single ``tf.function`` for the whole race: one trace instead of one per optimizer."""

    def positions():
        return tf.stack([point.value for point in points])

    @tf.function
    def descend(steps):
        path = tf.TensorArray(tf.float32, size=steps + 1)
        path = path.write(0, positions())
        for step in tf.range(steps):
            for point, optimizer in zip(points, optimizers, strict=True):
                with tf.GradientTape() as tape:
                    tape.watch(point.value)
                    loss = surface.function(point.value[0], point.value[1])
                gradient = tape.gradient(loss, point.value) + noise[step]
                optimizer.apply([gradient], [point])
            path = path.write(step + 1, positions())
        return path.stack()

    return descend


def _path_table(name: str, path: np.ndarray, surface: Surface) -> pd.DataFrame:
    escaped = ~np.isfinite(path).all(axis=1) | (np.abs(path) > DIVERGED_BEYOND).any(axis=1)
    diverged = bool(escaped.any())
    if diverged:
        path = path[: int(np.argmax(escaped)) + 1]
        path[-1] = np.clip(np.nan_to_num(path[-1], nan=DIVERGED_BEYOND), -DIVERGED_BEYOND, DIVERGED_BEYOND)
    with np.errstate(over="ignore", invalid="ignore"):
        loss = surface.function(path[:, 0], path[:, 1])
    table = pd.DataFrame({"optimizer": name, "step": np.arange(len(path)), "x": path[:, 0], "y": path[:, 1], "loss": loss})
    table["diverged"] = False
    if diverged:
        table.loc[table.index[-1], "diverged"] = True
    return table


def surface_grid(surface_name: str, resolution: int = 120) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The surface sampled on a grid for a contour plot: (xs, ys, values) with values[row=y, column=x]."""
    surface = SURFACES[surface_name]
    xs = np.linspace(*surface.x_range, resolution)
    ys = np.linspace(*surface.y_range, resolution)
    grid_x, grid_y = np.meshgrid(xs, ys)
    return xs, ys, surface.function(grid_x, grid_y)


def race_summary(race: pd.DataFrame) -> pd.DataFrame:
    """One row per optimizer: final x, y, loss, the best loss on the way, and whether it diverged."""
    last = race.groupby("optimizer", sort=False).tail(1).set_index("optimizer")
    best = race.groupby("optimizer", sort=False)["loss"].min()
    return pd.DataFrame(
        {"x": last["x"], "y": last["y"], "final_loss": last["loss"], "best_loss": best, "diverged": last["diverged"]}
    ).reset_index()
