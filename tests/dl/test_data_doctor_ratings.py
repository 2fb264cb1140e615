"""The ratings doctor: each finding is raised on ratings made to have it and not on clean ones, the
fixes change the data as their sentences say, and MovieLens 100k is checked in well under a second."""

import time

import numpy as np
import pytest

from dl.data_doctor.ratings import apply_ratings_fix, diagnose_ratings
from dl.recommender.data import build_ratings, load_movielens_100k

ACTIONABLE = {"single_ratings", "scale_binary", "scale_wide", "scale_other", "scale_few_values", "sparse"}


def ratings(pairs, values=None, titles=None, times=True):
    """RatingsData from (user, item) pairs; ratings 1-5 cycling unless ``values`` are given."""
    users = np.array([f"u{user}" for user, _ in pairs])
    items = np.array([f"m{item}" for _, item in pairs])
    values = np.asarray(values if values is not None else [1 + index % 5 for index in range(len(pairs))], np.float32)
    stamps = np.arange(len(pairs), dtype=np.float64) if times else None
    info = {f"m{item}": (title, "2001", ["Drama"]) for item, title in (titles or {}).items()}
    return build_ratings(users, items, values, stamps, "ratings.csv", info)


def clean():
    """30 users who each rated 10 of 12 movies, 1-5 stars, every movie titled."""
    pairs = [(user, (user + offset) % 12) for user in range(30) for offset in range(10)]
    return ratings(pairs, titles={item: f"Movie {item}" for item in range(12)})


def test_clean_ratings_have_only_the_distribution_note():
    diagnosis = diagnose_ratings(clean())
    assert diagnosis.codes() == ["rating_distribution"] and diagnosis.healthy
    note = diagnosis.get("rating_distribution")
    assert note.examples == ("1: 20%", "2: 20%", "3: 20%", "4: 20%", "5: 20%")
    assert note.values["mean"] == pytest.approx(3.0) and note.values["threshold"] == 4.0
    assert note.values["liked_share"] == pytest.approx(40.0)


def test_single_ratings_counted_and_the_fix_removes_them_until_none_is_left():
    # three newcomers with one rating each, and movie 98 rated once (by u0, who keeps the rest)
    pairs = [(user, (user + offset) % 12) for user in range(30) for offset in range(10)]
    pairs += [(100, 0), (101, 1), (102, 2), (0, 98)]
    data = ratings(pairs, titles={item: f"Movie {item}" for item in [*range(12), 98]})
    finding = diagnose_ratings(data).get("single_ratings")
    assert finding is not None and finding.fix == "min_ratings"
    assert finding.values["users"] == 3 and finding.values["items"] == 1 and finding.values["removed"] == 4
    assert finding.values["user_share"] == pytest.approx(100 * 3 / 33)
    assert "user u100" in finding.examples and "“Movie 98”" in finding.examples
    fixed = apply_ratings_fix(data, "min_ratings")
    assert len(fixed.ratings) == len(data.ratings) - 4 and fixed.num_users == 30 and fixed.num_items == 12
    assert fixed.per_user_counts().min() >= 2 and fixed.per_item_counts().min() >= 2
    assert fixed.titles == [f"Movie {item_id[1:]}" for item_id in fixed.item_ids]  # titles follow their movies
    assert diagnose_ratings(fixed).get("single_ratings") is None
    assert fixed.fingerprint() != data.fingerprint()


def test_min_ratings_repeats_until_every_user_and_movie_has_two():
    """u50 rated m50 and m51, each rated by nobody else: dropping the two movies leaves u50 with none;
    u60 rated m0 and m60: once m60 (one rating) goes, u60 has one rating and must go too."""
    pairs = [(user, (user + offset) % 12) for user in range(30) for offset in range(10)]
    pairs += [(50, 50), (50, 51), (60, 0), (60, 60)]
    fixed = apply_ratings_fix(ratings(pairs), "min_ratings")
    assert "u50" not in fixed.user_ids and "u60" not in fixed.user_ids and "m60" not in fixed.item_ids
    assert len(fixed.ratings) == 300


def test_fix_not_offered_when_too_little_would_be_left():
    pairs = [(user, user) for user in range(25)]  # everyone rated a different movie once
    finding = diagnose_ratings(ratings(pairs)).get("single_ratings")
    assert finding.severity.label == "warning" and finding.fix == ""


@pytest.mark.parametrize("values, code", [
    ([0, 1], "scale_binary"),
    ([0, 25, 50, 75, 100], "scale_wide"),
    ([-10, -3.5, 0, 4.25, 10], "scale_wide"),
    ([1, 4, 7, 10], "scale_other"),
    ([1, 2, 3], "scale_few_values"),
])
def test_unusual_rating_scales(values, code):
    pairs = [(user, (user + offset) % 12) for user in range(30) for offset in range(10)]
    data = ratings(pairs, [values[index % len(values)] for index in range(len(pairs))])
    scale_codes = [found for found in diagnose_ratings(data).codes() if found.startswith("scale_")]
    assert scale_codes == [code]


@pytest.mark.parametrize("values", [[1, 2, 3, 4, 5], [0.5, 1.5, 2.5, 3.5, 4.5, 5], [1, 2, 3, 4, 5, 4.5]])
def test_stars_are_not_unusual(values):
    pairs = [(user, (user + offset) % 12) for user in range(30) for offset in range(10)]
    data = ratings(pairs, [values[index % len(values)] for index in range(len(pairs))])
    assert not [found for found in diagnose_ratings(data).codes() if found.startswith("scale_")]


def test_rescale_maps_onto_one_to_five_keeping_the_order():
    pairs = [(user, (user + offset) % 12) for user in range(30) for offset in range(10)]
    data = ratings(pairs, [[0, 25, 50, 75, 100][index % 5] for index in range(len(pairs))])
    assert diagnose_ratings(data).get("scale_wide").fix == "rescale_ratings"
    fixed = apply_ratings_fix(data, "rescale_ratings")
    np.testing.assert_allclose(fixed.ratings, 1 + data.ratings / 25)
    assert fixed.relevance_threshold == 4.0 and not [code for code in diagnose_ratings(fixed).codes() if code.startswith("scale")]
    np.testing.assert_array_equal(fixed.users, data.users)
    np.testing.assert_array_equal(fixed.timestamps, data.timestamps)


def test_extreme_sparsity():
    """3,000 users and 3,000 movies, each rated twice: 6,000 ratings fill 0.067% of the grid."""
    pairs = [(user, (user + shift) % 3000) for user in range(3000) for shift in (0, 7)]
    sparse = diagnose_ratings(ratings(pairs)).get("sparse")
    assert sparse is not None and sparse.values["density"] == pytest.approx(100 * 6000 / 3000**2)
    assert sparse.values["per_user"] == 2.0
    denser = [(user, (user + shift) % 200) for user in range(200) for shift in (0, 7)]  # 1% of a 200 x 200 grid
    assert diagnose_ratings(ratings(denser)).get("sparse") is None


def test_titles_missing_or_absent():
    pairs = [(user, (user + offset) % 12) for user in range(30) for offset in range(10)]
    assert diagnose_ratings(ratings(pairs)).get("no_titles").values == {"items": 12}
    some = diagnose_ratings(ratings(pairs, titles={item: f"Movie {item}" for item in range(10)})).get("missing_titles")
    assert some.values == {"count": 2, "items": 12} and set(some.examples) == {"m10", "m11"}
    assert diagnose_ratings(ratings(pairs), builtin=True).get("no_titles") is None


def test_movielens_in_well_under_a_second():
    data = load_movielens_100k()
    started = time.perf_counter()
    diagnosis = diagnose_ratings(data, builtin=True)
    assert time.perf_counter() - started < 1.0
    # every user rated at least 20 movies; 141 of 1,682 movies have one rating: a note, not a warning
    single = diagnosis.get("single_ratings")
    assert single.severity.label == "note" and single.values["users"] == 0 and single.values["items"] == 141
    assert set(diagnosis.codes()) & ACTIONABLE == {"single_ratings"}
    assert diagnosis.get("rating_distribution").examples == ("1: 6%", "2: 11%", "3: 27%", "4: 34%", "5: 21%")
    json_form = diagnosis.to_json()
    assert [finding["code"] for finding in json_form["findings"]] == diagnosis.codes()
