"""A trained recommender as NumPy arrays: score movies, fold in a new visitor, find similar movies.

Reading the Keras weights into arrays once makes everything after training independent of
TensorFlow: a cached model loads in milliseconds, the exported ``predict.py`` needs only NumPy,
and scoring all 1,682 movies for a user is one matrix product. Prediction for user u and movie i:

- seed:    scale * (p_u . q_i) + offset          (the seed's Dense(1) on the dot product)
- biased:  mean + b_u + b_i + p_u . q_i
- neural:  mean + b_u + b_i + MLP([p_u, q_i])

Ranking (what is recommended) uses the same prediction with the movie's own part (everything but
the mean and the user's bias) shrunk by ``n / (n + ranking_shrinkage)`` for a movie with ``n``
training ratings, and leaves out movies with fewer than ``min_ratings`` ratings. A movie seen by
three people who loved it has a large bias and a long vector fitted to three numbers: unshrunk,
such movies fill every top 10 (NDCG@10 below the bias baseline's; bench/recommender_ranking.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

FACTORS_FILE = "factors.npz"
# ridge penalty for a new visitor's vector, per model: the best RMSE with 10 ratings in bench/recommender_fold_in.py
FOLD_IN_L2 = {"biased": 3.0, "seed": 1.0, "neural": 1.0}
NEURAL_FOLD_IN_STEPS = 300  # Adam steps for the neural model's visitor: the loss is flat well before 300
NEURAL_FOLD_IN_RATE = 0.05  # vectors have entries of ~0.1-1: a step of 0.05 crosses them in a few dozen steps


@dataclass
class FactorModel:
    kind: str
    user_factors: np.ndarray  # (users, dim)
    item_factors: np.ndarray  # (items, dim)
    user_bias: np.ndarray  # (users,), zeros for "seed"
    item_bias: np.ndarray  # (items,)
    offset: float  # the global mean ("biased", "neural") or the Dense bias ("seed")
    scale: float = 1.0  # the seed's Dense weight on the dot product
    rating_range: tuple[float, float] = (1.0, 5.0)  # predictions are clipped to the ratings' range
    layers: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)  # the neural model's Dense layers
    item_counts: np.ndarray | None = None  # training ratings per movie (None: a model saved before ranking used them)
    ranking_shrinkage: float = 0.0  # see the module docstring; 0 ranks by the predicted rating itself
    min_ratings: int = 1  # movies with fewer training ratings are never recommended

    # ------------------------------------------------------------------ predicting
    def predict(self, users: np.ndarray, items: np.ndarray) -> np.ndarray:
        """Predicted ratings for pairs of user and movie indices."""
        return self._clip(self._raw(self.user_factors[users], self.user_bias[users], items))

    def score_users(self, users: np.ndarray, clip: bool = True) -> np.ndarray:
        """(len(users), items) predicted ratings of every movie for each user.

        ``clip=False`` keeps scores beyond the rating range: ranking needs them, as clipping makes
        every movie predicted above 5 stars tie at 5."""
        users = np.asarray(users)
        if self.kind == "neural":
            return np.stack([self.score_vector(self.user_factors[user], float(self.user_bias[user]), clip) for user in users])
        raw = (self.scale * (self.user_factors[users] @ self.item_factors.T)
               + self.user_bias[users, None] + self.item_bias[None, :] + self.offset)
        return self._clip(raw) if clip else raw.astype(np.float32)

    def score_vector(self, vector: np.ndarray, bias: float = 0.0, clip: bool = True) -> np.ndarray:
        """Predicted ratings of every movie for a user given by their vector (e.g. folded in)."""
        items = np.arange(len(self.item_factors))
        repeated = np.broadcast_to(vector, (len(items), len(vector)))
        raw = self._raw(repeated, np.full(len(items), bias, np.float32), items)
        return self._clip(raw) if clip else raw.astype(np.float32)

    def _raw(self, user_vectors: np.ndarray, user_bias: np.ndarray, items: np.ndarray) -> np.ndarray:
        item_vectors = self.item_factors[items]
        if self.kind == "neural":
            hidden = np.concatenate([user_vectors, item_vectors], axis=1)
            for index, (weights, bias) in enumerate(self.layers):
                hidden = hidden @ weights + bias
                if index < len(self.layers) - 1:
                    hidden = np.maximum(hidden, 0.0)
            return hidden[:, 0] + user_bias + self.item_bias[items] + self.offset
        dot = np.einsum("ij,ij->i", user_vectors, item_vectors)
        return self.scale * dot + user_bias + self.item_bias[items] + self.offset

    def ranking_scores(self, raw: np.ndarray, user_bias: np.ndarray | float) -> np.ndarray:
        """Scores to rank movies by, in stars, from unclipped predictions ``raw`` (users x movies, or
        one row) and the users' biases: the movie's own part (all but the mean and the user's bias)
        shrunk by how often it was rated, so a rarely rated movie is pulled towards the user's
        average; -inf for a movie with fewer than ``min_ratings`` ratings (never recommended)."""
        raw = np.asarray(raw, np.float64)
        if self.item_counts is None:
            return raw
        baseline = self.offset + np.asarray(user_bias, np.float64)[..., None]
        counts = self.item_counts.astype(np.float64)
        weight = counts / (counts + self.ranking_shrinkage) if self.ranking_shrinkage > 0 else np.ones_like(counts)
        return np.where(counts >= self.min_ratings, baseline + weight * (raw - baseline), -np.inf)

    def rank_users(self, users: np.ndarray) -> np.ndarray:
        """``ranking_scores`` of every movie for each of ``users`` (the ranking metrics use this)."""
        users = np.asarray(users)
        return self.ranking_scores(self.score_users(users, clip=False), self.user_bias[users])

    def _clip(self, values: np.ndarray) -> np.ndarray:
        return np.clip(values, *self.rating_range).astype(np.float32)

    # ------------------------------------------------------------------ a new visitor
    def fold_in(self, items: np.ndarray, ratings: np.ndarray, l2: float | None = None) -> tuple[np.ndarray, float]:
        """The vector (and bias) of a new user who rated ``items``, with every movie held fixed.

        Linear models solve a ridge regression in closed form; the neural model minimises the
        same squared error plus L2 with Adam. No retraining: this takes milliseconds.
        """
        items = np.asarray(items, dtype=np.int64)
        ratings = np.asarray(ratings, dtype=np.float64)
        l2 = FOLD_IN_L2.get(self.kind, 1.0) if l2 is None else l2
        dim = self.item_factors.shape[1]
        if self.kind == "neural":
            return self._fold_in_neural(items, ratings, l2)
        design = self.scale * self.item_factors[items].astype(np.float64)
        target = ratings - self.offset - self.item_bias[items]
        penalty = l2 * np.eye(dim + (1 if self.kind == "biased" else 0))
        if self.kind == "biased":
            design = np.hstack([design, np.ones((len(items), 1))])
            penalty[-1, -1] = l2 * 0.1  # the bias is one number: shrink it less than the vector
        solution = np.linalg.solve(design.T @ design + penalty, design.T @ target)
        if self.kind == "biased":
            return solution[:-1].astype(np.float32), float(solution[-1])
        return solution.astype(np.float32), 0.0

    def _fold_in_neural(self, items: np.ndarray, ratings: np.ndarray, l2: float) -> tuple[np.ndarray, float]:
        """Adam on the user vector and bias, the gradient back-propagated through the fixed MLP.

        Plain NumPy (no SciPy) so that the exported predict.py runs the very same steps."""
        parameters = np.append(self.user_factors.mean(axis=0), 0.0).astype(np.float64)
        first, second = np.zeros_like(parameters), np.zeros_like(parameters)
        for step in range(1, NEURAL_FOLD_IN_STEPS + 1):
            gradient = self.neural_fold_in_loss(parameters, items, ratings, l2)[1]
            first = 0.9 * first + 0.1 * gradient
            second = 0.999 * second + 0.001 * gradient**2
            parameters -= NEURAL_FOLD_IN_RATE * (first / (1 - 0.9**step)) / (np.sqrt(second / (1 - 0.999**step)) + 1e-8)
        return parameters[:-1].astype(np.float32), float(parameters[-1])

    def neural_fold_in_loss(self, parameters: np.ndarray, items: np.ndarray, ratings: np.ndarray,
                            l2: float) -> tuple[float, np.ndarray]:
        """Squared error of (user vector, user bias) = ``parameters`` on their ratings, plus L2 on the
        vector (the bias is shrunk ten times less, as in the linear fold-in), and its gradient."""
        vector, bias = parameters[:-1], parameters[-1]
        dim = len(vector)
        hidden = np.concatenate([np.broadcast_to(vector, (len(items), dim)), self.item_factors[items]], axis=1)
        inputs = []
        for index, (weights, layer_bias) in enumerate(self.layers):
            inputs.append(hidden)
            hidden = hidden @ weights + layer_bias
            if index < len(self.layers) - 1:
                hidden = np.maximum(hidden, 0.0)
        error = hidden[:, 0] + bias + self.item_bias[items] + self.offset - ratings
        upstream = 2.0 * error[:, None]  # d loss / d output
        for index in range(len(self.layers) - 1, -1, -1):
            upstream = upstream @ self.layers[index][0].T
            if index > 0:
                upstream = upstream * (inputs[index] > 0)  # through the ReLU that made this layer's input
        gradient = np.append(upstream[:, :dim].sum(axis=0) + 2.0 * l2 * vector, 2.0 * error.sum() + 0.2 * l2 * bias)
        loss = np.sum(error**2) + l2 * np.sum(vector**2) + 0.1 * l2 * bias**2
        return float(loss), gradient

    # ------------------------------------------------------------------ similar movies
    def similar_items(self, item: int, count: int = 10, candidates: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Movies whose vectors point the same way as ``item``'s (cosine similarity), best first."""
        similarity = self.item_similarity(item)
        similarity[item] = -np.inf
        if candidates is not None:
            mask = np.full(len(similarity), -np.inf)
            mask[candidates] = 0.0
            similarity = similarity + mask
        order = np.argsort(-similarity)[:count]
        return [(int(index), float(similarity[index])) for index in order if np.isfinite(similarity[index])]

    def item_similarity(self, item: int) -> np.ndarray:
        norms = np.linalg.norm(self.item_factors, axis=1) + 1e-9
        return (self.item_factors @ self.item_factors[item]) / (norms * norms[item])

    # ------------------------------------------------------------------ files
    def save(self, folder: Path) -> None:
        arrays: dict[str, Any] = {
            "kind": np.array(self.kind), "user_factors": self.user_factors, "item_factors": self.item_factors,
            "user_bias": self.user_bias, "item_bias": self.item_bias, "offset": np.array(self.offset),
            "scale": np.array(self.scale), "rating_range": np.array(self.rating_range),
        }
        for index, (weights, bias) in enumerate(self.layers):
            arrays[f"layer_{index}_weights"], arrays[f"layer_{index}_bias"] = weights, bias
        if self.item_counts is not None:
            arrays.update(item_counts=self.item_counts, ranking_shrinkage=np.array(self.ranking_shrinkage),
                          min_ratings=np.array(self.min_ratings))
        np.savez(Path(folder) / FACTORS_FILE, **arrays)

    @classmethod
    def load(cls, folder: Path) -> FactorModel:
        """Read ``factors.npz`` (plain arrays: ``allow_pickle=False``, nothing is executed)."""
        with np.load(Path(folder) / FACTORS_FILE, allow_pickle=False) as saved:
            layers = []
            while f"layer_{len(layers)}_weights" in saved:
                layers.append((saved[f"layer_{len(layers)}_weights"], saved[f"layer_{len(layers)}_bias"]))
            return cls(
                kind=str(saved["kind"]), user_factors=saved["user_factors"], item_factors=saved["item_factors"],
                user_bias=saved["user_bias"], item_bias=saved["item_bias"], offset=float(saved["offset"]),
                scale=float(saved["scale"]), rating_range=tuple(float(value) for value in saved["rating_range"]),
                layers=layers,
                item_counts=saved["item_counts"] if "item_counts" in saved else None,
                ranking_shrinkage=float(saved["ranking_shrinkage"]) if "ranking_shrinkage" in saved else 0.0,
                min_ratings=int(saved["min_ratings"]) if "min_ratings" in saved else 1,
            )


def factors_from_keras(model: Any, kind: str, rating_range: tuple[float, float]) -> FactorModel:
    """Read a trained Keras recommender's weights by layer name (see dl.recommender.models)."""
    def weights(name: str) -> list[np.ndarray]:
        return [np.asarray(value) for value in model.get_layer(name).get_weights()]

    users = weights("user_embedding")[0]
    items = weights("item_embedding")[0]
    zeros_users, zeros_items = np.zeros(len(users), np.float32), np.zeros(len(items), np.float32)
    if kind == "seed":
        kernel, bias = weights("rating")
        return FactorModel(kind, users, items, zeros_users, zeros_items, offset=float(bias[0]),
                           scale=float(kernel[0, 0]), rating_range=rating_range)
    offset = float(model.get_layer("rating").offset)
    if kind == "biased":
        return FactorModel(kind, users, items, weights("user_bias")[0][:, 0], weights("item_bias")[0][:, 0],
                           offset=offset, rating_range=rating_range)
    layers = [tuple(weights(name)) for name in ("hidden_1", "hidden_2", "output")]
    return FactorModel(kind, users, items, weights("user_bias")[0][:, 0], weights("item_bias")[0][:, 0], offset=offset,
                       rating_range=rating_range, layers=layers)
