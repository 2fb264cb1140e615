"""Browser: every page fits a phone (390 px) and a laptop (1,400 px) without sideways scrolling of the
page itself; wide pieces (tab bars, tables, code) scroll inside their own box (issue 24.12)."""

from __future__ import annotations

import pytest
from browser_utils import assert_no_exception, open_app, save_screenshot, wait_for_stable_layout

PAGES = ["", "concepts", "gradient_lab", "image_classification", "text_classification", "movie_recommender", "bert_labeling"]
WIDE_ON_PURPOSE = "[data-testid=stTabs] [role=tablist], [data-testid=stCode], [data-testid=stDataFrame], .stDataFrame, pre"
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


@pytest.mark.parametrize("width", [390, 1400])
def test_every_page_fits_the_screen(browser, app_url, width):
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
