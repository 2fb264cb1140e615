"""Browser: the "All runs" tab on a hosted server (DL_HOSTED=1, issue 26.3 and 26.4).

Two browser contexts are two visitors of one server. The first trains on built-in reviews and on an
uploaded table; the second sees the built-in run (not the upload's), opens it, and gets its results
back on the Results tab without training; neither has a way to clear the cache on the home page.
"""

from __future__ import annotations

import re

import pytest
from browser_utils import (
    act_then_expect,
    assert_no_exception,
    open_app,
    poll,
    press_train,
    save_screenshot,
    start_streamlit,
    stop_streamlit,
    table_rows,
    train_text_sample,
    visible_effect,
    wait_until_idle,
)

PATH = "text_classification"
TRAINED = re.compile(r"test accuracy [\d.]+%")


@pytest.fixture(scope="module")
def hosted_url():
    server, url, _ = start_streamlit({"DL_HOSTED": "1"})
    yield url
    stop_streamlit(server)


def visitor(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(180_000)
    return context, page


def uploaded_table() -> bytes:
    rows = "".join(f"{'tasty fresh lovely' if index % 2 else 'stale bland awful'} number {index},{'good' if index % 2 else 'bad'}\n"
                   for index in range(60))
    return ("text,label\n" + rows).encode()


def open_runs_tab(page) -> None:
    act_then_expect(page, page.get_by_role("tab", name="📚 All runs").click,
                    visible_effect(page.get_by_text("Every model of this page")))
    wait_until_idle(page)


def test_a_second_visitor_sees_and_opens_built_in_runs_but_not_uploads(browser, hosted_url):
    first_context, first = visitor(browser)
    built_in_accuracy = train_text_sample(first, hosted_url)
    uploader = first.locator('[data-testid="stFileUploader"]')
    act_then_expect(first, first.locator('[data-testid="stRadio"]').first.get_by_text("Upload a table", exact=True).click,
                    visible_effect(uploader))
    uploader.first.locator('input[type="file"]').set_input_files(
        files=[{"name": "mine.csv", "mimeType": "text/csv", "buffer": uploaded_table()}])
    first.get_by_text("Distinct texts").first.wait_for()
    wait_until_idle(first)
    press_train(first)
    first.get_by_text(TRAINED).first.wait_for(timeout=300_000)
    wait_until_idle(first)
    open_runs_tab(first)
    table = first.locator('[role="tabpanel"]:visible [data-testid="stDataFrame"]').first
    rows = poll(lambda: table_rows(table), lambda rows: len(rows) == 2, 60, "the first visitor's two runs")
    assert sorted(row["data"] for row in rows) == ["mine.csv", "rotten_tomatoes"]  # the visitor's own two

    second_context, second = visitor(browser)
    open_app(second, hosted_url, PATH)
    second.get_by_text("Distinct texts").first.wait_for()
    open_runs_tab(second)
    assert_no_exception(second)
    table = second.locator('[role="tabpanel"]:visible [data-testid="stDataFrame"]').first
    rows = poll(lambda: table_rows(table), lambda rows: len(rows) > 0, 60, "the run table")
    assert [row["data"] for row in rows] == ["rotten_tomatoes"]  # not the first visitor's upload
    assert second.get_by_role("button", name="Delete this run").is_disabled()  # not theirs to delete
    save_screenshot(second, "runs")
    act_then_expect(second, second.get_by_role("button", name="Open this run").click,
                    visible_effect(second.locator(".js-plotly-plot").filter(has_text="Confusion matrix")))
    wait_until_idle(second)
    assert second.get_by_role("tab", name="📈 Results", selected=True).count() == 1
    second.get_by_text("Opened a stored run").first.wait_for(state="attached")
    assert second.get_by_text(built_in_accuracy).count() == 1  # the first visitor's model, not a new training
    assert_no_exception(second)

    open_app(second, hosted_url, "")
    second.get_by_text("Model cache").first.wait_for()
    assert second.get_by_role("button", name="Clear the model cache").count() == 0
    assert second.get_by_text("mine.csv").count() == 0
    first_context.close()
    second_context.close()
