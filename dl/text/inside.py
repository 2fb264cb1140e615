"""Inside a trained text model: its word vectors and, for the 1-D CNN, what its filters look for.

Three views, each read from the trained Keras model itself (no retraining):

- ``nearest_words``: the tokens whose embedding row points the same way as a chosen token's
  (cosine similarity). A model trained to tell fresh from rotten puts words that push the same way
  close together; "good" ends up near "great" because both raised the same output, not because the
  model read a dictionary.
- ``frequent_token_map``: the most frequent tokens' embedding rows projected to 2-D (PCA through
  NumPy's SVD), each coloured by the class the model predicts for that token alone, as one text.
- ``filter_activations``: every Conv1D filter's output at every token position of a typed text,
  computed in NumPy from the embedding and the convolution weights (what one filter *is*: a
  weighted sum over a window of 5 word vectors, then ReLU), with the top filters and the window of
  words where each fired most.

The vocabulary is the TextVectorization layer's: index 0 is padding and 1 the unknown token, then
tokens from the most to the least frequent in the training texts (with n-grams, pairs such as
"好 看" are tokens too).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from dl.data.errors import DataError
from dl.text.tokens import prepare_text

FIRST_WORD = 2  # vocabulary rows 0 (padding) and 1 ([UNK]) are not words
CNN_LAYER = "conv"  # dl.text.models names the 1-D CNN's convolution so


class WordNotInVocabulary(DataError):
    """The chosen word is not one of the model's tokens (too rare in the training texts, or another language)."""

    def __init__(self, word: str):
        super().__init__(f"'{word}' is not in the model's vocabulary: it was too rare in the training texts "
                         "(or is not in their language). Try a more common word.", "word_not_in_vocabulary", word=word)


@dataclass
class TextEmbedding:
    """A text model's vocabulary and its embedding matrix (one row a token)."""

    vocabulary: list[str]
    vectors: np.ndarray  # (vocabulary size, embedding width), float32

    def index_of(self, word: str) -> int:
        """The row of ``word`` as the model would read it (lower-cased, punctuation out); WordNotInVocabulary if absent."""
        token = prepare_text(word)
        try:
            index = self.vocabulary.index(token, FIRST_WORD)
        except ValueError:
            raise WordNotInVocabulary(word.strip()) from None
        return index


@dataclass
class TokenMap:
    """The 2-D PCA map of frequent tokens."""

    tokens: list[str]
    x: np.ndarray
    y: np.ndarray
    leaning: np.ndarray  # class index the model predicts for each token alone
    confidence: np.ndarray  # that class's probability
    explained: list[float]  # share of the vectors' variance along each of the two axes


@dataclass
class FilterActivations:
    """Each Conv1D filter's ReLU output at each token position of one text."""

    tokens: list[str]  # the token at each position as the model read it ([UNK] for unknown words)
    activations: np.ndarray  # (positions, filters)
    kernel_size: int

    def top_filters(self, count: int = 10) -> list[dict[str, Any]]:
        """The ``count`` filters with the largest activation anywhere in the text: filter index,
        that activation, the position and the window of tokens the filter saw there."""
        if not len(self.tokens):
            return []
        strongest = self.activations.max(axis=0)
        order = np.argsort(-strongest, kind="stable")[:count]
        half = self.kernel_size // 2  # "same" padding centres the window on the position
        rows = []
        for filter_index in order:
            position = int(np.argmax(self.activations[:, filter_index]))
            window = self.tokens[max(0, position - half):position + half + 1]
            rows.append({"filter": int(filter_index), "activation": float(strongest[filter_index]),
                         "position": position, "token": self.tokens[position], "window": " ".join(window)})
        return rows


def text_embedding(model: Any) -> TextEmbedding:
    """The vocabulary (TextVectorization) and embedding matrix of a dl.text model."""
    vocabulary = [str(token) for token in model.get_layer("vectorizer").get_vocabulary()]
    vectors = np.asarray(model.get_layer("embedding").get_weights()[0], dtype=np.float32)
    return TextEmbedding(vocabulary, vectors)


def nearest_words(embedding: TextEmbedding, word: str, count: int = 10) -> list[tuple[str, float]]:
    """(token, cosine similarity) of the ``count`` tokens closest to ``word``, most similar first;
    the word itself, padding and [UNK] are left out. WordNotInVocabulary for an unknown word."""
    index = embedding.index_of(word)
    vectors = embedding.vectors.astype(np.float64)
    norms = np.linalg.norm(vectors, axis=1)
    similarity = vectors @ vectors[index] / np.maximum(norms * norms[index], 1e-12)
    similarity[:FIRST_WORD] = -np.inf
    similarity[index] = -np.inf
    order = np.argsort(-similarity, kind="stable")[:count]
    return [(embedding.vocabulary[position], float(similarity[position])) for position in order
            if np.isfinite(similarity[position])]


def pca_2d(vectors: np.ndarray) -> tuple[np.ndarray, list[float]]:
    """(n, 2) coordinates of ``vectors`` on their first two principal axes, and each axis's share of the variance."""
    centred = np.asarray(vectors, np.float64) - np.asarray(vectors, np.float64).mean(axis=0)
    _, singular, axes = np.linalg.svd(centred, full_matrices=False)
    coordinates = centred @ axes[:2].T
    if coordinates.shape[1] < 2:  # a single token or a 1-wide embedding: a flat second axis
        coordinates = np.hstack([coordinates, np.zeros((len(coordinates), 2 - coordinates.shape[1]))])
    variance = singular**2 / max(float((singular**2).sum()), 1e-12)
    return coordinates, [float(value) for value in variance[:2]]


def frequent_token_map(model: Any, embedding: TextEmbedding, count: int = 300) -> TokenMap:
    """The ``count`` most frequent tokens on a 2-D map, each with the class the model predicts for
    the token alone (one batched prediction of ``count`` one-token texts)."""
    from dl.text.models import class_probabilities

    stop = min(len(embedding.vocabulary), FIRST_WORD + count)
    tokens = embedding.vocabulary[FIRST_WORD:stop]
    coordinates, explained = pca_2d(embedding.vectors[FIRST_WORD:stop])
    probabilities = class_probabilities(model, tokens) if tokens else np.zeros((0, 2), np.float32)
    return TokenMap(tokens, coordinates[:, 0], coordinates[:, 1], probabilities.argmax(axis=1),
                    probabilities.max(axis=1) if len(tokens) else np.zeros(0, np.float32), explained)


def has_filters(model: Any) -> bool:
    """Whether the model is the 1-D CNN (the only one with convolution filters)."""
    return any(layer.name == CNN_LAYER for layer in model.layers)


def filter_activations(model: Any, text: str, embedding: TextEmbedding | None = None) -> FilterActivations:
    """Every filter's activation at every token of ``text`` (the 1-D CNN only), in NumPy:
    relu(sum over the window of embedding[token] @ kernel[offset] + bias), with the window
    zero-padded at both ends as Keras' ``padding="same"`` does. Positions beyond the text (padding
    up to the sequence length) are computed, as the model does, but not returned. Pass ``embedding``
    (``text_embedding(model)``) when calling often: reading the vocabulary is half the time."""
    ids = token_ids(model, text)
    embedding = embedding or text_embedding(model)
    kernel, bias = (np.asarray(value, np.float64) for value in model.get_layer(CNN_LAYER).get_weights())
    kernel_size = kernel.shape[0]
    embedded = embedding.vectors[ids].astype(np.float64)  # (sequence length, width)
    before = (kernel_size - 1) // 2
    padded = np.pad(embedded, ((before, kernel_size - 1 - before), (0, 0)))
    outputs = bias + sum(padded[offset:offset + len(ids)] @ kernel[offset] for offset in range(kernel_size))
    length = int(np.count_nonzero(ids))  # real tokens come first, then padding (id 0)
    tokens = [embedding.vocabulary[index] for index in ids[:length]]
    return FilterActivations(tokens, np.maximum(outputs[:length], 0.0).astype(np.float32), kernel_size)


def token_ids(model: Any, text: str) -> np.ndarray:
    """The model's own token ids for ``text`` (its TextVectorization layer), padded to the sequence length."""
    import tensorflow as tf

    vectorizer = model.get_layer("vectorizer")
    return np.asarray(vectorizer(tf.constant([prepare_text(text)])))[0].astype(np.int64)
