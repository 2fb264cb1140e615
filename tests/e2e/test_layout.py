"""Browser: every page fits a phone (390 px) and a laptop (1,400 px) without sideways scrolling of the
page itself; wide pieces (tab bars, tables, code) scroll inside their own box (issue 24.12)."""

from __future__ import annotations

import tempfile

import numpy as np
import pytest
from browser_utils import (
    assert_no_exception,
    open_app,
    save_screenshot,
    start_streamlit,
    stop_streamlit,
    wait_for_stable_layout,
)

from dl.store import ModelStore, make_key

PAGES = ["", "concepts", "gradient_lab", "image_classification", "text_classification", "movie_recommender", "bert_labeling"]
WIDE_ON_PURPOSE = ("[data-testid=stTabs] [role=tablist], [data-testid=stCode], [data-testid=stDataFrame], .stDataFrame, pre, "
                   "[data-testid=stMarkdownContainer] table")
OUTSIDE = """([width, scrollers]) => [...document.querySelectorAll('[data-testid=stMain] *')]
    .filter(element => !element.closest(scrollers))
    .filter(element => { const box = element.getBoundingClientRect(); return box.width > 1 && box.right > width + 1; })
    .filter(element => { const style = getComputedStyle(element);  // a slider's visually hidden input is not seen
                         return style.visibility !== 'hidden' && style.opacity !== '0' && style.clip === 'auto' &&
                                style.clipPath === 'none' && element.type !== 'range'; })
    .slice(0, 5).map(element => (element.getAttribute('data-testid') || element.tagName) + ' ends at ' +
                     Math.round(element.getBoundingClientRect().right) + ' in ' +
                     element.closest('[data-testid]:not([data-testid=stMarkdownContainer])')?.getAttribute('data-testid') + ': ' +
                     (element.innerText || element.outerHTML).slice(0, 60))"""


@pytest.fixture(scope="module")
def app_with_cached_models():
    """A server whose cache holds models of three pages, so the home page draws its cache table (five
    columns: wider than a phone; it pushed the page sideways on a CI run)."""
    folder = tempfile.mkdtemp(prefix="dl-layout-cache-")
    store = ModelStore(folder)
    for task, source, metrics in [("text", "chinese_reviews", {"accuracy": 0.84, "test_size": 3_400}),
                                  ("image-cnn", "a_long_uploaded_file_name_of_photos.zip", {"accuracy": 0.9, "test_size": 12}),
                                  ("recommender", "ml-100k", {"rmse": 0.908})]:
        store.put(make_key(task, {"layout": 1}, source), lambda path: np.save(path / "w.npy", np.ones(4)),
                  {"task": task, "data": {"source": source}, "metrics": metrics})
    server, url, _ = start_streamlit({"DL_CACHE_DIR": folder})
    yield url
    stop_streamlit(server)


@pytest.mark.parametrize("width", [390, 1400])
def test_every_page_fits_the_screen(browser, app_with_cached_models, width):
    app_url = app_with_cached_models
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.set_default_timeout(120_000)
    try:
        for path in PAGES:
            open_app(page, app_url, path, language="zh" if width == 390 else "en")
            wait_for_stable_layout(page)
            assert_no_exception(page)
            assert page.evaluate("document.documentElement.scrollWidth") <= width, path
            main_overflow = page.evaluate("() => { const main = document.querySelector('[data-testid=stMain]');"
                                          " return main.scrollWidth - main.clientWidth; }")
            assert main_overflow <= 1, (path, main_overflow)
            assert page.evaluate(OUTSIDE, [width, WIDE_ON_PURPOSE]) == [], path
            if width == 390 and path == "text_classification":
                save_screenshot(page, "phone-text-classification-zh", max_height=1800)
    finally:
        page.close()
