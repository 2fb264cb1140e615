"""Browser: the image page's augmentation preview and the Results tab's run with and without it.

The settings come in through a link (the page's address carries them), the preview shows the image and
seven random draws, and after training the Results tab trains the twin without augmentation and sets
the two side by side; the "With augmentation" column is the trained run's own headline accuracy."""

from __future__ import annotations

import re

from browser_utils import (
    act_then_expect,
    assert_no_exception,
    save_screenshot,
    table_rows,
    visible_effect,
    wait_until_idle,
)
from playwright.sync_api import expect
from test_image_classification import PATH, open_tab, panel, train

LINK = f"{PATH}?image_source=digits&image_size=16&image_epochs=4&image_brightness=0.3&image_contrast=0.4"


def test_preview_then_compare_with_and_without_augmentation(page, app_url):
    page.set_default_timeout(180_000)
    page.goto(f"{app_url}/{LINK}&lang=en")
    wait_until_idle(page)
    page.get_by_text("1,797 images · 10 classes").first.wait_for()
    toggle = page.get_by_text("Preview the augmentation")
    act_then_expect(page, page.get_by_text("Settings (the defaults work well)").first.click, visible_effect(toggle))
    draws = page.locator('[data-testid="stImageContainer"]').filter(has_text=re.compile(r"as it is|draw \d"))
    act_then_expect(page, toggle.first.click, lambda timeout_ms: expect(draws).to_have_count(8, timeout=timeout_ms))
    wait_until_idle(page)
    save_screenshot(page, "image_augmentation_preview", max_height=1800)
    accuracy = train(page)
    open_tab(page, "② Results", page.get_by_text("With and without augmentation"))
    compare = page.get_by_role("button", name="Train without augmentation to compare")
    table = panel(page).locator('[data-testid="stDataFrame"]').filter(has_text="With augmentation")
    act_then_expect(page, compare.click, visible_effect(table), timeout_ms=240_000)
    wait_until_idle(page)
    rows = table_rows(table.first)
    held_out = next(row for row in rows if row["Score"] == "Held-out accuracy")
    assert held_out["With augmentation"] == f"{accuracy:.1f}%"  # the run on screen, trained with the changes
    with_value, without_value = (float(held_out[column].rstrip("%")) for column in ("With augmentation", "Without"))
    assert float(held_out["Difference (points)"]) == round(with_value - without_value, 1)
    curves = panel(page).locator(".js-plotly-plot").filter(has_text="With augmentation").filter(has_text="Without")
    expect(curves).to_have_count(1)
    save_screenshot(page, "image_augmentation_compare", max_height=2400)
    assert_no_exception(page)
