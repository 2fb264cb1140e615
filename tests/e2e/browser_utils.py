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
    (process, base URL, log file) once ``/_stcore/health`` answers. Fails the test if the server
    exits or does not answer within a minute."""
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
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).status == 200:
                return server, url, log.name
        except OSError:
            pass
        try:  # the pause between two tries is a wait on the server's exit: a crash fails at once
            server.wait(timeout=0.5)
        except subprocess.TimeoutExpired:
            continue
        pytest.fail(f"streamlit exited with code {server.returncode} before answering; see {log.name}")
    server.kill()
    pytest.fail(f"streamlit did not answer within 60 s; see {log.name}")


def stop_streamlit(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()


# The app's root element says whether a script run is going on (data-test-script-state: initial,
# running, rerunRequested, notRunning, ...) and whether the websocket is up.
_IDLE = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return !!app && app.getAttribute('data-test-script-state') === 'notRunning'
    && app.getAttribute('data-test-connection-state') === 'CONNECTED'
    && !!document.querySelector('[data-testid="stMainBlockContainer"]')
    && !document.querySelector('[data-testid="stStatusWidgetRunningIcon"], [data-testid="stStatusWidgetRunningManIcon"]');
}"""


def wait_until_idle(page, timeout_ms: int = 120_000) -> None:
    """Wait until the app is connected, has drawn its main block and no script run is going on.

    Right after a click the app may still say "not running" for a moment (the rerun request is on its
    way to the server), so after an interaction wait for its effect, not only for this.
    """
    page.wait_for_function(_IDLE, timeout=timeout_ms)


def open_app(page, app_url: str, path: str = "", language: str = "en", timeout_ms: int = 120_000) -> None:
    """Open ``/<path>?lang=<language>`` and wait until the page has fully rendered."""
    page.goto(f"{app_url}/{path}?lang={language}")
    wait_until_idle(page, timeout_ms)


def poll(read, accept, timeout_s: float = 120, message: str = "", interval_s: float = 0.25):
    """Call ``read()`` until ``accept(value)`` holds; return that value. Fails after ``timeout_s``
    with the last value read. For states that live in Python (a metric's text, a chart's traces)."""
    deadline = time.monotonic() + timeout_s
    value = read()
    while not accept(value):
        if time.monotonic() > deadline:
            raise AssertionError(f"{message or 'condition'} not met within {timeout_s} s; last value: {value!r}")
        time.sleep(interval_s)  # between two checks of the condition, not a wait for an effect
        value = read()
    return value


def wait_for_change(read, before, timeout_s: float = 120):
    """Poll ``read()`` until it differs from ``before``; fail after ``timeout_s`` (the effect never came)."""
    return poll(read, lambda now: now != before, timeout_s, "a change")


def visible_effect(locator):
    """An effect for ``act_then_expect``: ``locator`` is visible."""
    return lambda timeout_ms: locator.first.wait_for(state="visible", timeout=timeout_ms)


def act_then_expect(page, act, effect, timeout_ms: int = 120_000, first_try_ms: int = 20_000) -> None:
    """``act()`` (a click, a choice), then wait for ``effect(timeout_ms)``, which raises when the
    effect has not come in time (``visible_effect(locator)``, or a Playwright ``expect``).

    On a freshly started server the very first interaction is sometimes lost (DESIGN.md, pitfalls).
    So: if the effect has not come after ``first_try_ms`` and the app is idle again (the interaction
    did not start a run that is still going), check once more and only then act a second time. A
    second miss fails. The effect should be the first sign the action took (a job's progress bar,
    not its result), and the action safe to repeat (Train joins the job it started).
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    missed = (PlaywrightTimeout, AssertionError)  # wait_for raises the first, expect(...) the second
    act()
    try:
        effect(first_try_ms)
        return
    except missed:
        pass
    wait_until_idle(page, timeout_ms)
    try:
        effect(1_000)  # it came while the app finished its run
        return
    except missed:
        pass
    act()
    effect(timeout_ms)


def press_train(page, button=None, timeout_ms: int = 120_000) -> None:
    """Press a training page's Train button (default: the first button labelled Train) and wait until
    the job shows up (its progress bar). Pressing twice joins the same job, so a lost first press
    on a fresh server is pressed again (see ``act_then_expect``)."""
    button = button if button is not None else page.locator("button").filter(has_text="Train").first
    progress = page.locator('[data-testid="stMain"] [data-testid="stProgress"]')
    act_then_expect(page, button.click, visible_effect(progress), timeout_ms)


def table_rows(dataframe) -> list[dict[str, str]]:
    """The rows an ``st.dataframe`` shows, as {column header: cell text}. The grid draws on a canvas;
    it keeps an accessible copy of the rows it shows (all of them for a short table) in a table
    element inside the canvas, which is what this reads."""
    return dataframe.evaluate(
        """(element) => {
             const table = element.querySelector('table[role="grid"]');
             if (!table) return [];
             const headers = Array.from(table.querySelectorAll('th[role="columnheader"]'), (cell) => cell.textContent.trim());
             return Array.from(table.querySelectorAll('tbody tr[role="row"]'), (row) => Object.fromEntries(
               Array.from(row.querySelectorAll('td[role="gridcell"]'), (cell, index) => [headers[index], cell.textContent.trim()])));
           }"""
    )


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
    wait_for_stable_layout(page)  # Streamlit and plotly lay the page out again at the new size
    page.screenshot(path=str(path))
    page.set_viewport_size(viewport)
    return path


def wait_for_stable_layout(page, frames: int = 10, timeout_ms: int = 15_000) -> None:
    """Wait until no element's box has moved for ``frames`` animation frames in a row (charts redrawn
    after a resize), then until the app is idle."""
    page.evaluate(
        """([frames, timeout]) => new Promise((resolve, reject) => {
             const shape = () => Array.from(document.querySelectorAll('[data-testid="stMain"] *'), (element) => {
               const box = element.getBoundingClientRect();
               return `${box.x},${box.y},${box.width},${box.height}`;
             }).join(';');
             let last = shape(), still = 0;
             const started = performance.now();
             const tick = () => {
               const now = shape();
               still = now === last ? still + 1 : 0;
               last = now;
               if (still >= frames) return resolve();
               if (performance.now() - started > timeout) return reject(new Error('layout kept moving'));
               requestAnimationFrame(tick);
             };
             requestAnimationFrame(tick);
           })""",
        [frames, timeout_ms],
    )
    wait_until_idle(page)


PRETRAINED_TAB_NAMES = {"en": "Pretrained (ImageNet)", "zh": "预训练"}
PRETRAINED_UPLOADER_LABELS = {"en": "Photos to classify", "zh": "要分类的照片"}


def open_pretrained_tab(page, language: str):
    """Click the tab once the page has drawn it; return the photo uploader, once the tab has run
    (only the open tab runs, so its uploader appears after the click)."""
    tab = page.get_by_role("tab", name=PRETRAINED_TAB_NAMES[language]).first
    tab.wait_for(timeout=120_000)
    uploader = page.locator('[data-testid="stFileUploader"]').filter(has_text=PRETRAINED_UPLOADER_LABELS[language]).first
    act_then_expect(page, tab.click, visible_effect(uploader))
    return uploader


_LEGEND_OVERLAPS = """() => {
    const box = element => element ? element.getBoundingClientRect() : null;
    const overlap = (a, b) => a && b && a.width > 0 && b.width > 0 &&
        a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
    return [...document.querySelectorAll('.js-plotly-plot')].flatMap(plot => {
        const legend = box(plot.querySelector('g.legend'));
        const titles = [...plot.querySelectorAll('.g-xtitle text, .xtitle')].map(box);
        return titles.filter(title => overlap(legend, title)).map(() => plot.querySelector('.gtitle')?.textContent || '?');
    });
}"""


def charts_whose_legend_covers_an_axis_title(page) -> list[str]:
    """The titles of the drawn plotly charts whose legend overlaps their x-axis title ([] when none)."""
    return page.evaluate(_LEGEND_OVERLAPS)


def set_image_epochs(page, epochs: int) -> None:
    """Open the image page's Settings and move its "Epochs (at most)" slider to ``epochs`` (from 1, key by key)."""
    from playwright.sync_api import expect

    slider = page.locator('[data-testid="stSlider"]').filter(has_text="Epochs (at most)")
    act_then_expect(page, page.get_by_text("Settings (the defaults work well)").first.click, visible_effect(slider))

    def move():
        slider.first.get_by_role("slider").focus()
        page.keyboard.press("Home")  # 1
        for _ in range(epochs - 1):
            page.keyboard.press("ArrowRight")

    act_then_expect(page, move, lambda timeout_ms: expect(
        slider.first.locator('[data-testid="stSliderThumbValue"]')).to_have_text(str(epochs), timeout=timeout_ms))
    wait_until_idle(page)


def set_texts_to_train_on(page, keys: list[str], shown: str) -> None:
    """Open the text page's Settings and move its "Texts to train on" slider with ``keys`` (its steps:
    all, 500, 1,000, 2,000, 5,000, 10,000) until it shows ``shown``."""
    import re

    slider = page.locator('[data-testid="stSlider"]').filter(has_text="Texts to train on")
    act_then_expect(page, page.get_by_text("Settings").first.click, visible_effect(slider))
    size = slider.first.locator('[data-testid="stSliderThumbValue"]').filter(has_text=re.compile(f"^{re.escape(shown)}$"))

    def move():
        slider.first.get_by_role("slider").focus()
        for key in keys:
            page.keyboard.press(key)

    act_then_expect(page, move, visible_effect(size))
    wait_until_idle(page)


def train_text_sample(page, url: str) -> str:
    """Open the text page at ``url``, train the default model on 500 built-in reviews and return its
    headline ("test accuracy 66.0%"): the quick real training the run and project tests start from."""
    import re

    trained = re.compile(r"test accuracy [\d.]+%")
    open_app(page, url, "text_classification")
    page.get_by_text("Distinct texts").first.wait_for()
    set_texts_to_train_on(page, ["Home", "ArrowRight"], "500")
    press_train(page)
    page.get_by_text(trained).first.wait_for(timeout=300_000)
    wait_until_idle(page)
    return trained.search(page.get_by_text(trained).first.inner_text()).group()
