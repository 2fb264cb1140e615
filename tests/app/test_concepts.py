"""AppTest: the Concepts page in both languages; the playground trains and steps, the regularization
controls change what is drawn. (Tabs 2-5, 7, 8 are tested by their own lesson tests.)"""

import json
import time

import numpy as np
import pytest
from apptest_utils import open_page, plotly_array, show_tab

PLAYGROUND, REGULARIZATION = 0, 5


@pytest.fixture
def chinese_option_labels(monkeypatch):
    """AppTest re-applies a widget's ``format_func`` in the test thread, outside the script, where
    ``t()`` cannot see the session's language; a ``format_func`` that calls ``t()`` lazily then
    formats in English and AppTest cannot find the (Chinese) option. Pin the language for those calls."""
    import ui.i18n

    monkeypatch.setattr(ui.i18n, "current_language", lambda: "zh")


def figure_data(app, key):
    """The plotted traces of the plotly chart with ``key`` (AppTest exposes the figure as JSON)."""
    charts = [chart for chart in app.get("plotly_chart") if key in chart.proto.id]
    assert charts, f"no chart {key}"
    return json.loads(charts[0].proto.spec)["data"]


def metrics(block):
    return {metric.label: metric.value for metric in block.metric}


def wait_for_epoch(app, epoch, label, timeout=180):
    """Rerun until the playground's epoch metric shows ``epoch`` (fragments do not tick in AppTest)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        time.sleep(1.0)
        app.run()
        if metrics(app.tabs[PLAYGROUND]).get(label) == str(epoch):
            return
    raise AssertionError(f"epoch {epoch} not reached; metrics {metrics(app.tabs[PLAYGROUND])}")


@pytest.mark.parametrize(("language", "titles"), [("en", ("1 · Playground", "6 · Regularization")),
                                                  ("zh", ("1 · 游乐场", "6 · 正则化"))])
def test_page_has_eight_tabs_and_my_lessons_render(language, titles):
    app = open_page("concepts", language)
    assert len(app.tabs) == 8
    assert (app.tabs[PLAYGROUND].label, app.tabs[REGULARIZATION].label) == titles
    tip = "Try this" if language == "en" else "试试看"
    assert tip in app.tabs[PLAYGROUND].info[0].value and not app.tabs[PLAYGROUND].exception
    # before training: points only, no boundary yet
    assert [trace["type"] for trace in figure_data(app, "playground_boundary")] == ["scatter"] * 4
    # only the open tab runs: the regularization lesson draws nothing until it is opened
    assert len(app.tabs[REGULARIZATION].children) == 0
    show_tab(app, REGULARIZATION)
    assert not app.tabs[REGULARIZATION].exception
    assert sum(tip in info.value for info in app.tabs[REGULARIZATION].info) == 3
    assert len(app.tabs[PLAYGROUND].children) == 0


def test_playground_dataset_train_and_step_in_english():
    app = open_page("concepts", "en")
    circles = figure_data(app, "playground_boundary")
    app.session_state["playground_dataset"] = "xor"
    app.run()
    xor = figure_data(app, "playground_boundary")
    assert xor[0]["x"] != circles[0]["x"]  # other points are drawn
    app.slider(key="playground_epochs").set_value(10).run()
    app.button(key="playground_train").click().run()
    wait_for_epoch(app, 10, "Epoch")
    traces = figure_data(app, "playground_boundary")
    assert traces[0]["type"] == "heatmap" and traces[1]["type"] == "contour"
    shown = metrics(app.tabs[PLAYGROUND])
    assert float(shown["Test accuracy"].rstrip("%")) > 75  # XOR with 2x8 tanh learns quickly
    history = figure_data(app, "playground_history")
    assert {trace["name"] for trace in history} >= {"loss", "validation loss", "accuracy", "validation accuracy"}
    assert len(history[0]["x"]) == 10
    boundary_before = traces[0]["z"]
    app.button(key="playground_step").click().run()
    wait_for_epoch(app, 11, "Epoch")
    assert figure_data(app, "playground_boundary")[0]["z"] != boundary_before  # one more epoch moved it
    assert len(figure_data(app, "playground_history")[0]["x"]) == 11
    # a different network starts afresh
    app.slider(key="playground_layers").set_value(0).run()
    assert metrics(app.tabs[PLAYGROUND])["Epoch"] == "0"



def test_settings_and_training_survive_other_tabs_and_pages():
    """Only the open tab runs, yet nothing set in a closed tab is lost (persist_state on its widgets)."""
    app = open_page("concepts", "en")
    app.selectbox(key="playground_dataset").set_value("xor").run()
    app.slider(key="playground_epochs").set_value(5).run()
    app.button(key="playground_train").click().run()
    wait_for_epoch(app, 5, "Epoch")
    show_tab(app, REGULARIZATION)
    app.select_slider(key="regularization_alpha").set_value(0.3).run()
    app.switch_page("app_pages/home.py").run()
    app.switch_page("app_pages/concepts.py").run()
    assert len(app.tabs[REGULARIZATION].children) > 0  # back on the lesson the user left
    assert app.select_slider(key="regularization_alpha").value == 0.3
    show_tab(app, PLAYGROUND)
    assert app.selectbox(key="playground_dataset").value == "xor"
    assert app.slider(key="playground_epochs").value == 5
    assert metrics(app.tabs[PLAYGROUND])["Epoch"] == "5"  # the trained network is still there

def test_playground_in_chinese_and_csv_without_upload(chinese_option_labels):
    app = open_page("concepts", "zh")
    assert "轮次" in metrics(app.tabs[PLAYGROUND])
    app.session_state["playground_dataset"] = "csv"
    app.run()
    errors = [error.value for error in app.tabs[PLAYGROUND].error]
    assert errors and "数据有问题" in errors[0] and "请上传一个包含 x、y、label 三列的 CSV 文件" in errors[0], errors
    assert not app.tabs[PLAYGROUND].exception
    one_class = "x,y,label\n" + "".join(f"{index},{index},猫\n" for index in range(20))
    app.file_uploader(key="playground_upload").set_value(("猫.csv", one_class.encode(), "text/csv")).run()
    errors = [error.value for error in app.tabs[PLAYGROUND].error]
    assert any("猫.csv 只有一个类别（'猫'）" in error for error in errors), errors  # the reason in the page's language



def test_an_uploaded_csv_survives_a_visit_to_another_tab_until_forgotten():
    """A closed tab's uploader loses its file in Streamlit; the page keeps a copy (ui.tabs.kept_upload)."""
    app = open_page("concepts", "en")
    app.selectbox(key="playground_dataset").set_value("csv").run()
    rows = "x,y,label\n" + "".join(f"{index % 10},{index // 10},{'ant' if index % 10 < 5 else 'bee'}\n" for index in range(100))
    app.file_uploader(key="playground_upload").set_value(("mine.csv", rows.encode(), "text/csv")).run()
    assert not app.tabs[PLAYGROUND].error
    names = {trace["name"] for trace in figure_data(app, "playground_boundary")}
    show_tab(app, REGULARIZATION)
    show_tab(app, PLAYGROUND)
    assert not app.tabs[PLAYGROUND].error
    assert any("mine.csv" in caption.value for caption in app.tabs[PLAYGROUND].caption)
    assert {trace["name"] for trace in figure_data(app, "playground_boundary")} == names  # the same points
    app.slider(key="playground_noise").set_value(0.2).run()  # a later rerun still uses the copy
    assert not app.tabs[PLAYGROUND].error
    app.button(key="playground_upload_forget").click().run()
    errors = [error.value for error in app.tabs[PLAYGROUND].error]
    assert errors and "Upload a CSV" in errors[0]

@pytest.mark.parametrize("language", ["en", "zh"])
def test_regularization_controls_change_the_figures(language, request):
    if language == "zh":
        request.getfixturevalue("chinese_option_labels")
    app = show_tab(open_page("concepts", language), REGULARIZATION)
    zero_label = "Weights exactly 0 at this α" if language == "en" else "此 α 下恰好为 0 的权重"
    lasso_zeros = int(metrics(app.tabs[REGULARIZATION])[zero_label].split("/")[0])
    assert lasso_zeros >= 1
    app.radio(key="regularization_penalty").set_value("l2").run()
    assert metrics(app.tabs[REGULARIZATION])[zero_label].startswith("0 /")
    app.select_slider(key="regularization_alpha").set_value(0.3).run()
    app.radio(key="regularization_penalty").set_value("l1").run()
    assert int(metrics(app.tabs[REGULARIZATION])[zero_label].split("/")[0]) >= 7

    fit_before = figure_data(app, "regularization_fit_chart")[-1]["y"]
    app.slider(key="regularization_degree").set_value(12).run()
    assert figure_data(app, "regularization_fit_chart")[-1]["y"] != fit_before

    final_label = "Validation loss after all steps" if language == "en" else "训练完所有步后的验证损失"
    plain = float(metrics(app.tabs[REGULARIZATION])[final_label])
    app.slider(key="regularization_dropout").set_value(0.3).run()
    assert float(metrics(app.tabs[REGULARIZATION])[final_label]) < plain  # dropout stopped the over-fitting
    assert not app.tabs[REGULARIZATION].exception


def replay_frames(app) -> list[dict]:
    charts = [chart for chart in app.get("plotly_chart") if "playground_replay_boundary" in chart.proto.id]
    assert charts, "no replay chart"
    return json.loads(charts[0].proto.spec)["frames"]


def train_and_replay(app, epochs: int = 5) -> list[dict]:
    """Train the current settings from scratch for ``epochs``, switch the replay on, return its frames."""
    app.button(key="playground_reset").click().run()
    app.slider(key="playground_epochs").set_value(epochs).run()
    app.button(key="playground_train").click().run()
    wait_for_epoch(app, epochs, "Epoch")
    deadline = time.time() + 60
    while not any(toggle.key == "playground_replay" for toggle in app.toggle):  # drawn once the job has ended
        assert time.time() < deadline, "no replay switch after training"
        time.sleep(0.5)
        app.run()
    app.toggle(key="playground_replay").set_value(True).run()
    return replay_frames(app)


def test_replay_every_epoch_from_the_same_starting_weights():
    """Issue 25.5: a finished run replays epoch by epoch (epoch 0 = the starting weights) without training;
    the same seed gives the same starting weights under another learning rate, another seed other ones."""
    app = open_page("concepts", "en")
    app.session_state["playground_dataset"] = "xor"
    app.run()
    frames = train_and_replay(app)
    assert [frame["name"] for frame in frames] == [str(epoch) for epoch in range(6)]
    snapshots = app.session_state["playground_run"].snapshots
    for frame in frames:  # replaying epoch k shows the boundary recorded at epoch k
        recorded = snapshots[int(frame["name"])].probabilities[..., 1].astype(np.float32)
        np.testing.assert_allclose(plotly_array(frame["data"][0]["z"]), recorded, atol=1e-3)
    first, last = (plotly_array(frame["data"][0]["z"]) for frame in (frames[0], frames[-1]))
    assert np.abs(last - first).max() > 0.2  # training moved the class map
    app.toggle(key="playground_replay").set_value(False).run()
    final = plotly_array(figure_data(app, "playground_boundary")[0]["z"])
    np.testing.assert_allclose(last, final, atol=2e-3)  # the last frame is the trained model's own map
    app.toggle(key="playground_replay").set_value(True).run()
    weights = [chart for chart in app.get("plotly_chart") if "playground_replay_weights" in chart.proto.id]
    assert len(json.loads(weights[0].proto.spec)["data"]) == 6  # spread and size of hidden_1, hidden_2, probability
    assert metrics(app.tabs[PLAYGROUND])["Epoch"] == "5"  # replaying trained nothing more

    app.select_slider(key="playground_learning_rate").set_value(0.1).run()
    start_at_another_rate = plotly_array(train_and_replay(app)[0]["data"][0]["z"])
    np.testing.assert_allclose(start_at_another_rate, first, atol=1e-6)  # seed 0 again: the same starting network
    app.number_input(key="playground_seed").set_value(1).run()
    start_at_another_seed = plotly_array(train_and_replay(app)[0]["data"][0]["z"])
    assert np.abs(start_at_another_seed - first).max() > 0.05
