"""Every limit on what a user may send, in one place.

A hosted playground is used by many people at once on a small machine (Streamlit Community Cloud:
~2.7 GB of memory, 2 cores), so every upload path bounds bytes, entries, pixels and rows before it
decodes much, and says which limit was hit (``dl.data.errors``). Readers take their numbers from
``LIMITS``; pages state them next to each uploader (``ui.limits``); ``.streamlit/config.toml``'s
``server.maxUploadSize`` equals ``upload_bytes`` (a test checks).
"""

from __future__ import annotations

from dataclasses import dataclass

MIB = 2**20


@dataclass(frozen=True)
class Limits:
    upload_bytes: int = 200 * MIB  # one uploaded file; Streamlit's own default cap, MovieLens 1M's ratings.dat is 24 MB
    zip_entries: int = 20_000  # thousands of photos are plenty for a CPU demo; far more is an attack
    uncompressed_bytes: int = 1024 * MIB  # a zip's decoded files in all: the host has ~2.7 GB of memory
    zip_entry_bytes: int = 64 * MIB  # one file in a zip: a huge uncompressed TIFF still fits, a bomb does not
    compression_ratio: float = 200.0  # photos hardly compress (JPEG/PNG ~1x); 200x is a zip bomb
    image_pixels: int = 50_000_000  # 50 megapixels: above any phone camera, below a decompression bomb
    total_image_pixels: int = 1_000_000_000  # all images of one upload: 200 MB of phone JPEGs is ~700 MP; 12 big PNGs of 0.1 MB took 2.6 GB
    text_rows: int = 200_000  # texts to classify or label: an epoch of the default model on more takes minutes
    text_chars: int = 5_000  # longer texts are cut: the models read the first few hundred tokens anyway
    table_columns: int = 1_000  # text and ratings tables use 2-4 columns; a spreadsheet export with extras fits, 200k columns took 50 s
    table_line_chars: int = 1_000_000  # one line of a text or ratings table; its text is cut at text_chars anyway
    ratings_rows: int = 2_000_000  # ~30 s an epoch on 2 cores; MovieLens 1M (1,000,209 ratings) fits
    lab_table_bytes: int = 50 * MIB  # gradient lab tables: far more than a demo needs
    lab_table_rows: int = 200_000  # one epoch of a 50-layer net on more rows takes minutes on 2 cores
    lab_table_features: int = 5_000  # 5k inputs x width 512 is already a 2.5M-weight first layer
    points_bytes: int = 20 * MIB  # the playground's point clouds: 100k rows of three numbers are ~3 MB
    points_rows: int = 100_000  # a boundary map of more points is no clearer, only slower
    model_upload_bytes: int = 200 * MIB  # an uploaded .keras model; the seed CNN at 128 px is ~30 MB


LIMITS = Limits()


def concurrent_jobs() -> int:
    """How many trainings run at once (``$DL_MAX_JOBS``, default 1); the others queue and say so."""
    from dl.jobs import default_max_concurrent_jobs

    return default_max_concurrent_jobs()


def megabytes(size_bytes: int) -> str:
    return f"{size_bytes / MIB:.0f}"
