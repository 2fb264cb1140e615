"""Tabs where only the open one runs.

``st.tabs(on_change="rerun")`` reruns the page when the user picks a tab, and each tab's ``.open``
says whether it is the one showing, so a page skips the work of the tabs nobody looks at (the
Concepts page went from running eight lessons per rerun to one). Two things need care:

- Streamlit drops the state of widgets a run does not draw, so every widget inside a lazy tab is
  created with ``persist_state="session"`` (see ``KEEP``): its value survives while its tab is
  closed, and when the user comes back to the page. File uploaders cannot keep their files this
  way, which is why a training page's Data tab (its uploads feed every other tab) always runs.
- The selected tab is stored by its label, which changes with the language; ``lazy_tabs`` also
  remembers its position, so switching language (or leaving the page and coming back) keeps the
  same tab open.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from ui.training import page_state

KEEP = "session"  # widgets in lazy tabs: st.slider(..., key=..., persist_state=KEEP)


def tabs_key(page: str) -> str:
    """The tabs' widget key on ``page`` (tests open a tab by writing a label there)."""
    return f"{page}_tab"


def lazy_tabs(page: str, labels: Sequence[str]) -> Sequence[st.delta_generator.DeltaGenerator]:
    """``st.tabs(labels)`` of which only the open one reports ``.open``; it reopens where the user was."""
    key, state = tabs_key(page), page_state(page)
    labels = list(labels)
    if st.session_state.get(key) not in labels:  # first visit, back from another page, or a new language
        st.session_state[key] = labels[min(state.get("open_tab", 0), len(labels) - 1)]
    tabs = st.tabs(labels, key=key, on_change="rerun")
    state["open_tab"] = labels.index(st.session_state[key])
    return tabs
