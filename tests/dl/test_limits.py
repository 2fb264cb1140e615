"""Limits live in dl/limits.py; Streamlit's upload cap agrees with them; readers use them."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from dl.data.errors import DataError
from dl.limits import LIMITS, MIB, concurrent_jobs

ROOT = Path(__file__).resolve().parents[2]


def test_streamlit_upload_cap_is_the_upload_limit():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] * MIB == LIMITS.upload_bytes


def test_readers_take_their_numbers_from_limits():
    from dl.data import text_files
    from dl.gradient_lab import tables
    from dl.image.uploads import DEFAULT_LIMITS
    from dl.lessons import playground
    from dl.recommender import data as ratings
    from dl.text import data as texts

    assert DEFAULT_LIMITS.max_upload_bytes == text_files.MAX_UPLOAD_BYTES == LIMITS.upload_bytes
    assert DEFAULT_LIMITS.max_image_pixels == LIMITS.image_pixels and DEFAULT_LIMITS.max_entries == LIMITS.zip_entries
    assert texts.MAX_TEXTS == LIMITS.text_rows and ratings.MAX_RATINGS == LIMITS.ratings_rows
    assert tables.MAX_CSV_ROWS == LIMITS.lab_table_rows and playground.MAX_CSV_ROWS == LIMITS.points_rows


def test_a_file_over_the_upload_limit_names_the_limit(monkeypatch):
    from dl.data import text_files

    monkeypatch.setattr(text_files, "MAX_UPLOAD_BYTES", 1 * MIB)
    with pytest.raises(DataError, match=r"big.csv is 2.0 MB, over the 1 MB limit") as raised:
        text_files.decode_text(b"a,b\n" * (MIB // 2), "big.csv")
    assert raised.value.code == "too_large"


def test_concurrent_jobs_follows_the_environment(monkeypatch):
    monkeypatch.setenv("DL_MAX_JOBS", "3")
    assert concurrent_jobs() == 3
    monkeypatch.setenv("DL_MAX_JOBS", "lots")
    assert concurrent_jobs() == 1
