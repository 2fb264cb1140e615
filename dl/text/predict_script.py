"""Classify texts with an exported text classifier.

    pip install "tensorflow>=2.20" "keras>=3.10"
    python predict.py "What a wonderful film" "Boring and far too long"
    python predict.py --file texts.txt          # one text per line

Prints one JSON line per text: text, label, probability. The model (model.keras) holds its own
vocabulary; texts are prepared exactly as in training (lower case, punctuation out, each Chinese
character a token), by ``prepare_text`` below.
"""

import argparse
import json
import os
import re
import unicodedata
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
HERE = Path(__file__).resolve().parent
CJK_CHARACTER = re.compile(r"([\u3400-\u9fff\uf900-\ufaff])")


def prepare_text(text):
    kept = "".join(" " if unicodedata.category(character).startswith(("P", "S")) else character for character in text.lower())
    return " ".join(CJK_CHARACTER.sub(r" \1 ", kept).split()) or "[empty]"


def main(argv=None):
    parser = argparse.ArgumentParser(description="Classify texts with the exported model.")
    parser.add_argument("texts", nargs="*", help="texts to classify")
    parser.add_argument("--file", help="a UTF-8 file with one text per line")
    args = parser.parse_args(argv)
    texts = list(args.texts)
    if args.file:
        texts += [line for line in Path(args.file).read_text(encoding="utf-8").splitlines() if line.strip()]
    if not texts:
        parser.error("give texts or --file")
    import keras
    import numpy as np
    import tensorflow as tf

    model = keras.models.load_model(HERE / "model.keras", safe_mode=True)
    classes = json.loads((HERE / "classes.json").read_text(encoding="utf-8"))
    output = np.asarray(model.predict(tf.constant([prepare_text(text) for text in texts])[:, None], verbose=0))
    if output.shape[1] == 1:  # the seed model's sigmoid: probability of the second class
        output = np.concatenate([1.0 - output, output], axis=1)
    for text, row in zip(texts, output):
        best = int(row.argmax())
        print(json.dumps({"text": text, "label": classes[best], "probability": round(float(row[best]), 4)}, ensure_ascii=False))


if __name__ == "__main__":
    main()
