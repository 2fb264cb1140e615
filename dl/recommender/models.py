"""The three Keras recommenders. Each takes two integer inputs, ``user`` and ``item`` (indices),
and returns a predicted rating.

- ``seed``: the seed article's model: user and movie embeddings, their dot product, Dense(1).
- ``biased``: biased matrix factorisation, global mean + user bias + movie bias + dot product,
  with L2 on every looked-up vector (Koren, Bell & Volinsky 2009).
- ``neural``: global mean + user bias + movie bias + a small MLP over the two embeddings side by side.

Only built-in layers are used, so the ``.keras`` file loads with ``safe_mode=True``; the global
mean enters through ``Rescaling(offset=...)``. ``dl.recommender.factors`` reads the weights back
as NumPy arrays by the layer names given here.
"""

from __future__ import annotations

from typing import Any

from dl.recommender.config import RecommenderConfig


def build_model(config: RecommenderConfig, num_users: int, num_items: int, global_mean: float) -> Any:
    import keras

    user = keras.Input(shape=(), dtype="int32", name="user")
    item = keras.Input(shape=(), dtype="int32", name="item")
    regularizer = keras.regularizers.l2(config.l2) if config.l2 and config.model != "seed" else None
    initializer = keras.initializers.RandomNormal(stddev=0.05, seed=config.seed)

    def embedding(count: int, width: int, name: str, regularized: bool = True):
        return keras.layers.Embedding(
            count, width, embeddings_initializer="zeros" if width == 1 else initializer,
            activity_regularizer=regularizer if regularized else None, name=name,
        )

    user_vector = embedding(num_users, config.embedding_dim, "user_embedding")(user)
    item_vector = embedding(num_items, config.embedding_dim, "item_embedding")(item)
    if config.model == "seed":
        dot = keras.layers.Dot(axes=-1, name="dot")([user_vector, item_vector])
        rating = keras.layers.Dense(1, name="rating")(dot)  # the seed's Dense(units=1) on the dot product
    elif config.model == "biased":
        dot = keras.layers.Dot(axes=-1, name="dot")([user_vector, item_vector])
        user_bias = keras.layers.Flatten(name="user_bias_flat")(embedding(num_users, 1, "user_bias", False)(user))
        item_bias = keras.layers.Flatten(name="item_bias_flat")(embedding(num_items, 1, "item_bias", False)(item))
        summed = keras.layers.Add(name="sum")([dot, user_bias, item_bias])
        rating = keras.layers.Rescaling(1.0, offset=global_mean, name="rating")(summed)
    else:
        hidden = keras.layers.Concatenate(name="concat")([user_vector, item_vector])
        hidden = keras.layers.Dense(config.hidden_units, activation="relu", name="hidden_1")(hidden)
        hidden = keras.layers.Dense(max(2, config.hidden_units // 2), activation="relu", name="hidden_2")(hidden)
        interaction = keras.layers.Dense(1, name="output")(hidden)
        user_bias = keras.layers.Flatten(name="user_bias_flat")(embedding(num_users, 1, "user_bias", False)(user))
        item_bias = keras.layers.Flatten(name="item_bias_flat")(embedding(num_items, 1, "item_bias", False)(item))
        summed = keras.layers.Add(name="sum")([interaction, user_bias, item_bias])
        rating = keras.layers.Rescaling(1.0, offset=global_mean, name="rating")(summed)
    return keras.Model({"user": user, "item": item}, rating, name=f"{config.model}_recommender")


def make_optimizer(name: str, learning_rate: float) -> Any:
    import keras

    return {
        "adam": keras.optimizers.Adam,
        "sgd": lambda learning_rate: keras.optimizers.SGD(learning_rate, momentum=0.9),
        "rmsprop": keras.optimizers.RMSprop,
    }[name](learning_rate=learning_rate)
