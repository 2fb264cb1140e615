"""The training-job widget: progress bar, live curves, cancel button, errors.

Usage in a page::

    job = ui.job_widget.start_or_attach(key, work, name="MNIST CNN")
    if show_job(job):          # draws the live view; True once the job finished successfully
        result = job.result
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import streamlit as st

from dl import jobs
from ui.errors import data_error_text
from ui.i18n import t
from ui.loaders import job_registry
from ui.plots import history_figure

REFRESH_SECONDS = 1.0


def start_or_attach(key: str, work: Callable[[jobs.ProgressReporter], Any], name: str = "") -> jobs.Job:
    """Submit a job under ``key`` or reattach to the one already there (see JobRegistry.submit)."""
    return job_registry().submit(key, work, name=name)


def attached_job(key: str | None) -> jobs.Job | None:
    """The job under ``key`` if there is one (e.g. the page was left and reopened)."""
    return job_registry().get(key) if key else None


def show_job(job: jobs.Job, chart: bool = True, live_view: Callable[[jobs.Job], None] | None = None) -> bool:
    """Draw ``job``'s live progress; return True when it finished successfully.

    While the job runs, a fragment refreshes itself every second (drawing ``live_view(job)`` too, e.g.
    the gradient lab's heatmap so far); when it finishes, the fragment triggers one full rerun of the
    page so the page can draw the result.
    """
    if job.finished:
        _draw(job, chart)
        return job.status == jobs.DONE
    _live_view(job, chart, live_view)
    return False


@st.fragment(run_every=REFRESH_SECONDS)
def _live_view(job: jobs.Job, chart: bool, live_view: Callable[[jobs.Job], None] | None) -> None:
    _draw(job, chart)
    if job.finished:
        st.rerun()  # whole page: now it can show the result
    if live_view is not None:
        live_view(job)


def _draw(job: jobs.Job, chart: bool) -> None:
    progress, history = job.snapshot()
    st.progress(progress.fraction, text=status_line(progress, job.result))
    if job.status == jobs.FAILED:
        reason = data_error_text(job.data_error) if job.data_error is not None else job.error
        st.error(f"{t('jobs.failed')} {reason}", icon="⚠️")
        if job.error_details:
            with st.expander(t("jobs.details")):
                st.code(job.error_details)
    elif job.status == jobs.CANCELLED:
        st.warning(t("jobs.cancelled"))
    elif not job.finished:
        if st.button(t("jobs.cancel"), key=f"cancel-{job.id}", icon="⏹️"):
            job.cancel()
            st.toast(t("jobs.cancel_requested"))
    if chart and len(history) >= 1:
        st.plotly_chart(history_figure(history), key=f"history-{job.id}-{len(history)}")


def status_line(progress: jobs.Progress, result: Any = None) -> str:
    """One line such as 'epoch 3/10 · batch 12/40 · loss 0.231 · 25 s left'.

    After the last epoch no time is counted down (an early stop says so instead), and a finished
    job whose ``result`` came from the model cache says how long loading took beside how long the
    training once took, rather than passing the load time off as training time.
    """
    message = t(f"jobs.message_{progress.message_code}") if progress.message_code else progress.message
    if progress.status == jobs.QUEUED:
        return message or t("jobs.queued")
    parts = [t(f"jobs.status_{progress.status}")]
    if message and progress.status == jobs.RUNNING:
        parts.append(message)
    if progress.stopped_early:
        parts.append(t("jobs.stopped_early", epoch=progress.epoch, epochs=progress.epochs))
    elif progress.epochs:
        parts.append(t("jobs.epoch", epoch=min(progress.epoch, progress.epochs), epochs=progress.epochs))
    if progress.steps and progress.status == jobs.RUNNING and not progress.training_ended:
        parts.append(t("jobs.batch", step=progress.step, steps=progress.steps))
    if progress.loss is not None and math.isfinite(progress.loss):
        parts.append(t("jobs.loss", loss=progress.loss))
    if progress.eta_seconds is not None and progress.status == jobs.RUNNING:
        parts.append(t("jobs.eta", seconds=max(1, round(progress.eta_seconds))))
    elif progress.elapsed_seconds and progress.status == jobs.DONE:
        parts.append(_time_taken(progress.elapsed_seconds, result))
    return " · ".join(parts)


def _time_taken(elapsed_seconds: float, result: Any) -> str:
    trained_seconds = _training_seconds(result) if getattr(result, "from_cache", False) else None
    if trained_seconds is None:
        return t("jobs.took", seconds=round(elapsed_seconds, 1))
    return t("jobs.took_from_cache", trained=round(trained_seconds, 1), seconds=round(elapsed_seconds, 1))


def _training_seconds(result: Any) -> float | None:
    """How long the cached model once took to train: the store's ``train_seconds``, else the fit time."""
    meta = getattr(result, "meta", None) or {}
    seconds = meta.get("train_seconds") if isinstance(meta, dict) else None
    if seconds is None:
        metrics = getattr(result, "metrics", None) or {}
        seconds = metrics.get("fit_seconds") if isinstance(metrics, dict) else None
    return float(seconds) if isinstance(seconds, (int, float)) else None
