"""The frozen-encoder + logistic-regression baseline as a model of its own, on Rotten Tomatoes.

Trains the BERT labeler with the page's default settings on a stratified sample of the built-in
Rotten Tomatoes reviews (1,000 sentences: "auto" picks the top_layers strategy), then exports the
kept baseline and runs its predict.py in a fresh process on the held-out sentences. Prints JSON: the
fine-tuned and the frozen+LR held-out accuracy and macro F1 (as training scored them), the in-process
probe's accuracy on the same sentences (it must equal the scored one up to the cache's rounding),
the largest difference between predict.py's and the in-process probabilities, the zip's size, and
predict.py's seconds: loading (torch, transformers, the encoder) and per sentence in batches of 64.
Run: python bench/bert_frozen_baseline.py [--sentences 1000]
"""

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

from dl.bert.config import BertConfig  # noqa: E402
from dl.bert.export import export_baseline_zip  # noqa: E402
from dl.bert.train import train_labeler, working_set  # noqa: E402
from dl.jobs import run_inline  # noqa: E402
from dl.store import ModelStore  # noqa: E402
from dl.text.data import load_builtin  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sentences", type=int, default=1000)
    args = parser.parse_args()
    dataset = load_builtin("rotten_tomatoes")
    config = BertConfig(max_sentences=args.sentences)
    started = time.perf_counter()
    trained = run_inline(lambda reporter: train_labeler(config, dataset, reporter, ModelStore(tempfile.mkdtemp())))
    train_seconds = time.perf_counter() - started
    working = working_set(dataset, config)
    texts = [working.texts[index] for index in trained.test_indices]
    labels = working.labels[trained.test_indices]
    trained.predict_baseline(texts[:1])  # loads the pretrained encoder once: timed apart from the sentences
    started = time.perf_counter()
    in_process = trained.predict_baseline(texts)
    in_process_seconds = time.perf_counter() - started
    metrics, probe = trained.metrics, trained.metrics["baselines"]["frozen_logistic_regression"]
    started = time.perf_counter()
    archive = export_baseline_zip(trained)
    export_seconds = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as folder:
        zipfile.ZipFile(io.BytesIO(archive)).extractall(folder)
        (Path(folder) / "sentences.txt").write_text("\n".join(" ".join(text.split()) for text in texts), encoding="utf-8")
        timings = {}
        for name, arguments in (("load_only", ["one sentence"]), ("all", ["--file", "sentences.txt"])):
            started = time.perf_counter()
            run = subprocess.run([sys.executable, "predict.py", "--probabilities", *arguments], cwd=folder, capture_output=True,
                                 text=True, check=True)
            timings[name] = time.perf_counter() - started
        answers = [json.loads(line) for line in run.stdout.splitlines()]
    exported = np.array([[answer["probabilities"][name] for name in trained.class_names] for answer in answers])
    print(json.dumps({
        "data": "rotten_tomatoes", "sentences": trained.config.max_sentences, "strategy": metrics.get("strategy"),
        "test_sentences": int(len(texts)), "train_seconds": round(train_seconds, 1),
        "fine_tuned": {"accuracy": round(metrics["accuracy"], 4), "macro_f1": round(metrics["macro_f1"], 4)},
        "frozen_lr_scored": {"accuracy": round(probe["accuracy"], 4), "macro_f1": round(probe["macro_f1"], 4)},
        "frozen_lr_kept_accuracy": round(float(np.mean(in_process.argmax(axis=1) == labels)), 4),
        "in_process_ms_per_sentence": round(1000 * in_process_seconds / len(texts), 2),
        "export_mb": round(len(archive) / 2**20, 1), "export_seconds": round(export_seconds, 1),
        "predict_py_max_difference": float(np.abs(exported - in_process).max()),
        "predict_py_load_seconds": round(timings["load_only"], 1),
        "predict_py_ms_per_sentence": round(1000 * (timings["all"] - timings["load_only"]) / max(1, len(texts) - 1), 2),
    }, indent=1))


if __name__ == "__main__":
    main()
