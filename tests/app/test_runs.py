"""AppTest: the "All runs" tab (issue 26.3, 26.4).

Runs made by another session are listed from the store; picking runs overlays their curves; the
table downloads as CSV; opening a run brings its results back without training; deleting removes it
from the store. In hosted mode (DL_HOSTED=1) another visitor sees runs on built-in data but not a run on
an uploaded file, cannot delete others' runs, and the home page has no way to clear the cache.
"""

from __future__ import annotations

import pandas as pd
from apptest_utils import chart_specs, open_page, run_until, show_tab

from dl.store import ModelStore

PAGE = "text_classification"
RESULTS, RUNS = 1, 5


def train_text(app, source: str = "rotten_tomatoes", epochs: int = 2, upload: bytes | None = None):
    if upload is not None:
        app.radio(key="text_source").set_value("upload").run()
        app.file_uploader(key="text_file").set_value(("mine.csv", upload, "text/csv")).run()
    else:
        app.radio(key="text_source").set_value(source).run()
        app.select_slider(key="text_max_texts").set_value(500).run()
    app.slider(key="text_epochs").set_value(epochs).run()
    app.button(key="text_train").click().run()
    run_until(app, lambda page: any("test accuracy" in box.value for box in page.success))
    return app


def runs_table(app) -> pd.DataFrame:
    return next(table.value for table in app.dataframe if "trained" in table.value.columns)


def test_runs_of_another_session_are_listed_overlaid_opened_and_deleted():
    first = train_text(open_page(PAGE), epochs=2)
    train_text(first, epochs=3)
    second = show_tab(open_page(PAGE), RUNS, PAGE)  # a new session: nothing trained here
    table = runs_table(second)
    assert len(table) == 2 and set(table["epochs"]) == {"2", "3"}, table  # the one setting that differs
    assert (table["data"].str.contains("rotten_tomatoes")).all()
    overlay = [spec for spec in chart_specs(second) if "per epoch" in spec["layout"]["title"]["text"]]
    assert overlay and len(overlay[0]["data"]) == 2  # the two newest runs, overlaid by default
    assert sorted(len(trace["x"]) for trace in overlay[0]["data"]) == [2, 3]
    parallel = [spec for spec in chart_specs(second) if spec["data"][0]["type"] == "parcoords"]
    assert parallel and len(parallel[0]["data"][0]["dimensions"]) == 2  # epochs, and the metric
    assert second.get("download_button")  # the CSV itself: tests/dl/test_runs.py

    # open: the Data tab's job answers from the store, the Results tab shows its accuracy
    second.button(key="text_runs_open").click().run()
    run_until(second, lambda page: any("from the cache" in box.value or "test accuracy" in box.value for box in page.success))
    assert not second.exception
    assert any("Opened a stored run" in caption.value for caption in second.caption)
    assert second.session_state["text_epochs"] == 3  # the opened run's settings, set on the page

    # delete: the other run leaves the store and the table
    store = ModelStore()
    before = len(store.entries())
    show_tab(second, RUNS, PAGE)
    older = next(entry.key for entry in store.entries() if entry.meta["config"]["epochs"] == 2)  # #1; #2 is open
    second.selectbox(key="text_runs_pick").set_value(older).run()
    second.button(key="text_runs_delete").click().run()
    assert len(store.entries()) == before - 1
    assert len(runs_table(second)) == 1


def test_hosted_visitors_see_built_in_runs_but_not_each_others_uploads(monkeypatch):
    monkeypatch.setenv("DL_HOSTED", "1")
    rows = "".join(f"{'great tasty fresh' if index % 2 else 'awful stale bland'} {index},{'good' if index % 2 else 'bad'}\n"
                   for index in range(80))
    first = train_text(open_page(PAGE), epochs=2)
    train_text(first, epochs=2, upload=("text,label\n" + rows).encode())
    mine = runs_table(show_tab(first, RUNS, PAGE))
    assert len(mine) == 2  # the visitor's own upload run and the built-in one

    other = show_tab(open_page(PAGE), RUNS, PAGE)
    theirs = runs_table(other)
    assert len(theirs) == 1 and theirs["data"].str.contains("rotten_tomatoes").all(), theirs
    assert other.button(key="text_runs_delete").disabled  # not their run

    home = open_page("home")  # the cache is the operator's: no button clears it, and it lists only what this visitor may see
    assert not [button for button in home.button if "Clear" in button.label]
    assert "mine.csv" not in " ".join(block.value for block in home.markdown)


def test_a_run_resumed_on_the_command_line_opens_on_the_page():
    from dl.config import config_from_dict
    from dl.jobs import run_inline
    from dl.task import Resume
    from dl.text.config import TextClassifierConfig
    from dl.text.data import load_builtin
    from dl.text.train import train_text_classifier

    train_text(open_page(PAGE), epochs=2)
    store = ModelStore()
    entry = store.entries()[0]
    config = config_from_dict(TextClassifierConfig, entry.meta["config"])
    resumed = run_inline(lambda reporter: train_text_classifier(config, load_builtin("rotten_tomatoes"), reporter, store,
                                                                Resume(entry, 1)))  # what `train text --project` does
    page = show_tab(open_page(PAGE), RUNS, PAGE)
    page.selectbox(key="text_runs_pick").set_value(resumed.path.name).run()
    assert not page.button(key="text_runs_open").disabled
    page.button(key="text_runs_open").click().run()
    run_until(page, lambda app: any("Trained for 3 epochs" in box.value or "from the model cache" in box.value
                                    for box in app.success))
    assert len(ModelStore().entries()) == 2  # opened from the store, not trained again
