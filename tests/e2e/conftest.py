"""Browser tests: a real Streamlit server on localhost driven by Playwright and Debian's chromium.

Fixtures: ``app_url`` (base URL of a server started once per test session, with its own model
cache), ``browser`` and ``page`` (a fresh browser page). Helpers live in ``browser_utils``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest
from browser_utils import CHROMIUM, CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def app_url():
    if not Path(CHROMIUM).exists():
        message = f"browser tests need chromium at {CHROMIUM} (apt-get install -y chromium)"
        if os.environ.get("CI"):  # CI installs it (.ci/run): a missing browser there is a failure, not a skip
            pytest.fail(message)
        pytest.skip(message)
    port = _free_port()
    log = tempfile.NamedTemporaryFile(prefix="streamlit-e2e-", suffix=".log", delete=False)
    environment = {**os.environ, "DL_CACHE_DIR": tempfile.mkdtemp(prefix="dl-e2e-cache-")}
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).status == 200:
                break
        except OSError:
            time.sleep(0.5)
    else:
        server.kill()
        pytest.fail(f"streamlit did not start; see {log.name}")
    yield url
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()
