"""Browser: train the default recommender on MovieLens 100k, see it beat the baselines, see a user's
recommendations, rate movies as a new visitor and get recommendations; a bad ratings file shows an
error box, never a traceback."""

from __future__ import annotations

import re

from browser_utils import assert_no_exception, open_app, save_screenshot, wait_until_idle

PATH = "movie_recommender"


def test_train_default_model_and_recommend(page, app_url):
    page.set_default_timeout(180_000)  # the machine may be busy; TensorFlow loads on the first job
    open_app(page, app_url, PATH)
    page.get_by_text("100,000").first.wait_for()
    page.locator("button").filter(has_text="Train").first.click()  # the defaults, as a new user would
    page.get_by_text(re.compile(r"held-out RMSE \d\.\d+")).first.wait_for(timeout=300_000)
    wait_until_idle(page)
    assert_no_exception(page)
    shown = page.get_by_text(re.compile(r"held-out RMSE \d\.\d+")).first.inner_text()
    rmse, baseline = (float(value) for value in re.findall(r"(\d\.\d{3})", shown)[:2])
    assert rmse < baseline - 0.02 and rmse < 0.93, shown  # biased MF beats the user + movie bias baseline
    save_screenshot(page, "movie_recommender")

    page.get_by_role("tab", name="📈 Results").click()
    page.locator(".js-plotly-plot").filter(has_text="RMSE").first.wait_for()
    page.get_by_text("Baseline: global mean").first.wait_for()

    page.get_by_role("tab", name="🎯 Recommend").click()
    page.get_by_text("Recommended (not yet rated)").first.wait_for()
    page.locator('[data-testid="stDataFrame"]').nth(1).wait_for()
    assert page.locator('[data-testid="stDataFrame"]').count() == 2  # the user's ratings, the recommendations

    page.get_by_role("tab", name="🙋 You, as a new user").click()
    picker = page.locator('[data-testid="stMultiSelect"]').first
    for title in ("Star Wars", "Return of the Jedi", "Toy Story"):
        picker.click()  # open the list (after a rerun it is closed)
        page.keyboard.type(title)
        page.get_by_role("option", name=re.compile(rf"^{title} \(\d{{4}}\)")).first.click()
        page.keyboard.press("Escape")
        wait_until_idle(page)
    page.get_by_text("Recommended for you").first.wait_for()
    page.get_by_text("still rough").first.wait_for()  # three ratings: said to be unreliable
    assert_no_exception(page)

    page.get_by_role("tab", name="🗺️ Explore").click()
    page.get_by_text("Map of the movies").first.wait_for()
    save_screenshot(page, "movie_recommender_explore")


def test_bad_ratings_file_shows_an_error_box(page, app_url):
    open_app(page, app_url, PATH)
    page.locator('[data-testid="stRadio"]').first.get_by_text("Upload a ratings file", exact=True).click()
    uploader = page.locator('[data-testid="stFileUploader"]').filter(has_text="Ratings file").first
    uploader.wait_for()
    bad = "user,item,rating\n" + "".join(f"{user},{item},five\n" for user in range(10) for item in range(5))
    uploader.locator('input[type="file"]').set_input_files(files=[{"name": "ratings.csv", "mimeType": "text/csv",
                                                                    "buffer": bad.encode()}])
    page.get_by_text("not a number").first.wait_for()
    wait_until_idle(page)
    assert_no_exception(page)
