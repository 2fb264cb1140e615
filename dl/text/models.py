"""The four Keras text classifiers. Each takes raw strings already passed through
``dl.text.tokens.prepare_text`` and returns class probabilities; the TextVectorization layer (with
its vocabulary) is part of the model, so a saved ``.keras`` file is all a user needs.

- ``seed``: the seed article's model: Embedding -> Flatten -> Dense (sigmoid for two classes).
- ``avgpool``: Embedding -> average of the token vectors -> Dropout -> Dense (fastText-like).
- ``cnn``: Embedding -> Conv1D(128, 5) -> global max pooling -> Dropout -> Dense.
- ``bilstm``: Embedding -> bidirectional LSTM(32) -> Dropout -> Dense.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dl.text.config import TextClassifierConfig


def build_vectorizer(config: TextClassifierConfig, texts: list[str], ngrams: int) -> Any:
    """A TextVectorization layer adapted to the training texts (already prepared: no standardizing)."""
    import keras

    vectorizer = keras.layers.TextVectorization(
        max_tokens=config.vocabulary_size, output_sequence_length=config.sequence_length, ngrams=ngrams,
        standardize=None, split="whitespace", name="vectorizer",
    )
    vectorizer.adapt(np.array(texts, dtype=object), batch_size=1024)
    return vectorizer


def build_model(config: TextClassifierConfig, vectorizer: Any, num_classes: int) -> Any:
    import keras

    inputs = keras.Input(shape=(1,), dtype="string", name="text")
    ids = vectorizer(inputs)
    vocabulary = vectorizer.vocabulary_size()
    binary = num_classes == 2 and config.model == "seed"  # the seed's sigmoid + binary cross-entropy
    x = keras.layers.Embedding(vocabulary, 128 if config.model == "seed" else config.embedding_dim,
                               mask_zero=config.model in ("avgpool", "bilstm"), name="embedding")(ids)
    if config.model == "seed":
        x = keras.layers.Flatten(name="flatten")(x)
    elif config.model == "avgpool":
        x = keras.layers.GlobalAveragePooling1D(name="average")(x)
    elif config.model == "cnn":
        x = keras.layers.Conv1D(128, 5, padding="same", activation="relu", name="conv")(x)
        x = keras.layers.GlobalMaxPooling1D(name="max_pool")(x)
    else:
        x = keras.layers.Bidirectional(keras.layers.LSTM(32), name="bilstm")(x)
    if config.model != "seed":
        x = keras.layers.Dropout(config.dropout, seed=config.seed, name="dropout")(x)
    outputs = keras.layers.Dense(1 if binary else num_classes, activation="sigmoid" if binary else "softmax",
                                 name="probabilities")(x)
    return keras.Model(inputs, outputs, name=f"{config.model}_text_classifier")


def is_binary(model: Any) -> bool:
    """The seed's single sigmoid output (probability of the second class)."""
    return int(model.output_shape[-1]) == 1


def make_optimizer(name: str, learning_rate: float) -> Any:
    import keras

    return {"adam": keras.optimizers.Adam, "rmsprop": keras.optimizers.RMSprop,
            "sgd": lambda learning_rate: keras.optimizers.SGD(learning_rate, momentum=0.9)}[name](learning_rate=learning_rate)


def text_batches(prepared: list[str], labels: np.ndarray | None, batch_size: int, shuffle: bool, seed: int = 0) -> Any:
    """A tf.data pipeline of (string tensor (batch, 1), labels) batches: Keras does not take NumPy
    arrays of Python strings."""
    import tensorflow as tf

    strings = tf.constant(list(prepared), dtype=tf.string)[:, None]
    data = tf.data.Dataset.from_tensor_slices(strings if labels is None else (strings, labels.astype(np.int64)))
    if shuffle:
        data = data.shuffle(len(prepared), seed=seed, reshuffle_each_iteration=True)
    return data.batch(batch_size).prefetch(tf.data.AUTOTUNE)


def class_probabilities(model: Any, prepared: list[str], batch_size: int = 256) -> np.ndarray:
    """(n, classes) probabilities for prepared texts (a sigmoid output becomes two columns)."""
    if not prepared:
        return np.zeros((0, int(model.output_shape[-1]) if not is_binary(model) else 2), np.float32)
    output = np.asarray(model.predict(text_batches(prepared, None, batch_size, False), verbose=0))
    if is_binary(model):
        output = np.concatenate([1.0 - output, output], axis=1)
    return output.astype(np.float32)
