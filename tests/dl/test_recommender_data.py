"""Ratings readers: MovieLens 100k, uploaded CSV/TSV/.dat files in several encodings, items files,
and a DataError that names the problem for every bad file."""

import numpy as np
import pytest

from dl.data import DataError
from dl.recommender.data import (
    RatingColumns,
    load_movielens_100k,
    read_items_file,
    read_ratings_file,
    split_title_year,
)


def grid_csv(header: str = "userId,movieId,rating,timestamp", separator: str = ",", users: int = 6, items: int = 5) -> str:
    rows = [separator.join(str(value) for value in (user, 100 + item, 1 + (user + item) % 5, 1000 + user * 10 + item))
            for user in range(users) for item in range(items)]
    return "\n".join(([header] if header else []) + rows) + "\n"


def test_movielens_100k_ships_offline_with_titles_and_genres():
    data = load_movielens_100k()
    assert data.summary()["ratings"] == 100_000 and (data.num_users, data.num_items) == (943, 1682)
    star_wars = data.titles.index("Star Wars")
    assert data.years[star_wars] == "1977" and "Sci-Fi" in data.genres[star_wars]
    assert data.rating_range == (1.0, 5.0) and data.relevance_threshold == 4.0
    assert data.timestamps is not None and "GroupLens" in data.citation


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "gbk"])
def test_csv_with_usual_column_names_in_any_encoding(encoding):
    text = grid_csv("用户,电影,评分,时间") if encoding == "gbk" else grid_csv()
    data = read_ratings_file(text.encode(encoding), "ratings.csv")
    assert (data.num_users, data.num_items, len(data.ratings)) == (6, 5, 30)
    assert data.timestamps is not None and data.notes == []


def test_headerless_movielens_dat_and_latin1_items_file():
    ratings = grid_csv(header="", separator="::").encode()
    movies = "100::Amélie (2001)::Comedy|Romance\n101::Heat (1995)::Action|Crime|Thriller\n".encode("latin-1")
    data = read_ratings_file(ratings, "ratings.dat", items_content=movies, items_name="movies.dat")
    assert data.titles[data.item_ids.index("100")] == "Amélie" and data.years[data.item_ids.index("100")] == "2001"
    assert data.genres[data.item_ids.index("101")] == ["Action", "Crime", "Thriller"]
    assert any("3 rated items are not in movies.dat" in note for note in data.notes)


def test_repeated_pairs_keep_the_latest_rating_and_blank_rows_are_counted():
    text = "user,item,rating,timestamp\n1,a,2,10\n1,a,5,20\n" + ",,,\n" + "".join(
        f"{user},{item},{1 + user % 5},{user}\n" for user in range(2, 12) for item in "bcd")
    data = read_ratings_file(text.encode(), "r.csv")
    first = (data.users == data.user_ids.index("1")) & (data.items == data.item_ids.index("a"))
    assert data.ratings[first].tolist() == [5.0]
    assert any("repeated" in note for note in data.notes) and any(note == "1 row without a user, item or rating was skipped." for note in data.notes)  # not "1 rows"


def test_columns_chosen_by_hand():
    text = "who,what,stars\n" + "".join(f"u{user},m{item},{1 + (user * item) % 5}\n" for user in range(8) for item in range(4))
    with pytest.raises(DataError, match="Choose the columns by hand"):
        read_ratings_file(text.encode(), "odd.csv")
    data = read_ratings_file(text.encode(), "odd.csv", RatingColumns("who", "what", "stars"))
    assert data.num_users == 8 and data.timestamps is None


@pytest.mark.parametrize("content, message", [
    (b"", "is empty"),
    (b"\x00\x01\x02binary\x00junk" * 50, "binary"),
    ("user,item,rating\n" + "".join(f"{u},{i},4\n" for u in range(10) for i in range(3)), "Every rating in"),
    ("user,item,rating\n1,2,3\n2,3,4\n", "at least 20"),
    ("user,item,rating\n1,2,5\n2,2,four\n" + "".join(f"{u},{i},3\n" for u in range(3, 12) for i in range(3)), "row 2 holds 'four'"),
    ("just one column\n" * 30, "one column"),
    ("user,item,rating,timestamp\n" + "".join(f"{u},{i},{1 + u % 5},yesterday-ish\n" for u in range(10) for i in range(3)), "neither a Unix time"),
    ("user,item,rating\n1,2,3\n1,2\n" + "".join(f"{u},{i},3\n" for u in range(3, 12) for i in range(3)), "line 3 has 2 fields"),
])
def test_bad_files_raise_data_errors_that_name_the_problem(content, message):
    with pytest.raises(DataError, match=message):
        read_ratings_file(content.encode() if isinstance(content, str) else content, "bad.csv")


def test_items_file_needs_an_id_and_a_title():
    with pytest.raises(DataError, match="id column and a title column"):
        read_items_file(b"colour,size\nred,3\nblue,4\n", "items.csv")
    assert split_title_year("Toy Story (1995)") == ("Toy Story", "1995")
    assert split_title_year("Untitled") == ("Untitled", "")


def test_fingerprint_changes_with_the_ratings():
    first = read_ratings_file(grid_csv().encode(), "a.csv")
    changed = grid_csv().replace("\n0,100,1,1000", "\n0,100,2,1000", 1)
    assert first.fingerprint() == read_ratings_file(grid_csv().encode(), "a.csv").fingerprint()
    assert first.fingerprint() != read_ratings_file(changed.encode(), "a.csv").fingerprint()
    assert np.issubdtype(first.users.dtype, np.integer)
