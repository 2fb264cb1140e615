"""The limits of each upload, stated under its uploader (numbers from ``dl.limits``)."""

from __future__ import annotations

import streamlit as st

from dl.limits import LIMITS, megabytes
from ui.i18n import t


def limits_text(kind: str) -> str:
    """The sentence for one kind of upload: zip, photos, table, ratings, model, lab_table, points."""
    values = {
        "zip": {"size": megabytes(LIMITS.upload_bytes), "entries": f"{LIMITS.zip_entries:,}",
                "pixels": LIMITS.image_pixels // 1_000_000, "total": f"{LIMITS.total_image_pixels // 1_000_000:,}"},
        "photos": {"size": megabytes(LIMITS.upload_bytes), "pixels": LIMITS.image_pixels // 1_000_000},
        "table": {"size": megabytes(LIMITS.upload_bytes), "rows": f"{LIMITS.text_rows:,}", "chars": f"{LIMITS.text_chars:,}",
                  "columns": f"{LIMITS.table_columns:,}"},
        "ratings": {"size": megabytes(LIMITS.upload_bytes), "rows": f"{LIMITS.ratings_rows:,}",
                    "columns": f"{LIMITS.table_columns:,}"},
        "model": {"size": megabytes(LIMITS.model_upload_bytes)},
        "lab_table": {"size": megabytes(LIMITS.lab_table_bytes), "rows": f"{LIMITS.lab_table_rows:,}",
                      "features": f"{LIMITS.lab_table_features:,}"},
        "points": {"size": megabytes(LIMITS.points_bytes), "rows": f"{LIMITS.points_rows:,}"},
        "project": {"size": megabytes(LIMITS.upload_bytes), "unpacked": megabytes(LIMITS.uncompressed_bytes)},
    }[kind]
    return t(f"common.limits_{kind}", **values)


def show_limits(kind: str) -> None:
    st.caption(limits_text(kind))
