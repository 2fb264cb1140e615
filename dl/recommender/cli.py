"""Movie recommender from a terminal: train matrix factorisation on MovieLens or a ratings file.

    python -m dl train recommender --data ml-100k|PATH [--items PATH] [--user-col C --item-col C
        --rating-col C --time-col C] [--model seed|biased|neural] [--split random|time] [--epochs N]
        [--min-ratings-to-recommend N] [--fix min_ratings|rescale_ratings ...] [--json]
    python -m dl recommend --model PATH (--user ID | --rate ITEM=STARS ...) [-k 10] [--json]

``train`` shows progress on stderr and a summary on stdout, or with ``--json`` one JSON line (rmse,
mae, baseline_rmse, global_mean_rmse, precision_at_10, ndcg_at_10 and the bias baseline's, model ..., and ``data_doctor``: the
findings on the ratings as trained, see ``dl.data_doctor.ratings``; ``--fix CODE`` applies a finding's fix
first). ``recommend`` (also
``predict recommender``) prints one line per movie, or with ``--json`` JSON lines of item, title,
score, because. ``--model`` is the folder (or any file in it) that ``train`` printed,
or an unzipped export; no TensorFlow is loaded for it.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from dl.data.errors import DataError
from dl.data_doctor.ratings import FIXES as RATINGS_FIXES
from dl.recommender.config import MODEL_KINDS, SPLITS
from dl.store import ModelStore
from dl.train_command import TrainCommand, TrainingOutcome, given_settings, project_config, run_train_command

BUILTIN = "ml-100k"


def add_train_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = "Train a movie recommender (or load it from the model cache) and compare it with baselines."
    parser.add_argument("--data", help=f"{BUILTIN}, or a ratings file (CSV, TSV or MovieLens .dat)")
    parser.add_argument("--items", help="optional items file: id, title[, genres] (e.g. MovieLens movies.dat)")
    parser.add_argument("--user-col", help="column of the user id (default: recognised by name, e.g. userId)")
    parser.add_argument("--item-col", help="column of the item id (default: recognised by name, e.g. movieId)")
    parser.add_argument("--rating-col", help="column of the rating (default: recognised by name, e.g. rating)")
    parser.add_argument("--time-col", help="column of the time, needed for --split time (default: recognised by name)")
    parser.add_argument("--model", choices=MODEL_KINDS, default="biased", help="seed MF, biased MF (default) or neural")
    parser.add_argument("--split", choices=SPLITS, default="random", help="random 80/20, or each user's latest 20%%")
    parser.add_argument("--epochs", type=int, default=None, help="maximum epochs (default 30, early stopping)")
    parser.add_argument("--min-ratings-to-recommend", type=int, default=None,
                        help="recommend only movies with at least this many training ratings (default 5)")
    parser.add_argument("--fix", action="append", choices=RATINGS_FIXES, default=[],
                        help="apply a data doctor's fix before training (repeatable): drop users and items with one "
                             "rating, or rescale the ratings to 1-5")
    parser.add_argument(
        "--json", action="store_true", help="print the result as one JSON line (progress goes to stderr as JSON lines)"
    )


def add_predict_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = "Recommend movies for a user of the training data or for a new visitor's ratings."
    parser.add_argument("--model", required=True, help="the model folder printed by train (or an unzipped export)")
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--user", help="a user id from the training data")
    who.add_argument(
        "--rate",
        action="append",
        metavar="ITEM=STARS",
        help="a new visitor's rating of an item id, repeatable (at least 3)",
    )
    parser.add_argument("-k", type=int, default=10, help="how many movies (default 10)")
    parser.add_argument("--json", action="store_true", help="one JSON line per movie")


def add_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    """``python -m dl recommend``: the same as ``python -m dl predict recommender``."""
    parser = commands.add_parser("recommend", parents=[common], help="recommend movies with a trained recommender")
    add_predict_arguments(parser)
    parser.set_defaults(handler=predict)


def load_data(args: argparse.Namespace):
    from dl.recommender import data as ratings_data

    if args.data == BUILTIN:
        return ratings_data.load_builtin(BUILTIN)
    path = Path(args.data)
    if not path.is_file():
        raise DataError(f"{args.data} is neither '{BUILTIN}' nor a ratings file.")
    columns = None
    if args.user_col or args.item_col or args.rating_col:
        if not (args.user_col and args.item_col and args.rating_col):
            raise DataError(
                "Give all three of --user-col, --item-col and --rating-col (or none: they are recognised by name)."
            )
        columns = ratings_data.RatingColumns(args.user_col, args.item_col, args.rating_col, args.time_col)
    items = Path(args.items) if args.items else None
    if items is not None and not items.is_file():
        raise DataError(f"--items {args.items} is not a file.")
    return ratings_data.read_ratings_file(
        path.read_bytes(), path.name, columns, items.read_bytes() if items else None, items.name if items else "items"
    )


def train(args: argparse.Namespace) -> None:
    run_train_command(args, train_command)


def train_command(args: argparse.Namespace, store: ModelStore) -> TrainCommand:
    """The recommender's part of ``train recommender``: data, config, its result and summary."""
    from dl.recommender.config import RecommenderConfig
    from dl.recommender.train import stored_recommender, train_recommender

    if args.epochs is not None and args.epochs < 1:
        raise DataError("--epochs must be at least 1.")
    from dl.data_doctor.ratings import apply_ratings_fix, diagnose_ratings

    data = load_data(args)
    for fix in dict.fromkeys(args.fix):
        data = apply_ratings_fix(data, fix)
    diagnosis = diagnose_ratings(data, builtin=args.data == BUILTIN and not args.fix)
    resume = getattr(args, "resume", None)
    config = project_config(args, RecommenderConfig) or RecommenderConfig(**given_settings(
        model=args.model, split=args.split, epochs=args.epochs, min_ratings_to_recommend=args.min_ratings_to_recommend))
    config.validate()

    def announce() -> list[str]:
        summary = data.summary()
        counts = f"{summary['ratings']:,} ratings, {summary['users']:,} users, {summary['items']:,} items"
        return [f"training {args.model} on {data.source}: {counts}", *data.notes]

    return TrainCommand(
        stored=lambda: stored_recommender(store, config, data, resume),
        train=lambda reporter: train_recommender(config, data, reporter, store, resume),
        job_name="recommender",
        headline=f"{args.model} matrix factorisation on {data.source}",
        result_document=lambda outcome: {**result_document(outcome), "data_doctor": diagnosis.to_json()},
        summary_rows=lambda result: summary_rows(result, args.split),
        announce=announce,
    )


def result_document(outcome: TrainingOutcome) -> dict[str, Any]:
    """``train recommender``'s JSON (``--json``), from the stored or just-trained meta.json."""
    metrics = outcome.meta["metrics"]
    baselines = metrics["baselines"]
    return {
        "model": outcome.model_path,
        "kind": outcome.meta.get("kind"),
        "from_cache": outcome.from_cache,
        "rmse": metrics["rmse"],
        "mae": metrics["mae"],
        "baseline_rmse": baselines["bias"]["rmse"],
        "global_mean_rmse": baselines["global_mean"]["rmse"],
        "precision_at_10": metrics["precision_at_10"],
        "recall_at_10": metrics["recall_at_10"],
        "ndcg_at_10": metrics["ndcg_at_10"],
        "baseline_precision_at_10": baselines["bias"]["precision_at_10"],
        "baseline_ndcg_at_10": baselines["bias"]["ndcg_at_10"],
        "epochs_run": metrics.get("epochs_run"),
        "test_ratings": metrics.get("test_ratings"),
        "train_seconds": outcome.train_seconds,
        "data": outcome.data_source,
    }


def summary_rows(result: dict[str, Any], split: str) -> list[tuple[str, Any]]:
    rmse = f"{result['rmse']:.3f}"
    return [
        (
            "held-out RMSE",
            f"{rmse} on {result['test_ratings']:,} ratings ({split} split)" if result["test_ratings"] else rmse,
        ),
        (
            "baselines RMSE",
            f"{result['baseline_rmse']:.3f} (user and movie biases), {result['global_mean_rmse']:.3f} (global mean)",
        ),
        ("precision@10", f"{result['precision_at_10']:.3f} (bias baseline {result['baseline_precision_at_10']:.3f})"),
        ("NDCG@10", f"{result['ndcg_at_10']:.3f} (bias baseline {result['baseline_ndcg_at_10']:.3f})"),
        ("epochs", result["epochs_run"]),
        *doctor_rows(result.get("data_doctor")),
    ]


def doctor_rows(doctor: dict[str, Any] | None) -> list[tuple[str, Any]]:
    """One summary row per data doctor finding worth acting on (notes left out), with its fix option."""
    rows = []
    for finding in (doctor or {}).get("findings", []):
        if finding["severity"] != "note":
            fix = f" (--fix {finding['fix']})" if finding["fix"] else ""
            rows.append(("data doctor", f"{finding['severity']}: {finding['code']}{fix}"))
    return rows


def predict(args: argparse.Namespace) -> None:
    from dl.recommender.recommend import recommend_for_user, recommend_for_visitor
    from dl.recommender.train import load_recommender_folder

    if args.k < 1:
        raise DataError("-k must be at least 1.")
    factors, catalog, _ = load_recommender_folder(args.model)
    if args.user is not None:
        try:
            user = catalog.user_ids.index(str(args.user))
        except ValueError:
            raise DataError(
                f"There is no user '{args.user}' in this model's data (ids like {', '.join(catalog.user_ids[:5])})."
            ) from None
        recommendations = recommend_for_user(factors, catalog, user, args.k)
    else:
        recommendations = recommend_for_visitor(factors, catalog, parse_ratings(args.rate, catalog.item_ids), args.k)
    for rank, item in enumerate(recommendations, start=1):
        if args.json:
            print(
                json.dumps(
                    {
                        "item": item.item_id,
                        "title": item.title,
                        "year": item.year,
                        "genres": item.genres,
                        "score": round(item.score, 4),
                        "because": item.because,
                    },
                    ensure_ascii=False,
                )
            )
        else:
            title = f"{item.title} ({item.year})" if item.year else item.title
            because = f"  (because you liked {' and '.join(item.because)})" if item.because else ""
            print(f"{rank:>3}. {item.score:.2f} ★  {title} [{item.item_id}]{because}")


def parse_ratings(pairs: list[str], item_ids: list[str]) -> dict[int, float]:
    """['50=5', '172=4'] -> {movie index: stars}; DataError naming a malformed pair or unknown item."""
    index = {item: position for position, item in enumerate(item_ids)}
    ratings = {}
    for pair in pairs:
        item, separator, stars = pair.partition("=")
        try:
            value = float(stars)
        except ValueError:
            value = None
        if not separator or value is None:
            raise DataError(f"--rate {pair!r}: write ITEM=STARS, e.g. --rate 50=5.")
        if item.strip() not in index:
            raise DataError(f"--rate {pair!r}: there is no item '{item.strip()}' in this model's data.")
        ratings[index[item.strip()]] = value
    return ratings
