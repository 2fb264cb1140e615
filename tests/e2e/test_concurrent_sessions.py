"""Browser: several people train at once on one server, as on a hosted playground.

Four browser sessions (separate contexts: separate cookies and Streamlit sessions) each click Train
on a different page with its defaults: image (seed CNN on digits), text (Rotten Tomatoes), the
recommender (MovieLens 100k) and BERT (the typed sentences). A fifth session starts the image
page's same default training a moment after the first. One job trains at a time (``DL_MAX_JOBS``
= 1), the rest say they wait. Checked: every session ends with its own page's result; the fifth
shares the first's job (it finishes with it, long before the queue behind would have let a second
training run); the home page still answers while the jobs train, and afterwards a sixth visitor uses the
remaining pages (the Concepts playground, a gradient-lab preset, a photo through the pretrained
ImageNet model), so the server's peak memory, which must stay under a hosted app's 2.7 GB, covers
every page of the app. The figures are printed as one JSON line (run with -s to see them).
"""

from __future__ import annotations

import json
import re
import threading
import time

import psutil
import pytest
from browser_utils import (
    act_then_expect,
    assert_no_exception,
    open_app,
    open_pretrained_tab,
    poll,
    press_train,
    require_chromium,
    start_streamlit,
    stop_streamlit,
    visible_effect,
    wait_until_idle,
)
from PIL import Image
from playwright.sync_api import expect
from sklearn.datasets import load_sample_image

MEMORY_LIMIT_BYTES = 2.7e9  # Streamlit Community Cloud's limit
RESULTS = {  # page -> the text of its own result (nothing else shows it)
    "image_classification": re.compile(r"test accuracy [\d.]+% on [\d,]+ held-out images\."),
    "text_classification": re.compile(r"test accuracy [\d.]+% on [\d,]+ held-out texts \(TF-IDF"),
    "movie_recommender": re.compile(r"held-out RMSE \d\.\d+"),
    "bert_labeling": re.compile(r"held-out accuracy [\d.]+%"),
}
WAITING = re.compile("Waiting for another training job to finish|Queued")


class PeakMemory:
    """Samples a process's resident memory (with its children) every 0.2 s in a thread."""

    def __init__(self, pid: int):
        self.process = psutil.Process(pid)
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while True:
            try:
                rss = self.process.memory_info().rss + sum(child.memory_info().rss for child in self.process.children(recursive=True))
                self.peak = max(self.peak, rss)
            except psutil.Error:
                pass
            if self._stop.wait(0.2):  # the sampling interval, ended at once by stop()
                return

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


@pytest.fixture(scope="module")
def busy_server():
    require_chromium()
    server, url, log = start_streamlit({"DL_MAX_JOBS": "1"})
    yield server, url
    stop_streamlit(server)


def result_text(page, pattern: re.Pattern) -> str | None:
    found = page.get_by_text(pattern)
    return found.first.inner_text() if found.count() else None


# Notes in the page the moment its result text first shows (window.__resultAt, ms since the epoch), so
# the test can wait for each page in turn and still know which one finished first.
WATCH_RESULT = """(source) => {
  const pattern = new RegExp(source);
  const check = () => {
    if (!window.__resultAt && pattern.test(document.body.innerText)) window.__resultAt = Date.now();
  };
  new MutationObserver(check).observe(document.body, {childList: true, subtree: true, characterData: true});
  check();
}"""


def use_the_other_pages(page, url: str, folder) -> None:
    """Train the Concepts playground, a gradient-lab preset, and classify a photo with the
    pretrained ImageNet model: the pages and models the four training sessions do not use."""
    open_app(page, url, "concepts")
    epoch = page.locator('[data-testid="stMetric"]').filter(has_text="Epoch").locator('[data-testid="stMetricValue"]')
    act_then_expect(page, page.locator(".st-key-playground_train button").first.click,
                    lambda timeout_ms: expect(epoch.last).to_have_text("30", timeout=timeout_ms), timeout_ms=600_000)
    wait_until_idle(page)
    # the live chart drawn while training and the page's own one coexist for a moment: wait for one
    expect(page.locator(".st-key-playground_history .js-plotly-plot")).to_have_count(1, timeout=120_000)

    open_app(page, url, "gradient_lab")
    train = page.get_by_role("button", name="Train 6 epochs")
    act_then_expect(page, page.get_by_role("button", name="20-layer sigmoid vanishes").click, visible_effect(train))
    wait_until_idle(page)
    press_train(page, train)
    page.get_by_role("heading", name="Gradient doctor").wait_for(timeout=600_000)

    photo = folder / "flower.jpg"
    Image.fromarray(load_sample_image("flower.jpg")).save(photo, quality=92)
    open_app(page, url, "image_classification")
    uploader = open_pretrained_tab(page, "en")
    uploader.locator('input[type="file"]').set_input_files(str(photo))
    page.locator(".js-plotly-plot").filter(has_text="daisy").first.wait_for()
    assert_no_exception(page)


@pytest.mark.timeout(1500)  # five trainings queued one at a time, then three more pages, on a busy 2-core machine
def test_four_sessions_train_at_once_each_gets_its_own_result(browser, busy_server, tmp_path):
    server, url = busy_server
    memory = PeakMemory(server.pid)
    contexts = [browser.new_context(viewport={"width": 1400, "height": 1000}) for _ in range(len(RESULTS) + 2)]
    pages = [context.new_page() for context in contexts]
    for page in pages:
        page.set_default_timeout(240_000)
    sessions = [*RESULTS, "image_classification"]  # the fifth repeats the first's training
    try:
        for page, path in zip(pages, sessions, strict=False):
            open_app(page, url, path)
            page.evaluate(WATCH_RESULT, RESULTS[path].pattern)
        started = time.time()
        for page in pages[: len(sessions)]:
            press_train(page)  # each waits until its job shows (running, or queued behind the first)

        # queued jobs say so while the first trains
        waiting = poll(lambda: [path for page, path in zip(pages[1:4], sessions[1:4], strict=True) if page.get_by_text(WAITING).count()],
                       bool, 120, "a queued session saying it waits")
        assert waiting, "no queued session said it was waiting"

        # the home page answers while the jobs train
        visitor = pages[-1]
        load_started = time.time()
        open_app(visitor, url)
        visitor.get_by_text("Deep Learning Playground").first.wait_for()
        home_seconds = time.time() - load_started

        deadline = time.time() + 1200
        for page in pages[: len(sessions)]:
            page.wait_for_function("() => window.__resultAt", timeout=max(1, deadline - time.time()) * 1000)
        finished = {index: page.evaluate("() => window.__resultAt") / 1000 - started for index, page in enumerate(pages[: len(sessions)])}
        for page, path in zip(pages, sessions, strict=False):
            wait_until_idle(page)
            assert_no_exception(page)
            for other, pattern in RESULTS.items():  # no session shows another page's result
                if other != path:
                    assert not page.get_by_text(pattern).count(), (path, other)

        accuracy = [re.search(r"test accuracy ([\d.]+)%", result_text(page, RESULTS["image_classification"])).group(1)
                    for page in (pages[0], pages[4])]
        assert accuracy[0] == accuracy[1], accuracy  # the same model ...
        assert finished[4] < finished[1], finished  # ... from the same job: done before the queue's next one
        use_the_other_pages(visitor, url, tmp_path)  # so the peak covers every page of the app
        peak = memory.stop()
        print(json.dumps({"sessions": len(sessions), "peak_rss_mb": round(peak / 2**20), "home_page_seconds_while_training": round(home_seconds, 2),
                          "finished_seconds": {f"{index + 1}:{sessions[index]}": round(seconds, 1) for index, seconds in sorted(finished.items())},
                          "queued_said_so": waiting}))
        assert peak < MEMORY_LIMIT_BYTES, f"peak RSS {peak / 2**30:.2f} GiB"
        assert home_seconds < 30, home_seconds
    finally:
        memory.stop()
        for context in contexts:
            context.close()
