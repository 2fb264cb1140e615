"""The data doctor for ratings (the recommender page, ``python -m dl train recommender``).

Matrix factorisation learns one vector per user and per movie from that person's or that movie's
ratings, so what it can learn depends on how many each has, on how the ratings are spread over the
user x movie grid, and on the scale the numbers are on (its defaults were tuned on 1-5 stars).
"""

from __future__ import annotations

import time

import numpy as np

from dl.data_doctor.findings import Diagnosis, Finding, Severity
from dl.recommender.data import MIN_RATINGS, RatingsData, build_ratings

SINGLE_SHARE_WARNING = 0.10  # a tenth of users (or movies) learnt from one number each: a warning, fewer a note
KEEP_AT_LEAST = 2  # the "min_ratings" fix keeps users and movies with at least this many ratings (repeated until stable)
SPARSE_DENSITY = 0.001  # under 1 rating in 1,000 cells (Amazon-review-like sets); MovieLens 100k has 6.3 %, 20M 0.5 %
STAR_SCALE = (1.0, 5.0)  # what the "rescale_ratings" fix maps the ratings onto: the scale the defaults were tuned on
# highest minus lowest rating above this (0-100, -10..10): far from the stars the defaults were tuned on. Measured
# with the default biased MF on MovieLens 100k mapped to 0-100: 19 epochs instead of 10, RMSE 0.918 instead of
# 0.908 (in stars); mapped to 1-10: 0.913. Rescaling back to 1-5 gives the 0.908 run.
WIDE_RANGE = 10.0
FEW_VALUES = 4  # three or four distinct ratings (e.g. bad / ok / good): little to tell two movies apart
EXAMPLES = 5  # ids or titles shown under a finding
DISTRIBUTION_VALUES = 11  # up to this many distinct ratings are listed one by one in the distribution note
FIXES = ("min_ratings", "rescale_ratings")


def diagnose_ratings(data: RatingsData, builtin: bool = False) -> Diagnosis:
    """All ratings findings for ``data``; ``builtin``: a shipped set (its titles are known to be complete).

    Runs in well under a second on MovieLens 100k (a few ``bincount``s and one ``unique``).
    """
    started = time.perf_counter()
    findings = _single_rating_findings(data)
    findings += _scale_findings(data)
    findings += _sparsity_findings(data)
    if not builtin:
        findings += _title_findings(data)
    findings.append(_distribution_note(data))
    return Diagnosis(findings, time.perf_counter() - started)


# ------------------------------------------------------------------------------------------- checks
def _single_rating_findings(data: RatingsData) -> list[Finding]:
    user_counts, item_counts = data.per_user_counts(), data.per_item_counts()
    single_users, single_items = np.flatnonzero(user_counts == 1), np.flatnonzero(item_counts == 1)
    if not len(single_users) and not len(single_items):
        return []
    user_share, item_share = len(single_users) / data.num_users, len(single_items) / data.num_items
    severity = Severity.WARNING if max(user_share, item_share) >= SINGLE_SHARE_WARNING else Severity.NOTE
    kept = _kept_rows(data, KEEP_AT_LEAST)
    enough_left = kept.sum() >= MIN_RATINGS and len(np.unique(data.users[kept])) >= 2 and len(np.unique(data.items[kept])) >= 2
    users = [f"user {data.user_ids[user]}" for user in single_users[:3 if len(single_items) else EXAMPLES]]
    examples = tuple(users + [f"“{data.titles[item]}”" for item in single_items[:EXAMPLES - len(users)]])
    values = {"users": len(single_users), "user_share": 100 * user_share, "items": len(single_items),
              "item_share": 100 * item_share, "removed": int(len(kept) - kept.sum()), "minimum": KEEP_AT_LEAST}
    return [Finding("single_ratings", severity, values, examples, fix="min_ratings" if enough_left else "")]


def _scale_findings(data: RatingsData) -> list[Finding]:
    values = np.unique(data.ratings)
    low, high = float(values[0]), float(values[-1])
    facts = {"low": low, "high": high, "distinct": len(values), "threshold": data.relevance_threshold}
    if len(values) == 2:  # likes / clicks: what is "liked" is all the model can learn
        return [Finding("scale_binary", Severity.WARNING, facts)]
    if high - low > WIDE_RANGE:
        return [Finding("scale_wide", Severity.WARNING, facts, fix="rescale_ratings")]
    if high > STAR_SCALE[1] + 0.5 or low < 0:  # 1-10, 0-10, -5..5: works, but RMSE is on another scale
        return [Finding("scale_other", Severity.NOTE, facts, fix="rescale_ratings")]
    if len(values) <= FEW_VALUES:
        return [Finding("scale_few_values", Severity.NOTE, facts)]
    return []


def _sparsity_findings(data: RatingsData) -> list[Finding]:
    density = len(data.ratings) / (data.num_users * data.num_items)
    if density >= SPARSE_DENSITY:
        return []
    return [Finding("sparse", Severity.WARNING, {
        "density": 100 * density, "users": data.num_users, "items": data.num_items, "ratings": len(data.ratings),
        "per_user": len(data.ratings) / data.num_users, "per_item": len(data.ratings) / data.num_items,
    })]


def _title_findings(data: RatingsData) -> list[Finding]:
    untitled = [index for index, (title, item) in enumerate(zip(data.titles, data.item_ids, strict=True)) if title == item]
    if len(untitled) == data.num_items:
        return [Finding("no_titles", Severity.NOTE, {"items": data.num_items})]
    if untitled:
        return [Finding("missing_titles", Severity.NOTE, {"count": len(untitled), "items": data.num_items},
                        tuple(data.item_ids[index] for index in untitled[:EXAMPLES]))]
    return []


def _distribution_note(data: RatingsData) -> Finding:
    values, counts = np.unique(data.ratings, return_counts=True)
    shares = counts / counts.sum()
    if len(values) <= DISTRIBUTION_VALUES:
        examples = tuple(f"{value:g}: {share * 100:.0f}%" for value, share in zip(values, shares, strict=True))
    else:
        quantiles = np.quantile(data.ratings, [0.1, 0.25, 0.5, 0.75, 0.9])
        examples = tuple(f"{name}: {value:g}" for name, value in zip(("p10", "p25", "median", "p75", "p90"), quantiles, strict=True))
    top = int(counts.argmax())
    return Finding("rating_distribution", Severity.NOTE, {
        "mean": float(data.ratings.mean()), "std": float(data.ratings.std()), "common": float(values[top]),
        "common_share": 100 * float(shares[top]), "threshold": data.relevance_threshold,
        "liked_share": 100 * float(np.mean(data.ratings >= data.relevance_threshold)),
    }, examples)


# ------------------------------------------------------------------------------------------- fixes
def _kept_rows(data: RatingsData, minimum: int) -> np.ndarray:
    """Rows left after repeatedly dropping users and movies with fewer than ``minimum`` ratings
    (dropping a movie can leave one of its users short, so repeat until nothing changes)."""
    keep = np.ones(len(data.ratings), dtype=bool)
    for _ in range(50):
        user_counts = np.bincount(data.users[keep], minlength=data.num_users)
        item_counts = np.bincount(data.items[keep], minlength=data.num_items)
        short = keep & ((user_counts[data.users] < minimum) | (item_counts[data.items] < minimum))
        if not short.any():
            break
        keep &= ~short
    return keep


def apply_ratings_fix(data: RatingsData, fix: str, minimum: int = KEEP_AT_LEAST) -> RatingsData:
    """The ratings after a one-click fix.

    ``min_ratings``: users and movies with fewer than ``minimum`` ratings dropped, repeated until every
    user and movie left has at least ``minimum``; ``rescale_ratings``: ratings mapped linearly onto
    1-5 (lowest -> 1, highest -> 5), the scale the recommender's learning rate and L2 were tuned on.
    Titles, years, genres, times, notes and citation are kept. DataError if too little would be left
    (the doctor offers ``min_ratings`` only when enough is).
    """
    if fix not in FIXES:
        raise ValueError(f"not a ratings fix: {fix}")
    rows = np.arange(len(data.ratings))
    ratings = data.ratings
    if fix == "min_ratings":
        rows = np.flatnonzero(_kept_rows(data, minimum))
    else:
        low, high = data.rating_range
        ratings = STAR_SCALE[0] + (STAR_SCALE[1] - STAR_SCALE[0]) * (data.ratings - low) / (high - low)
    info = {item: (title, year, genres) for item, title, year, genres
            in zip(data.item_ids, data.titles, data.years, data.genres, strict=True)}
    fixed = build_ratings(np.asarray(data.user_ids)[data.users[rows]], np.asarray(data.item_ids)[data.items[rows]],
                          ratings[rows].astype(np.float32), data.timestamps[rows] if data.timestamps is not None else None,
                          data.source, info, list(data.notes))  # DataError (too few ratings) if too little is left
    fixed.citation = data.citation
    return fixed
