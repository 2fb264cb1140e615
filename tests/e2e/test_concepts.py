"""Browser: the Concepts page. Change a playground control, train, watch the boundary appear and move
with a step, switch language; the regularization tab redraws when its controls move; every lesson
opens with its figure in English and in Chinese; a shared link to a lesson opens it inside the app,
even as the very first request a fresh server gets."""

import re

import pytest
from browser_utils import (
    ROOT,
    act_then_expect,
    assert_no_exception,
    open_app,
    poll,
    save_screenshot,
    start_streamlit,
    stop_streamlit,
    visible_effect,
    wait_for_change,
    wait_until_idle,
)
from playwright.sync_api import expect

BOUNDARY = ".st-key-playground_boundary .js-plotly-plot"
HISTORY = ".st-key-playground_history .js-plotly-plot"
# every lesson tab, in order: its title in English and Chinese, and the figure it opens with
LESSONS = [
    ("1 · Playground", "1 · 游乐场", BOUNDARY),
    ("2 · Neurons & activations", "2 · 神经元与激活函数", ".st-key-lessons_activations_curves .js-plotly-plot"),
    ("3 · Loss functions", "3 · 损失函数", ".st-key-lessons_losses_curves .js-plotly-plot"),
    ("4 · Optimizers", "4 · 优化器", ".st-key-lessons_opt_race .js-plotly-plot"),
    ("5 · Backpropagation", "5 · 反向传播", '[data-testid="stGraphVizChart"] svg'),
    ("6 · Regularization", "6 · 正则化", ".st-key-regularization_paths_chart .js-plotly-plot"),
    ("7 · Architectures", "7 · 网络结构", ".st-key-lessons_mlp_chart .js-plotly-plot"),
    ("8 · Learning types & landscape", "8 · 学习类型与全景", ".st-key-lessons_quant_chart .js-plotly-plot"),
]
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def single(page, selector):
    """The one element ``selector`` finds, once it is one: right after a run the chart drawn while
    training and the page's own copy coexist for a moment (Playwright's strict mode refuses two)."""
    locator = page.locator(selector)
    expect(locator).to_have_count(1, timeout=120_000)
    return locator


def drawn_traces(page, selector=BOUNDARY):
    """The traces plotly is drawing right now (type, name, a fingerprint of the heatmap values), or
    None while there is not exactly one such chart drawn (a rerun replaces the element; plotly draws
    a moment later; the chart drawn while training and the page's own copy coexist for a moment)."""
    return page.evaluate(
        """(selector) => {
             const charts = document.querySelectorAll(selector);
             if (charts.length !== 1 || !charts[0]._fullData) return null;
             // _fullData holds the decoded arrays (data keeps the base64 form): typed arrays, rows of them for z
             const flat = (values) => values ? Array.from(values, (v) => (typeof v === 'object' && v !== null)
                 ? Array.from(v) : v).flat() : [];
             return Array.from(charts[0]._fullData).map((trace) => ({
               type: trace.type || 'scatter', name: trace.name || '',
               x: flat(trace.x).slice(0, 40).map((v) => Number(v).toFixed(4)).join(','),
               z: flat(trace.z).map((v) => Number(v).toFixed(4)).join(',')}));
           }""",
        selector,
    )


def plotted_traces(page, selector=BOUNDARY):
    """``drawn_traces`` once there are some."""
    return poll(lambda: drawn_traces(page, selector), lambda traces: traces is not None, 120, f"one drawn {selector}")


def changed_traces(page, before, selector=BOUNDARY):
    """``drawn_traces`` once they differ from ``before``."""
    return poll(lambda: drawn_traces(page, selector), lambda traces: traces is not None and traces != before, 120,
                f"{selector} redrawn")


def metric(page, label):
    """The value element of the metric labelled ``label`` (the last one: see ``single``)."""
    return page.locator('[data-testid="stMetric"]').filter(has_text=label).locator('[data-testid="stMetricValue"]').last


def metric_value(page, label):
    return metric(page, label).inner_text().strip()


def wait_for_metric(page, label, value, timeout_s=240):
    expect(metric(page, label)).to_have_text(value, timeout=timeout_s * 1000)


def choose(page, container_selector, option):
    """Pick ``option`` in the select box inside ``container_selector``; wait until it shows it."""
    box = page.locator(f"{container_selector} [data-testid='stSelectbox']").first

    def pick():
        box.click()
        page.get_by_role("option", name=option, exact=True).click()

    act_then_expect(page, pick, lambda timeout_ms: expect(box.locator("input")).to_have_value(option, timeout=timeout_ms))
    wait_until_idle(page)


def train_playground(page, epochs="30"):
    """Press the playground's Train (again if a fresh server lost the press: no progress bar and no
    trained epochs), then wait for its last epoch."""
    started = page.locator('[data-testid="stMain"] [data-testid="stProgress"]').or_(
        page.locator('[data-testid="stMetric"]').filter(has_text="Epoch").locator('[data-testid="stMetricValue"]', has_text=re.compile(rf"^{epochs}$")))
    act_then_expect(page, page.locator(".st-key-playground_train button").first.click, visible_effect(started))
    wait_for_metric(page, "Epoch", epochs)
    wait_until_idle(page)


def assert_router_ran(page, language="en"):
    """The page runs inside the app: the router's language picker, every page in the navigation, and
    the language in the address (the router writes it)."""
    sidebar = page.locator('[data-testid="stSidebar"]')
    expect(sidebar.get_by_text("Language / 语言")).to_be_visible()
    expect(sidebar.locator('[data-testid="stSidebarNav"] a')).to_have_count(7)  # home + six pages, no streamlit_app
    assert f"lang={language}" in page.url, page.url


def open_concepts(page, app_url, language="en"):
    """A deep link to the page, as a shared link opens it (test_a_shared_link_is_a_fresh_servers_first_request
    shows that the router runs even when such a link is a new server's first request)."""
    open_app(page, app_url, "concepts", language)
    page.locator(BOUNDARY).first.wait_for()
    assert_router_ran(page, language)


def test_playground_train_step_and_language(page, app_url):
    open_concepts(page, app_url)
    page.get_by_role("tab", name="1 · Playground").wait_for()
    assert_no_exception(page)
    before = plotted_traces(page)
    assert all(trace["type"] == "scatter" for trace in before)  # points only, nothing trained yet

    # change a control: the XOR dataset
    choose(page, ".st-key-playground_dataset", "XOR")
    xor_points = changed_traces(page, before)
    assert all(trace["type"] == "scatter" for trace in xor_points)  # new points, still untrained

    train_playground(page)
    trained = plotted_traces(page)
    assert trained[0]["type"] == "heatmap" and trained[1]["type"] == "contour"
    assert float(metric_value(page, "Test accuracy").rstrip("%")) > 80
    single(page, HISTORY)
    save_screenshot(page, "concepts-playground")

    page.locator(".st-key-playground_step button").first.click()
    wait_for_metric(page, "Epoch", "31")
    wait_until_idle(page)
    stepped = changed_traces(page, trained)
    assert stepped[0]["type"] == "heatmap" and stepped[0]["z"] != trained[0]["z"]  # one epoch moved the boundary
    assert_no_exception(page)
    replay_the_run(page, epochs=31)

    # switch to Chinese: the tab titles and metrics follow, the trained run stays
    page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.click()
    page.get_by_role("option", name="简体中文").click()
    page.get_by_role("tab", name="1 · 游乐场").wait_for()
    wait_until_idle(page)
    expect(metric(page, "轮次")).to_have_text("31")
    assert "lang=zh" in page.url
    assert metric_value(page, "轮次") == "31"
    assert plotted_traces(page)[0]["type"] == "heatmap"
    assert_no_exception(page)


def replay_title(page) -> str:
    """The replay figure's title as drawn now ("Epoch 12 · test accuracy 91.0%"), without the bold tags Streamlit adds."""
    return re.sub(r"<[^>]+>", "", page.evaluate("""() => { const plot = document.querySelector('.st-key-playground_replay_boundary .js-plotly-plot');
        return plot && plot.layout && plot.layout.title ? plot.layout.title.text : ''; }"""))


def replay_the_run(page, epochs: int) -> None:
    """Issue 25.5: the replay switch draws the recorded epochs; Play runs them from epoch 0 to the last in the
    browser, without training (the epoch count stays)."""
    act_then_expect(page, page.get_by_text("Replay the run epoch by epoch").click,
                    visible_effect(page.locator(".st-key-playground_replay_boundary .js-plotly-plot")))
    last = poll(lambda: replay_title(page), lambda title: title.startswith(f"Epoch {epochs} "), 30, "the last epoch drawn")
    play = page.locator(".st-key-playground_replay_boundary .updatemenu-button").first
    play.click()
    seen: list[str] = []

    def shown() -> str:
        seen.append(replay_title(page))
        return seen[-1]

    poll(shown, lambda title: title == "Epoch 0", 20, "the starting weights first", interval_s=0.05)
    poll(shown, lambda title: title == last, 30, "back at the last epoch", interval_s=0.05)
    assert len(set(seen)) >= 5, sorted(set(seen))  # several epochs were drawn on the way
    assert metric_value(page, "Epoch") == str(epochs)  # replaying trained nothing
    save_screenshot(page, "concepts-playground-replay")
    page.get_by_text("Replay the run epoch by epoch").click()  # back to the live boundary
    page.locator(".st-key-playground_boundary .js-plotly-plot").wait_for()


def test_regularization_tab_redraws_when_the_penalty_changes(page, app_url):
    open_concepts(page, app_url)
    choose(page, ".st-key-playground_dataset", "XOR")  # a playground setting, to find again later
    chart = ".st-key-regularization_paths_chart .js-plotly-plot"
    act_then_expect(page, page.get_by_role("tab", name="6 · Regularization").click, visible_effect(page.locator(chart)))
    wait_until_idle(page)
    assert_no_exception(page)
    assert "concepts_tab=6+%C2%B7+Regularization" in page.url  # the address names the open lesson: a link to share
    lasso = metric_value(page, "Weights exactly 0 at this α")
    page.locator(".st-key-regularization_penalty").get_by_text("L2 (ridge)").click()
    wait_until_idle(page)
    assert wait_for_change(lambda: metric_value(page, "Weights exactly 0 at this α"), lasso, timeout_s=60) == "0 / 10"
    assert int(lasso.split("/")[0]) >= 1
    assert_no_exception(page)
    # only the open tab runs, yet the closed tab's settings are kept (persist_state): back and forth
    page.get_by_role("tab", name="1 · Playground").click()
    page.locator(BOUNDARY).first.wait_for()
    wait_until_idle(page)
    assert page.locator(".st-key-playground_dataset input").input_value() == "XOR"
    page.get_by_role("tab", name="6 · Regularization").click()
    page.locator(chart).first.wait_for()
    wait_until_idle(page)
    assert metric_value(page, "Weights exactly 0 at this α") == "0 / 10"  # still L2
    assert_no_exception(page)


def test_a_link_opens_its_lesson(page, app_url):
    page.goto(f"{app_url}/concepts?lang=en&concepts_tab=4+%C2%B7+Optimizers")
    wait_until_idle(page)
    page.locator(LESSONS[3][2]).first.wait_for()
    assert page.get_by_role("tab", selected=True).inner_text() == "4 · Optimizers"
    assert page.locator(BOUNDARY).count() == 0  # the playground did not run: only the linked lesson
    assert_router_ran(page)
    assert_no_exception(page)


@pytest.mark.timeout(300)
def test_a_shared_link_is_a_fresh_servers_first_request(browser):
    """A link to a lesson, opened as the very first request of a new server, comes up inside the app.

    Streamlit serves a folder named pages/ beside the main script as a second, router-less app until
    the router has run once in the process (streamlit/runtime/pages_manager.py: uses_pages_directory,
    cleared by the first st.navigation call). With the pages in pages/, this first load had no
    language picker, 8 navigation links and no lang= in the address (0 of 4 fresh servers); with
    app_pages/, 10 of 10 rendered inside the app with the linked tab open.
    """
    assert not (ROOT / "pages").exists(), "a pages/ folder beside streamlit_app.py turns on Streamlit's router-less mode"
    server, url, log = start_streamlit()
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        page.set_default_timeout(120_000)
        page.goto(f"{url}/concepts?concepts_tab=4+%C2%B7+Optimizers")  # nothing else has asked this server anything
        wait_until_idle(page)
        page.locator(LESSONS[3][2]).first.wait_for()
        assert page.get_by_role("tab", selected=True).inner_text() == "4 · Optimizers"
        assert_router_ran(page)
        assert_no_exception(page)
    finally:
        context.close()
        stop_streamlit(server)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_lesson_opens_with_its_figure(page, app_url, language):
    """Each of the eight tabs, clicked in turn, shows its lesson's figure and its text in the language."""
    open_concepts(page, app_url, language)
    for english, chinese, figure in LESSONS:
        title = english if language == "en" else chinese
        tab = page.get_by_role("tab", name=title, exact=True)
        if tab.get_attribute("aria-selected") != "true":  # the first lesson is open already
            act_then_expect(page, tab.click, visible_effect(page.locator(figure)))
        page.locator(figure).first.wait_for()
        wait_until_idle(page)
        assert page.get_by_role("tab", selected=True).inner_text() == title
        box = page.locator(figure).first.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 100, (title, box)  # drawn, not an empty frame
        text = page.locator('[role="tabpanel"]:visible').first.inner_text()
        assert bool(CHINESE.search(text)) == (language == "zh"), (title, text[:300])  # the lesson speaks the language
        assert_no_exception(page)


def test_playground_takes_my_own_csv_and_explains_a_bad_one(page, app_url):
    open_concepts(page, app_url)
    choose(page, ".st-key-playground_dataset", "My own CSV")
    page.get_by_text("Upload a CSV file with columns x, y, label").first.wait_for()
    upload = page.locator(".st-key-playground_upload input[type=file]")

    one_class = "x,y,label\n" + "".join(f"{i},{i % 3},cat\n" for i in range(20))
    upload.set_input_files(files=[{"name": "one.csv", "mimeType": "text/csv", "buffer": one_class.encode()}])
    page.get_by_text("has only one class ('cat')").first.wait_for()
    assert_no_exception(page)

    # three word-labelled clusters: a softmax network, a three-colour class map
    centres = {"ant": (0, 0), "bee": (4, 0), "cow": (2, 3)}
    rows = "".join(f"{cx + (i % 5) * 0.2},{cy + (i // 5) * 0.2},{name}\n"
                   for name, (cx, cy) in centres.items() for i in range(25))
    upload.set_input_files(files=[{"name": "mine.csv", "mimeType": "text/csv", "buffer": ("x,y,label\n" + rows).encode()}])
    page.get_by_text("test · cow").first.wait_for()
    wait_until_idle(page)
    assert page.get_by_text("has only one class").count() == 0
    names = [trace["name"] for trace in plotted_traces(page)]
    assert names == [f"{split} · {label}" for split in ("train", "test") for label in ("ant", "bee", "cow")]

    train_playground(page)
    traces = plotted_traces(page)
    assert traces[0]["type"] == "heatmap" and {float(v) for v in traces[0]["z"].split(",")} == {0.0, 1.0, 2.0}
    assert float(metric_value(page, "Test accuracy").rstrip("%")) > 90
    assert_no_exception(page)

    # another lesson and back: Streamlit drops a hidden uploader's file; the page kept a copy, and the trained network
    page.get_by_role("tab", name="2 · Neurons & activations").click()
    page.get_by_role("tab", name="1 · Playground").click()
    page.get_by_text("Using mine.csv, uploaded before you left this tab.").first.wait_for()
    wait_until_idle(page)
    assert metric_value(page, "Epoch") == "30"
    assert [trace["name"] for trace in plotted_traces(page)][1:] == names
    assert_no_exception(page)


def test_a_link_with_settings_opens_them_and_follows_changes(page, app_url):
    """Issue 26, item 2: the playground's settings live in the address. A link made on the Chinese page
    opens the same network on the English one; changing a setting changes the address and the link box."""
    settings = "playground_dataset=xor&playground_layers=3&playground_learning_rate=0.1&playground_seed=7"
    page.goto(f"{app_url}/concepts?lang=en&{settings}")
    wait_until_idle(page)
    page.locator(BOUNDARY).first.wait_for()
    expect(page.locator(".st-key-playground_dataset input")).to_have_value("XOR")
    layers = page.locator(".st-key-playground_layers [data-testid='stSliderThumbValue']")
    expect(layers).to_have_text("3")
    expect(page.locator(".st-key-playground_seed input")).to_have_value("7")
    assert_no_exception(page)

    def one_more_layer():
        page.locator(".st-key-playground_layers").get_by_role("slider").focus()
        page.keyboard.press("ArrowRight")

    act_then_expect(page, one_more_layer, lambda timeout_ms: expect(layers).to_have_text("4", timeout=timeout_ms))
    wait_until_idle(page)
    poll(lambda: page.url, lambda url: "playground_layers=4" in url, 20, "the address follows the slider")
    assert "playground_dataset=xor" in page.url and "playground_seed=7" in page.url
    box = page.get_by_text("Link to these settings")
    box.click()
    code = page.locator("[data-testid='stCode']").filter(has_text="playground_layers=4")
    code.first.wait_for()
    assert f"{app_url}/concepts?" in code.first.inner_text()  # the whole address, ready to copy
    save_screenshot(page, "concepts-link")
