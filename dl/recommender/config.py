"""The recommender's settings; the model-store key hashes them together with the ratings."""

from __future__ import annotations

from dataclasses import dataclass

from dl.data.errors import DataError

MODEL_KINDS = ("seed", "biased", "neural")
OPTIMIZERS = ("adam", "sgd", "rmsprop")
SPLITS = ("random", "time")


@dataclass(frozen=True)
class RecommenderConfig:
    """Everything that defines a trained recommender."""

    model: str = "biased"  # best held-out RMSE of the three on MovieLens 100k (docs/benchmarks.md)
    embedding_dim: int = 32  # the seed's latent_dim; 16-64 score within 0.01 RMSE on MovieLens
    l2: float = 0.1  # penalty on each looked-up vector: 0.908 RMSE on MovieLens vs 0.928 at 1e-4, 0.938 at 0.3
    hidden_units: int = 64  # width of the neural model's first layer (the second has half)
    optimizer: str = "adam"  # the seed's optimizer: no learning-rate schedule to tune
    learning_rate: float = 0.003  # 3x Adam's default: converges in ~10 epochs instead of 40
    epochs: int = 30  # an upper bound; early stopping usually ends a run around epoch 10
    batch_size: int = 256  # ~310 updates an epoch on MovieLens 100k: fast and still noisy enough
    early_stopping: bool = True  # stop when validation RMSE has not improved for `patience` epochs
    patience: int = 3  # MF's validation curve is smooth: three flat epochs mean it has converged
    split: str = "random"  # "time" holds out each user's latest ratings (harder, more honest)
    test_fraction: float = 0.2  # the 80/20 split
    validation_fraction: float = 0.05  # training ratings watched by early stopping
    seed: int = 0  # same data + settings = same model (and the same cache entry)
    # ranking (what is recommended, and NDCG/Precision@10); predicted ratings and RMSE do not change:
    ranking_shrinkage: float = 25.0  # a movie's own part of its score counts n/(n+25) of its n ratings (the bias
    #   baseline's shrinkage): NDCG@10 0.084 -> 0.123 on MovieLens, 0.009 -> 0.077 on a long-tailed file (bench/recommender_ranking.py)
    min_ratings_to_recommend: int = 5  # never recommend a movie rated by fewer people: 1-4 ratings say little

    def validate(self) -> None:
        """Raise DataError (a message for the user) when a value is out of range."""
        checks = [
            (self.model in MODEL_KINDS, f"model must be one of {MODEL_KINDS}"),
            (1 <= self.embedding_dim <= 512, "embedding_dim must be 1-512"),
            (0.0 <= self.l2 <= 1.0, "l2 must be 0-1"),
            (4 <= self.hidden_units <= 1024, "hidden_units must be 4-1024"),
            (self.optimizer in OPTIMIZERS, f"optimizer must be one of {OPTIMIZERS}"),
            (0.0 < self.learning_rate <= 1.0, "learning_rate must be in (0, 1]"),
            (1 <= self.epochs <= 500, "epochs must be 1-500"),
            (1 <= self.batch_size <= 65536, "batch_size must be 1-65536"),
            (self.split in SPLITS, f"split must be one of {SPLITS}"),
            (0.05 <= self.test_fraction <= 0.5, "test_fraction must be 0.05-0.5"),
            (0.0 <= self.validation_fraction <= 0.3, "validation_fraction must be 0-0.3"),
            (0.0 <= self.ranking_shrinkage <= 10_000, "ranking_shrinkage must be 0-10000"),
            (1 <= self.min_ratings_to_recommend <= 10_000, "min_ratings_to_recommend must be 1-10000"),
        ]
        problems = [message for ok, message in checks if not ok]
        if problems:
            raise DataError("Invalid settings: " + "; ".join(problems) + ".")
