"""The pages without training, in 简体中文: no English words but names, units and the data's own
words (issue 24.6). The training pages check their trained tabs in their own Chinese tests."""

import pytest
from apptest_utils import english_on_page, open_page, show_tab

from dl.text.data import load_builtin
from ui.bert.data import ENGLISH_EXAMPLES


def test_home_is_chinese():
    assert english_on_page(open_page("home", "zh")) == []


def test_every_concepts_lesson_is_chinese():
    from sklearn.datasets import load_diabetes

    features = ["diabetes", *load_diabetes().feature_names]  # the regularization lesson's data: its columns' names
    app = open_page("concepts", "zh")
    for tab in range(len(app.tabs)):
        assert english_on_page(show_tab(app, tab, "concepts"), features) == [], app.tabs[tab].label


@pytest.mark.parametrize("page", ["gradient_lab", "image_classification", "text_classification", "movie_recommender",
                                  "bert_labeling"])
def test_each_training_page_before_training_is_chinese(page):
    app = open_page(page, "zh")
    shown_data = [*load_builtin("rotten_tomatoes").texts[:5], *ENGLISH_EXAMPLES]  # the first text, BERT's examples
    for tab in range(len(app.tabs)):
        assert english_on_page(show_tab(app, tab, page), shown_data) == [], app.tabs[tab].label
