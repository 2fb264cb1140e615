"""The scalar autograd engine against TensorFlow's GradientTape (float64, to 1e-6)."""

import math
import os

import numpy as np
import pytest

from dl.lessons.autograd import (
    Value,
    backward_snapshots,
    expression_graph,
    graph_tables,
    network_graph,
    operation_nodes,
)

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import tensorflow as tf


def tape_gradients(function, inputs: dict[str, float]) -> tuple[float, dict[str, float]]:
    variables = {name: tf.Variable(value, dtype=tf.float64) for name, value in inputs.items()}
    with tf.GradientTape() as tape:
        output = function(variables)
    gradients = tape.gradient(output, list(variables.values()))
    return float(output.numpy()), {name: float(g.numpy()) for name, g in zip(variables, gradients, strict=True)}


@pytest.mark.parametrize("values", [(2.0, -3.0, 10.0, 0.5), (-1.2, 0.7, 0.3, -2.0), (0.0, 4.0, -1.0, 1.5)])
def test_expression_graph_matches_gradient_tape(values):
    a, b, c, d = values
    graph = expression_graph(a, b, c, d)
    graph.output.backward()
    expected_value, expected = tape_gradients(
        lambda v: (v["a"] * v["b"] + v["c"]) * tf.tanh(v["d"]), dict(zip("abcd", values, strict=True))
    )
    assert graph.output.data == pytest.approx(expected_value, abs=1e-6)
    for name, leaf in graph.inputs.items():
        assert leaf.grad == pytest.approx(expected[name], abs=1e-6), name


@pytest.mark.parametrize("x1,x2,target", [(1.0, 0.5, 1.0), (-0.8, 2.0, 0.0), (0.3, -0.4, 1.0)])
def test_network_graph_matches_gradient_tape(x1, x2, target):
    weights = {"w11": 0.4, "w12": -1.1, "b1": 0.2, "w21": 0.9, "w22": 0.3, "b2": -0.5, "v1": -0.6, "v2": 1.4, "c": 0.1}
    graph = network_graph(x1, x2, target, weights)
    graph.output.backward()

    def network(v):
        h1 = tf.tanh(v["x1"] * v["w11"] + v["x2"] * v["w12"] + v["b1"])
        h2 = tf.tanh(v["x1"] * v["w21"] + v["x2"] * v["w22"] + v["b2"])
        prediction = tf.sigmoid(h1 * v["v1"] + h2 * v["v2"] + v["c"])
        return (prediction - target) ** 2

    expected_value, expected = tape_gradients(network, {"x1": x1, "x2": x2, **weights})
    assert graph.output.data == pytest.approx(expected_value, abs=1e-6)
    for name, leaf in graph.inputs.items():
        assert leaf.grad == pytest.approx(expected[name], abs=1e-6), name


def test_every_operation_matches_gradient_tape():
    """A node used several times (x appears four times) must sum its gradient contributions."""
    x_value, y_value = 0.7, 1.9
    x, y = Value(x_value), Value(y_value)
    output = (x * y).exp() / (1.0 + y**2) - (x - y).relu() + (3.0 * x).sigmoid() * y.log() + (x - 2.0).tanh() ** 3 + 2.0 / x
    output.backward()

    def reference(v):
        vx, vy = v["x"], v["y"]
        return (
            tf.exp(vx * vy) / (1.0 + vy**2) - tf.nn.relu(vx - vy) + tf.sigmoid(3.0 * vx) * tf.math.log(vy)
            + tf.tanh(vx - 2.0) ** 3 + 2.0 / vx
        )

    expected_value, expected = tape_gradients(reference, {"x": x_value, "y": y_value})
    assert output.data == pytest.approx(expected_value, abs=1e-6)
    assert x.grad == pytest.approx(expected["x"], abs=1e-6)
    assert y.grad == pytest.approx(expected["y"], abs=1e-6)


def test_relu_gradient_is_zero_for_negative_input_and_one_for_positive():
    negative, positive = Value(-2.0), Value(3.0)
    (negative.relu() + positive.relu()).backward()
    assert (negative.grad, positive.grad) == (0.0, 1.0)


def test_backward_snapshots_walk_the_graph_and_end_at_the_full_gradients():
    graph = expression_graph(2.0, -3.0, 10.0, 0.5)
    snapshots = backward_snapshots(graph.output)
    nodes, edges = graph_tables(graph.output)
    operations = operation_nodes(graph.output)
    assert len(snapshots) == len(operations) + 1  # the start plus one step per operation node
    assert snapshots[0]["grad"].tolist().count(1.0) == 1 and not snapshots[0]["passed"].any()
    assert snapshots[-1]["grad"].tolist() == pytest.approx(nodes["grad"].tolist())
    assert snapshots[-1]["passed"].sum() == len(operations)
    # every edge points forward: inputs come before the nodes that use them
    assert (edges["source"] < edges["target"]).all()
    # dL/dd by hand: L = e·tanh(d), so dL/dd = e·(1 - tanh(d)²) with e = a·b + c = 4
    assert graph.inputs["d"].grad == pytest.approx(4.0 * (1 - math.tanh(0.5) ** 2), abs=1e-12)


def test_backward_twice_gives_the_same_gradients():
    graph = network_graph(1.0, -1.0, 1.0)
    graph.output.backward()
    first = np.array([leaf.grad for leaf in graph.inputs.values()])
    graph.output.backward()
    second = np.array([leaf.grad for leaf in graph.inputs.values()])
    np.testing.assert_allclose(first, second)
