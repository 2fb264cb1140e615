"""Browser: load a preset, train it, see the doctor's diagnosis, press its first fix, see before/after."""

from browser_utils import DOCS, assert_no_exception, open_app, screenshots_wanted, wait_until_idle

TRAINING_TIMEOUT_MS = 300_000  # TensorFlow's first import plus a 20-layer run on a busy 2-core machine


def _open_lab(page, app_url, language="en"):
    """Open the app and go to the lab through the sidebar, as a user does."""
    open_app(page, app_url, "", language=language)
    page.locator('[data-testid="stSidebarNav"] a[href*="/gradient_lab"]').first.click()
    page.wait_for_url("**/gradient_lab*")
    wait_until_idle(page)


def _click_preset(page, preset: str, train_label: str) -> None:
    """Press a preset button and wait until the form shows it (its Train button names its epochs)."""
    page.get_by_role("button", name=preset).click()
    page.get_by_role("button", name=train_label).wait_for(timeout=60_000)
    wait_until_idle(page)


def test_sigmoid_preset_vanishes_and_the_first_fix_cures_it(page, app_url):
    _open_lab(page, app_url)
    page.get_by_role("heading", name="Gradient lab").wait_for()
    _click_preset(page, "20-layer sigmoid vanishes", "Train 6 epochs")

    page.get_by_role("button", name="Train 6 epochs").click()
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
    if screenshots_wanted():
        page.mouse.move(0, 0)  # no plotly toolbar over the title
        page.wait_for_timeout(1500)  # let plotly finish drawing before the screenshot
        comparison.screenshot(path=str(DOCS / "gradient-lab.png"))


def test_long_rnn_explosion_is_reported_in_chinese(page, app_url):
    _open_lab(page, app_url, language="zh")
    _click_preset(page, "长序列 RNN：梯度爆炸", "训练 4 轮")
    page.get_by_role("button", name="训练 4 轮").click()
    page.get_by_role("heading", name="梯度医生").wait_for(timeout=TRAINING_TIMEOUT_MS)
    wait_until_idle(page)
    assert_no_exception(page)
    assert page.get_by_text("诊断：梯度爆炸。").count() == 1
    assert page.get_by_text("检测到 NaN/Inf").count() == 1
    assert page.get_by_role("button", name="1. 按全局范数裁剪梯度（1.0）").count() == 1
