"""Notes: sentences the library says about what it did (rows skipped, duplicates removed, cache trouble).

A ``Note`` is an English ``str`` (the CLI, logs and JSON print it as it is) that also carries a
``code`` and its ``values``, so a page can say the same thing in the reader's language:
``t(f"notes.{note.code}", **note.values)``. Counts choose between a singular and a plural code
(``…_one``), so English never reads "1 texts".
"""

from __future__ import annotations

from typing import Any

ENGLISH = {
    "text_duplicates_removed": "{count:,} exact duplicate texts were removed before splitting, so no text is both "
                               "trained on and tested on.",
    "text_duplicates_removed_one": "1 exact duplicate text was removed before splitting, so no text is both "
                                   "trained on and tested on.",
    "text_conflicts_removed": "{count:,} texts carried two different labels and were left out.",
    "text_conflicts_removed_one": "1 text carried two different labels and was left out.",
    "rows_skipped": "{count:,} rows without a text or a label were skipped.",
    "rows_skipped_one": "1 row without a text or a label was skipped.",
    "cache_unreadable_moved": "The cached model was unreadable ({error}); it was moved to {folder} and was retrained.",
    "cache_unreadable_kept": "The cached model was unreadable ({error}); it could not be moved aside ({reason}) "
                             "and was retrained.",
    "cache_not_writable": "The model cache {folder} cannot be written ({error}), so this model is kept in a "
                          "temporary folder and will be trained again next time.",
    "ratings_repeated": "{count:,} repeated ratings of the same movie by the same user: the latest was kept.",
    "ratings_repeated_one": "1 repeated rating of the same movie by the same user: the latest was kept.",
    "ratings_rows_skipped": "{count:,} rows without a user, item or rating were skipped.",
    "ratings_rows_skipped_one": "1 row without a user, item or rating was skipped.",
    "items_none_match": "None of the item ids in {file} match the ratings file: movies are shown by number.",
    "items_missing": "{count:,} rated items are not in {file}: they are shown by number.",
    "items_missing_one": "1 rated item is not in {file}: it is shown by number.",
    "not_chief": "This process is not the chief of the distributed run: its copy of the model is in {folder}.",
}


class Note(str):
    """An English sentence with the code and values a page needs to translate it."""

    code: str
    values: dict[str, Any]

    def __new__(cls, code: str, **values: Any) -> Note:
        note = super().__new__(cls, ENGLISH[code].format(**values))
        note.code, note.values = code, values
        return note


def counted(code: str, count: int, **values: Any) -> Note:
    """``counted("rows_skipped", 1)`` -> the singular sentence; any other count the plural one."""
    return Note(f"{code}_one" if count == 1 else code, count=count, **values)
