"""Browser: the Concepts page. Change a playground control, train, watch the boundary appear and move
with a step, switch language; the regularization tab redraws when its controls move."""

import time

from browser_utils import assert_no_exception, open_app, save_screenshot, wait_for_change, wait_until_idle

BOUNDARY = ".st-key-playground_boundary .js-plotly-plot"


def plotted_traces(page, selector=BOUNDARY):
    """The traces plotly is drawing right now: type, name and a fingerprint of the heatmap values."""
    return page.evaluate(
        """(selector) => {
             // _fullData holds the decoded arrays (data keeps the base64 form): typed arrays, rows of them for z
             const flat = (values) => values ? Array.from(values, (v) => (typeof v === 'object' && v !== null)
                 ? Array.from(v) : v).flat() : [];
             return Array.from(document.querySelector(selector)._fullData).map((trace) => ({
               type: trace.type || 'scatter', name: trace.name || '',
               x: flat(trace.x).slice(0, 40).map((v) => Number(v).toFixed(4)).join(','),
               z: flat(trace.z).map((v) => Number(v).toFixed(4)).join(',')}));
           }""",
        selector,
    )


def metric_value(page, label):
    metric = page.locator('[data-testid="stMetric"]').filter(has_text=label).first
    return metric.locator('[data-testid="stMetricValue"]').inner_text().strip()


def wait_for_metric(page, label, value, timeout_s=240):
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        if metric_value(page, label) == value:
            return
        time.sleep(0.5)
    raise AssertionError(f"{label} never showed {value} (now {metric_value(page, label)})")


def choose(page, container_selector, option):
    page.locator(f"{container_selector} [data-testid='stSelectbox']").first.click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_until_idle(page)


def open_concepts(page, app_url):
    """Home, then the Concepts link in the sidebar, as a visitor would. (A deep link to /concepts on a
    fresh server sometimes comes up in Streamlit's pages-folder mode: no router, no language picker.)"""
    open_app(page, app_url)
    page.locator('[data-testid="stSidebarNav"] a[href*="/concepts"]').first.click()
    page.wait_for_url("**/concepts*")
    wait_until_idle(page)
    page.locator(BOUNDARY).wait_for()
    assert page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').count() == 1  # the router ran


def test_playground_train_step_and_language(page, app_url):
    open_concepts(page, app_url)
    page.get_by_role("tab", name="1 · Playground").wait_for()
    page.locator(BOUNDARY).wait_for()
    assert_no_exception(page)
    before = plotted_traces(page)
    assert all(trace["type"] == "scatter" for trace in before)  # points only, nothing trained yet

    # change a control: the XOR dataset
    choose(page, ".st-key-playground_dataset", "XOR")
    xor_points = wait_for_change(lambda: plotted_traces(page), before)
    assert all(trace["type"] == "scatter" for trace in xor_points)  # new points, still untrained

    page.locator(".st-key-playground_train button").first.click()
    wait_for_metric(page, "Epoch", "30")
    wait_until_idle(page)
    trained = plotted_traces(page)
    assert trained[0]["type"] == "heatmap" and trained[1]["type"] == "contour"
    assert float(metric_value(page, "Test accuracy").rstrip("%")) > 80
    page.locator(".st-key-playground_history .js-plotly-plot").wait_for()
    save_screenshot(page, "concepts-playground")

    page.locator(".st-key-playground_step button").first.click()
    wait_for_metric(page, "Epoch", "31")
    wait_until_idle(page)
    stepped = plotted_traces(page)
    assert stepped[0]["type"] == "heatmap" and stepped[0]["z"] != trained[0]["z"]  # one epoch moved the boundary
    assert_no_exception(page)

    # switch to Chinese: the tab titles and metrics follow, the trained run stays
    page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.click()
    page.get_by_role("option", name="简体中文").click()
    page.get_by_role("tab", name="1 · 游乐场").wait_for()
    wait_until_idle(page)
    assert "lang=zh" in page.url
    assert metric_value(page, "轮次") == "31"
    assert plotted_traces(page)[0]["type"] == "heatmap"
    assert_no_exception(page)


def test_regularization_tab_redraws_when_the_penalty_changes(page, app_url):
    open_concepts(page, app_url)
    choose(page, ".st-key-playground_dataset", "XOR")  # a playground setting, to find again later
    page.get_by_role("tab", name="6 · Regularization").click()
    chart = ".st-key-regularization_paths_chart .js-plotly-plot"
    page.locator(chart).wait_for()
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
    page.locator(BOUNDARY).wait_for()
    assert page.locator(".st-key-playground_dataset input").input_value() == "XOR"
    page.get_by_role("tab", name="6 · Regularization").click()
    page.locator(chart).wait_for()
    assert metric_value(page, "Weights exactly 0 at this α") == "0 / 10"  # still L2
    assert_no_exception(page)


def test_a_link_opens_its_lesson(page, app_url):
    open_app(page, app_url)  # the router has run once on this server (see open_concepts)
    page.goto(f"{app_url}/concepts?lang=en&concepts_tab=4+%C2%B7+Optimizers")
    wait_until_idle(page)
    assert page.get_by_role("tab", selected=True).inner_text() == "4 · Optimizers"
    assert page.locator(BOUNDARY).count() == 0  # the playground did not run: only the linked lesson
    assert_no_exception(page)


def test_playground_takes_my_own_csv_and_explains_a_bad_one(page, app_url):
    open_concepts(page, app_url)
    page.locator(BOUNDARY).wait_for()
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

    page.locator(".st-key-playground_train button").first.click()
    wait_for_metric(page, "Epoch", "30")
    wait_until_idle(page)
    traces = plotted_traces(page)
    assert traces[0]["type"] == "heatmap" and {float(v) for v in traces[0]["z"].split(",")} == {0.0, 1.0, 2.0}
    assert float(metric_value(page, "Test accuracy").rstrip("%")) > 90
    assert_no_exception(page)

    # another lesson and back: Streamlit drops a hidden uploader's file; the page kept a copy, and the trained network
    page.get_by_role("tab", name="2 · Neurons & activations").click()
    page.get_by_role("tab", name="1 · Playground").click()
    page.get_by_text("Using mine.csv, uploaded before you left this tab.").first.wait_for()
    page.locator(BOUNDARY).wait_for()
    assert metric_value(page, "Epoch") == "30"
    assert [trace["name"] for trace in plotted_traces(page)][1:] == names
    assert_no_exception(page)
