"""Browser tests: a real Streamlit server on localhost driven by Playwright and Debian's chromium.

Fixtures: ``app_url`` (base URL of a server started once per test session, with its own model
cache), ``browser`` and ``page`` (a fresh browser page). Helpers live in ``browser_utils``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_utils import CHROMIUM, CHROMIUM_ARGS, require_chromium, start_streamlit, stop_streamlit

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def app_url():
    require_chromium()
    server, url, log = start_streamlit()
    yield url
    stop_streamlit(server)


@pytest.fixture(scope="session")
def browser():
    require_chromium()  # before launching it: a missing chromium skips (fails on CI) with the apt-get line
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
