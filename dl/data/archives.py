"""Zip archives a user sends as a model (``.keras`` files are zips) or a workbook (``.xlsx`` files
are zips of XML): refused before unpacking when they are broken or would unpack to a bomb."""

from __future__ import annotations

import io
import zipfile

from dl.data.errors import DataError, unreadable_table
from dl.limits import LIMITS

SMALL_ARCHIVE_BYTES = 16 * 2**20  # below this, any compression ratio is harmless


def open_model_archive(data: bytes, file_name: str) -> zipfile.ZipFile:
    """The zip in ``data``; DataError when it is unreadable, would unpack to more than
    ``LIMITS.uncompressed_bytes``, or compresses like a zip bomb (``LIMITS.compression_ratio``)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise DataError(f"{file_name} is not a readable model archive ({error}). Export it again.", "not_a_model_archive",
                        name=file_name, reason=str(error)) from None
    unpacked, packed = unpacked_and_packed(infos)
    if is_bomb(unpacked, packed):
        archive.close()
        raise DataError(f"{file_name} would unpack to {unpacked / 2**20:,.0f} MB from {packed / 2**20:,.1f} MB "
                        "(a zip bomb?). The model was refused.", "model_bomb", name=file_name,
                        unpacked=f"{unpacked / 2**20:,.0f}", packed=f"{packed / 2**20:,.1f}")
    return archive


def check_model_file(data: bytes, file_name: str) -> None:
    """``open_model_archive`` for a file about to be handed to Keras by path."""
    open_model_archive(data, file_name).close()


def check_workbook(data: bytes, file_name: str) -> None:
    """An ``.xlsx`` upload's zip, checked before a spreadsheet reader unpacks its XML: DataError when it
    is not a zip or would unpack to a bomb (a sheet of 500 MB of spaces packs into 0.5 MB)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked, packed = unpacked_and_packed(archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise unreadable_table(file_name, f"not a readable .xlsx workbook: {error}") from None
    if is_bomb(unpacked, packed):
        raise DataError(f"{file_name} would unpack to {unpacked / 2**20:,.0f} MB from {packed / 2**20:,.1f} MB "
                        "(a zip bomb?). The workbook was refused; save it as a CSV.", "workbook_bomb", name=file_name,
                        unpacked=f"{unpacked / 2**20:,.0f}", packed=f"{packed / 2**20:,.1f}")


def unpacked_and_packed(infos: list[zipfile.ZipInfo]) -> tuple[int, int]:
    """(bytes after unpacking, bytes in the zip) over all entries, as their headers declare them."""
    return sum(info.file_size for info in infos), sum(info.compress_size for info in infos)


def is_bomb(unpacked: int, packed: int) -> bool:
    """Over ``LIMITS.uncompressed_bytes`` in all, or compressed like a bomb (``LIMITS.compression_ratio``)."""
    bomb_ratio = unpacked > SMALL_ARCHIVE_BYTES and unpacked / max(packed, 1) > LIMITS.compression_ratio
    return unpacked > LIMITS.uncompressed_bytes or bomb_ratio
