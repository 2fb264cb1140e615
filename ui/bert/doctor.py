"""BERT labeling, the data doctor: the text checks (labels, near duplicates, lengths, languages) and
how much of the sentences the chosen model's tokenizer can read, with their one-click fixes.

A data fix belongs to the sentences it was made for (their fingerprint); the class-weights fix sets
the fine-tuning setting, which "auto" already turns on past the doctor's own imbalance threshold.
"""

from __future__ import annotations

import streamlit as st

from dl.bert.config import BertConfig
from dl.bert.doctor import diagnose_sentences
from dl.data.errors import DataError
from dl.data_doctor import Diagnosis
from dl.data_doctor.texts import apply_text_fix
from dl.text.data import TextDataset
from ui.bert.data import tokenizer_for
from ui.bert.training import CLASS_WEIGHTS_KEY, LENGTH_KEY, PAGE
from ui.data_doctor import add_data_fix, applied_fixes_line, doctor_panel, fixed_data, set_widget

UNKNOWN_SAMPLE = 300  # sentences the unknown-piece share is measured on: enough for a share, quick to tokenize


@st.cache_resource(show_spinner=False, max_entries=8)
def _diagnosis(fingerprint: str, config: BertConfig, unknown_share: float | None, _dataset: TextDataset) -> Diagnosis:
    return diagnose_sentences(_dataset, config, unknown_share)


@st.cache_resource(show_spinner=False, max_entries=8)
def _unknown_share(model: str, fingerprint: str, _texts: tuple[str, ...]) -> float:
    from dl.bert.backbone import unknown_share

    return unknown_share(tokenizer_for(model), list(_texts))


def fixed_sentences(dataset: TextDataset) -> TextDataset:
    """``dataset`` after the data fixes applied to it on this page (itself when there are none)."""
    return fixed_data(PAGE, dataset, apply_text_fix)


def sentences_doctor(original: TextDataset, dataset: TextDataset, model: str) -> None:
    """The doctor's findings on ``dataset`` (``original`` after its fixes) for ``model``."""
    default = BertConfig()
    config = BertConfig(model=model, class_weights=st.session_state.get(CLASS_WEIGHTS_KEY, default.class_weights),
                        max_length=int(st.session_state.get(LENGTH_KEY, default.max_length)))  # what the doctor depends on
    try:
        share = _unknown_share(model, dataset.fingerprint(), tuple(dataset.texts[:UNKNOWN_SAMPLE]))
    except DataError:
        share = None  # the model cannot be loaded: the tokenizer view above already says so
    diagnosis = _diagnosis(dataset.fingerprint(), config, share, dataset)
    fingerprint = original.fingerprint()
    fixes = {fix: (lambda fix=fix: add_data_fix(PAGE, fingerprint, fix)) for fix in diagnosis.fixes()}
    fixes["class_weights"] = set_widget(CLASS_WEIGHTS_KEY, "on")
    doctor_panel(diagnosis, PAGE, fixes)
    applied_fixes_line(PAGE, fingerprint, len(dataset.texts))
