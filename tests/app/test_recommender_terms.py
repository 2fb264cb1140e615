"""AppTest: "Why this movie" on the movie recommender's Recommend and New-visitor tabs.

Train biased MF on a small generated ratings file through the page, pick a recommended movie and
read its waterfall: the steps add up to the predicted-rating bar, and the bar the list ranks by
(clipped) is the predicted rating the table shows for that movie; the visitor's tab explains its
own list; in Chinese the section shows no English.
"""

from __future__ import annotations

import pytest
from apptest_utils import chart_specs, english_on_page, open_page, plotly_array, run_until, show_tab

PAGE = "movie_recommender"
RECOMMEND, VISITOR = 2, 3


def waterfall(app, who: str) -> dict:
    traces = [trace for spec in chart_specs(app) for trace in spec["data"] if trace.get("type") == "waterfall"]
    assert len(traces) == 1, f"one waterfall on the {who} tab"
    return traces[0]


def check_waterfall(trace: dict, shown: float) -> None:
    values, measures = plotly_array(trace["x"]), trace["measure"]  # a horizontal waterfall: labels on y
    first_total = measures.index("total")
    assert measures[:first_total] == ["absolute"] + ["relative"] * (first_total - 1)  # the mean, then steps
    assert first_total == 7  # mean, 2 biases, 3 factors, the rest
    assert values[:first_total].sum() == pytest.approx(values[first_total], abs=1e-6)  # the terms add up to the prediction
    if len(measures) > first_total + 1:  # ranked by the shrunk score: the step it takes and the score
        assert values[first_total] + values[first_total + 1] == pytest.approx(values[first_total + 2], abs=1e-6)
    assert min(max(values[-1], 1.0), 5.0) == pytest.approx(shown, abs=0.006)  # the table's rating, rounded to 2 places


def chosen_row(app, selectbox):
    """The table row of the movie the "Why" box explains (the table with a Predicted column)."""
    table = next(table.value for table in app.dataframe if "Predicted rating" in table.value.columns or "预测评分" in table.value.columns)
    label = selectbox.options[selectbox.index]  # "Title (year)"; the table's title column has no year
    rows = table[[label == title or label.startswith(f"{title} (") for title in table.iloc[:, 0]]]
    assert len(rows) == 1, (label, list(table.iloc[:, 0]))
    return rows.iloc[0]


def trained_page(language: str):
    """The page after training biased MF on a small generated file (the second time: a cache hit)."""
    from dl.recommender.synthetic import SyntheticRatingsSpec, ratings_csv

    app = open_page(PAGE, language)
    content = ratings_csv(SyntheticRatingsSpec(users=150, items=300, mean_ratings_per_user=40.0, seed=5))
    app.radio(key="recommender_source").set_value("upload").run()
    app.file_uploader(key="recommender_ratings_file").set_value(("generated.csv", content, "text/csv")).run()
    app.slider(key="recommender_epochs").set_value(3).run()
    app.button(key="movie_recommender_train").click().run()
    done = {"en": "held-out RMSE", "zh": "留出集 RMSE"}[language]
    run_until(app, lambda page: any(done in box.value for box in page.success))
    return app


def test_why_this_movie_for_a_user_and_a_visitor_in_both_languages():
    app = trained_page("en")

    show_tab(app, RECOMMEND, PAGE)
    assert not app.exception
    why = next(box for box in app.selectbox if (box.key or "").startswith("recommender_why_user"))
    assert len(why.options) == 10 and "Why this movie" in " ".join(block.value for block in app.markdown)
    check_waterfall(waterfall(app, "user"), float(chosen_row(app, why).iloc[1]))
    why.select_index(4).run()  # another movie: another waterfall, still adding up
    check_waterfall(waterfall(app, "user"), float(chosen_row(app, why).iloc[1]))

    show_tab(app, VISITOR, PAGE)
    picker = next(box for box in app.multiselect if (box.key or "").startswith("recommender_visitor_movies"))
    picker.set_value(picker.options[:5]).run()
    assert not app.exception
    visitor_why = next(box for box in app.selectbox if (box.key or "").startswith("recommender_why_visitor"))
    check_waterfall(waterfall(app, "visitor"), float(chosen_row(app, visitor_why).iloc[1]))
    assert "Your leniency" in waterfall(app, "visitor")["y"]
    assert "Shrunk score, before your taste" in waterfall(app, "visitor")["y"]  # the list adds the taste to it
    assert "Score the list ranks by" not in waterfall(app, "visitor")["y"]

    app = show_tab(trained_page("zh"), RECOMMEND, PAGE)  # a fresh session in Chinese
    assert "为什么推荐这部电影" in " ".join(block.value for block in app.markdown)
    assert "此用户的宽严" in waterfall(app, "user")["y"]
    # the Data tab (always drawn) names the file's columns and the headers and file names it recognises
    data_tab_words = ["user item rating timestamp userId movieId score dat movies.dat"]
    assert english_on_page(app, data_tab_words) == []
