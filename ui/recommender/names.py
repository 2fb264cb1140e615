"""How the page names movies and keys what it keeps.

A ratings file without an items file has no titles: its movies are called "Movie 2105" (in the
reader's language) instead of a bare number, and the Year and Genres columns are left out.
Everything the page keeps for a visitor (their ratings, the chosen user, "movies like …") is keyed
by the fingerprint of the ratings the model was trained on: MovieLens-style files reuse the same
movie numbers for different movies, so nothing may follow a number into another data set.
"""

from __future__ import annotations

from dl.recommender.train import Catalog, TrainedRecommender
from ui.i18n import t


def state_key(trained: TrainedRecommender, name: str) -> str:
    """A widget key for ``name`` that belongs to the data ``trained`` was trained on."""
    return f"{name}_{trained.data_fingerprint[:16]}"


def has_title(catalog: Catalog, item: int) -> bool:
    return catalog.titles[item] != catalog.item_ids[item]  # a title falls back to the id


def has_titles(catalog: Catalog) -> bool:
    return any(has_title(catalog, item) for item in range(len(catalog.item_ids)))


def movie_name(catalog: Catalog, item: int) -> str:
    """The title, or "Movie <id>" for a movie the ratings file gave no title."""
    return catalog.titles[item] if has_title(catalog, item) else t("movie_recommender.movie_number", id=catalog.item_ids[item])


def movie_label(catalog: Catalog, item: int) -> str:
    """The name with the year when there is one: "Star Wars (1977)"."""
    year = catalog.years[item]
    return f"{movie_name(catalog, item)} ({year})" if year else movie_name(catalog, item)
