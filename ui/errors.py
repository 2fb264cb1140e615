"""The one way pages show a user's data problem."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import streamlit as st

from dl.data.errors import DataError
from ui.i18n import t


def data_error_text(error: DataError) -> str:
    """The error's reason in the page's language: ``errors.<code>`` when it has a code, else its
    English message (only reasons no page can produce have none: tests/dl/test_error_codes.py)."""
    if error.code:
        try:
            translated = t(f"errors.{error.code}", **error.values)
        except (KeyError, IndexError, ValueError):  # a text whose placeholders drifted: English, not a crash
            return str(error)
        if translated != f"errors.{error.code}":
            return translated
    return str(error)


def show_data_error(error: DataError) -> None:
    """Show a DataError as an error box (its message says what to fix); never a traceback."""
    st.error(f"{t('common.data_error')} {data_error_text(error)}", icon="⚠️")


@contextlib.contextmanager
def data_errors_stop_page() -> Iterator[None]:
    """``with data_errors_stop_page(): ...`` shows a DataError raised inside and stops the page."""
    try:
        yield
    except DataError as error:
        show_data_error(error)
        st.stop()
