"""Shared test set-up: a private model store and job registry for every test, no network, quiet
TensorFlow.

Each test gets its own empty ``DL_CACHE_DIR`` and a fresh process-wide job registry, so a test that
says it trains does train (a shared registry handed a parametrized case the job of the case before
it, and a shared store answered from another module's model). A test that wants a cache hit makes
one itself, inside the test."""

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
# No test may touch the network: Hugging Face libraries answer from local files only (subprocesses
# and the browser tests' server inherit this).
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"


@pytest.fixture(autouse=True)
def private_store_and_job_registry(tmp_path_factory, monkeypatch):
    """An empty model store and a new job registry for this test (see the module docstring)."""
    from dl import jobs

    monkeypatch.setenv("DL_CACHE_DIR", str(tmp_path_factory.mktemp("dl-cache")))
    monkeypatch.setattr(jobs, "_REGISTRY", None)
    yield


@pytest.fixture
def store(tmp_path):
    """A fresh, empty model store in a temporary folder."""
    from dl.store import ModelStore

    return ModelStore(tmp_path / "store")
