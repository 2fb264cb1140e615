"""Browser: train on the built-in 8x8 digits, open "Inside the model", see the layers' feature-map grids
and one convolution value's arithmetic agreeing with Keras, pick another feature map and see the
arithmetic change."""

from __future__ import annotations

import re

from browser_utils import (
    act_then_expect,
    assert_no_exception,
    open_app,
    save_screenshot,
    set_image_epochs,
    wait_for_change,
    wait_until_idle,
)
from playwright.sync_api import expect
from test_image_classification import PATH, choose_source, open_tab, panel, train

EPOCHS = 2  # the view works on any weights; two epochs of the 8x8 digits take a few seconds


def sum_line(page) -> str:
    return panel(page).get_by_text("Sum of weight × input, plus the bias").first.inner_text()


def test_inside_the_model_shows_layers_and_the_arithmetic_of_a_chosen_feature_map(page, app_url):
    page.set_default_timeout(180_000)
    open_app(page, app_url, PATH)
    choose_source(page, "Small digits 8×8 (1,797)", page.get_by_text("1,797 images · 10 classes"))
    set_image_epochs(page, EPOCHS)
    train(page)

    agreed = panel(page).get_by_text("They agree")
    open_tab(page, "Inside the model", agreed)
    expect(panel(page).get_by_text(re.compile(r"convolution · 26×26×32")).first).to_be_visible()  # conv_1's caption
    assert panel(page).locator('[data-testid="stImage"]').count() >= 5  # the photo, 4 layers' grids, the chosen map
    before = sum_line(page)

    feature_map = panel(page).locator('[data-testid="stSelectbox"]').filter(has_text="Feature map").first

    def choose_map_five():
        feature_map.click()
        page.keyboard.type("map 5")
        page.keyboard.press("Enter")

    def sum_changed(timeout_ms):
        wait_for_change(lambda: sum_line(page), before, timeout_s=timeout_ms / 1000)  # another kernel: another sum

    act_then_expect(page, choose_map_five, sum_changed)
    wait_until_idle(page)
    after = sum_line(page)
    assert after != before and after.count("×") >= 6, after
    expect(panel(page).get_by_text(re.compile(r"conv_1`?, map 5")).first).to_be_visible(timeout=10_000)  # its caption
    expect(agreed.first).to_be_visible()  # the hand arithmetic still equals Keras' own value
    save_screenshot(page, "image_inside")
    assert_no_exception(page)
