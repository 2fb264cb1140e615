"""Browser: the Optimizers lesson redraws its race when a control changes, and the Backpropagation
lesson walks its graph one step at a time. Saves docs/concepts-optimizers.png."""


from browser_utils import assert_no_exception, open_app, save_screenshot, wait_for_change, wait_until_idle

RACE = ".st-key-lessons_opt_race .js-plotly-plot"


def race_paths(page):
    """The optimizer paths plotly is drawing now: name and the first coordinates of each line."""
    return page.evaluate(
        """(selector) => {
             // Streamlit hands plotly numeric arrays base64-encoded ({bdata, dtype}) or as plain arrays
             const length = (x) => x.bdata ? atob(x.bdata).length / Number(x.dtype.replace(/\\D/g, '')) : Array.from(x).length;
             return Array.from(document.querySelector(selector).data)
               .filter((trace) => trace.mode === 'lines')
               .map((trace) => trace.name + ':' + length(trace.x) + ':' + JSON.stringify(trace.x).slice(0, 400));
           }""",
        RACE,
    )


def graph_text(page):
    """The graph's labels, one line per SVG text element (node name, value, grad)."""
    return "\n".join(page.locator('[data-testid="stGraphVizChart"] svg text').all_text_contents())


def open_concepts(page, app_url):
    open_app(page, app_url, "concepts")  # a deep link: the router runs even on a brand-new server
    page.get_by_role("tab", name="4 · Optimizers").wait_for()


def open_tab(page, name):
    page.get_by_role("tab", name=name).click()
    wait_until_idle(page)



def test_optimizer_race_redraws_when_the_surface_changes(page, app_url):
    open_concepts(page, app_url)
    open_tab(page, "4 · Optimizers")
    page.locator(RACE).wait_for(timeout=180_000)
    before = race_paths(page)
    assert len(before) == 7  # SGD, momentum, Nesterov, Adagrad, RMSprop, Adam, AdamW
    assert_no_exception(page)
    save_screenshot(page, "concepts-optimizers")

    page.locator(".st-key-lessons_opt_surface").click()
    page.get_by_role("option", name="Saddle point").click()
    wait_until_idle(page)
    after = wait_for_change(lambda: race_paths(page), before)
    assert len(after) == 7

    # the step slider cuts every path short: from the end, Home jumps to step 0 (just the start point)
    page.locator('.st-key-lessons_opt_show_step input[type="range"]').focus()
    page.keyboard.press("Home")
    wait_until_idle(page)
    shortened = wait_for_change(lambda: race_paths(page), after, timeout_s=60)
    assert all(path.split(":")[1] == "1" for path in shortened), shortened
    assert_no_exception(page)


def test_backpropagation_walks_backward_one_node_at_a_time(page, app_url):
    open_concepts(page, app_url)
    open_tab(page, "5 · Backpropagation")
    page.locator('[data-testid="stGraphVizChart"] svg').first.wait_for(timeout=120_000)
    forward = graph_text(page)
    assert "grad" not in forward and "value -2" in forward  # e = a·b + c = 2·(-3) + 4

    page.locator(".st-key-lessons_backprop_phase").get_by_text("Backward").click()
    wait_until_idle(page)
    start = wait_for_change(lambda: graph_text(page), forward, timeout_s=60)
    assert start.splitlines().count("grad 0") == 7 and "grad 1" in start.splitlines()  # only the output has one yet

    page.locator('.st-key-lessons_backprop_step_expression_backward input[type="range"]').focus()
    page.keyboard.press("End")
    wait_until_idle(page)
    finished = wait_for_change(lambda: graph_text(page), start)
    lines = finished.splitlines()
    assert "grad 0" not in lines and "grad -1.386" in lines  # every node has its gradient; dL/da = b·tanh(d)
    assert_no_exception(page)
