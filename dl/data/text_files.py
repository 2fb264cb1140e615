"""Reading uploaded text files: the encoding, and the size limit every upload path shares.

``decode_text`` tries UTF-8 (with or without a BOM), UTF-16 with a BOM, GBK (Chinese Excel and
Windows exports), then Latin-1 (MovieLens 1M's movies.dat), and refuses binary data with a message
that says so.
"""

from __future__ import annotations

from dl.data.errors import DataError, empty_file, not_text, too_large
from dl.limits import LIMITS

MAX_UPLOAD_BYTES = LIMITS.upload_bytes
ENCODINGS = ("utf-8-sig", "gbk", "latin-1")  # utf-8 (BOM or not), Chinese exports, then MovieLens 1M's latin-1


def decode_text(content: bytes, file_name: str) -> str:
    """Bytes -> text: UTF-8 (with or without BOM), UTF-16 with a BOM, GBK, else Latin-1."""
    if not content.strip():
        raise empty_file(file_name)
    if len(content) > MAX_UPLOAD_BYTES:
        raise too_large(file_name, len(content), MAX_UPLOAD_BYTES)
    if b"\x00" in content[:4096] and not content.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise not_text(file_name)
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return content.decode("utf-16")
    for encoding in ENCODINGS:
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding == "gbk" and _looks_like_misread_latin1(text):
            continue
        return text
    raise DataError(f"{file_name} could not be decoded as text.")  # unreachable: latin-1 decodes anything


def _looks_like_misread_latin1(text: str) -> bool:
    """Latin-1 accents often decode as GBK too ('Amélie' -> 'Am閘ie'), but then each Chinese
    character stands alone between Latin letters; real Chinese text has them side by side."""
    cjk = [index for index, character in enumerate(text) if "\u4e00" <= character <= "\u9fff"]
    if not cjk:
        return False
    found = set(cjk)
    alone = sum(1 for index in cjk if index - 1 not in found and index + 1 not in found)
    return alone > len(cjk) / 2
