"""The app keeps working when its model cache cannot be written (a read-only or mistyped
``DL_CACHE_DIR``): pages open, a training finishes and says it was not cached."""

from __future__ import annotations

from apptest_utils import open_page, run_until, show_tab


def test_pages_open_and_training_works_without_a_writable_cache(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("the cache folder cannot be created under a file")
    monkeypatch.setenv("DL_CACHE_DIR", str(blocker / "cache"))

    home = open_page("home", "en")
    assert not home.exception

    app = open_page("text_classification", "en")
    # settings no other test trains: the process-wide job registry would hand back that test's job
    app.radio(key="text_source").set_value("fine_foods").run()
    app.select_slider(key="text_max_texts").set_value(500).run()
    app.button(key="text_train").click().run()
    run_until(app, lambda page: "test accuracy" in " ".join(box.value for box in page.success))
    assert not app.exception
    notes = " ".join(box.value for box in app.info)
    assert "cannot be written" in notes and "trained again next time" in notes
    assert show_tab(app, 4, "text_classification").get("download_button")  # the export still works: the model sits in a temporary folder
