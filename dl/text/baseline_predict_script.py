"""Classify texts with an exported TF-IDF + logistic-regression text classifier (NumPy only).

    pip install numpy
    python predict.py "What a wonderful film" "Boring and far too long"
    python predict.py --file texts.txt          # one text per line

Prints one JSON line per text: text, label, probability. ``baseline.json`` holds the whole model
as numbers (vocabulary, IDF weights, coefficients): no pickle, nothing executed on loading. Texts
are prepared exactly as in training (lower case, punctuation out, each Chinese character a
token); the playground's own ``predict text`` uses ``tfidf_probabilities`` from this very file.
"""

import argparse
import json
import math
import re
import unicodedata
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
CJK_CHARACTER = re.compile(r"([\u3400-\u9fff\uf900-\ufaff])")


def prepare_text(text):
    kept = "".join(" " if unicodedata.category(character).startswith(("P", "S")) else character for character in text.lower())
    return " ".join(CJK_CHARACTER.sub(r" \1 ", kept).split()) or "[empty]"


def tfidf_probabilities(document, prepared_texts):
    """(n, classes) probabilities, as scikit-learn's pipeline computes them: n-gram counts, then
    1 + log(count) when sublinear, times IDF, each row scaled to unit length, then the logistic
    regression (a sigmoid for two classes, a softmax for more)."""
    import numpy as np

    vocabulary, idf = document["vocabulary"], np.asarray(document["idf"], dtype=np.float64)
    low, high = document["ngram_range"]
    rows = np.zeros((len(prepared_texts), len(idf)))
    for row, text in enumerate(prepared_texts):
        words = text.lower().split()
        grams = Counter(" ".join(words[start:start + size]) for size in range(low, high + 1)
                        for start in range(len(words) - size + 1))
        for gram, count in grams.items():
            column = vocabulary.get(gram)
            if column is not None:
                rows[row, column] = (1 + math.log(count)) if document["sublinear_tf"] else count
    rows *= idf
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    rows /= np.where(norms == 0, 1, norms)
    scores = rows @ np.asarray(document["coef"], dtype=np.float64).T + np.asarray(document["intercept"], dtype=np.float64)
    if scores.shape[1] == 1:
        positive = 1 / (1 + np.exp(-scores[:, 0]))
        return np.stack([1 - positive, positive], axis=1)
    scores -= scores.max(axis=1, keepdims=True)
    exponentials = np.exp(scores)
    return exponentials / exponentials.sum(axis=1, keepdims=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Classify texts with the exported TF-IDF + logistic-regression model.")
    parser.add_argument("texts", nargs="*", help="texts to classify")
    parser.add_argument("--file", help="a UTF-8 file with one text per line")
    args = parser.parse_args(argv)
    texts = list(args.texts)
    if args.file:
        texts += [line for line in Path(args.file).read_text(encoding="utf-8").splitlines() if line.strip()]
    if not texts:
        parser.error("give texts or --file")
    document = json.loads((HERE / "baseline.json").read_text(encoding="utf-8"))
    probabilities = tfidf_probabilities(document, [prepare_text(text) for text in texts])
    for text, row in zip(texts, probabilities):
        best = int(row.argmax())
        print(json.dumps({"text": text, "label": document["classes"][best], "probability": round(float(row[best]), 4)},
                         ensure_ascii=False))


if __name__ == "__main__":
    main()
