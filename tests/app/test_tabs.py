"""ui.tabs on a tiny page: only the open tab's view runs, a DataError in it becomes an error box, and
the open tab is kept by position when the labels change (a new language)."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = str(Path(__file__).resolve().parents[2])


def three_tab_page():
    import sys

    import streamlit as st

    sys.path.insert(0, st.session_state.get("root", ""))
    from dl.data.errors import DataError
    from ui.tabs import lazy_tabs, run_open_tab

    suffix = st.session_state.get("label_suffix", "")
    tabs = lazy_tabs("tiny", [f"First{suffix}", f"Second{suffix}", f"Broken{suffix}"])
    ran = st.session_state.setdefault("ran", [])

    def view(name):
        def run():
            ran.append(name)
            st.markdown(f"view {name}")
        return run

    def broken():
        ran.append("broken")
        raise DataError("The stored model cannot be read.", "stored_model_unreadable", reason="test")

    run_open_tab([(tabs[0], view("first")), (tabs[1], view("second")), (tabs[2], broken)])


def start(link: str | None = None) -> AppTest:
    """The tiny page's first run; ``link`` is the tab named in the address (``?tiny_tab=...``)."""
    app = AppTest.from_function(three_tab_page, default_timeout=30)
    app.session_state["root"] = ROOT
    if link is not None:
        app.query_params["tiny_tab"] = link
    return app.run()


def open_tab(app: AppTest, index: int) -> AppTest:
    app.session_state["tiny_tab"] = app.query_params["tiny_tab"] = app.tabs[index].label  # as show_tab does
    return app.run()


def test_only_the_open_tab_runs():
    app = start()
    assert not app.exception
    assert app.session_state["ran"] == ["first"]
    assert [block.value for block in app.markdown] == ["view first"]
    open_tab(app, 1)
    assert app.session_state["ran"] == ["first", "second"]
    assert [block.value for block in app.markdown] == ["view second"]


def test_a_data_error_in_a_view_is_an_error_box_not_a_traceback():
    app = open_tab(start(), 2)
    assert not app.exception
    assert app.session_state["ran"][-1] == "broken"
    assert len(app.error) == 1
    assert "could not be loaded (test)" in app.error[0].value  # the translated reason, not the English message


def test_the_open_tab_is_kept_when_the_labels_change():
    app = open_tab(start(), 1)
    app.session_state["label_suffix"] = " (zh)"  # what a language switch does to the labels
    app.run()
    assert not app.exception
    assert app.session_state["tiny_tab"] == "Second (zh)"
    assert app.session_state["ran"][-1] == "second"


def test_a_link_opens_its_tab():
    """``?tiny_tab=Second`` opens that tab (the browser test checks that the URL follows a click)."""
    app = start(link="Second")
    assert not app.exception
    assert app.session_state["ran"] == ["second"]
    app.query_params["tiny_tab"] = "Nonsense"  # a stale link (e.g. another language's label) opens the usual tab
    app.session_state["label_suffix"] = "!"
    app.run()
    assert app.session_state["ran"][-1] == "second" and app.session_state["tiny_tab"] == "Second!"
