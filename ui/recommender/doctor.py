"""Movie recommender, the data doctor: findings on the ratings and their one-click fixes.

A fix applied here belongs to the ratings it was made for (their fingerprint): the page trains on
the fixed ratings until the fix is undone, and another file or MovieLens starts clean.
"""

from __future__ import annotations

import streamlit as st

from dl.data.errors import DataError
from dl.data_doctor import Diagnosis
from dl.data_doctor.ratings import apply_ratings_fix, diagnose_ratings
from dl.recommender import data as ratings_data
from dl.recommender.data import RatingsData
from ui.data_doctor import add_data_fix, applied_data_fixes, doctor_panel, say
from ui.errors import show_data_error
from ui.i18n import t
from ui.recommender.training import PAGE
from ui.training import page_state

NAMESPACE = "data_doctor_ratings"


@st.cache_resource(show_spinner=False, max_entries=8)
def _fixed(fingerprint: str, fixes: tuple[str, ...], _data: RatingsData) -> RatingsData:
    for fix in fixes:
        _data = apply_ratings_fix(_data, fix)
    return _data


@st.cache_resource(show_spinner=False, max_entries=8)
def _diagnosis(fingerprint: str, builtin: bool, _data: RatingsData) -> Diagnosis:
    return diagnose_ratings(_data, builtin)


def fixed_ratings(data: RatingsData) -> RatingsData:
    """``data`` after the fixes applied to it on this page (``data`` itself when there are none)."""
    fixes = tuple(applied_data_fixes(PAGE, data.fingerprint()))
    if not fixes:
        return data
    try:
        return _fixed(data.fingerprint(), fixes, data)
    except DataError as error:  # cannot happen for a fix the doctor offered; say so rather than fail
        show_data_error(error)
        _undo(data.fingerprint())()
        return data


def ratings_doctor(original: RatingsData, data: RatingsData) -> None:
    """The doctor's findings on ``data`` (``original`` after its fixes), each fix one click away."""
    fingerprint = original.fingerprint()
    diagnosis = _diagnosis(data.fingerprint(), original.source in ratings_data.builtin_names(), data)
    doctor_panel(diagnosis, PAGE, {fix: _apply(fingerprint, fix) for fix in diagnosis.fixes()}, NAMESPACE)
    applied = applied_data_fixes(PAGE, fingerprint)
    if applied:
        st.info(say("fixes_applied", NAMESPACE, fixes=", ".join(say(f"fix_{fix}", NAMESPACE) for fix in applied),
                    count=len(data.ratings)))
        st.button(t("data_doctor.undo_fixes"), key=f"{PAGE}_undo_fixes", on_click=_undo(fingerprint))


def _apply(fingerprint: str, fix: str):
    return lambda: add_data_fix(PAGE, fingerprint, fix)


def _undo(fingerprint: str):
    def undo() -> None:
        page_state(PAGE).setdefault("data_fixes", {}).pop(fingerprint, None)
    return undo
