"""The Export tab's download, shared by the training pages: one zip per trained model, built once
and kept in the page's state (a rerun does not rebuild it), a download button, a note and the model card."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import streamlit as st

from ui.formatting import human_size
from ui.i18n import current_language, t
from ui.training import page_state


def download_section(page: str, model_path: Path, build_zip: Callable[[], bytes], file_name: str, label_key: str,
                     help_key: str, card: str, card_key: str, slot: str = "zip") -> None:
    """``label_key`` is a locale key with a ``{size}`` placeholder; ``card`` is the model card's Markdown.
    ``slot`` names a second download on the same page (its own kept zip and button key)."""
    state = page_state(page)
    made_for = f"{model_path} · {current_language()}"  # its model card is in the page's language
    if state.get(f"{slot}_of") != made_for:  # one zip a slot at a time: older ones only hold memory
        state[slot], state[f"{slot}_of"] = build_zip(), made_for
    suffix = "" if slot == "zip" else f"_{slot}"
    st.download_button(t(label_key, size=human_size(len(state[slot]))), state[slot], file_name=file_name,
                       mime="application/zip", icon="📦", key=f"{page}_download{suffix}")
    st.caption(t(help_key))
    with st.expander(t(card_key)):
        st.markdown(card)
