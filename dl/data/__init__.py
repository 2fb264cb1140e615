"""Data: embedded datasets, parsers of uploads, and the DataError they raise on bad input."""

from dl.data.errors import DataError
from dl.data.fingerprint import fingerprint
from dl.data.registry import DatasetInfo, dataset_names, get_dataset, register_dataset

__all__ = [
    "DataError",
    "DatasetInfo",
    "dataset_names",
    "fingerprint",
    "get_dataset",
    "register_dataset",
]
