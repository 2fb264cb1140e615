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
    save_screenshot,
    start_streamlit,
    stop_streamlit,
    train_text_sample,
    visible_effect,
    wait_until_idle,
)


@pytest.fixture(scope="module")
def another_machine():
    server, url, _ = start_streamlit()  # its own empty model cache
    yield url
    stop_streamlit(server)


def test_a_saved_project_opens_on_another_server_without_training(page, app_url, another_machine, tmp_path):
    page.set_default_timeout(180_000)
    accuracy = train_text_sample(page, app_url)
    with page.expect_download() as download:
        page.get_by_role("button", name="Save project").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name.startswith("text-rotten_tomatoes-") and saved.suffix == ".zip"
    from dl.project import read_project

    kept = read_project(saved.read_bytes(), saved.name)
    assert kept.data.builtin == "rotten_tomatoes" and kept.config["max_texts"] == 500
    assert kept.doctor is not None and "findings" in kept.doctor  # the data doctor's findings travel with it

    open_app(page, another_machine, "")
    uploader = page.locator('[data-testid="stFileUploader"]')
    act_then_expect(page, page.get_by_text("💾 Projects").first.click, visible_effect(uploader))
    uploader.first.locator('input[type="file"]').set_input_files(str(saved))
    page.get_by_text(re.compile("Loaded from the model cache: " + re.escape(accuracy))).first.wait_for(timeout=120_000)
    wait_until_idle(page)
    assert "text_classification" in page.url
    page.get_by_text("Opened a stored run").first.wait_for(timeout=30_000)
    assert_no_exception(page)
    save_screenshot(page, "project_opened")
