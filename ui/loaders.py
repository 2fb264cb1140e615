"""Process-wide cached objects (``st.cache_resource`` lives only here)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from dl import device, jobs, store
from dl.task import StoredModel
from ui.i18n import t


@st.cache_resource(show_spinner=False)
def model_store() -> store.ModelStore:
    """The model store under ``$DL_CACHE_DIR`` (or the per-user cache folder)."""
    return store.ModelStore()


@st.cache_resource(show_spinner=False)
def hardware() -> dict[str, Any]:
    """CPU, memory, GPUs and framework versions (no framework is imported)."""
    return device.hardware_summary()


def job_registry() -> jobs.JobRegistry:
    """The process-wide training-job registry (already a singleton inside ``dl.jobs``)."""
    return jobs.registry()


def load_model_once(trained: Any) -> None:
    """Load a cache hit's model, if it is still in the store, under a spinner (TensorFlow's import and
    the network take seconds the first time); the result's metrics were shown without it."""
    source = getattr(trained, "model_or_loader", None)
    if isinstance(source, StoredModel) and not source.loaded:
        with st.spinner(t("common.loading_model")):
            source.get()
