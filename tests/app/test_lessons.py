"""AppTest: the Concepts lessons 2-5, 7 and 8 render in both languages and their controls change what
is drawn (the figure's data, a metric or a table, not just "no exception")."""

import base64
import json

import numpy as np
import pytest
from apptest_utils import open_page, show_tab

ACTIVATIONS, LOSSES, OPTIMIZERS, BACKPROP, ARCHITECTURES, LANDSCAPE = 1, 2, 3, 4, 6, 7
TIPS = {"en": "Try this", "zh": "试试看"}
ENGLISH_TITLES = ["2 · Neurons & activations", "3 · Loss functions", "4 · Optimizers", "5 · Backpropagation",
                  "7 · Architectures", "8 · Learning types & landscape"]


def figure(app, key):
    """The plotly figure (data and layout) of the chart with ``key``."""
    charts = [chart for chart in app.get("plotly_chart") if key in chart.proto.id]
    assert charts, f"no chart {key}"
    return json.loads(charts[0].proto.spec)


def traces(app, key):
    return figure(app, key)["data"]


def values(array):
    """A trace's x / y / z as a NumPy array (plotly ships numeric arrays base64-encoded as ``bdata``)."""
    if isinstance(array, dict) and "bdata" in array:
        decoded = np.frombuffer(base64.b64decode(array["bdata"]), dtype=np.dtype(array["dtype"]))
        return decoded.reshape([int(n) for n in str(array["shape"]).split(",")]) if "shape" in array else decoded
    return np.asarray(array)


def same(first, second) -> bool:
    first, second = values(first), values(second)
    return first.shape == second.shape and bool(np.all(first == second))


def metric_values(block):
    return {metric.label: metric.value for metric in block.metric}


def graphviz_source(app):
    return app.get("graphviz_chart")[0].proto.spec


def choose(app, key, value):
    """Pick ``value`` in the radio / selectbox ``key``. Through session state, because their labels are
    translated by ``t()``, which outside a script run always answers in English."""
    app.session_state[key] = value
    app.run()


def assert_tab_ok(app, index, language):
    tab = app.tabs[index]
    assert not tab.exception, tab.exception[0].value if tab.exception else ""
    assert any(TIPS[language] in info.value for info in tab.info), f"tab {index} has no hint"


@pytest.fixture(params=["en", "zh"])
def concepts(request):
    return open_page("concepts", request.param), request.param


def test_lessons_render_and_react_to_their_controls(concepts):
    app, language = concepts
    zh_titles = json.load(open("locales/zh/concepts.json", encoding="utf-8"))
    if language == "en":
        assert [app.tabs[i].label for i in (1, 2, 3, 4, 6, 7)] == ENGLISH_TITLES
    else:
        assert app.tabs[OPTIMIZERS].label == zh_titles["tab_optimizers"]
    # each lesson runs only when its tab is opened (a rerun per switch, as in the browser)
    show_tab(app, ACTIVATIONS)
    assert_tab_ok(app, ACTIVATIONS, language)
    if language == "zh":
        assert "神经元" in app.tabs[ACTIVATIONS].markdown[0].value  # the lesson text itself is Chinese

    # 2 · activations: choosing activations changes the curves; depth changes the gradient plot
    assert len(traces(app, "lessons_activations_curves")) == 6  # 3 activations × (value, slope)
    app.multiselect(key="lessons_activations_pick").set_value(["sigmoid", "gelu"]).run()
    assert len(traces(app, "lessons_activations_curves")) == 4
    before = traces(app, "lessons_activations_gradients")[0]["x"]
    app.slider(key="lessons_activations_depth").set_value(30).run()
    assert len(values(traces(app, "lessons_activations_gradients")[0]["x"])) == 30 != len(values(before))
    sigmoid_ratio = float(list(metric_values(app.tabs[ACTIVATIONS]).values())[0])
    assert sigmoid_ratio < 1e-12  # 30 sigmoid layers: the first layer's gradient all but vanishes
    softmax_before = traces(app, "lessons_softmax")[0]["y"]
    app.select_slider(key="lessons_softmax_temperature").set_value(5.0).run()
    assert not same(traces(app, "lessons_softmax")[0]["y"], softmax_before)

    # 3 · losses: a new family and target redraw the curves; the mistake slider changes the metrics
    show_tab(app, LOSSES)
    assert_tab_ok(app, LOSSES, language)
    choose(app, "lessons_losses_family", "probability")
    names = [trace["name"] for trace in traces(app, "lessons_losses_curves")]
    assert len(names) == 8 and names[0] == ("cross-entropy" if language == "en" else "交叉熵")
    before = metric_values(app.tabs[LOSSES])
    app.select_slider(key="lessons_losses_mistake").set_value(0.0001).run()
    after = metric_values(app.tabs[LOSSES])
    cross_entropy = list(after)[0]
    assert float(after[cross_entropy]) == pytest.approx(9.210, abs=1e-3) != float(before[cross_entropy])

    # 4 · optimizers: seven real Keras optimizers race; a new surface and step slider change the paths
    show_tab(app, OPTIMIZERS)
    assert_tab_ok(app, OPTIMIZERS, language)
    paths = [trace for trace in traces(app, "lessons_opt_race") if trace.get("mode") == "lines"]
    assert len(paths) == 7
    choose(app, "lessons_opt_surface", "noisy_bowl")
    bowl_paths = [trace for trace in traces(app, "lessons_opt_race") if trace.get("mode") == "lines"]
    assert not same(bowl_paths[0]["x"], paths[0]["x"])
    app.slider(key="lessons_opt_show_step").set_value(20).run()
    assert all(len(values(trace["x"])) == 21 for trace in traces(app, "lessons_opt_race") if trace.get("mode") == "lines")
    app.slider(key="lessons_opt_momentum").set_value(0.5).run()
    momentum_path = [trace for trace in traces(app, "lessons_opt_race") if trace.get("mode") == "lines"][1]
    assert not same(momentum_path["x"], values(bowl_paths[1]["x"])[:21])

    # 5 · backprop: walking the backward pass fills in gradients step by step
    show_tab(app, BACKPROP)
    assert_tab_ok(app, BACKPROP, language)
    source = graphviz_source(app)
    assert "?" not in source and ("grad" not in source and "梯度" not in source)  # forward pass complete
    choose(app, "lessons_backprop_phase", "backward")
    start = graphviz_source(app)
    app.slider(key="lessons_backprop_step_expression_backward").set_value(4).run()
    finished = graphviz_source(app)
    # 4 operation nodes: after 4 steps three are green (passed on) and the last one is yellow (just passing)
    assert start.count("#c8e6c9") == 0 and (finished.count("#c8e6c9"), finished.count("#ffd54f")) == (3, 1)
    gradients = app.tabs[BACKPROP].dataframe[0].value.iloc[:, 2].tolist()
    app.number_input(key="lessons_backprop_d").set_value(3.0).run()
    assert app.tabs[BACKPROP].dataframe[0].value.iloc[:, 2].tolist() != gradients
    choose(app, "lessons_backprop_graph", "network")
    assert graphviz_source(app).count("->") == 30  # 2-2-1 network: 9 edges per hidden unit, 12 from there to the loss

    # 7 · architectures: MLP widths change the parameter count; CNN kernels change the feature map
    show_tab(app, ARCHITECTURES)
    assert_tab_ok(app, ARCHITECTURES, language)
    parameters = metric_values(app.tabs[ARCHITECTURES])
    app.slider(key="lessons_mlp_width").set_value(10).run()
    assert metric_values(app.tabs[ARCHITECTURES]) != parameters
    choose(app, "lessons_arch_part", "cnn")
    feature_map = traces(app, "lessons_cnn_chart")[1]["z"]
    choose(app, "lessons_cnn_kernel", "blur")
    assert not same(traces(app, "lessons_cnn_chart")[1]["z"], feature_map)
    choose(app, "lessons_arch_part", "rnn")
    cells = traces(app, "lessons_rnn_chart")[3]["z"]
    app.slider(key="lessons_rnn_forget").set_value(4.0).run()
    assert not same(traces(app, "lessons_rnn_chart")[3]["z"], cells)
    assert not app.tabs[ARCHITECTURES].exception

    # 8 · landscape: page links to where the app shows each idea; quantization bits change the metrics
    show_tab(app, LANDSCAPE)
    assert_tab_ok(app, LANDSCAPE, language)
    links = {link.proto.page.removeprefix("app_pages/").removesuffix(".py") for link in app.tabs[LANDSCAPE].get("page_link")}
    assert {"bert_labeling", "image_classification", "gradient_lab", "text_classification"} <= links
    before = metric_values(app.tabs[LANDSCAPE])
    app.select_slider(key="lessons_quant_bits").set_value(8).run()
    after = metric_values(app.tabs[LANDSCAPE])
    assert after != before and "4×" in after.values()
    assert not app.tabs[LANDSCAPE].exception


def test_attention_and_gan_lessons():
    app = show_tab(open_page("concepts", "en"), ARCHITECTURES)
    choose(app, "lessons_arch_part", "attention")
    matrix = traces(app, "lessons_attention_chart")[0]
    tokens = matrix["x"]
    assert tokens[0].endswith("[CLS]") and any(token.endswith("cat") for token in tokens)
    app.slider(key="lessons_attention_layer").set_value(5).run()
    assert not same(traces(app, "lessons_attention_chart")[0]["z"], matrix["z"])
    app.text_input(key="lessons_attention_sentence").input("   ").run()
    assert app.tabs[ARCHITECTURES].error  # an empty sentence is a clear message, not a crash

    choose(app, "lessons_arch_part", "gan")
    histogram = traces(app, "lessons_gan_histogram")
    assert [trace["type"] for trace in histogram] == ["histogram", "histogram"]
    app.select_slider(key="lessons_gan_step").set_value(0).run()
    assert not same(traces(app, "lessons_gan_histogram")[1]["x"], histogram[1]["x"])
    assert not app.tabs[ARCHITECTURES].exception
