"""Browser: train a small 1-D CNN on Rotten Tomatoes, open Inside the model, type a word and see its
nearest words drawn, the map of frequent tokens and the filters that fire on a text."""

from __future__ import annotations

import re

from browser_utils import (
    act_then_expect,
    assert_no_exception,
    open_app,
    press_train,
    save_screenshot,
    set_texts_to_train_on,
    visible_effect,
    wait_until_idle,
)

PATH = "text_classification"


def test_type_a_word_and_see_its_neighbours(page, app_url):
    page.set_default_timeout(180_000)  # the machine may be busy; TensorFlow loads on the first job
    open_app(page, app_url, PATH)
    page.get_by_text("Distinct texts").first.wait_for()
    cnn = page.locator('[data-testid="stRadio"]').get_by_text("1-D CNN", exact=True)
    act_then_expect(page, cnn.click, visible_effect(page.get_by_text("filters", exact=False)))
    set_texts_to_train_on(page, ["Home", "ArrowRight", "ArrowRight"], "1,000")
    press_train(page)
    page.get_by_text(re.compile(r"test accuracy [\d.]+%")).first.wait_for(timeout=300_000)
    wait_until_idle(page)

    box = page.get_by_label("A word", exact=True).and_(page.get_by_role("textbox"))
    act_then_expect(page, page.get_by_role("tab", name="🔬 Inside the model").click, visible_effect(box))
    page.locator(".js-plotly-plot").filter(has_text="Closest to").first.wait_for()  # the prefilled word's neighbours
    box.fill("funny")
    box.press("Enter")
    chart = page.locator(".js-plotly-plot").filter(has_text="Closest to “funny”")
    chart.first.wait_for()
    words = chart.first.locator("g.ytick text").all_text_contents()  # SVG text: read its content
    assert len(words) == 12 and "funny" not in words and all(words), words
    page.locator(".js-plotly-plot").filter(has_text="principal axis 1").first.wait_for()  # the map
    page.locator(".js-plotly-plot").filter(has_text="tokens of the text, in order").first.wait_for()  # the filters
    assert_no_exception(page)
    save_screenshot(page, "text_inside")
