"""Recommend movies with an exported recommender. Needs only Python 3.9+ and NumPy.

    python predict.py --user 196 [-k 10]                  # a user of the training data
    python predict.py --rate 50=5 --rate 172=4 --rate 1=3 # a new visitor: item id = stars (3 or more)
    python predict.py --similar 50                        # movies like item 50

Prints one JSON line per movie. The model is ``factors.npz`` (plain arrays, loaded with
allow_pickle=False), ``catalog.json`` (ids, titles, genres) and ``ratings.npz`` (training ratings,
to leave out what a user has already rated); ``model.keras`` is the same model for Keras users.
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
TASTE_WEIGHT, TASTE_POPULARITY_EXPONENT = 16.0, 0.7  # as dl/recommender/taste.py TasteBlend


def load():
    with np.load(HERE / "factors.npz", allow_pickle=False) as saved:
        model = {name: saved[name] for name in saved.files}
    catalog = json.loads((HERE / "catalog.json").read_text(encoding="utf-8"))
    with np.load(HERE / "ratings.npz", allow_pickle=False) as saved:
        rated = {name: saved[name] for name in saved.files}
    return model, catalog, rated


def layers(model):
    found = []
    while f"layer_{len(found)}_weights" in model:
        found.append((model[f"layer_{len(found)}_weights"], model[f"layer_{len(found)}_bias"]))
    return found


def scores(model, vector, bias):
    """Predicted rating of every item for a user vector, unclipped (see dl/recommender/factors.py)."""
    items = model["item_factors"]
    kind = str(model["kind"])
    if kind == "neural":
        hidden = np.concatenate([np.broadcast_to(vector, (len(items), len(vector))), items], axis=1)
        mlp = layers(model)
        for index, (weights, layer_bias) in enumerate(mlp):
            hidden = hidden @ weights + layer_bias
            if index < len(mlp) - 1:
                hidden = np.maximum(hidden, 0.0)
        raw = hidden[:, 0] + bias + model["item_bias"] + float(model["offset"])
    else:
        raw = float(model["scale"]) * (items @ vector) + bias + model["item_bias"] + float(model["offset"])
    return raw


def ranking(model, predicted, bias):
    """Scores to rank by, in stars: the movie's own part of the prediction (all but the mean and the
    user's bias) shrunk by n / (n + shrinkage) for a movie with n training ratings; movies with too
    few ratings get -inf (as dl/recommender/factors.py ranking_scores)."""
    predicted = np.asarray(predicted, np.float64)
    if "item_counts" not in model:
        return predicted
    baseline = float(model["offset"]) + bias
    counts = model["item_counts"].astype(np.float64)
    shrinkage = float(model["ranking_shrinkage"])
    weight = counts / (counts + shrinkage) if shrinkage > 0 else np.ones_like(counts)
    return np.where(counts >= int(model["min_ratings"]), baseline + weight * (predicted - baseline), -np.inf)


def taste(rated, liked, num_items, candidates):
    """A visitor's taste score of every item (as dl/recommender/taste.py): the mean over liked items i of
    co(i, j) / (sqrt(n_i) * n_j ** 0.7), users who rated both over the items' rating counts, divided by
    the best candidate's."""
    users, items = rated["users"].astype(np.int64), rated["items"].astype(np.int64)
    counts = np.bincount(items, minlength=num_items).astype(np.float64)
    popularity = np.where(counts > 0, counts, np.inf) ** TASTE_POPULARITY_EXPONENT
    similarity = np.zeros((len(liked), num_items))
    for row, item in enumerate(liked):
        raters = np.zeros(users.max(initial=-1) + 1, dtype=bool)
        raters[users[items == item]] = True
        together = np.bincount(items[raters[users]], minlength=num_items)
        similarity[row] = together / (np.sqrt(max(counts[item], 1.0)) * popularity)
    scores = similarity.mean(axis=0) if len(liked) else np.zeros(num_items)
    best = float(scores[candidates].max()) if candidates.any() else 0.0
    return scores / best if best > 0 else np.zeros(num_items)


def fold_in(model, items, ratings):
    """A new visitor's vector and bias by ridge regression against the fixed item vectors
    (the neural model: Adam on the same loss)."""
    kind = str(model["kind"])
    penalty = {"biased": 3.0}.get(kind, 1.0)  # as in dl/recommender/factors.py FOLD_IN_L2
    vectors = model["item_factors"][items].astype(np.float64)
    if kind == "neural":  # Adam, exactly as dl/recommender/factors.py _fold_in_neural
        parameters = np.append(model["user_factors"].mean(axis=0), 0.0).astype(np.float64)
        first, second = np.zeros_like(parameters), np.zeros_like(parameters)
        for step in range(1, 301):
            gradient = neural_gradient(model, parameters, vectors, model["item_bias"][items], ratings, penalty)
            first = 0.9 * first + 0.1 * gradient
            second = 0.999 * second + 0.001 * gradient**2
            parameters -= 0.05 * (first / (1 - 0.9**step)) / (np.sqrt(second / (1 - 0.999**step)) + 1e-8)
        return parameters[:-1], float(parameters[-1])
    design = float(model["scale"]) * vectors
    target = ratings - float(model["offset"]) - model["item_bias"][items]
    penalties = penalty * np.eye(design.shape[1] + (1 if kind == "biased" else 0))
    if kind == "biased":
        design = np.hstack([design, np.ones((len(items), 1))])
        penalties[-1, -1] = penalty * 0.1
    solution = np.linalg.solve(design.T @ design + penalties, design.T @ target)
    return (solution[:-1], float(solution[-1])) if kind == "biased" else (solution, 0.0)


def neural_gradient(model, parameters, item_vectors, item_bias, ratings, penalty):
    """Gradient of squared error + L2 with respect to (user vector, user bias), back-propagated
    through the MLP (as dl/recommender/factors.py neural_fold_in_loss)."""
    vector, bias = parameters[:-1], parameters[-1]
    dim = len(vector)
    hidden = np.concatenate([np.broadcast_to(vector, (len(item_vectors), dim)), item_vectors], axis=1)
    mlp, inputs = layers(model), []
    for index, (weights, layer_bias) in enumerate(mlp):
        inputs.append(hidden)
        hidden = hidden @ weights + layer_bias
        if index < len(mlp) - 1:
            hidden = np.maximum(hidden, 0.0)
    error = hidden[:, 0] + bias + item_bias + float(model["offset"]) - ratings
    upstream = 2.0 * error[:, None]
    for index in range(len(mlp) - 1, -1, -1):
        upstream = upstream @ mlp[index][0].T
        if index > 0:
            upstream = upstream * (inputs[index] > 0)
    return np.append(upstream[:, :dim].sum(axis=0) + 2.0 * penalty * vector, 2.0 * error.sum() + 0.2 * penalty * bias)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--user", help="a user id of the training data")
    who.add_argument("--rate", action="append", metavar="ITEM=STARS", help="a new visitor's rating (repeat, 3 or more)")
    who.add_argument("--similar", metavar="ITEM", help="movies most like this item id")
    parser.add_argument("-k", type=int, default=10)
    args = parser.parse_args(argv)
    model, catalog, rated = load()
    item_index = {item: index for index, item in enumerate(catalog["item_ids"])}
    if args.similar is not None:
        if args.similar not in item_index:
            sys.exit(f"error: no item '{args.similar}' in this model")
        vectors = model["item_factors"]
        norms = np.linalg.norm(vectors, axis=1) + 1e-9
        target = item_index[args.similar]
        similarity = vectors @ vectors[target] / (norms * norms[target])
        similarity[target] = -np.inf
        for index in np.argsort(-similarity)[: args.k]:
            print(json.dumps({"item": catalog["item_ids"][index], "title": catalog["titles"][index],
                              "similarity": round(float(similarity[index]), 4)}, ensure_ascii=False))
        return
    if args.user is not None:
        if args.user not in catalog["user_ids"]:
            sys.exit(f"error: no user '{args.user}' in this model")
        user = catalog["user_ids"].index(args.user)
        seen = rated["items"][rated["users"] == user]
        bias = float(model["user_bias"][user])
        predicted = scores(model, model["user_factors"][user], bias)
    else:
        pairs = [pair.partition("=") for pair in args.rate]
        unknown = [item for item, _, _ in pairs if item not in item_index]
        if unknown or len(pairs) < 3:
            sys.exit(f"error: give 3 or more --rate ITEM=STARS with known item ids (unknown: {unknown})")
        seen = np.array([item_index[item] for item, _, _ in pairs])
        stars = np.array([float(stars) for _, _, stars in pairs])
        vector, bias = fold_in(model, seen, stars)
        predicted = scores(model, vector, bias)
    shown = ranking(model, predicted, bias)
    shown[seen] = -np.inf
    order = shown
    if args.rate is not None:  # a visitor: the predicted rating plus their taste (dl/recommender/taste.py)
        liked = seen[stars >= float(catalog["relevance_threshold"])]
        liked = liked if len(liked) else seen[stars >= stars.max()]
        order = shown + TASTE_WEIGHT * taste(rated, liked, len(catalog["item_ids"]), np.isfinite(shown))
    low, high = model["rating_range"]
    for index in np.argsort(-order, kind="stable")[: args.k]:  # ranked unclipped, shown within the rating range
        if not np.isfinite(order[index]):
            break
        print(json.dumps({"item": catalog["item_ids"][index], "title": catalog["titles"][index],
                          "score": round(float(np.clip(shown[index], low, high)), 4)}, ensure_ascii=False))


if __name__ == "__main__":
    main()
