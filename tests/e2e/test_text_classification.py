"""Browser: train the default text model on a sample of Rotten Tomatoes, see it beside the
baseline, classify typed sentences with a token explanation; a bad table shows an error box."""

from __future__ import annotations

import re

from browser_utils import assert_no_exception, open_app, save_screenshot, wait_until_idle

PATH = "text_classification"


def test_train_and_classify_typed_sentences(page, app_url):
    page.set_default_timeout(180_000)  # the machine may be busy; TensorFlow loads on the first job
    open_app(page, app_url, PATH)
    page.get_by_text("Distinct texts").first.wait_for()
    page.get_by_text("Settings").first.click()
    slider = page.locator('[data-testid="stSlider"]').filter(has_text="Texts to train on").first
    slider.get_by_role("slider").focus()
    for _ in range(4):  # all -> 500 -> 1,000 -> 2,000 -> 5,000 texts
        page.keyboard.press("ArrowRight")
    wait_until_idle(page)
    page.locator("button").filter(has_text="Train").first.click()
    page.get_by_text(re.compile(r"test accuracy [\d.]+%")).first.wait_for(timeout=300_000)
    wait_until_idle(page)
    assert_no_exception(page)
    shown = page.get_by_text(re.compile(r"test accuracy [\d.]+%")).first.inner_text()
    accuracy, baseline = (float(value) for value in re.findall(r"([\d.]+)%", shown)[:2])
    assert accuracy > 68 and baseline > 68, shown  # chance: the larger class, 58 %
    save_screenshot(page, "text_classification")

    page.get_by_role("tab", name="📈 Results").click()
    page.locator(".js-plotly-plot").filter(has_text="Confusion matrix").first.wait_for()
    page.get_by_text("The most confidently wrong test texts").first.wait_for()

    page.get_by_role("tab", name="🔮 Predict").click()
    page.get_by_text("green tokens pushed towards it").first.wait_for()
    spans = page.locator("span[title]")
    spans.nth(4).wait_for()  # the tab runs when opened: its explanation arrives after the caption
    assert spans.count() >= 5  # every token of the explained sentence, coloured
    assert_no_exception(page)
    save_screenshot(page, "text_classification_predict")


def test_bad_table_shows_an_error_box(page, app_url):
    open_app(page, app_url, PATH)
    page.locator('[data-testid="stRadio"]').first.get_by_text("Upload a table", exact=True).click()
    uploader = page.locator('[data-testid="stFileUploader"]').first
    uploader.wait_for()
    bad = "text,label\n" + "".join(f"text number {index},same\n" for index in range(20))
    uploader.locator('input[type="file"]').set_input_files(files=[{"name": "one.csv", "mimeType": "text/csv", "buffer": bad.encode()}])
    page.get_by_text("one class").first.wait_for()
    wait_until_idle(page)
    assert_no_exception(page)
