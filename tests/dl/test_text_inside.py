"""Inside a trained text model (dl.text.inside): nearest words against a cosine computed here with
NumPy, the 1-D CNN's filter activations against Keras' own Conv1D output (a sub-model of the
trained network), the 2-D map's shape and its colours against the model's predictions."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from dl.jobs import run_inline
from dl.text.config import TextClassifierConfig
from dl.text.data import load_builtin
from dl.text.inside import (
    WordNotInVocabulary,
    filter_activations,
    frequent_token_map,
    has_filters,
    nearest_words,
    text_embedding,
)
from dl.text.train import train_text_classifier

ROOT = Path(__file__).resolve().parents[2]
CONFIG = TextClassifierConfig(model="cnn", max_texts=1_000, epochs=2)  # a few seconds; the views need weights, not accuracy


@pytest.fixture(scope="module")
def cnn(tmp_path_factory):
    from dl.store import ModelStore

    store = ModelStore(tmp_path_factory.mktemp("inside_store"))
    return run_inline(lambda reporter: train_text_classifier(CONFIG, load_builtin("rotten_tomatoes"), reporter, store))


def test_nearest_words_are_the_largest_cosines_without_the_word_itself(cnn):
    model = cnn.model
    vocabulary = model.get_layer("vectorizer").get_vocabulary()
    matrix = np.asarray(model.get_layer("embedding").get_weights()[0], np.float64)
    embedding = text_embedding(model)
    neighbours = nearest_words(embedding, "Film!", 8)  # read as the model reads it: lower case, punctuation out
    target = matrix[vocabulary.index("film")]
    expected = {word: float(matrix[index] @ target / (np.linalg.norm(matrix[index]) * np.linalg.norm(target)))
                for index, word in enumerate(vocabulary) if index >= 2 and word != "film"}
    best = sorted(expected, key=expected.get, reverse=True)[:8]
    assert [word for word, _ in neighbours] == best
    assert all(abs(similarity - expected[word]) < 1e-6 for word, similarity in neighbours)
    assert "film" not in dict(neighbours) and "[UNK]" not in dict(neighbours)


def test_a_planted_neighbour_comes_out_first():
    """An embedding where "superb" is "great" scaled and "awful" points the other way: "superb" is the
    nearest word to "great" (cosine 1) and "awful" the farthest."""
    from dl.text.inside import TextEmbedding

    generator = np.random.default_rng(0)
    vocabulary = ["", "[UNK]", "great", "film", "superb", "awful", "plot", "boring"]
    vectors = generator.normal(size=(len(vocabulary), 16)).astype(np.float32)
    vectors[4] = 3 * vectors[2]
    vectors[5] = -vectors[2]
    neighbours = nearest_words(TextEmbedding(vocabulary, vectors), "great", 5)
    assert neighbours[0][0] == "superb" and abs(neighbours[0][1] - 1.0) < 1e-6
    assert neighbours[-1][0] == "awful" and abs(neighbours[-1][1] + 1.0) < 1e-6


def test_an_unknown_word_is_a_data_error_in_both_languages(cnn):
    with pytest.raises(WordNotInVocabulary) as raised:
        nearest_words(text_embedding(cnn.model), "qwertyuiop")
    error = raised.value
    for language in ("en", "zh"):
        texts = json.loads((ROOT / "locales" / language / "errors.json").read_text(encoding="utf-8"))
        assert "qwertyuiop" in texts[error.code].format(**error.values)
    english = json.loads((ROOT / "locales" / "en" / "errors.json").read_text(encoding="utf-8"))
    assert english[error.code].format(**error.values) == str(error)


def test_filter_activations_equal_keras_conv1d_output(cnn):
    import keras
    import tensorflow as tf

    model = cnn.model
    assert has_filters(model)
    text = "A wonderful, moving film; the plot is dull but the acting is superb."
    found = filter_activations(model, text)
    from dl.text.tokens import prepare_text

    inner = keras.Model(model.inputs, model.get_layer("conv").output)
    keras_output = np.asarray(inner(tf.constant([[prepare_text(text)]])))[0]
    words = prepare_text(text).split()
    assert len(found.tokens) == len(words) and found.activations.shape == (len(words), 128)
    np.testing.assert_allclose(found.activations, keras_output[:len(words)], atol=1e-4)
    top = found.top_filters(5)
    assert len(top) == 5 and top[0]["activation"] == pytest.approx(keras_output[:len(words)].max(), abs=1e-4)
    assert top[0]["token"] in top[0]["window"].split() and len(top[0]["window"].split()) <= 5


def test_the_map_places_the_most_frequent_tokens_and_colours_them_by_the_models_prediction(cnn):
    model = cnn.model
    token_map = frequent_token_map(model, text_embedding(model), 50)
    vocabulary = model.get_layer("vectorizer").get_vocabulary()
    assert token_map.tokens == vocabulary[2:52]  # the vectorizer orders tokens by frequency
    assert token_map.x.shape == token_map.y.shape == (50,) and 0 < sum(token_map.explained) <= 1 + 1e-9
    assert abs(token_map.x.mean()) < 1e-6  # centred: principal axes pass through the mean
    probabilities = cnn.predict(token_map.tokens[:5])
    assert list(token_map.leaning[:5]) == list(probabilities.argmax(axis=1))


def test_a_model_without_convolution_has_no_filters(cnn, tmp_path):
    from dl.store import ModelStore

    config = TextClassifierConfig(model="avgpool", max_texts=500, epochs=1)
    avgpool = run_inline(lambda reporter: train_text_classifier(config, load_builtin("rotten_tomatoes"), reporter, ModelStore(tmp_path)))
    assert not has_filters(avgpool.model)
    assert nearest_words(text_embedding(avgpool.model), "film", 3)  # every model has word vectors
