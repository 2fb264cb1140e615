"""AppTest: the home page, the language switch, the cache panel."""

import numpy as np
from apptest_utils import APP, TIMEOUT, open_page
from streamlit.testing.v1 import AppTest

from dl.store import ModelStore, make_key


def all_text(app):
    parts = [element.value for kind in ("title", "markdown", "subheader", "caption", "info") for element in getattr(app, kind)]
    return "\n".join(str(part) for part in parts)


def test_home_explains_links_every_page_and_shows_the_machine():
    app = open_page("home")
    assert not app.exception
    assert app.title[0].value == "🧠 Deep Learning Playground"
    text = all_text(app)
    for page in ("Concepts", "Gradient lab", "Image classification", "Text classification", "Movie recommender", "BERT sentence labeling"):
        assert page in text
    metrics = {metric.label: metric.value for metric in app.metric}
    assert int(metrics["CPU cores"]) >= 1
    assert "GiB" in metrics["Memory"]
    assert "Cached models" in metrics


def test_language_switch_translates_the_page_and_the_url():
    app = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    app.sidebar.selectbox[0].set_value("zh").run()
    assert app.title[0].value == "🧠 深度学习游乐场"
    assert "基本概念" in all_text(app)
    app.switch_page("app_pages/concepts.py").run()
    assert "基本概念" in app.title[0].value  # remembered across pages


def test_a_shared_link_opens_in_its_language():
    app = open_page("home", language="zh")
    assert app.title[0].value == "🧠 深度学习游乐场"


def test_clear_cache_button_empties_the_store():
    store = ModelStore()
    store.put(make_key("demo", {"home": 1}, "d"), lambda folder: np.save(folder / "w.npy", np.ones(1000)), {"task": "demo"})
    app = open_page("home")
    assert int({metric.label: metric.value for metric in app.metric}["Cached models"]) >= 1
    clear = next(button for button in app.button if button.label == "Clear the model cache")
    clear.click().run()
    assert any("Cleared" in success.value for success in app.success)
    assert store.summary()["entries"] == 0


def test_cache_table_names_the_page_the_data_and_one_result_in_chinese():
    """Raw 'accuracy 1, test_size 48, train_ratings 7.69e+04' and no data name was the table (issue 24.6)."""
    store = ModelStore()
    save = lambda folder: np.save(folder / "w.npy", np.ones(10))  # noqa: E731
    store.put(make_key("text", {"home": 2}, "d"), save,
              {"task": "text", "data": {"source": "reviews.csv"}, "metrics": {"accuracy": 1.0, "test_size": 12}})
    store.put(make_key("recommender", {"home": 3}, "d"), save,
              {"task": "recommender", "data": {"source": "ratings.csv"},
               "metrics": {"rmse": 0.9081, "train_ratings": 76_900}})
    app = open_page("home", language="zh")
    table = next(block.value for block in app.markdown if "留出集结果" in block.value)
    assert "| 文本分类 | reviews.csv | 准确率 100.0%（12 个测试样本） ⚠️ |" in table  # a caution: 12 examples
    assert "| 电影推荐 | ratings.csv | RMSE 0.908 |" in table
    assert "train_ratings" not in table and "e+04" not in table
