"""AppTest: links that restore settings (issue 26, item 2). A Concepts address with the playground's
and the optimizer race's settings opens them in a fresh session, in either language (choices travel
by their own names, not their translated labels); values that do not fit and unknown parameters are
ignored with a note, never an error; the link box shows the address to copy."""

from __future__ import annotations

import pytest
from apptest_utils import APP, TIMEOUT
from streamlit.testing.v1 import AppTest

PLAYGROUND = {"playground_dataset": "xor", "playground_layers": "3", "playground_learning_rate": "0.1",
              "playground_seed": "7", "playground_optimizer": "sgd", "playground_activation": "relu"}
NOTE = {"en": "ignored", "zh": "已忽略"}


def open_link(params: dict[str, str | list[str]], language: str) -> AppTest:
    """A new session opening the Concepts page at an address carrying ``params`` (a fresh browser tab)."""
    app = AppTest.from_file(APP, default_timeout=TIMEOUT)
    app.query_params["lang"] = language
    for key, value in params.items():
        app.query_params[key] = value
    app.run()
    app.switch_page("app_pages/concepts.py").run()
    assert not app.exception, app.exception
    return app


def playground_settings(app) -> dict[str, str]:
    return {"playground_dataset": app.selectbox(key="playground_dataset").value,
            "playground_layers": str(app.slider(key="playground_layers").value),
            "playground_learning_rate": str(app.select_slider(key="playground_learning_rate").value),
            "playground_seed": str(app.number_input(key="playground_seed").value),
            "playground_optimizer": app.selectbox(key="playground_optimizer").value,
            "playground_activation": app.selectbox(key="playground_activation").value}


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_link_opens_the_same_playground_in_either_language(language):
    app = open_link(PLAYGROUND, language)
    assert playground_settings(app) == PLAYGROUND
    assert not any(NOTE[language] in caption.value for caption in app.caption)
    link = app.code[0].value
    assert all(f"{key}={value}" in link for key, value in PLAYGROUND.items()), link  # the box shows the address to copy
    app.selectbox(key="playground_dataset").set_value("moons").run()
    assert "playground_dataset=moons" in app.code[0].value  # a choice goes in by its own name, in any language


def test_values_that_do_not_fit_and_unknown_parameters_are_ignored_with_a_note():
    app = open_link({"playground_layers": "99", "playground_activation": "swish", "playground_dataset": "galaxy",
                     "playground_zoom": "2", "playground_seed": "7"}, "en")
    assert app.slider(key="playground_layers").value == 2 and app.selectbox(key="playground_activation").value == "tanh"
    assert app.selectbox(key="playground_dataset").value == "circles"  # the defaults stand
    assert app.number_input(key="playground_seed").value == 7  # what fits is kept
    note = next(caption.value for caption in app.caption if "ignored" in caption.value)
    for part in ("playground_layers=99", "playground_activation=swish", "playground_dataset=galaxy", "playground_zoom=2"):
        assert part in note, note
    assert "playground_zoom" not in app.query_params and "playground_seed" in app.query_params  # the copied link is clean


def test_a_link_opens_the_optimizer_race_with_its_settings():
    app = open_link({"concepts_tab": "4 · Optimizers", "lessons_opt_surface": "saddle", "lessons_opt_pick": ["sgd", "adam"],
                     "lessons_opt_steps": "500", "lessons_opt_momentum": "0.5"}, "en")
    assert app.selectbox(key="lessons_opt_surface").value == "saddle"
    assert app.multiselect(key="lessons_opt_pick").value == ["sgd", "adam"]
    assert app.slider(key="lessons_opt_steps").value == 500 and app.slider(key="lessons_opt_momentum").value == 0.5
    race = [chart for chart in app.get("plotly_chart") if "lessons_opt_race" in chart.proto.id]
    assert race, "the race is drawn"


def test_a_link_opens_the_gradient_lab_with_its_network_and_names_what_did_not_fit():
    app = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in {"lang": "zh", "gl_depth": "20", "gl_activation": "sigmoid", "gl_batch_norm": "true",
                       "gl_learning_rate": "0.1", "gl_width": "100", "gl_epochs": "60", "gl_zzz": "1"}.items():
        app.query_params[key] = value
    app.run()
    app.switch_page("app_pages/gradient_lab.py").run()
    assert not app.exception, app.exception
    assert (app.slider(key="gl_depth").value, app.selectbox(key="gl_activation").value, app.toggle(key="gl_batch_norm").value,
            app.number_input(key="gl_learning_rate").value) == (20, "sigmoid", True, 0.1)
    assert (app.select_slider(key="gl_width").value, app.slider(key="gl_epochs").value) == (64, 5)  # no 100 wide, at most 50
    note = next(caption.value for caption in app.caption if "已忽略" in caption.value)
    assert all(part in note for part in ("gl_width=100", "gl_epochs=60", "gl_zzz=1")), note
    assert "gl_depth=20" in app.code[0].value and "gl_width" not in app.code[0].value
    app.button(key="preset-rnn_explodes").click().run()  # a preset fills the form: the address follows
    assert "gl_mode=recurrent" in app.code[0].value and "gl_depth" not in app.code[0].value
    app.run()
    assert not any("已忽略" in caption.value for caption in app.caption)  # said once, when the link opened


def open_training_page(path: str, params: dict[str, str], language: str = "en") -> AppTest:
    app = AppTest.from_file(APP, default_timeout=TIMEOUT)
    app.query_params["lang"] = language
    for key, value in params.items():
        app.query_params[key] = value
    app.run()
    app.switch_page(path).run()
    assert not app.exception, app.exception
    return app


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_training_page_link_carries_its_built_in_data_and_settings(language):
    """The text page's data set and settings from a link, in either language; what no widget can take is
    named once and left out; the box's address carries the settings by value."""
    app = open_training_page("app_pages/text_classification.py", {
        "text_source": "chinese_reviews", "text_epochs": "7", "text_lr": "0.01", "text_model": "cnn",
        "text_early": "false", "text_batch": "999", "text_optimizer": "lbfgs"}, language)
    state = app.session_state
    assert (state["text_source"], state["text_epochs"], state["text_lr"], state["text_model"], state["text_early"]) == \
        ("chinese_reviews", 7, 0.01, "cnn", False)
    notes = " ".join(caption.value for caption in app.caption if NOTE[language] in caption.value)
    assert "text_batch=999" in notes and "text_optimizer=lbfgs" in notes and "text_epochs" not in notes
    link = app.code[-1].value  # the link box is the page's last code block
    assert all(part in link for part in ("text_source=chinese_reviews", "text_epochs=7", "text_lr=0.01", "text_early=false"))
    assert "text_batch" not in link
    app.radio(key="text_source").set_value("upload").run()
    assert "text_epochs" not in app.code[-1].value  # an upload cannot travel in a link: no settings for it either


@pytest.mark.parametrize("path, params, expected", [
    ("app_pages/image_classification.py", {"image_source": "digits", "image_model_kind": "strong", "image_epochs_strong": "4"},
     {"image_source": "digits", "image_model_kind": "strong", "image_epochs_strong": 4}),
    ("app_pages/movie_recommender.py", {"recommender_model": "neural", "recommender_epochs": "3", "recommender_dim": "64"},
     {"recommender_model": "neural", "recommender_epochs": 3, "recommender_dim": 64}),
    ("app_pages/bert_labeling.py", {"bert_source": "fine_foods", "bert_lr": "5e-05", "bert_layers": "3"},
     {"bert_source": "fine_foods", "bert_lr": 5e-05, "bert_layers": 3}),
])
def test_every_training_page_takes_its_settings_from_a_link(path, params, expected):
    app = open_training_page(path, params)
    assert {key: app.session_state[key] for key in expected} == expected
    assert all(f"{key}={value}" in app.code[-1].value for key, value in params.items()), app.code[-1].value
