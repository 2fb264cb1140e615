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
from ui.data_doctor import add_data_fix, applied_fixes_line, clear_data_fixes, doctor_panel, fixed_data
from ui.errors import show_data_error
from ui.recommender.training import PAGE

NAMESPACE = "data_doctor_ratings"


@st.cache_resource(show_spinner=False, max_entries=8)
def _diagnosis(fingerprint: str, builtin: bool, _data: RatingsData) -> Diagnosis:
    return diagnose_ratings(_data, builtin)


def fixed_ratings(data: RatingsData) -> RatingsData:
    """``data`` after the fixes applied to it on this page (``data`` itself when there are none)."""
    try:
        return fixed_data(PAGE, data, apply_ratings_fix)
    except DataError as error:  # cannot happen for a fix the doctor offered; say so rather than fail
        show_data_error(error)
        clear_data_fixes(PAGE, data.fingerprint())
        return data


def ratings_doctor(original: RatingsData, data: RatingsData) -> None:
    """The doctor's findings on ``data`` (``original`` after its fixes), each fix one click away."""
    fingerprint = original.fingerprint()
    diagnosis = _diagnosis(data.fingerprint(), original.source in ratings_data.builtin_names(), data)
    doctor_panel(diagnosis, PAGE, {fix: _apply(fingerprint, fix) for fix in diagnosis.fixes()}, NAMESPACE)
    applied_fixes_line(PAGE, fingerprint, len(data.ratings), NAMESPACE)


def _apply(fingerprint: str, fix: str):
    return lambda: add_data_fix(PAGE, fingerprint, fix)

