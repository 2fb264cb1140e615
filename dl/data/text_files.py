"""Reading uploaded text files: the encoding, and the size limit every upload path shares.

``decode_text`` tries UTF-8 (with or without a BOM), UTF-16 with a BOM, GBK (Chinese Excel and
Windows exports), then Latin-1 (MovieLens 1M's movies.dat), and refuses binary data with a message
that says so.
"""

from __future__ import annotations

from dl.data.errors import DataError, empty_file, line_too_long, not_text, too_large, too_many_rows
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


def table_lines(text: str, file_name: str, max_rows: int, lines_per_row: int = 1, header_lines: int = 1,
                max_line_chars: int = LIMITS.table_line_chars) -> list[str]:
    """The non-blank lines of a table's text; DataError when there are more than ``max_rows`` rows
    (below up to ``header_lines`` of header) or a line is longer than ``max_line_chars``.

    ``lines_per_row`` allows for cells that span lines (quoted texts with line breaks). Line breaks
    are counted first (fast, no copy): a file of 30 million tiny lines is refused in a second instead
    of becoming 30 million strings, which ran out of memory. That early count allows as many blank
    lines again; the exact count of non-blank lines follows.
    """
    allowed = max_rows * lines_per_row + header_lines
    breaks = text.count("\n") or text.count("\r")
    if breaks > 2 * allowed:
        raise too_many_rows(file_name, breaks - header_lines, max_rows)
    lines = text.splitlines()
    if max(map(len, lines), default=0) > max_line_chars:
        number, line = next((number, line) for number, line in enumerate(lines, start=1) if len(line) > max_line_chars)
        raise line_too_long(file_name, number, len(line), max_line_chars)
    non_blank = [line for line in lines if line.strip()]
    if not non_blank:  # e.g. b"\x85": Latin-1 NEL, a line break to Python, found by the fuzz tests
        raise empty_file(file_name)
    if len(non_blank) > allowed:
        raise too_many_rows(file_name, len(non_blank) - header_lines, max_rows)
    return non_blank
