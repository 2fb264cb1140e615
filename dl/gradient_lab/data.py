"""The gradient lab's data: a feature table (built-in digits or an uploaded CSV) split, standardised
and shaped for a dense network (rows x features) or a recurrent one (rows x time steps x features)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from dl.data.errors import DataError
from dl.gradient_lab.config import GradientLabConfig
from dl.gradient_lab.tables import FeatureTable, load_builtin_table, read_feature_csv


def load_lab_table(config: GradientLabConfig, csv_content: bytes | None = None, csv_name: str = "upload.csv") -> FeatureTable:
    """The feature table a run trains on: a built-in set by ``config.dataset``, or the uploaded CSV."""
    if config.dataset == "csv":
        if csv_content is None:
            raise DataError("Choose a CSV file first: numeric feature columns plus a 'label' column.", "choose_lab_csv")
        return read_feature_csv(csv_content, csv_name)
    return load_builtin_table(config.dataset)


@dataclass
class LabData:
    """Standardised train/validation arrays shaped for the chosen network.

    Dense: ``x`` has shape (rows, features). Recurrent: (rows, sequence_length, features_per_step).
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_validation: np.ndarray
    y_validation: np.ndarray
    num_classes: int
    class_names: list[str]
    fingerprint: str


def prepare_data(config: GradientLabConfig, table: FeatureTable) -> LabData:
    """Split (stratified, seeded), standardise with training statistics, and shape for the network."""
    from sklearn.model_selection import train_test_split

    if len(table.labels) < 10:
        raise DataError(f"{table.source} has {len(table.labels)} rows; the lab needs at least 10.", "lab_too_few_rows",
                        name=table.source, rows=len(table.labels), needed=10)
    try:
        train_index, validation_index = train_test_split(
            np.arange(len(table.labels)), test_size=config.validation_fraction, random_state=config.seed,
            stratify=table.labels,
        )
    except ValueError as error:  # too few rows per class for a stratified split
        raise DataError(f"{table.source}: cannot split into training and validation rows ({error}).", "cannot_split",
                        name=table.source, reason=str(error)) from error
    features = table.features
    mean = features[train_index].mean(axis=0)
    spread = features[train_index].std(axis=0)
    spread[spread < 1e-6] = 1.0  # constant columns (blank border pixels) stay at zero instead of dividing by 0
    standardised = ((features - mean) / spread).astype(np.float32)
    if config.mode == "recurrent":
        standardised = features_as_sequences(standardised, config.sequence_length)
    return LabData(
        x_train=standardised[train_index],
        y_train=table.labels[train_index],
        x_validation=standardised[validation_index],
        y_validation=table.labels[validation_index],
        num_classes=table.num_classes,
        class_names=table.class_names,
        fingerprint=table.fingerprint,
    )


def features_as_sequences(features: np.ndarray, sequence_length: int) -> np.ndarray:
    """Read each row as a sequence of ``sequence_length`` steps.

    With at least as many features as steps, consecutive features are grouped into steps (zero-padded
    at the end so they divide evenly): 784 MNIST pixels over 100 steps give 8 per step. With fewer
    features than steps the row is linearly resampled to one value per step, so every step still
    carries signal (64 digit pixels stretched over 200 steps).
    """
    rows, num_features = features.shape
    if num_features >= sequence_length:
        per_step = math.ceil(num_features / sequence_length)
        padded = np.zeros((rows, per_step * sequence_length), dtype=np.float32)
        padded[:, :num_features] = features
        return padded.reshape(rows, sequence_length, per_step)
    positions = np.linspace(0, num_features - 1, sequence_length)
    resampled = np.stack([np.interp(positions, np.arange(num_features), row) for row in features])
    return resampled.astype(np.float32)[:, :, np.newaxis]
