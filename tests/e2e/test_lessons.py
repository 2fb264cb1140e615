"""Browser: the Optimizers lesson redraws its race when a control changes, and the Backpropagation
lesson walks its graph one step at a time. Saves docs/concepts-optimizers.png."""

from browser_utils import (
    act_then_expect,
    assert_no_exception,
    open_app,
    poll,
    save_screenshot,
    visible_effect,
    wait_for_change,
    wait_until_idle,
)

RACE = ".st-key-lessons_opt_race .js-plotly-plot"
GRAPH = '[data-testid="stGraphVizChart"] svg'


def race_paths(page):
    """The optimizer paths plotly is drawing now (name, length and the first coordinates of each
    line), or None while there is not exactly one race chart with data (a rerun replaces it)."""
    return page.evaluate(
        """(selector) => {
             const charts = document.querySelectorAll(selector);
             if (charts.length !== 1 || !charts[0].data) return null;
             // Streamlit hands plotly numeric arrays base64-encoded ({bdata, dtype}) or as plain arrays
             const length = (x) => x.bdata ? atob(x.bdata).length / Number(x.dtype.replace(/\\D/g, '')) : Array.from(x).length;
             return Array.from(charts[0].data)
               .filter((trace) => trace.mode === 'lines')
               .map((trace) => trace.name + ':' + length(trace.x) + ':' + JSON.stringify(trace.x).slice(0, 400));
           }""",
        RACE,
    )


def race_changed_from(page, before, timeout_s=120):
    return poll(lambda: race_paths(page), lambda paths: paths is not None and paths != before, timeout_s, "the race redrawn")


def graph_text(page):
    """The graph's labels, one line per SVG text element (node name, value, grad)."""
    return "\n".join(page.locator(f"{GRAPH} text").all_text_contents())


def open_lesson(page, app_url, name, figure):
    """The Concepts page from a link, then the lesson's tab, once its figure is drawn."""
    open_app(page, app_url, "concepts")
    tab = page.get_by_role("tab", name=name)
    act_then_expect(page, tab.click, visible_effect(page.locator(figure)), timeout_ms=180_000)
    wait_until_idle(page)


def test_optimizer_race_redraws_when_the_surface_changes(page, app_url):
    open_lesson(page, app_url, "4 · Optimizers", RACE)
    before = poll(lambda: race_paths(page), lambda paths: paths is not None, 120, "the race drawn")
    assert len(before) == 7  # SGD, momentum, Nesterov, Adagrad, RMSprop, Adam, AdamW
    assert_no_exception(page)
    save_screenshot(page, "concepts-optimizers")

    page.locator(".st-key-lessons_opt_surface").click()
    page.get_by_role("option", name="Saddle point").click()
    after = race_changed_from(page, before)
    assert len(after) == 7
    wait_until_idle(page)

    # the step slider cuts every path short: from the end, Home jumps to step 0 (just the start point)
    page.locator('.st-key-lessons_opt_show_step input[type="range"]').focus()
    page.keyboard.press("Home")
    shortened = race_changed_from(page, after, timeout_s=60)
    assert all(path.split(":")[1] == "1" for path in shortened), shortened
    wait_until_idle(page)
    assert_no_exception(page)


def test_backpropagation_walks_backward_one_node_at_a_time(page, app_url):
    open_lesson(page, app_url, "5 · Backpropagation", GRAPH)
    forward = graph_text(page)
    assert "grad" not in forward and "value -2" in forward  # e = a·b + c = 2·(-3) + 4

    page.locator(".st-key-lessons_backprop_phase").get_by_text("Backward").click()
    wait_for_change(lambda: graph_text(page), forward, timeout_s=60)
    wait_until_idle(page)  # the graph of the finished run, not one drawn halfway
    start = graph_text(page)
    assert start.splitlines().count("grad 0") == 7 and "grad 1" in start.splitlines()  # only the output has one yet

    page.locator('.st-key-lessons_backprop_step_expression_backward input[type="range"]').focus()
    page.keyboard.press("End")
    wait_for_change(lambda: graph_text(page), start)
    wait_until_idle(page)
    finished = graph_text(page)
    lines = finished.splitlines()
    assert "grad 0" not in lines and "grad -1.386" in lines  # every node has its gradient; dL/da = b·tanh(d)
    assert_no_exception(page)
