"""Data fingerprints and the dataset registry."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dl.config import config_from_dict, config_to_dict
from dl.data import DataError, DatasetInfo, dataset_names, fingerprint, get_dataset, register_dataset


def test_fingerprint_changes_with_values_dtype_and_order():
    pixels = np.arange(12, dtype=np.uint8).reshape(3, 4)
    assert fingerprint(pixels) == fingerprint(pixels.copy())
    assert fingerprint(pixels) != fingerprint(pixels.astype(np.float32))
    changed = pixels.copy()
    changed[0, 0] = 99
    assert fingerprint(pixels) != fingerprint(changed)
    assert fingerprint(pixels, ["a", "b"]) != fingerprint(pixels, ["b", "a"])
    assert fingerprint("ab", "c") != fingerprint("a", "bc")  # parts are length-delimited


def test_fingerprint_of_files_and_frames(tmp_path: Path):
    (tmp_path / "cats").mkdir()
    (tmp_path / "cats" / "1.png").write_bytes(b"\x89PNG fake")
    before = fingerprint(tmp_path)
    (tmp_path / "cats" / "1.png").write_bytes(b"\x89PNG other")
    assert fingerprint(tmp_path) != before
    frame = pd.DataFrame({"text": ["good", "bad"], "label": [1, 0]})
    assert fingerprint(frame) == fingerprint(frame.copy())
    assert fingerprint(frame) != fingerprint(frame.iloc[::-1].reset_index(drop=True))
    with pytest.raises(TypeError):
        fingerprint(object())


def test_registry_lists_and_loads_and_names_unknown_sets():
    register_dataset(DatasetInfo(name="tiny-test", task="unit-test", description="two rows", source="this test", load=lambda: [1, 2]))
    assert "tiny-test" in dataset_names("unit-test")
    assert get_dataset("tiny-test").load() == [1, 2]
    with pytest.raises(DataError, match="Known datasets: .*tiny-test"):
        get_dataset("no-such-set")


def test_config_round_trip_ignores_unknown_keys():
    from dataclasses import dataclass

    @dataclass
    class DemoConfig:
        epochs: int = 3  # enough to see a curve
        sizes: tuple = (1, 2)

    values = config_to_dict(DemoConfig())
    assert values == {"epochs": 3, "sizes": [1, 2]}
    assert config_from_dict(DemoConfig, {**values, "removed_field": 1}).epochs == 3
    with pytest.raises(TypeError):
        config_to_dict({"not": "a dataclass"})
