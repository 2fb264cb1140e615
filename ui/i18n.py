"""Strings in English and 简体中文.

Strings live in ``locales/<language>/<namespace>.json``; a key is ``<namespace>.<name>``, e.g.
``t("home.title")`` reads ``title`` from ``locales/en/home.json``. Each page owns a namespace file,
so pages can be translated (and developed) independently. The chosen language is kept in
``st.session_state`` and mirrored in the URL (``?lang=zh``) so a shared link opens in it.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import streamlit as st

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
LANGUAGES = {"en": "English", "zh": "简体中文"}
DEFAULT_LANGUAGE = "en"
_STATE_KEY = "language"


@functools.cache
def load_strings(language: str) -> dict[str, str]:
    """All strings of one language, keyed ``namespace.name``."""
    strings: dict[str, str] = {}
    for file in sorted((LOCALES_DIR / language).glob("*.json")):
        for name, text in json.loads(file.read_text(encoding="utf-8")).items():
            strings[f"{file.stem}.{name}"] = text
    return strings


def current_language() -> str:
    """The session's language: session state, else ``?lang=`` in the URL, else English."""
    language = st.session_state.get(_STATE_KEY)
    if language not in LANGUAGES:
        language = st.query_params.get("lang", DEFAULT_LANGUAGE)
        if language not in LANGUAGES:
            language = DEFAULT_LANGUAGE
        st.session_state[_STATE_KEY] = language
    return language


def t(key: str, **values: Any) -> str:
    """The string ``key`` in the current language, formatted with ``values``.

    A key missing in the current language falls back to English, then to the key itself, so a
    gap shows as ``page.some_key`` instead of crashing (a test makes sure there are no gaps).
    """
    language = current_language()
    text = load_strings(language).get(key) or load_strings(DEFAULT_LANGUAGE).get(key) or key
    return text.format(**values) if values else text


def language_picker() -> str:
    """The sidebar switch; returns the chosen language code and keeps the URL in step.

    The choice is applied in the widget's ``on_change`` callback, which Streamlit runs before the
    script, so every string of that very run (navigation titles included) is already translated.
    """
    language = current_language()
    codes = list(LANGUAGES)
    st.sidebar.selectbox(
        "🌐 Language / 语言",
        codes,
        index=codes.index(language),
        format_func=LANGUAGES.get,
        key="language_picker",
        on_change=_apply_picked_language,
    )
    if st.query_params.get("lang") != language:
        st.query_params["lang"] = language
    return language


def _apply_picked_language() -> None:
    st.session_state[_STATE_KEY] = st.session_state["language_picker"]
    _restate_choices()


def _restate_choices() -> None:
    """Write every kept choice back into session state, so the next run sends it to the browser.

    A radio remembers its choice in the browser by its shown label; after a language switch no
    label matches, and the group showed nothing selected until the next rerun. A value set from
    Python is sent again and drawn with the new language's labels.
    """
    from streamlit.errors import StreamlitAPIException

    for key in list(st.session_state.keys()):
        value = st.session_state[key]
        if key == "language_picker" or isinstance(value, bool) or not isinstance(value, (str, int, float)):
            continue  # True/False may be a button's, which refuses to be set (and no label shows it)
        try:
            st.session_state[key] = value
        except StreamlitAPIException:  # a widget that cannot be set keeps no choice to redraw
            pass


def note_text(note: str) -> str:
    """A library note (``dl.notes.Note``) in the page's language; any other sentence as it is."""
    code = getattr(note, "code", None)
    return t(f"notes.{code}", **note.values) if code else str(note)
