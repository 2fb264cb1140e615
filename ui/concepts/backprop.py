"""Concepts tab 5: backpropagation one node at a time on dl.lessons.autograd's computation graph."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dl.lessons import autograd
from ui.concepts.common import explain, labels, try_this
from ui.i18n import t
from ui.tabs import KEEP

GRAPHS = ["expression", "network"]
CURRENT, DONE, WAITING, LEAF = "#ffd54f", "#c8e6c9", "#f5f5f5", "#e3f2fd"


def render() -> None:
    explain("backprop")
    graph_name = st.radio(t("lessons.backprop_graph"), GRAPHS, horizontal=True,
                          format_func=labels("backprop_graph_"), key="lessons_backprop_graph", persist_state=KEEP)
    graph = _build(graph_name)
    nodes, edges = autograd.graph_tables(graph.output)  # values, before any backward pass
    snapshots = autograd.backward_snapshots(graph.output)
    operations = autograd.operation_nodes(graph.output)

    phase_column, step_column = st.columns([1, 2])
    phase = phase_column.radio(t("lessons.backprop_phase"), ["forward", "backward"], horizontal=True,
                               format_func=labels("backprop_phase_"), key="lessons_backprop_phase", persist_state=KEEP)
    step = step_column.slider(t("lessons.backprop_step"), 0, len(operations), len(operations) if phase == "forward" else 0,
                              key=f"lessons_backprop_step_{graph_name}_{phase}", persist_state=KEEP)
    if phase == "forward":
        known = set(nodes.index[nodes["is_leaf"]]) | set(operations[:step])
        current = operations[step - 1] if step else None
        st.caption(_forward_caption(nodes, current))
        dot = _dot(nodes, edges, known_values=known, gradients=None, current=current)
    else:
        snapshot = snapshots[step]
        current = operations[::-1][step - 1] if step else None
        st.caption(_backward_caption(nodes, snapshot, current))
        dot = _dot(nodes, edges, known_values=set(nodes.index), gradients=snapshot, current=current)
    st.graphviz_chart(dot)

    final = snapshots[-1]
    leaves = nodes[nodes["is_leaf"]].assign(grad=final.loc[nodes["is_leaf"], "grad"])
    table = pd.DataFrame({
        t("lessons.backprop_column_input"): leaves["label"],
        t("lessons.backprop_column_value"): leaves["value"].round(4),
        t("lessons.backprop_column_grad"): leaves["grad"].round(4),
    })
    st.markdown(t("lessons.backprop_table_caption", output=nodes["label"].iloc[-1], value=f"{nodes['value'].iloc[-1]:.4f}"))
    st.dataframe(table, hide_index=True, key="lessons_backprop_table")
    try_this("backprop")


def _build(graph_name: str) -> autograd.Graph:
    columns = st.columns(4)
    if graph_name == "expression":
        values = [column.number_input(name, -5.0, 5.0, default, 0.5, key=f"lessons_backprop_{name}", persist_state=KEEP)
                  for column, name, default in zip(columns, "abcd", (2.0, -3.0, 4.0, 0.5), strict=True)]
        return autograd.expression_graph(*values)
    x1 = columns[0].number_input("x1", -3.0, 3.0, 1.0, 0.5, key="lessons_backprop_x1", persist_state=KEEP)
    x2 = columns[1].number_input("x2", -3.0, 3.0, 0.5, 0.5, key="lessons_backprop_x2", persist_state=KEEP)
    target = columns[2].selectbox(t("lessons.backprop_target"), [1.0, 0.0], key="lessons_backprop_target", persist_state=KEEP)
    return autograd.network_graph(x1, x2, target)


def _dot(nodes: pd.DataFrame, edges: pd.DataFrame, known_values: set[int], gradients: pd.DataFrame | None,
         current: int | None) -> str:
    """Graphviz DOT: one box per value (name, value, gradient), an arrow from each input to its result."""
    lines = ['digraph G {', 'rankdir=LR;', 'bgcolor="transparent";',
             'node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=11];']
    for row in nodes.itertuples():
        value = f"{row.value:.4g}" if row.Index in known_values else "?"
        text = f"{row.label or row.operation}\\n{t('lessons.backprop_value_short')} {value}"
        if row.operation and row.label:
            text = f"{row.operation} → {text}"
        if gradients is not None:
            gradient = gradients.loc[row.Index, "grad"]
            text += f"\\n{t('lessons.backprop_grad_short')} {gradient:.4g}"
            passed = bool(gradients.loc[row.Index, "passed"])
        else:
            passed = row.Index in known_values and not row.is_leaf
        fill = CURRENT if row.Index == current else DONE if passed else LEAF if row.is_leaf else WAITING
        lines.append(f'n{row.Index} [label="{_escape(text)}", fillcolor="{fill}"];')
    for edge in edges.itertuples():
        lines.append(f"n{edge.source} -> n{edge.target};")
    lines.append("}")
    return "\n".join(lines)


def _escape(text: str) -> str:
    return text.replace('"', '\\"')


def _forward_caption(nodes: pd.DataFrame, current: int | None) -> str:
    if current is None:
        return t("lessons.backprop_forward_start")
    row = nodes.loc[current]
    return t("lessons.backprop_forward_step", node=row["label"], operation=row["operation"], value=f"{row['value']:.4g}")


def _backward_caption(nodes: pd.DataFrame, snapshot: pd.DataFrame, current: int | None) -> str:
    if current is None:
        return t("lessons.backprop_backward_start", output=nodes["label"].iloc[-1])
    row = nodes.loc[current]
    return t("lessons.backprop_backward_step", node=row["label"], grad=f"{snapshot.loc[current, 'grad']:.4g}")
