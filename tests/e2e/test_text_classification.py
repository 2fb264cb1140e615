"""Browser: train the default text model on a sample of Rotten Tomatoes, see it beside the
baseline, type a clearly positive and a clearly negative review and get fresh and rotten, with a
token explanation; a bad table shows an error box."""

from __future__ import annotations

import re

from browser_utils import (
    act_then_expect,
    assert_no_exception,
    open_app,
    poll,
    press_train,
    save_screenshot,
    table_rows,
    visible_effect,
    wait_until_idle,
)

PATH = "text_classification"
TYPED = {  # typed review -> the label a model trained on Rotten Tomatoes gives it
    "A wonderful, moving and beautifully acted film.": "fresh",
    "A dull, boring and predictable mess.": "rotten",
}


def test_train_and_classify_typed_sentences(page, app_url):
    page.set_default_timeout(180_000)  # the machine may be busy; TensorFlow loads on the first job
    open_app(page, app_url, PATH)
    page.get_by_text("Distinct texts").first.wait_for()
    slider = page.locator('[data-testid="stSlider"]').filter(has_text="Texts to train on")
    act_then_expect(page, page.get_by_text("Settings").first.click, visible_effect(slider))
    size = slider.first.locator('[data-testid="stSliderThumbValue"]').filter(has_text=re.compile(r"^5,000$"))

    def five_thousand_texts():  # all, 500, 1,000, 2,000, 5,000, 10,000: the end, then one back
        slider.first.get_by_role("slider").focus()
        page.keyboard.press("End")
        page.keyboard.press("ArrowLeft")

    act_then_expect(page, five_thousand_texts, visible_effect(size))
    wait_until_idle(page)
    press_train(page)
    page.get_by_text(re.compile(r"test accuracy [\d.]+%")).first.wait_for(timeout=300_000)
    wait_until_idle(page)
    assert_no_exception(page)
    shown = page.get_by_text(re.compile(r"test accuracy [\d.]+%")).first.inner_text()
    accuracy, baseline = (float(value) for value in re.findall(r"([\d.]+)%", shown)[:2])
    assert accuracy > 68 and baseline > 68, shown  # chance: the larger class, 58 %
    save_screenshot(page, "text_classification")

    act_then_expect(page, page.get_by_role("tab", name="📈 Results").click,
                    visible_effect(page.locator(".js-plotly-plot").filter(has_text="Confusion matrix")))
    page.get_by_text("The most confidently wrong test texts").first.wait_for()

    box = page.get_by_label("Texts to classify, one per line")
    act_then_expect(page, page.get_by_role("tab", name="🔮 Predict").click, visible_effect(box))
    page.get_by_text("green tokens pushed towards it").first.wait_for()
    box.fill("\n".join(TYPED))
    box.press("Control+Enter")  # a text area sends its text on Ctrl+Enter (or when it loses focus)
    table = page.locator('[role="tabpanel"]:visible [data-testid="stDataFrame"]').first  # the Data tab has one too
    rows = poll(lambda: table_rows(table), lambda rows: [row.get("Text") for row in rows] == list(TYPED), 120,
                "the typed texts in the table")
    # an untrained or one-class model gives both the same label; a model that learned the words, these two
    assert {row["Text"]: row["Label"] for row in rows} == TYPED, rows
    assert all(0.5 <= float(row["Probability"]) <= 1 for row in rows), rows
    spans = page.locator("span[title]")
    spans.nth(4).wait_for()  # the explanation of the first typed text: every token coloured
    assert spans.count() >= 5
    assert page.get_by_text(re.compile(r"^fresh \([\d.]+%\): green tokens")).count() == 1  # it explains the positive one
    assert_no_exception(page)
    save_screenshot(page, "text_classification_predict")


def test_bad_table_shows_an_error_box(page, app_url):
    open_app(page, app_url, PATH)
    uploader = page.locator('[data-testid="stFileUploader"]')
    act_then_expect(page, page.locator('[data-testid="stRadio"]').first.get_by_text("Upload a table", exact=True).click,
                    visible_effect(uploader))
    bad = "text,label\n" + "".join(f"text number {index},same\n" for index in range(20))
    uploader.first.locator('input[type="file"]').set_input_files(files=[{"name": "one.csv", "mimeType": "text/csv", "buffer": bad.encode()}])
    page.get_by_text("one class").first.wait_for()
    wait_until_idle(page)
    assert_no_exception(page)
