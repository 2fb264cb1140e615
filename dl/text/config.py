"""The text classifier's settings; the model-store key hashes them together with the texts."""

from __future__ import annotations

from dataclasses import dataclass

from dl.data.errors import DataError
from dl.data_doctor.labels import CLASS_WEIGHT_SETTINGS, class_weights_wanted

MODEL_KINDS = ("seed", "avgpool", "cnn", "bilstm")
OPTIMIZERS = ("adam", "rmsprop", "sgd")
CLASS_WEIGHTS = CLASS_WEIGHT_SETTINGS
TOKENS_PER_TEXT = 4  # vocabulary kept a training text when scaled
MIN_SCALED_VOCABULARY = 1_000


@dataclass(frozen=True)
class TextClassifierConfig:
    """Everything that defines a trained text classifier."""

    model: str = "avgpool"  # best held-out accuracy per second of the four on the three built-in sets (docs/benchmarks.md)
    vocabulary_size: int = 20_000  # covers 95%+ of token occurrences in every built-in set; an upper bound when scaled
    scale_vocabulary: bool = True  # at most 4 tokens a training text (1,000 at least): 300 Chinese reviews, macro F1 0.63 -> 0.74
    sequence_length: int = 200  # tokens read per text: Fine Foods reviews average ~75 words, Chinese ones ~70 characters
    ngrams: int = 0  # 0 = by language: 1 for words (pairs cost 1-2 points in English), 2 for Chinese characters (+3.5 points)
    embedding_dim: int = 64  # the seed's 128 overfits small sets and doubles the time for no accuracy
    optimizer: str = "adam"  # the seed's optimizer
    learning_rate: float = 0.003  # 3x Adam's default: the embedding of a rare token gets few updates an epoch
    epochs: int = 20  # an upper bound: early stopping ends most runs within 3-6 epochs
    batch_size: int = 64  # ~160 updates an epoch on Rotten Tomatoes
    early_stopping: bool = True  # text models overfit after a few epochs: keep the best validation macro-F1 epoch
    patience: int = 2  # epochs without improvement before stopping, at least (dl.stopping scales it up for small sets)
    class_weights: str = "auto"  # "auto" = on at 3:1 imbalance or more: unweighted, a 85/15 set trains a majority-class model
    dropout: float = 0.3  # between the text encoding and the output layer
    validation_split: float = 0.1  # of the training texts, watched by early stopping
    test_split: float = 0.2  # of every class, held out for the reported metrics (and the baseline)
    max_texts: int = 0  # 0 = all; a smaller number trains on a stratified sample for a quick run
    seed: int = 0  # same texts + settings = same model (and the same cache entry)

    def ngrams_for(self, chinese: bool) -> int:
        """The n-grams actually used: ``ngrams``, or by language when it is 0."""
        return self.ngrams or (2 if chinese else 1)

    def vocabulary_for(self, train_texts: int) -> int:
        """The vocabulary actually kept: ``vocabulary_size``, or fewer for a small set when scaled.

        Rare tokens of a small set get an embedding trained on one or two texts, which the model
        then uses to memorise those texts; the 4 x texts rule was measured on bench/own_data.py.
        """
        if not self.scale_vocabulary:
            return self.vocabulary_size
        return min(self.vocabulary_size, max(MIN_SCALED_VOCABULARY, TOKENS_PER_TEXT * train_texts))

    def weights_on(self, labels, num_classes: int) -> bool:
        """Whether this run weights its classes: ``class_weights``, or by imbalance when "auto"."""
        return class_weights_wanted(self.class_weights, labels, num_classes)

    def validate(self) -> None:
        """Raise DataError (a message for the user) when a value is out of range."""
        checks = [
            (self.model in MODEL_KINDS, f"model must be one of {MODEL_KINDS}"),
            (100 <= self.vocabulary_size <= 200_000, "vocabulary_size must be 100-200,000"),
            (4 <= self.sequence_length <= 2_000, "sequence_length must be 4-2,000"),
            (0 <= self.ngrams <= 3, "ngrams must be 0 (by language) or 1-3"),
            (2 <= self.embedding_dim <= 512, "embedding_dim must be 2-512"),
            (self.optimizer in OPTIMIZERS, f"optimizer must be one of {OPTIMIZERS}"),
            (self.class_weights in CLASS_WEIGHTS, f"class_weights must be one of {CLASS_WEIGHTS}"),
            (0.0 < self.learning_rate <= 1.0, "learning_rate must be in (0, 1]"),
            (1 <= self.epochs <= 200, "epochs must be 1-200"),
            (1 <= self.batch_size <= 4096, "batch_size must be 1-4096"),
            (0.0 <= self.dropout < 1.0, "dropout must be in [0, 1)"),
            (0.0 <= self.validation_split < 0.5, "validation_split must be in [0, 0.5)"),
            (0.0 < self.test_split < 0.5, "test_split must be in (0, 0.5)"),
            (self.max_texts >= 0, "max_texts must be 0 (all) or more"),
        ]
        problems = [message for ok, message in checks if not ok]
        if problems:
            raise DataError("Invalid settings: " + "; ".join(problems) + ".")
