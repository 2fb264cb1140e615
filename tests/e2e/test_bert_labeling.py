"""Browser: fine-tune MiniLM on the eight typed sentences (the few-shot defaults: 10 epochs of 2),
label two new sentences the right way, see the word-piece attributions, download the model."""

from __future__ import annotations

import re

from browser_utils import assert_no_exception, open_app, save_screenshot, wait_until_idle

PATH = "bert_labeling"


def test_fine_tune_typed_sentences_and_label(page, app_url):
    page.set_default_timeout(240_000)  # PyTorch and MiniLM load on the first job
    open_app(page, app_url, PATH)
    page.get_by_text("Distinct sentences").first.wait_for()
    page.locator("button").filter(has_text="Train").first.click()
    page.get_by_text(re.compile(r"held-out accuracy [\d.]+%")).first.wait_for(timeout=400_000)
    wait_until_idle(page)
    assert_no_exception(page)
    save_screenshot(page, "bert_labeling")

    page.get_by_role("tab", name="🏷️ Label").click()
    page.get_by_text("green word pieces pushed towards it").first.wait_for()
    page.locator("span[title]").first.wait_for()
    assert page.locator("span[title]").count() >= 4
    page.get_by_role("textbox", name="Sentences to label, one per line").fill("I loved it, what a great movie\nBoring and badly written")
    page.keyboard.press("Control+Enter")
    wait_until_idle(page)
    page.get_by_text("I loved it, what a great movie").first.wait_for()
    labels = page.locator('[data-testid="stDataFrame"]').filter(has_text="Probability").first
    assert labels.is_visible()
    assert_no_exception(page)
    save_screenshot(page, "bert_labeling_label")
    page.get_by_role("tab", name="📦 Export").click()
    with page.expect_download() as download:
        page.get_by_role("button", name=re.compile("Download the model folder")).click()
    assert download.value.suggested_filename == "bert-labeler.zip"
