"""Browser: load a preset, train it, see the doctor's diagnosis, press its first fix, see before/after;
the same in Chinese for the exploding RNN; train on an uploaded CSV of my own."""

import numpy as np
from browser_utils import (
    DOCS,
    act_then_expect,
    assert_no_exception,
    charts_whose_legend_covers_an_axis_title,
    open_app,
    press_train,
    screenshots_wanted,
    visible_effect,
    wait_for_stable_layout,
    wait_until_idle,
)
from playwright.sync_api import expect

TRAINING_TIMEOUT_MS = 300_000  # TensorFlow's first import plus a 20-layer run on a busy 2-core machine


def _open_lab(page, app_url, language="en"):
    """Open the app and go to the lab through the sidebar, as a user does."""
    open_app(page, app_url, "", language=language)
    page.locator('[data-testid="stSidebarNav"] a[href*="/gradient_lab"]').first.click()
    page.wait_for_url("**/gradient_lab*")
    wait_until_idle(page)


def _click_preset(page, preset: str, train_label: str) -> None:
    """Press a preset button and wait until the form shows it (its Train button names its epochs)."""
    act_then_expect(page, page.get_by_role("button", name=preset).click, visible_effect(page.get_by_role("button", name=train_label)))
    wait_until_idle(page)


def _metric(page, label: str):
    return page.locator('[data-testid="stMetric"]').filter(has_text=label).locator('[data-testid="stMetricValue"]')


def test_sigmoid_preset_vanishes_and_the_first_fix_cures_it(page, app_url):
    _open_lab(page, app_url)
    page.get_by_role("heading", name="Gradient lab").wait_for()
    _click_preset(page, "20-layer sigmoid vanishes", "Train 6 epochs")

    press_train(page, page.get_by_role("button", name="Train 6 epochs"))
    page.get_by_role("heading", name="Gradient doctor").wait_for(timeout=TRAINING_TIMEOUT_MS)
    wait_until_idle(page)
    assert_no_exception(page)
    assert page.get_by_text("Diagnosis: vanishing gradients.").count() == 1
    assert page.get_by_text("Vanishing: the first layer's gradient is").count() == 1

    page.get_by_role("button", name="1. Add batch normalization").click()
    page.get_by_role("heading", name="Before and after").wait_for(timeout=TRAINING_TIMEOUT_MS)
    wait_until_idle(page)
    assert_no_exception(page)
    comparison = page.locator(".st-key-gl_compare")
    assert comparison.get_by_text("Before: #1 20-layer sigmoid vanishes").count() == 1
    assert comparison.get_by_text("After: #2 + Add batch normalization").count() == 1
    assert comparison.get_by_text("vanishing").count() >= 1 and comparison.get_by_text("healthy").count() >= 1
    assert page.get_by_text("Diagnosis: the gradient flows healthily through the network.").count() == 1
    comparison.locator(".js-plotly-plot").nth(1).wait_for()
    wait_for_stable_layout(page)
    assert charts_whose_legend_covers_an_axis_title(page) == []  # four runs' legend ran into "step" (issue 24.12)
    if screenshots_wanted():
        page.mouse.move(0, 0)  # no plotly toolbar over the title
        wait_for_stable_layout(page)  # plotly has finished drawing
        comparison.screenshot(path=str(DOCS / "gradient-lab.png"))


def test_long_rnn_explosion_is_reported_in_chinese(page, app_url):
    _open_lab(page, app_url, language="zh")
    _click_preset(page, "长序列 RNN：梯度爆炸", "训练 4 轮")
    press_train(page, page.get_by_role("button", name="训练 4 轮"))
    page.get_by_role("heading", name="梯度医生").wait_for(timeout=TRAINING_TIMEOUT_MS)
    wait_until_idle(page)
    assert_no_exception(page)
    assert page.get_by_text("诊断：梯度爆炸。").count() == 1
    assert page.get_by_text("检测到 NaN/Inf").count() == 1
    assert page.get_by_role("button", name="1. 按全局范数裁剪梯度（1.0）").count() == 1


def three_clusters_csv(rows_per_class: int = 300) -> bytes:
    """Two feature columns and a word label: three well-separated clusters (a net that trains on this
    file gets every held-out row right; the built-in digits do not reach that in five epochs)."""
    generator = np.random.default_rng(0)
    lines = ["x1,x2,label"]
    for name, (cx, cy) in {"ant": (0, 0), "bee": (6, 0), "cow": (3, 5)}.items():
        for x, y in generator.normal((cx, cy), 0.5, (rows_per_class, 2)):
            lines.append(f"{x:.3f},{y:.3f},{name}")
    return ("\n".join(lines) + "\n").encode()


def test_train_on_my_own_csv(page, app_url):
    _open_lab(page, app_url)
    dataset = page.locator("[data-testid='stSelectbox']").filter(has_text="Dataset")
    uploader = page.locator('[data-testid="stFileUploader"]').filter(has_text="CSV file")

    def choose_csv():
        dataset.first.click()
        page.get_by_role("option", name="My own CSV", exact=True).click()

    act_then_expect(page, choose_csv, visible_effect(uploader))
    wait_until_idle(page)
    uploader.first.locator('input[type="file"]').set_input_files(
        files=[{"name": "clusters.csv", "mimeType": "text/csv", "buffer": three_clusters_csv()}])
    page.get_by_text("clusters.csv").first.wait_for()
    wait_until_idle(page)
    assert_no_exception(page)

    press_train(page, page.get_by_role("button", name="Train 5 epochs"))  # the lab's defaults: 8 ReLU layers
    page.get_by_role("heading", name="Gradient doctor").wait_for(timeout=TRAINING_TIMEOUT_MS)
    wait_until_idle(page)
    assert_no_exception(page)
    # trained on the file: every held-out row of the three clusters right (chance: 1/3; digits: below 1)
    expect(_metric(page, "Validation accuracy").first).to_have_text("1")
    assert page.get_by_text("Diagnosis: the gradient flows healthily through the network.").count() == 1
    assert page.get_by_text("Runs in this session").count() == 1
