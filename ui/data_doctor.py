"""The data doctor's panel, shared by every training page's Data tab.

A page passes a ``dl.data_doctor.Diagnosis`` and what each fix code does on that page; the panel
draws the findings worst first (severity icon, the sentence with its numbers, a few examples) and a
button per fix. Which data fixes were applied is kept per page and per data set (its fingerprint),
so a fix never follows the user to another data set.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import streamlit as st

from dl.data_doctor import Diagnosis, Severity
from ui.i18n import current_language, load_strings, t
from ui.training import page_state

Data = TypeVar("Data")  # a TextDataset, ImageDataset or RatingsData: anything with .fingerprint()
ICONS = {Severity.PROBLEM: "🛑", Severity.WARNING: "⚠️", Severity.NOTE: "ℹ️"}


def doctor_panel(diagnosis: Diagnosis, page: str, fixes: dict[str, Callable[[], None]],
                 namespace: str = "data_doctor") -> None:
    """Findings and their one-click fixes; ``fixes`` maps a fix code to what applies it here.

    Sentences are read from ``namespace`` (e.g. ``data_doctor_images`` for codes only photos have),
    falling back to the shared ``data_doctor`` strings.
    """
    page_state(page)["doctor"] = diagnosis.to_json()  # what "Save project" keeps beside the model
    with st.container(border=True, key=f"{page}_data_doctor"):
        st.markdown(f"**🩺 {t('data_doctor.header')}**")
        if diagnosis.healthy:
            st.success(t("data_doctor.healthy"))
        for finding in diagnosis.findings:
            sentence = say(f"finding_{finding.code}", namespace, **finding.values)
            st.markdown(f"{ICONS[finding.severity]} **{t(f'data_doctor.severity_{finding.severity.label}')}** · {sentence}")
            if finding.examples:
                st.caption(t("data_doctor.examples") + " " + " · ".join(finding.examples))
            if finding.fix and finding.fix in fixes:
                st.button(say(f"fix_{finding.fix}", namespace), key=f"{page}_fix_{finding.fix}", icon="🩹",
                          on_click=fixes[finding.fix], help=say(f"fix_{finding.fix}_why", namespace))
        st.caption(t("data_doctor.took", seconds=diagnosis.seconds))


def say(name: str, namespace: str = "data_doctor", **values) -> str:
    """``namespace.name`` when that namespace has it (in English at least), else ``data_doctor.name``."""
    english = load_strings("en")
    key = f"{namespace}.{name}" if f"{namespace}.{name}" in english or f"{namespace}.{name}" in load_strings(current_language()) \
        else f"data_doctor.{name}"
    return t(key, **values)


def applied_data_fixes(page: str, data_fingerprint: str) -> list[str]:
    """The data fixes applied on this page to the data set with this fingerprint, in order."""
    return list(page_state(page).setdefault("data_fixes", {}).get(data_fingerprint, []))


def add_data_fix(page: str, data_fingerprint: str, fix: str) -> None:
    fixes = page_state(page).setdefault("data_fixes", {}).setdefault(data_fingerprint, [])
    if fix not in fixes:
        fixes.append(fix)


def clear_data_fixes(page: str, data_fingerprint: str) -> None:
    page_state(page).setdefault("data_fixes", {}).pop(data_fingerprint, None)


def fixed_data(page: str, data: Data, apply_fix: Callable[[Data, str], Data]) -> Data:
    """``data`` after the data fixes applied to it on ``page``, in order (``data`` itself when none)."""
    fixes = tuple(applied_data_fixes(page, data.fingerprint()))
    return _fixed(data.fingerprint(), fixes, apply_fix, data) if fixes else data


@st.cache_resource(show_spinner=False, max_entries=8)
def _fixed(fingerprint: str, fixes: tuple[str, ...], _apply_fix: Callable[[Any, str], Any], _data: Any) -> Any:
    for fix in fixes:
        _data = _apply_fix(_data, fix)
    return _data


def applied_fixes_line(page: str, source_fingerprint: str, count: int, namespace: str = "data_doctor") -> None:
    """Which data fixes are applied to the data with ``source_fingerprint``, what is left, and Undo."""
    applied = applied_data_fixes(page, source_fingerprint)
    if not applied:
        return
    names = ", ".join(say(f"fix_{fix}", namespace) for fix in applied)
    left, right = st.columns([4, 1])
    left.info(say("fixes_applied", namespace, fixes=names, count=count))
    right.button(say("undo_fixes", namespace), key=f"{page}_undo_fixes", on_click=clear_data_fixes,
                 args=(page, source_fingerprint))


def set_widget(key: str, value) -> Callable[[], None]:
    """A fix that sets a setting's widget (run as a button callback, before the widgets are drawn)."""
    def apply() -> None:
        st.session_state[key] = value
    return apply
