"""A tiny scalar autograd engine, small enough to read in one sitting.

Every number is a ``Value`` that remembers which operation made it and from which inputs. Calling
``loss.backward()`` walks that graph from the output back to the inputs, applying the chain rule
once per node, so each ``Value.grad`` ends up as d(loss)/d(value). This is reverse-mode automatic
differentiation, the same idea TensorFlow's GradientTape and PyTorch's autograd implement for
tensors. In the spirit of karpathy/micrograd; written for the Concepts page, which draws the graph
and replays the forward and backward passes one node at a time.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pandas as pd


class Value:
    """A scalar in a computation graph, with its gradient.

    ``data`` is the number, ``grad`` is d(output)/d(this) after ``backward()``, ``parents`` are the
    inputs of the operation ``operation`` that produced it, and ``label`` is a name to show.
    """

    def __init__(self, data: float, parents: tuple[Value, ...] = (), operation: str = "", label: str = ""):
        self.data = float(data)
        self.grad = 0.0
        self.parents = parents
        self.operation = operation
        self.label = label
        # Adds this node's contribution to its parents' gradients; set by the operation.
        self._backward: Callable[[], None] = lambda: None

    def __repr__(self) -> str:
        return f"Value({self.label or self.operation or 'leaf'}={self.data:.4g}, grad={self.grad:.4g})"

    # --- operations: each computes the value and says how to pass the gradient back ---------
    def __add__(self, other: Value | float) -> Value:
        other = as_value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward() -> None:  # d(a+b)/da = d(a+b)/db = 1
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __mul__(self, other: Value | float) -> Value:
        other = as_value(other)
        out = Value(self.data * other.data, (self, other), "×")

        def _backward() -> None:  # d(ab)/da = b, d(ab)/db = a
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def __sub__(self, other: Value | float) -> Value:
        other = as_value(other)
        out = Value(self.data - other.data, (self, other), "−")

        def _backward() -> None:  # d(a-b)/da = 1, d(a-b)/db = -1
            self.grad += out.grad
            other.grad -= out.grad

        out._backward = _backward
        return out

    def __pow__(self, exponent: float) -> Value:
        out = Value(self.data**exponent, (self,), f"^{exponent:g}")

        def _backward() -> None:  # d(a^n)/da = n a^(n-1)
            self.grad += exponent * self.data ** (exponent - 1) * out.grad

        out._backward = _backward
        return out

    def tanh(self) -> Value:
        result = math.tanh(self.data)
        out = Value(result, (self,), "tanh")

        def _backward() -> None:  # d tanh(a)/da = 1 - tanh(a)^2
            self.grad += (1.0 - result**2) * out.grad

        out._backward = _backward
        return out

    def sigmoid(self) -> Value:
        result = 1.0 / (1.0 + math.exp(-self.data))
        out = Value(result, (self,), "σ")

        def _backward() -> None:  # dσ(a)/da = σ(a)(1 - σ(a))
            self.grad += result * (1.0 - result) * out.grad

        out._backward = _backward
        return out

    def relu(self) -> Value:
        out = Value(max(self.data, 0.0), (self,), "ReLU")

        def _backward() -> None:  # slope 1 where the input is positive, 0 elsewhere
            self.grad += (1.0 if self.data > 0 else 0.0) * out.grad

        out._backward = _backward
        return out

    def exp(self) -> Value:
        result = math.exp(self.data)
        out = Value(result, (self,), "exp")

        def _backward() -> None:  # d e^a/da = e^a
            self.grad += result * out.grad

        out._backward = _backward
        return out

    def log(self) -> Value:
        out = Value(math.log(self.data), (self,), "log")

        def _backward() -> None:  # d ln(a)/da = 1/a
            self.grad += out.grad / self.data

        out._backward = _backward
        return out

    # --- the rest is sugar built from the operations above ------------------------------------
    def __neg__(self) -> Value:
        return self * -1.0


    def __truediv__(self, other: Value | float) -> Value:
        return self * as_value(other) ** -1.0

    def __radd__(self, other: float) -> Value:
        return self + other

    def __rsub__(self, other: float) -> Value:
        return as_value(other) - self

    def __rmul__(self, other: float) -> Value:
        return self * other

    def __rtruediv__(self, other: float) -> Value:
        return as_value(other) / self

    # --- the backward pass ----------------------------------------------------------------
    def backward(self) -> None:
        """Fill ``grad`` of every node that this value depends on with d(self)/d(node)."""
        for _ in backward_steps(self):
            pass


def as_value(number: Value | float) -> Value:
    """Wrap a plain number as a constant leaf of the graph."""
    return number if isinstance(number, Value) else Value(number, label=f"{number:g}")


def topological_order(root: Value) -> list[Value]:
    """All nodes ``root`` depends on, each after all of its inputs (the order of the forward pass)."""
    order: list[Value] = []
    visited: set[int] = set()

    def visit(node: Value) -> None:
        if id(node) in visited:
            return
        visited.add(id(node))
        for parent in node.parents:
            visit(parent)
        order.append(node)

    visit(root)
    return order


def backward_steps(root: Value) -> Iterable[Value]:
    """Run the backward pass one node at a time, yielding each node after it passed its gradient on.

    Nodes are visited in reverse topological order, so when a node is reached every node that uses
    it has already added its share: the node's gradient is final and the chain rule can move it on.
    """
    order = topological_order(root)
    for node in order:
        node.grad = 0.0
    root.grad = 1.0  # d(root)/d(root)
    for node in reversed(order):
        node._backward()
        yield node


# --- graphs the Concepts page walks through ------------------------------------------------------
@dataclass
class Graph:
    """A built computation graph: its output and its named inputs (the leaves a learner can set)."""

    output: Value
    inputs: dict[str, Value]


def expression_graph(a: float, b: float, c: float, d: float) -> Graph:
    """L = (a·b + c) · tanh(d): a product, a sum and a non-linearity, small enough to follow by hand."""
    leaves = {name: Value(number, label=name) for name, number in {"a": a, "b": b, "c": c, "d": d}.items()}
    product = leaves["a"] * leaves["b"]
    product.label = "a·b"
    total = product + leaves["c"]
    total.label = "e"
    squashed = leaves["d"].tanh()
    squashed.label = "tanh(d)"
    output = total * squashed
    output.label = "L"
    return Graph(output, leaves)


def network_graph(x1: float, x2: float, target: float, weights: dict[str, float] | None = None) -> Graph:
    """A 2-2-1 network (tanh hidden layer, sigmoid output) and its squared error (ŷ - target)².

    ``weights`` maps w11, w12, b1, w21, w22, b2 (hidden) and v1, v2, c (output) to numbers; missing
    ones take fixed starting values so the lesson always opens on the same network.
    """
    start = {"w11": 0.5, "w12": -0.6, "b1": 0.1, "w21": -0.3, "w22": 0.8, "b2": 0.0, "v1": 1.2, "v2": -0.7, "c": 0.2}
    start.update(weights or {})
    leaves = {name: Value(number, label=name) for name, number in {"x1": x1, "x2": x2, **start}.items()}
    hidden = []
    for unit in (1, 2):
        pre = leaves["x1"] * leaves[f"w{unit}1"] + leaves["x2"] * leaves[f"w{unit}2"] + leaves[f"b{unit}"]
        pre.label = f"z{unit}"
        activation = pre.tanh()
        activation.label = f"h{unit}"
        hidden.append(activation)
    logit = hidden[0] * leaves["v1"] + hidden[1] * leaves["v2"] + leaves["c"]
    logit.label = "z_out"
    prediction = logit.sigmoid()
    prediction.label = "ŷ"
    error = prediction - Value(target, label="y")
    error.label = "ŷ-y"
    loss = error**2
    loss.label = "loss"
    return Graph(loss, leaves)


def graph_tables(root: Value) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The graph as two tables for drawing.

    Returns ``nodes`` (columns: node, label, operation, value, grad, is_leaf; ``node`` is the
    position in forward order) and ``edges`` (columns: source, target, both node positions).
    """
    order = topological_order(root)
    index = {id(node): position for position, node in enumerate(order)}
    nodes = pd.DataFrame(
        {
            "node": range(len(order)),
            "label": [node.label for node in order],
            "operation": [node.operation for node in order],
            "value": [node.data for node in order],
            "grad": [node.grad for node in order],
            "is_leaf": [not node.parents for node in order],
        }
    )
    edges = pd.DataFrame(
        [(index[id(parent)], index[id(node)]) for node in order for parent in node.parents],
        columns=["source", "target"],
    )
    return nodes, edges


def backward_snapshots(root: Value) -> list[pd.DataFrame]:
    """The gradients of every node after each step of the backward pass.

    Element 0 is the state before any step (only the output has its gradient, 1); element ``k`` is
    the state after the ``k``-th operation node (in reverse forward order) passed its gradient to its
    inputs. Each is a DataFrame with columns node (forward position), grad, and passed (True once
    that node has handed its gradient on). Leaves do nothing on the way back, so they get no step.
    Leaves the graph with its full gradients, as ``backward()`` does.
    """
    order = topological_order(root)
    position = {id(node): index for index, node in enumerate(order)}
    passed: set[int] = set()

    def snapshot() -> pd.DataFrame:
        return pd.DataFrame(
            {
                "node": range(len(order)),
                "grad": [node.grad for node in order],
                "passed": [index in passed for index in range(len(order))],
            }
        )

    snapshots = []
    for node in backward_steps(root):
        if not snapshots:  # the output is yielded first; record the starting state before its step
            snapshots.append(_snapshot_before_first_step(order, root))
        if node.parents:
            passed.add(position[id(node)])
            snapshots.append(snapshot())
    return snapshots


def _snapshot_before_first_step(order: list[Value], root: Value) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "node": range(len(order)),
            "grad": [1.0 if node is root else 0.0 for node in order],
            "passed": [False] * len(order),
        }
    )


def operation_nodes(root: Value) -> list[int]:
    """Forward positions of the nodes computed by an operation (not leaves): one forward step each."""
    return [index for index, node in enumerate(topological_order(root)) if node.parents]
