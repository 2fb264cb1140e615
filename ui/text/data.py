"""Text classification, data step: a built-in review set or an uploaded table (pick the text and
label columns), then counts, lengths, examples and one sentence's tokens."""

from __future__ import annotations

import functools

import plotly.graph_objects as go
import streamlit as st

from dl.data.errors import DataError
from dl.data_doctor import Diagnosis
from dl.data_doctor.texts import apply_text_fix, diagnose_texts
from dl.text import data as text_data
from dl.text.data import TextDataset
from dl.text.tokens import tokens
from ui.data_doctor import add_data_fix, applied_fixes_line, doctor_panel, fixed_data, set_widget
from ui.errors import show_data_error
from ui.i18n import t
from ui.limits import show_limits
from ui.projects import remember_data
from ui.tabs import KeptFile, kept_upload

UPLOAD = "upload"
DATA_FIXES = ("drop_near_duplicates", "drop_conflicts")


@st.cache_resource(show_spinner=False)
def builtin_texts(name: str) -> TextDataset:
    """A built-in text set, loaded once per server (the BERT page shares it)."""
    return text_data.load_builtin(name)


@st.cache_resource(show_spinner=False, max_entries=4)
def _table(content: bytes, file_name: str):
    return text_data.read_table(content, file_name)


@st.cache_resource(show_spinner=False, max_entries=4)
def _uploaded(content: bytes, file_name: str, text_column: str, label_column: str) -> TextDataset:
    return text_data.dataset_from_table(_table(content, file_name), text_column, label_column, file_name)


def choose_texts() -> TextDataset | None:
    sources = [*text_data.builtin_names(), UPLOAD]
    labels = {name: t(f"text_classification.source_{name}") for name in sources}
    source = st.radio(t("text_classification.source"), sources, key="text_source", format_func=labels.get)
    if source != UPLOAD:
        with st.spinner(t("text_classification.loading")):
            dataset = builtin_texts(source)
        st.caption(t(f"text_classification.citation_{source}"))
        remember_data("text", dataset.fingerprint(), builtin=source)
        return dataset
    return uploaded_texts("text")


def uploaded_texts(prefix: str) -> TextDataset | None:
    """The uploader and the two column pickers (widget keys start with ``prefix``); None until usable."""
    upload = kept_upload(prefix, f"{prefix}_file", lambda: st.file_uploader(  # kept: a project file opened on the page
        t("text_classification.upload"), type=list(text_data.TABLE_TYPES), key=f"{prefix}_file", help=t("text_classification.upload_help")))
    show_limits("table")
    if upload is None:
        st.info(t("text_classification.upload_hint"))
        return None
    try:
        content = upload.getvalue()
        frame = _table(content, upload.name)
        guessed_text, guessed_label = text_data.guess_columns(frame)
        columns = list(frame.columns)
        left, right = st.columns(2)
        text_column = left.selectbox(t("text_classification.text_column"), columns, columns.index(guessed_text),
                                     key=f"{prefix}_text_col")
        label_column = right.selectbox(t("text_classification.label_column"), columns, columns.index(guessed_label),
                                       key=f"{prefix}_label_col")
        dataset = _uploaded(content, upload.name, text_column, label_column)
        remember_data(prefix, dataset.fingerprint(), files={"data": KeptFile(upload.name, content)},
                      options={"text_col": text_column, "label_col": label_column})
        return dataset
    except DataError as error:
        show_data_error(error)
        return None


def apply_fixes(dataset: TextDataset, page: str) -> TextDataset:
    """The data after the doctor's data fixes applied to it on ``page`` (none: the data itself)."""
    fixed = fixed_data(page, dataset, apply_text_fix)
    applied_fixes_line(page, dataset.fingerprint(), len(fixed.texts))
    return fixed


@st.cache_resource(show_spinner=False, max_entries=8, hash_funcs={TextDataset: TextDataset.fingerprint})
def text_diagnosis(dataset: TextDataset, sequence_length: int, class_weights_on: bool) -> Diagnosis:
    """The doctor's findings, once per data set and setting (17k Chinese reviews take ~0.5 s)."""
    return diagnose_texts(dataset, sequence_length, class_weights_on)


def show_doctor(dataset: TextDataset, source: TextDataset, page: str, sequence_length: int, class_weights_on: bool,
                weights_widget: str) -> None:
    """The data doctor on ``dataset`` (``source`` after its data fixes): a fix sets the class-weights
    widget or is recorded against ``source``, the data as chosen."""
    fixes = {"class_weights": set_widget(weights_widget, "on"),
             **{fix: functools.partial(add_data_fix, page, source.fingerprint(), fix) for fix in DATA_FIXES}}
    doctor_panel(text_diagnosis(dataset, sequence_length, class_weights_on), page, fixes)


def show_texts(dataset: TextDataset) -> None:
    """Counts, what de-duplication removed, class and length charts, examples, one sentence's tokens."""
    counts = dataset.class_counts()
    cells = st.columns(4)
    cells[0].metric(t("text_classification.texts"), f"{len(dataset.texts):,}")
    cells[1].metric(t("text_classification.classes"), dataset.num_classes)
    cells[2].metric(t("text_classification.duplicates"), f"{dataset.duplicates:,}", help=t("text_classification.duplicates_help"))
    cells[3].metric(t("text_classification.language"), t("text_classification.language_zh" if dataset.chinese else "text_classification.language_other"))
    with st.expander(t("text_classification.look_at_data"), expanded=False):
        left, right = st.columns(2)
        left.plotly_chart(_bars(list(counts), list(counts.values()), t("text_classification.class_counts")), key="text_class_counts")
        right.plotly_chart(_histogram(dataset.lengths().tolist(), t("text_classification.lengths")), key="text_lengths")
        st.dataframe([{t("text_classification.label"): dataset.class_names[label], t("text_classification.text"): text}
                      for text, label in zip(dataset.texts[:8], dataset.labels[:8], strict=True)], hide_index=True, width="stretch")
        example = dataset.texts[0]
        st.markdown(f"**{t('text_classification.tokens_of_one')}** {example[:200]}")
        st.code(" · ".join(tokens(example)[:60]), language=None)
        st.caption(t("text_classification.tokens_zh" if dataset.chinese else "text_classification.tokens_words"))


def _bars(labels: list[str], values: list[int], title: str) -> go.Figure:
    figure = go.Figure(go.Bar(x=labels, y=values, marker_color="#4c78a8"))
    figure.update_layout(title=title, height=260, margin={"l": 10, "r": 10, "t": 40, "b": 10})
    return figure


def _histogram(values: list[int], title: str) -> go.Figure:
    figure = go.Figure(go.Histogram(x=values, nbinsx=50, marker_color="#f58518"))
    figure.update_layout(title=title, height=260, margin={"l": 10, "r": 10, "t": 40, "b": 10})
    return figure
