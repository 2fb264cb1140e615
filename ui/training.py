"""The training section every training page shares: Train button, the page's job, live view.

``training_section(page, key, work, name, data_fingerprint)`` draws the Train button; pressing it
submits ``work`` under the model-store ``key`` (or joins the job already training that key). It then
shows the job this page started on this data (or one running for these settings, e.g. started by
another session or before the page was left) through ``ui.job_widget.show_job``, and returns the
finished result, else None. What a page remembers lives in ``page_state(page)``: one dict per page
under a key that no widget key can take.

A stored run comes back through the same section: ``start_opened_run`` makes the page's job for a
run's settings (a store hit) the one it shows, as the "All runs" tab (``ui.runs``) and an opened project
file (``ui.projects``) do; a page's ``Reopener`` says how its job is built from a run's settings, and its
``SettingWidget`` table which widget shows which setting (set when a run, a project or a link opens).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import streamlit as st

from dl.jobs import Job, ProgressReporter
from dl.metrics import SMALL_TEST_SIZE
from dl.runs import Run
from ui.i18n import t
from ui.job_widget import attached_job, show_job, start_or_attach

Work = Callable[[ProgressReporter], Any]  # a training job: work(reporter) -> the task's result
STATE_PREFIX = "_page_state."  # widget keys are plain names: a dotted, underscored prefix never collides
OWN_RUNS = "_own_runs"  # store keys this session trained or opened: a hosted visitor's own runs (ui.runs)


def page_state(page: str) -> dict[str, Any]:
    """The session's private dict for ``page`` (created on first use)."""
    return st.session_state.setdefault(f"{STATE_PREFIX}{page}", {})


def training_section(page: str, key: str, work: Callable[[ProgressReporter], Any], name: str,
                     data_fingerprint: str, *, button_label: str | None = None, start_now: bool = False,
                     on_press: Callable[[], None] | None = None, chart: bool = True,
                     live_view: Callable[[Job], None] | None = None) -> Any | None:
    """Train button + live job; the result of this page's last finished job on this data, or None.

    ``start_now`` starts the job without a press (the gradient lab's doctor retrains a fix at once);
    ``on_press`` runs when the user pressed the button; ``chart`` draws the loss curves while it
    trains, ``live_view(job)`` anything else that should refresh with the progress bar.
    """
    state = page_state(page)
    pressed = st.button(button_label or t("common.train"), type="primary", icon="🚀", key=f"{page}_train")
    if pressed or start_now:
        start_own_job(key, work, name)
        state["last_job"] = {"key": key, "data": data_fingerprint}
        state.pop("opened", None)
        if pressed and on_press is not None:
            on_press()
    last = state.get("last_job")
    job_key = last["key"] if last and last["data"] == data_fingerprint else key
    job = attached_job(job_key)
    if job is None:
        st.caption(t("common.press_train"))
        return None
    if not opened_caption(page, job_key) and job_key != key:
        st.caption(t("common.settings_changed"))
    if not show_job(job, chart=chart and not job.finished, live_view=live_view):
        return None
    return job.result


def start_own_job(key: str, work: Work, name: str) -> None:
    """Start (or join) the job training ``key`` and count its run as this session's own (``own_runs``)."""
    start_or_attach(key, work, name=name)
    own_runs().add(key)


def own_runs() -> set[str]:
    """The store keys this session trained or opened (``DL_HOSTED``: the only uploads' runs it may see)."""
    return st.session_state.setdefault(OWN_RUNS, set())


def opened_caption(page: str, key: str) -> bool:
    """Under a run opened from the "All runs" tab, say so (in place of "the settings changed")."""
    opened = page_state(page).get("opened")
    if not opened or opened["key"] != key:
        return False
    st.caption(t("runs.opened", when=opened["when"]))
    return True


@dataclass(frozen=True)
class SettingWidget:
    """A page widget that shows one config field: opening a run or a project sets it to the run's value.

    ``choices``: the values a radio, select box or select slider offers (another value is left alone);
    ``low``/``high``: a slider's range.
    """

    field: str
    key: str
    choices: tuple[Any, ...] | None = None
    low: float | None = None
    high: float | None = None

    def accepts(self, value: Any) -> bool:
        if self.choices is not None:
            return value in self.choices
        return isinstance(value, (int, float)) and not isinstance(value, bool) and self.low <= value <= self.high


def widget_states(widgets: tuple[SettingWidget, ...], values: dict[str, Any]) -> dict[str, Any]:
    """Widget key -> the run's value, for every widget whose field the run has with a value it can show."""
    return {widget.key: values[widget.field] for widget in widgets if widget.field in values and widget.accepts(values[widget.field])}


@dataclass(frozen=True)
class Reopener:
    """How a page opens a stored run on the data it has loaded now.

    ``builders[task](config_values)`` returns ``(store key, work)`` for the page's own training job with
    those settings on the loaded data (``None`` data: nothing can be opened). A run opens when that key
    is the run's own, so ``work`` is a cache hit; a run stored by an older version (whose settings no
    longer make the same key) does not. After opening, the tabs of ``lazy_tabs(tabs_page, ...)`` show ``results_tab``.
    """

    data_fingerprint: str | None
    builders: dict[str, Callable[[dict[str, Any], Any], tuple[str, Work]]]  # (config values, dl.task.Resume | None)
    tabs_page: str
    results_tab: str
    settings: Callable[[str, dict[str, Any]], dict[str, Any]] = lambda task, values: {}  # (task, config) -> widget states

    def reopen(self, run: Run) -> tuple[str, Work] | None:
        build = self.builders.get(run.task)
        if build is None or run.data_fingerprint != self.data_fingerprint:
            return None
        key, work = build(run.config, run.resume())
        return (key, work) if key == run.key else None


def task_reopener(task: str, config_class: type, work: Callable[[Any, Any, Any], tuple[str, Work]], data: Any,
                   tabs_page: str, results_tab: str, settings: Callable[[str, dict[str, Any]], dict[str, Any]]) -> Reopener:
    """The ``Reopener`` of a page with one task: ``work(config, data, resume)`` -> (store key, job) is the
    page's own, fed the run's settings (``data``: what the page loaded, None before it has any)."""
    from dl.config import config_from_dict

    def build(values: dict[str, Any], resume: Any) -> tuple[str, Work]:
        return work(config_from_dict(config_class, values), data, resume)
    return Reopener(data.fingerprint() if data is not None else None, {task: build}, tabs_page, results_tab, settings)


def start_opened_run(page: str, run: Run, key: str, work: Work, reopener: Reopener) -> None:
    """Start (or join) the page's job for a stored run and make it the one the page shows."""
    start_own_job(key, work, f"{page} · {run.when}")
    state = page_state(page)
    state["last_job"] = {"key": key, "data": reopener.data_fingerprint}
    state["opened"] = {"key": key, "when": run.when}


def small_test_caution(test_size: int) -> None:
    """A warning under the headline when it rests on few held-out examples (a "100 %" on 2 sentences)."""
    if 0 < test_size < SMALL_TEST_SIZE:
        st.warning(t("common.small_test", count=test_size, step=100 / test_size), icon="🔎")


def remember_run(page: str, data_fingerprint: str, result: Any) -> None:
    """Keep a finished result (keyed by its store folder, ``result.path``) for the page's run table."""
    runs = page_state(page).setdefault("runs", {})
    runs.setdefault(data_fingerprint, {})[str(result.path)] = result


def runs_on(page: str, data_fingerprint: str) -> list[Any]:
    """Every result this session remembered on this data, oldest first."""
    return list(page_state(page).get("runs", {}).get(data_fingerprint, {}).values())
