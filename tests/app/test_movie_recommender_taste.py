"""AppTest: on the movie recommender's new-visitor tab, a visitor who gives ten horror movies 5 stars
gets horror movies, and the page says how their list is ordered (issue 22 item 4).

Before the taste blend (dl/recommender/taste.py) this visitor got 0 horror movies of 10: the list
was ordered by the movies' biases."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
from apptest_utils import open_page, show_tab

from dl.recommender.data import load_builtin

# the page test's helpers (train through the page, rate on the visitor tab); by path, as the browser
# test of the same name comes first on sys.path
_spec = importlib.util.spec_from_file_location("app_movie_recommender", Path(__file__).with_name("test_movie_recommender.py"))
page_test = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(page_test)
GENRE = "Horror"


def test_a_horror_fan_gets_horror_and_is_told_why():
    data = load_builtin("ml-100k")
    counts = np.bincount(data.items, minlength=len(data.item_ids))
    horror_movies = [int(item) for item in np.argsort(-counts, kind="stable") if GENRE in data.genres[item]][:10]
    fan = dict.fromkeys(horror_movies, 5.0)
    app = show_tab(page_test.train(open_page(page_test.PAGE, "en"), "en"), page_test.VISITOR, page_test.PAGE)
    table = page_test.visitor_recommendations(app, fan)
    horror = sum(GENRE in genres.split(", ") for genres in table["Genres"])
    catalogue = np.mean([GENRE in genres for genres in data.genres])  # 5.5 %
    assert horror / len(table) >= catalogue + 0.2, list(zip(table["Title"], table["Genres"], strict=True))
    rated = {data.titles[item] for item in fan}
    assert not rated & set(table["Title"])
    liked_reasons = [reason for reason in table["Because they liked"] if reason]
    assert liked_reasons and all(any(title in reason for title in rated) for reason in liked_reasons)  # reasons: rated movies
    captions = " ".join(caption.value for caption in app.caption)
    assert "Ordered by the predicted rating plus your taste" in captions and "16 extra stars" in captions
    assert "Your list adds your taste to that score" in captions  # under "Why this movie"
