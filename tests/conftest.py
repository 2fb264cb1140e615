"""Shared test set-up: a private model cache per test session and quiet TensorFlow."""

import os
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# --import-mode=importlib (pytest.ini) lets test files in different folders share a name
# (tests/app/test_home.py and tests/e2e/test_home.py); it puts nothing on sys.path, so put the
# project and the helper modules (apptest_utils, browser_utils, image_photos) there ourselves.
for folder in (ROOT, ROOT / "tests" / "app", ROOT / "tests" / "e2e", ROOT / "tests" / "dl"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ["DL_CACHE_DIR"] = tempfile.mkdtemp(prefix="dl-test-cache-")


@pytest.fixture
def store(tmp_path):
    """A fresh, empty model store in a temporary folder."""
    from dl.store import ModelStore

    return ModelStore(tmp_path / "store")
