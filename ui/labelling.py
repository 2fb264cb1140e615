"""Labelling with a trained text model, shared by the text and BERT pages: a whole uploaded table,
and one sentence's tokens coloured by how much each pushed the label (``coloured_tokens``).

The user uploads a table (the text page's readers: CSV, TSV, XLSX, JSON lines), picks the column of
texts (preset to the one with the longest values), watches a progress bar, sees the first rows and
downloads the table with two new columns, ``predicted_label`` and ``probability``.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import numpy as np
import streamlit as st

from dl.data.errors import DataError
from dl.text import data as text_data
from ui.errors import show_data_error
from ui.i18n import t
from ui.limits import show_limits
from ui.tabs import KEEP, kept_upload
from ui.training import page_state

Predict = Callable[[list[str], Callable[[int, int], None]], np.ndarray]  # (texts, progress(done, total)) -> probabilities
Check = Callable[[list[str]], str | None]  # texts -> a warning that the model cannot read them, or None


def label_uploaded_table(prefix: str, strings: str, column_key: str, class_names: list[str], predict: Predict,
                         model_id: str = "", check: Check | None = None) -> None:
    """``prefix``: widget keys; ``strings``: the page's locale namespace (upload_to_label, labelling,
    labelled, download_labelled and ``column_key``); ``model_id``: the labelling model (its store
    folder), so a table kept from an earlier model says so; ``check(texts)``: a warning when the
    model cannot read the table (another language, words it never saw)."""
    upload = kept_upload(strings, f"{prefix}_label_file", lambda: st.file_uploader(
        t(f"{strings}.upload_to_label"), type=list(text_data.TABLE_TYPES), key=f"{prefix}_label_file"))
    show_limits("table")
    if upload is None:
        return
    try:
        frame = text_data.read_table(upload.getvalue(), upload.name)
    except DataError as error:
        show_data_error(error)
        return
    columns = list(frame.columns)
    guessed = max(columns, key=lambda column: frame[column].astype(str).str.len().mean())
    column = st.selectbox(t(f"{strings}.{column_key}"), columns, columns.index(guessed), key=f"{prefix}_label_col_pick", persist_state=KEEP)
    texts = frame[column].astype(str).tolist()
    if _uploaded_for_another_model(prefix, upload, model_id):
        st.warning(t("common.table_from_earlier_model", name=upload.name), icon="🕰️")
    warning = check(texts) if check is not None else None
    if warning:
        st.warning(warning, icon="⚠️")
    bar = st.progress(0.0, text=t(f"{strings}.labelling", done=0, total=len(texts)))

    def progress(done: int, total: int) -> None:
        bar.progress(done / max(1, total), text=t(f"{strings}.labelling", done=done, total=total))

    probabilities = predict(texts, progress)
    bar.progress(1.0, text=t("common.labelled", total=len(texts)))  # the line ends with the work
    labelled = frame.assign(predicted_label=[class_names[index] for index in probabilities.argmax(axis=1)],
                            probability=probabilities.max(axis=1).round(4))
    st.dataframe(labelled.head(20), hide_index=True, width="stretch")
    st.download_button(t(f"{strings}.download_labelled"), labelled.to_csv(index=False).encode("utf-8-sig"),
                       file_name=f"labelled-{upload.name.rsplit('.', 1)[0]}.csv", mime="text/csv", key=f"{prefix}_labelled_download")


def _uploaded_for_another_model(prefix: str, upload, model_id: str) -> bool:
    """True when this file was first labelled by another model than ``model_id`` (a table kept on the
    page while a new model was trained)."""
    first_model = page_state(prefix).setdefault("labelled_tables", {})
    return first_model.setdefault((upload.name, len(upload.getvalue())), model_id) != model_id


def coloured_tokens(tokens: list[str], scores: list[float]) -> str:
    """HTML: each token on green (pushed towards the label) or red (against), as strong as its score
    relative to the largest; the score itself shows on hover."""
    scale = max([abs(score) for score in scores] + [1e-6])
    spans = "".join(
        f'<span title="{score:+.3f}" style="background:rgba({"46,160,67" if score > 0 else "218,54,51"},'
        f'{min(1.0, abs(score) / scale):.2f});padding:2px 3px;margin:1px;border-radius:4px;display:inline-block">'
        f"{html.escape(token)}</span>"
        for token, score in zip(tokens, scores, strict=True))
    return f'<div style="line-height:2.2;font-size:1.05rem">{spans}</div>'
