"""Inside a trained text model: how long each view of the text page's Inside-the-model tab takes.

Trains the 1-D CNN (default settings otherwise) on the built-in Rotten Tomatoes reviews, then times
reading the embedding, nearest words (20 words), the map of the 300 most frequent tokens (PCA + one
prediction per token) and the filter activations of 20 held-out texts (NumPy), beside the same
activations through a Keras sub-model. Also prints what the views show for a few opinion words, and
how often the map's colour (the model's prediction for a token alone) agrees with the class the token
is more frequent in (per text of each class) among the training texts.
Run: python bench/text_inside.py [--quick]   (--quick: 2,000 texts)
"""

import argparse
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

from dl.jobs import run_inline  # noqa: E402
from dl.store import ModelStore  # noqa: E402
from dl.text.config import TextClassifierConfig  # noqa: E402
from dl.text.data import load_builtin  # noqa: E402
from dl.text.inside import filter_activations, frequent_token_map, nearest_words, text_embedding  # noqa: E402
from dl.text.tokens import prepare_text  # noqa: E402
from dl.text.train import train_text_classifier, working_set  # noqa: E402

WORDS = ["good", "bad", "boring", "funny", "great", "worst", "beautiful", "dull", "love", "mess"]


def milliseconds(call, repeats: int = 1) -> tuple[float, object]:
    """Median wall time of ``call()`` in ms over ``repeats`` runs, and its last result."""
    times, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = call()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 2), result


def class_share_agreement(token_map, dataset, config) -> float:
    """Share of map tokens whose colour is the class they occur in more often, per text of that class."""
    working = working_set(dataset, config)
    counts = np.zeros((len(token_map.tokens), working.num_classes))
    position = {token: index for index, token in enumerate(token_map.tokens)}
    for text, label in zip(working.texts, working.labels, strict=True):
        for token in set(prepare_text(text).split()):
            if token in position:
                counts[position[token], label] += 1
    per_text = counts / np.bincount(working.labels, minlength=working.num_classes)
    seen = counts.sum(axis=1) > 0
    return float(np.mean(per_text[seen].argmax(axis=1) == token_map.leaning[seen]))


def keras_difference(model, inner, embedding, text: str) -> float:
    """Largest |NumPy activation - Keras sub-model activation| over the text's positions and filters."""
    import tensorflow as tf

    found = filter_activations(model, text, embedding)
    keras_output = np.asarray(inner(tf.constant([[prepare_text(text)]])))[0][:len(found.tokens)]
    return float(np.abs(found.activations - keras_output).max())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    arguments = parser.parse_args()
    dataset = load_builtin("rotten_tomatoes")
    config = TextClassifierConfig(model="cnn", max_texts=2_000 if arguments.quick else 0)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        trained = run_inline(lambda reporter: train_text_classifier(config, dataset, reporter, ModelStore(folder)))
        train_seconds = round(time.perf_counter() - started, 1)
        model = trained.model
        embedding_ms, embedding = milliseconds(lambda: text_embedding(model), 5)
        words = [word for word in WORDS if prepare_text(word) in embedding.vocabulary]
        started = time.perf_counter()
        neighbours = {word: nearest_words(embedding, word, 5) for word in words}
        nearest_ms = round((time.perf_counter() - started) * 1000 / max(len(words), 1), 2)
        frequent_token_map(model, embedding, 300)  # the first prediction builds Keras' predict function
        map_ms, token_map = milliseconds(lambda: frequent_token_map(model, embedding, 300), 3)
        working = working_set(dataset, config)
        texts = [working.texts[index] for index in trained.test_indices[:20]]
        filter_activations(model, texts[0])  # TF's first call of the vectorizer traces it
        filters_ms = statistics.median(milliseconds(lambda text=text: filter_activations(model, text, embedding))[0] for text in texts)

        import keras
        import tensorflow as tf

        inner = keras.Model(model.inputs, model.get_layer("conv").output)
        inner(tf.constant([[prepare_text(texts[0])]]))
        keras_ms = statistics.median(milliseconds(lambda text=text: inner(tf.constant([[prepare_text(text)]])))[0] for text in texts)
        largest_difference = max(keras_difference(model, inner, embedding, text) for text in texts)
        top = filter_activations(model, "a dull, boring mess with a wonderful, moving performance").top_filters(5)
    print(json.dumps({
        "data": {"set": "rotten_tomatoes", "texts": len(working.texts), "vocabulary": len(embedding.vocabulary)},
        "model": {"kind": "cnn", "accuracy": round(trained.metrics["accuracy"], 4),
                  "baseline_accuracy": round(trained.metrics["baseline"]["accuracy"], 4), "train_seconds": train_seconds},
        "milliseconds": {"read_embedding": embedding_ms, "nearest_words_per_word": nearest_ms, "map_300_tokens": map_ms,
                         "filters_per_text_numpy": round(filters_ms, 2), "filters_per_text_keras_submodel": round(keras_ms, 2)},
        "filters_numpy_vs_keras_largest_difference": largest_difference,
        "map": {"tokens": len(token_map.tokens), "explained_variance": [round(share, 3) for share in token_map.explained],
                "colour_agrees_with_class_share": round(class_share_agreement(token_map, dataset, config), 3)},
        "nearest": {word: [[token, round(similarity, 3)] for token, similarity in found] for word, found in neighbours.items()},
        "filters_on_a_mixed_review": [{key: (round(value, 3) if isinstance(value, float) else value) for key, value in row.items()}
                                      for row in top],
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
