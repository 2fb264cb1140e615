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
    assert DEFAULT_LIMITS.max_total_pixels == LIMITS.total_image_pixels
    assert text_files.table_lines.__defaults__[-1] == LIMITS.table_line_chars
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


def test_tables_over_the_column_and_line_limits_name_them(monkeypatch):
    from dl.limits import Limits
    from dl.recommender.data import read_ratings_file
    from dl.text import data as texts
    from dl.text.data import read_text_file

    monkeypatch.setattr(texts, "LIMITS", Limits(table_columns=3))
    with pytest.raises(DataError, match="wide.csv has 4 columns; at most 3") as raised:
        read_text_file(b"a,b,c,d\n" + b"x,y,z,w\n" * 10, "wide.csv")
    assert raised.value.code == "too_many_columns"
    with pytest.raises(DataError, match=r"long.csv, line 2: 1,000,002 characters, over the limit of 1,000,000") as raised:
        read_ratings_file(b"user,item,rating\n" + b"u," * 500_001 + b"\n", "long.csv")
    assert raised.value.code == "line_too_long"


def test_texts_to_label_are_cut_at_the_text_limit(monkeypatch):
    """Training cuts texts at ``text_chars``; labelling a table cuts them the same way."""
    from types import SimpleNamespace

    from dl.text import models
    from dl.text.train import TrainedTextClassifier

    seen = []
    monkeypatch.setattr(models, "class_probabilities", lambda model, texts: seen.extend(texts))
    TrainedTextClassifier.predict(SimpleNamespace(model=None), ["word " * LIMITS.text_chars])
    assert len(seen[0]) < LIMITS.text_chars


def test_every_uploader_states_its_limits():
    """Each ``st.file_uploader`` in ui/ and app_pages/ is followed, within a few lines, by
    ``show_limits`` (a caption built from dl/limits.py in the page's language)."""
    missing = []
    for path in sorted([*(ROOT / "ui").rglob("*.py"), *(ROOT / "app_pages").rglob("*.py")]):
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines):
            if "file_uploader(" in line and not any("show_limits(" in later for later in lines[number: number + 20]):
                missing.append(f"{path.relative_to(ROOT)}:{number + 1}")
    assert missing == []


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_limits_caption_formats_with_the_numbers(language, monkeypatch):
    from ui import i18n, limits

    monkeypatch.setattr(i18n, "current_language", lambda: language)
    for kind in ("zip", "photos", "table", "ratings", "model", "lab_table", "points"):
        text = limits.limits_text(kind)
        assert "{" not in text and "common." not in text and any(character.isdigit() for character in text), (kind, text)
    assert f"{LIMITS.table_columns:,}" in limits.limits_text("table")
