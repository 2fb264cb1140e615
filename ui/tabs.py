"""Tabs where only the open one runs.

``st.tabs(on_change="rerun")`` reruns the page when the user picks a tab, and each tab's ``.open``
says whether it is the one showing, so a page skips the work of the tabs nobody looks at (the
Concepts page went from running eight lessons per rerun to one). Two things need care:

- Streamlit drops the state of widgets a run does not draw, so every widget inside a lazy tab is
  created with ``persist_state="session"`` (see ``KEEP``): its value survives while its tab is
  closed, and when the user comes back to the page. File uploaders cannot keep their files this
  way: ``kept_upload`` keeps a copy for uploaders in lazy tabs, and a training page's Data tab
  (its uploads feed every other tab) always runs.
- The selected tab is stored by its label, which changes with the language; ``lazy_tabs`` also
  remembers its position, so switching language (or leaving the page and coming back) keeps the
  same tab open.

The open tab is also in the address (``bind="query-params"``): ``/concepts?concepts_tab=4+·+Optimizers``
opens that lesson, so a link shares a tab, and the browser's Back button returns to the last one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import streamlit as st

from ui.i18n import t
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
    tabs = st.tabs(labels, key=key, on_change="rerun", bind="query-params")
    state["open_tab"] = labels.index(st.session_state[key])
    return tabs


@dataclass(frozen=True)
class KeptFile:
    """An uploaded file's name and bytes, kept after Streamlit dropped its uploader (the tab closed).

    Reads like Streamlit's ``UploadedFile`` where the pages use it: ``.name`` and ``.getvalue()``.
    """

    name: str
    data: bytes

    def getvalue(self) -> bytes:
        return self.data


def kept_upload(page: str, key: str, draw_uploader: Callable[[], Any]) -> Any:
    """``draw_uploader()`` (an uploader widget keyed ``key``), or the files it held before its tab closed.

    Streamlit cannot keep a hidden uploader's files (``persist_state`` does not apply to uploads), so a
    lazy tab would lose them on every visit elsewhere. This keeps a copy in the page state: when the
    uploader comes back empty because it was not drawn (its key is gone from the session), the copy is
    used, a caption names it and a button forgets it. Emptying a drawn uploader forgets it too.
    """
    kept: dict[str, Any] = page_state(page).setdefault("kept_uploads", {})
    was_dropped = key not in st.session_state
    upload = draw_uploader()
    if upload:  # a file (or a non-empty list of files): remember it
        kept[key] = [KeptFile(item.name, item.getvalue()) for item in upload] if isinstance(upload, list) \
            else KeptFile(upload.name, upload.getvalue())
        kept.pop(f"{key}.restored", None)
        return upload
    if key not in kept or not (was_dropped or kept.get(f"{key}.restored")):
        kept.pop(key, None)  # never uploaded, or the user emptied the uploader
        return upload
    kept[f"{key}.restored"] = True
    files = kept[key]
    names = ", ".join(item.name for item in (files if isinstance(files, list) else [files]))
    caption, forget = st.columns([4, 1], vertical_alignment="center")
    caption.caption(t("common.kept_upload", names=names))
    if forget.button(t("common.forget_upload"), key=f"{key}_forget", icon="✖️"):
        kept.pop(key, None)
        kept.pop(f"{key}.restored", None)
        return [] if isinstance(files, list) else None
    return files


def run_open_tab(views: Sequence[tuple[Any, Callable[[], None]]]) -> None:
    """Run the view of whichever of these tabs is open, inside it; skip the others.

    A ``DataError`` a view raises (e.g. a cached model that will not load when it is first used)
    becomes an error box in that tab, not a traceback.
    """
    from ui.errors import data_errors_stop_page

    for tab, view in views:
        if tab.open:
            with tab, data_errors_stop_page():
                view()
