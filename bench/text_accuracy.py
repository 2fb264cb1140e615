"""Text classification quality and speed on the three built-in sets.

Prints JSON: for every set, each model kind's held-out accuracy and macro F1 beside the TF-IDF +
logistic-regression baseline on the same split, epochs and seconds (default settings, plus the
average-of-vectors model with 1- and 2-grams); Chinese tokens: TF-IDF + LR on character 1-2-grams
vs jieba words (when jieba is installed), accuracy and fit seconds; speed of our training against a
plain Keras script of the same model (Rotten Tomatoes, 5 epochs, no early stopping); peak RSS.
Run: python bench/text_accuracy.py [--quick]   (--quick: default model only)
"""

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

from dl.data.splits import split_indices  # noqa: E402
from dl.jobs import run_inline  # noqa: E402
from dl.store import ModelStore  # noqa: E402
from dl.text.config import MODEL_KINDS, TextClassifierConfig  # noqa: E402
from dl.text.data import builtin_names, load_builtin  # noqa: E402
from dl.text.tokens import prepare_text  # noqa: E402
from dl.text.train import train_text_classifier  # noqa: E402

SPEED_EPOCHS = 5


def run(config, dataset, store):
    started = time.perf_counter()
    trained = run_inline(lambda reporter: train_text_classifier(config, dataset, reporter, store))
    metrics = trained.metrics
    return {"accuracy": round(metrics["accuracy"], 4), "macro_f1": round(metrics["macro_f1"], 4),
            "baseline_accuracy": round(metrics["baseline"]["accuracy"], 4), "epochs": metrics["epochs_run"],
            "fit_seconds": metrics["fit_seconds"], "job_seconds": round(time.perf_counter() - started, 1)}


def chinese_tokens(dataset):
    """TF-IDF + LR on the same split: character 1-2-grams (ours) vs jieba words 1-2-grams."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    train, _, test = split_indices(dataset.labels, 0.2, 0.0, 0)
    report = {}
    tokenizers = {"characters": prepare_text}
    try:
        import jieba

        jieba.setLogLevel(60)
        tokenizers["jieba_words"] = lambda text: " ".join(jieba.lcut(prepare_text(text).replace(" ", "")))
    except ImportError:
        report["jieba_words"] = "jieba not installed"
    for name, tokenize in tokenizers.items():
        started = time.perf_counter()
        texts = [tokenize(text) for text in dataset.texts]
        vectorizer = TfidfVectorizer(token_pattern=r"\S+", ngram_range=(1, 2), min_df=2, sublinear_tf=True)
        features = vectorizer.fit_transform([texts[index] for index in train])
        model = LogisticRegression(C=4.0, max_iter=2000).fit(features, dataset.labels[train])
        predicted = model.predict(vectorizer.transform([texts[index] for index in test]))
        report[name] = {"accuracy": round(float(np.mean(predicted == dataset.labels[test])), 4),
                        "seconds": round(time.perf_counter() - started, 2)}
    return report


def plain_keras_seconds(dataset, config):
    """The same average-of-vectors model in a plain Keras script on the same training texts."""
    import keras
    import tensorflow as tf

    train, validation, _ = split_indices(dataset.labels, config.test_split, config.validation_split, config.seed)
    prepared = [prepare_text(text) for text in dataset.texts]
    keras.utils.set_random_seed(0)
    vectorizer = keras.layers.TextVectorization(max_tokens=config.vocabulary_size, output_sequence_length=config.sequence_length,
                                                standardize=None, split="whitespace")
    vectorizer.adapt(np.array([prepared[index] for index in train], dtype=object))
    inputs = keras.Input((1,), dtype="string")
    x = keras.layers.Embedding(vectorizer.vocabulary_size(), config.embedding_dim, mask_zero=True)(vectorizer(inputs))
    x = keras.layers.Dropout(config.dropout)(keras.layers.GlobalAveragePooling1D()(x))
    model = keras.Model(inputs, keras.layers.Dense(2, activation="softmax")(x))
    model.compile(keras.optimizers.Adam(config.learning_rate), "sparse_categorical_crossentropy", metrics=["accuracy"])

    def batches(rows):
        strings = tf.constant([prepared[index] for index in rows])[:, None]
        return tf.data.Dataset.from_tensor_slices((strings, dataset.labels[rows])).batch(config.batch_size)

    started = time.perf_counter()
    model.fit(batches(train).shuffle(64), validation_data=batches(validation), epochs=SPEED_EPOCHS, verbose=0)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    store = ModelStore(tempfile.mkdtemp(prefix="bench-text-"))
    report: dict = {"sets": {}}
    for name in builtin_names():
        dataset = load_builtin(name)
        runs = {"data": dataset.summary()}
        kinds = ("avgpool",) if args.quick else MODEL_KINDS
        for kind in kinds:
            runs[kind] = run(TextClassifierConfig(model=kind), dataset, store)
        if not args.quick:
            for ngrams in (1, 2):
                runs[f"avgpool_ngrams_{ngrams}"] = run(TextClassifierConfig(model="avgpool", ngrams=ngrams), dataset, store)
        report["sets"][name] = runs
        print(json.dumps({name: runs}), file=sys.stderr, flush=True)
    report["chinese_tokens"] = chinese_tokens(load_builtin("chinese_reviews"))
    config = TextClassifierConfig(epochs=SPEED_EPOCHS, early_stopping=False)
    rotten = load_builtin("rotten_tomatoes")
    plain = min(plain_keras_seconds(rotten, config) for _ in range(2))
    ours = min(run(config, rotten, ModelStore(tempfile.mkdtemp()))["fit_seconds"] for _ in range(2))
    report["speed"] = {"epochs": SPEED_EPOCHS, "plain_keras_fit_seconds": round(plain, 2), "our_fit_seconds": round(ours, 2),
                       "ratio": round(ours / plain, 2)}
    report["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
