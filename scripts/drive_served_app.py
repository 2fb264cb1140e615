"""Drive a served playground (e.g. the container of scripts/docker_smoke.sh) with a headless browser.

    python scripts/drive_served_app.py http://127.0.0.1:8501 first    # open every page, train twice
    python scripts/drive_served_app.py http://127.0.0.1:8501 second   # the same trainings: from the cache
    python scripts/drive_served_app.py http://127.0.0.1:8501 pages    # every page only

``first``: every page in English and in Chinese opens without an exception box; the image page's
pretrained tab opens; the image page trains the built-in 8x8 digits (five epochs) and the text page a
500-review Rotten Tomatoes run, each showing its test-accuracy line. ``second`` (a new container on
the same cache volume): the same two trainings must answer "Loaded from the model cache". ``pages``: the
first phase without the trainings (scripts/cloud_requirements_check.sh). Prints one
JSON object (the result lines, seconds per step); exits 1 with the reason on stderr on any failure.
It reuses tests/e2e/browser_utils.py, the browser tests' helpers.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests" / "e2e"), str(ROOT)]

from browser_utils import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    act_then_expect,
    assert_no_exception,
    open_app,
    open_pretrained_tab,
    press_train,
    set_image_epochs,
    set_texts_to_train_on,
    visible_effect,
    wait_until_idle,
)

from ui.navigation import PAGES  # noqa: E402

PAGE_PATHS = ["" if spec.name == "home" else spec.name for spec in PAGES]  # "": the default page

RESULT = re.compile(r"test accuracy [\d.]+%")
FROM_CACHE = "Loaded from the model cache"
TRAINING_TIMEOUT_MS = 600_000  # a busy two-core machine; TensorFlow loads on the first job


def open_every_page(page, app_url: str) -> list[str]:
    """Open each page in both languages; return the paths opened (an exception box fails)."""
    opened = []
    for language in ("en", "zh"):
        for path in PAGE_PATHS:
            open_app(page, app_url, path, language, timeout_ms=TRAINING_TIMEOUT_MS)
            page.locator("h1").first.wait_for()
            assert_no_exception(page)
            opened.append(f"{path or 'home'}?lang={language}")
    return opened


def open_the_pretrained_model(page, app_url: str) -> None:
    """The image page's pretrained tab loads EfficientNet-Lite0 (memory) and shows its uploader."""
    open_app(page, app_url, "image_classification")
    open_pretrained_tab(page, "en")
    wait_until_idle(page)
    assert_no_exception(page)


def result_line(page) -> str:
    """The page's result line, with the job's status line after " | " when the page still shows it
    (from the cache it says "trained in .. s, loaded from the cache in .. s")."""
    line = page.get_by_text(RESULT).first
    line.wait_for(timeout=TRAINING_TIMEOUT_MS)
    wait_until_idle(page, TRAINING_TIMEOUT_MS)
    assert_no_exception(page)
    status = page.locator('[data-testid="stMain"] [data-testid="stProgress"]')
    return line.inner_text() + (f" | {status.first.inner_text()}" if status.count() else "")


def train_digits(page, app_url: str) -> str:
    open_app(page, app_url, "image_classification")
    source = page.locator('[data-testid="stRadio"]').first.get_by_text("Small digits 8×8 (1,797)", exact=True)
    act_then_expect(page, source.click, visible_effect(page.get_by_text("1,797 images · 10 classes")))
    wait_until_idle(page)
    set_image_epochs(page, 5)
    press_train(page, timeout_ms=TRAINING_TIMEOUT_MS)
    return result_line(page)


def train_texts(page, app_url: str) -> str:
    open_app(page, app_url, "text_classification")
    page.get_by_text("Distinct texts").first.wait_for()
    set_texts_to_train_on(page, ["Home", "ArrowRight"], "500")
    press_train(page, timeout_ms=TRAINING_TIMEOUT_MS)
    return result_line(page)


def timed(report: dict, name: str, step, *arguments):
    started = time.monotonic()
    value = step(*arguments)
    report["seconds"][name] = round(time.monotonic() - started, 1)
    return value


def drive(app_url: str, phase: str) -> dict:
    from playwright.sync_api import sync_playwright

    report: dict = {"phase": phase, "seconds": {}}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        page.set_default_timeout(180_000)
        if phase in ("first", "pages"):
            report["pages"] = timed(report, "every_page", open_every_page, page, app_url)
            timed(report, "pretrained_tab", open_the_pretrained_model, page, app_url)
        if phase == "pages":
            browser.close()
            return report
        report["image_digits"] = timed(report, "image_digits", train_digits, page, app_url)
        report["text_rotten_tomatoes_500"] = timed(report, "text_500", train_texts, page, app_url)
        browser.close()
    trained = [report["image_digits"], report["text_rotten_tomatoes_500"]]
    if phase == "second" and not all(line.startswith(FROM_CACHE) for line in trained):
        raise AssertionError(f"a restarted container with the same volume trained again instead of loading: {trained}")
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("app_url")
    parser.add_argument("phase", choices=["first", "second", "pages"])
    arguments = parser.parse_args()
    try:
        report = drive(arguments.app_url.rstrip("/"), arguments.phase)
    except Exception as error:  # noqa: BLE001 - the smoke script needs a reason, not a traceback
        print(f"drive_served_app ({arguments.phase}): {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    print(json.dumps(report, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
