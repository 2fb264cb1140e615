"""Helpers for browser tests: wait for the app, open a page, check for exceptions, screenshots.

Import them as ``from browser_utils import open_app, ...`` (a plain module, not conftest: several
conftest modules share that name, so importing from "conftest" is ambiguous in a full run).
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

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def require_chromium() -> None:
    """Skip without chromium, except on CI, which installs it (.ci/run): there it is a failure."""
    import pytest

    if not Path(CHROMIUM).exists():
        message = f"browser tests need chromium at {CHROMIUM} (apt-get install -y chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def start_streamlit(environment: dict[str, str] | None = None) -> tuple[subprocess.Popen, str, str]:
    """Start ``streamlit run streamlit_app.py`` on a free port with its own model cache; return
    (process, base URL, log file) once ``/_stcore/health`` answers. Fails the test if it never does."""
    import pytest

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = tempfile.NamedTemporaryFile(prefix="streamlit-e2e-", suffix=".log", delete=False)
    environment = {**os.environ, "DL_CACHE_DIR": tempfile.mkdtemp(prefix="dl-e2e-cache-"), **(environment or {})}
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
                return server, url, log.name
        except OSError:
            time.sleep(0.5)
    server.kill()
    pytest.fail(f"streamlit did not start; see {log.name}")


def stop_streamlit(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()


def wait_until_idle(page, timeout_ms: int = 120_000) -> None:
    """Wait until the app rendered and no script is running (the 'Running…' indicator is gone)."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    page.wait_for_selector('[data-testid="stMainBlockContainer"]', timeout=timeout_ms)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"] [data-testid=\"stStatusWidgetRunningIcon\"]')"
        " && !document.querySelector('[data-testid=\"stStatusWidgetRunningManIcon\"]')",
        timeout=timeout_ms,
    )
    time.sleep(0.5)


def open_app(page, app_url: str, path: str = "", language: str = "en") -> None:
    """Open ``/<path>?lang=<language>`` and wait until the page has fully rendered."""
    page.goto(f"{app_url}/{path}?lang={language}")
    wait_until_idle(page)


def wait_for_change(read, before, timeout_s: float = 120):
    """Poll ``read()`` until it differs from ``before``; fail after ``timeout_s`` (the effect never came)."""
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        now = read()
        if now != before:
            return now
        time.sleep(0.5)
    raise AssertionError(f"nothing changed within {timeout_s} s")


def assert_no_exception(page) -> None:
    """No Streamlit exception box on the page."""
    assert page.locator('[data-testid="stException"]').count() == 0, page.locator('[data-testid="stException"]').first.inner_text()


def screenshots_wanted() -> bool:
    """Screenshots in docs/ are tracked files: rewrite them only when asked (UPDATE_SCREENSHOTS=1)."""
    return os.environ.get("UPDATE_SCREENSHOTS") == "1"


def save_screenshot(page, name: str, max_height: int = 2400) -> Path | None:
    """Save a screenshot of the whole page as docs/<name>.png (kept for the README), when asked.

    Streamlit scrolls inside its main block, not the document, so Playwright's full_page option sees
    one screen only: grow the viewport to the content's height (capped) for the shot, then restore it.
    """
    if not screenshots_wanted():
        return None
    DOCS.mkdir(exist_ok=True)
    path = DOCS / f"{name}.png"
    viewport = page.viewport_size
    content_height = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll('[data-testid=\"stMain\"], [data-testid=\"stAppViewContainer\"]')]"
        ".map(element => element.scrollHeight), document.body.scrollHeight)"
    )
    page.set_viewport_size({"width": viewport["width"], "height": min(max(content_height, viewport["height"]), max_height)})
    time.sleep(1.5)  # let Streamlit lay the page out again at the new size
    page.screenshot(path=str(path))
    page.set_viewport_size(viewport)
    return path


PRETRAINED_TAB_NAMES = {"en": "Pretrained (ImageNet)", "zh": "预训练"}
PRETRAINED_UPLOADER_LABELS = {"en": "Photos to classify", "zh": "要分类的照片"}


def open_pretrained_tab(page, language: str):
    """Click the tab once the page has drawn it; return the photo uploader, once the tab has run
    (only the open tab runs, so its uploader appears after the click)."""
    tab = page.get_by_role("tab", name=PRETRAINED_TAB_NAMES[language]).first
    tab.wait_for(timeout=120_000)
    tab.click()
    uploader = page.locator('[data-testid="stFileUploader"]').filter(has_text=PRETRAINED_UPLOADER_LABELS[language]).first
    uploader.wait_for(state="visible", timeout=120_000)
    return uploader
