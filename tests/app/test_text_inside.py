"""AppTest: the text page's Inside-the-model tab.

Train a tiny 1-D CNN through the page, open the tab: the word box holds a frequent word and its
nearest words are drawn (without the word itself); typing another word redraws them, an unknown
word shows an error box; the map has one point per frequent token in the model's colours; the filter
heat map's columns are the typed text's words. In Chinese, with an average-of-vectors model: no
English on the tab, and the filter view says it is for the 1-D CNN.
"""

from __future__ import annotations

from apptest_utils import chart_specs, english_on_page, open_page, plotly_array, run_until, show_tab

from dl.text.data import load_builtin

PAGE = "text_classification"
INSIDE = 2
DONE = {"en": "test accuracy", "zh": "测试准确率"}


def train(language: str, source: str, model: str):
    app = open_page(PAGE, language)
    app.radio(key="text_source").set_value(source).run()
    app.radio(key="text_model").set_value(model).run()
    app.select_slider(key="text_max_texts").set_value(500).run()
    app.slider(key="text_epochs").set_value(2).run()
    app.button(key="text_train").click().run()
    run_until(app, lambda page: DONE[language] in " ".join(box.value for box in page.success))
    return show_tab(app, INSIDE, PAGE)


def nearest(app) -> list[str]:
    bars = next(trace for spec in chart_specs(app) for trace in spec["data"] if trace.get("type") == "bar" and trace.get("orientation") == "h")
    return list(bars["y"])


def test_inside_a_1d_cnn_on_rotten_tomatoes():
    app = train("en", "rotten_tomatoes", "cnn")
    assert not app.exception
    word = app.text_input(key="text_inside_word").value
    assert word, "prefilled with a frequent word"
    words = nearest(app)
    assert len(words) == 12 and word not in words and "[UNK]" not in words

    app.text_input(key="text_inside_word").set_value("Film").run()
    film = nearest(app)
    assert len(film) == 12 and "film" not in film and film != words
    assert any("“Film”" in spec["layout"]["title"]["text"] for spec in chart_specs(app) if spec["layout"].get("title"))

    app.text_input(key="text_inside_word").set_value("zzyzxqq").run()
    assert any("zzyzxqq" in box.value and "vocabulary" in box.value for box in app.error)

    points = [trace for spec in chart_specs(app) for trace in spec["data"] if trace.get("type") == "scatter"]
    assert {trace["name"] for trace in points} <= {"fresh", "rotten"} and points
    assert sum(len(plotly_array(trace["x"])) for trace in points) == 300
    assert "Map of the 300 most frequent tokens" in [header.value for header in app.subheader]

    app.text_area(key="text_inside_filter_text").set_value("A dull, boring film with a wonderful cast").run()
    heatmap = next(spec for spec in chart_specs(app) if spec["data"][0].get("type") == "heatmap")
    assert heatmap["layout"]["xaxis"]["ticktext"] == ["a", "dull", "boring", "film", "with", "a", "wonderful", "cast"]
    assert len(heatmap["data"][0]["y"]) == 16
    table = next(table.value for table in app.dataframe if "Window it saw" in table.value.columns)
    assert len(table) == 16 and table["Activation"].is_monotonic_decreasing


def test_inside_in_chinese_says_the_filters_are_for_the_cnn():
    app = train("zh", "chinese_reviews", "avgpool")
    assert not app.exception
    assert len(nearest(app)) == 12
    assert any("一维卷积网络" in box.value for box in app.info)
    data = load_builtin("chinese_reviews")
    assert english_on_page(app, data.texts + data.class_names) == []
