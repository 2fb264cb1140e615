"""Browser: save a project on one server and open it on another (issue 26.1).

A visitor trains the text model on built-in reviews and downloads "Save project". A second server,
with an empty model cache of its own (another machine), opens that file from its home page: the
text page comes back on the same data and shows the same accuracy, answered from the installed
model (the status says it was loaded from the cache: nothing was trained).
"""

from __future__ import annotations

import re

import pytest
from browser_utils import (
    act_then_expect,
    assert_no_exception,
    open_app,
    press_train,
    save_screenshot,
    set_texts_to_train_on,
    start_streamlit,
    stop_streamlit,
    visible_effect,
    wait_until_idle,
)

TRAINED = re.compile(r"test accuracy [\d.]+%")


@pytest.fixture(scope="module")
def another_machine():
    server, url, _ = start_streamlit()  # its own empty model cache
    yield url
    stop_streamlit(server)


def test_a_saved_project_opens_on_another_server_without_training(page, app_url, another_machine, tmp_path):
    page.set_default_timeout(180_000)
    open_app(page, app_url, "text_classification")
    page.get_by_text("Distinct texts").first.wait_for()
    set_texts_to_train_on(page, ["Home", "ArrowRight"], "500")
    press_train(page)
    page.get_by_text(TRAINED).first.wait_for(timeout=300_000)
    wait_until_idle(page)
    accuracy = TRAINED.search(page.get_by_text(TRAINED).first.inner_text()).group()
    with page.expect_download() as download:
        page.get_by_role("button", name="Save project").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name.startswith("text-rotten_tomatoes-") and saved.suffix == ".zip"

    open_app(page, another_machine, "")
    uploader = page.locator('[data-testid="stFileUploader"]')
    act_then_expect(page, page.get_by_text("💾 Projects").first.click, visible_effect(uploader))
    uploader.first.locator('input[type="file"]').set_input_files(str(saved))
    page.get_by_text(re.compile("Loaded from the model cache: " + re.escape(accuracy))).first.wait_for(timeout=120_000)
    wait_until_idle(page)
    assert "text_classification" in page.url
    assert page.get_by_text("Opened a stored run").count() >= 1
    assert_no_exception(page)
    save_screenshot(page, "project_opened")
