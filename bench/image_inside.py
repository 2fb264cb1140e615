"""How long "Inside the model" takes for one photo, once the model is loaded (goal: <= 300 ms).

Trains a seed CNN on the built-in 8x8 digits (sklearn, shown at 28x28 like the page's default) in a
fresh model store, then times, for held-out photos, what the tab does on every rerun:

* ``outputs``: every layer's output (``dl.image.inside.layer_outputs``);
* ``figures``: the page's drawings of them: a feature-map grid per map layer encoded as PNG (what
  ``st.image`` sends), a plotly bar chart per vector layer and the class scores, serialised to JSON
  (what ``st.plotly_chart`` sends);
* ``arithmetic``: one convolution value taken apart and checked against Keras;
* ``histograms``: weight and gradient histograms of every layer (one GradientTape pass).

Each is the median of 20 photos (after one warm-up photo that builds the Keras sub-models). The
strong CNN and a transfer model (EfficientNet-Lite0 blocks + an untrained head: timing only) are
timed the same way. Prints JSON.

    python bench/image_inside.py [--repeats 20]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dl.image import inside  # noqa: E402
from dl.image.cnn import ImageClassifierConfig, strong_config, train_image_classifier  # noqa: E402
from dl.image.dataset import TrainedImageClassifier, load_sklearn_digits  # noqa: E402
from dl.jobs import run_inline  # noqa: E402
from dl.store import ModelStore  # noqa: E402

MAPS_SHOWN = 16  # the tab's default number of maps per layer


def draw_figures(outputs: list, class_names: list[str]) -> int:
    """Build what the tab draws for these outputs; returns the bytes sent to the browser."""
    from PIL import Image

    from ui.image.inside import bars_figure, feature_grid

    sent = 0
    for output in outputs:
        if output.identity_at_prediction or output.kind == "flatten":
            continue
        if output.is_map:
            buffer = io.BytesIO()
            Image.fromarray(feature_grid(output.values, MAPS_SHOWN)).save(buffer, format="PNG")
            sent += buffer.tell()
        else:
            labels = class_names if output.kind == "probabilities" else [str(unit) for unit in range(output.shape[0])]
            sent += len(bars_figure(output.values, labels, "").to_json())
    return sent


def time_model(trained: TrainedImageClassifier, images: np.ndarray, repeats: int, with_conv: bool) -> dict:
    names = inside.conv_layer_names(trained)
    warm = inside.layer_outputs(trained, images[0])  # builds the all-layers model once, as the first photo does
    draw_figures(warm, trained.class_names)
    if with_conv:
        inside.conv_arithmetic(trained, images[0], names[0], 0, 0, 0)
    inside.gradient_histograms(trained, images[0], 0)
    rows: dict[str, list[float]] = {"outputs": [], "figures": [], "outputs_and_figures": [], "arithmetic": [],
                                    "histograms": []}
    sent = 0
    for image in images[1 : repeats + 1]:
        start = time.perf_counter()
        found = inside.layer_outputs(trained, image)
        middle = time.perf_counter()
        sent = draw_figures(found, trained.class_names)
        end = time.perf_counter()
        rows["outputs"].append((middle - start) * 1000)
        rows["figures"].append((end - middle) * 1000)
        rows["outputs_and_figures"].append((end - start) * 1000)
        if with_conv:
            maps = found[[output.name for output in found].index(names[-1])].values
            row, column, channel = (int(index) for index in np.unravel_index(int(np.argmax(maps)), maps.shape))
            start = time.perf_counter()
            inside.conv_arithmetic(trained, image, names[-1], channel, row, column)
            rows["arithmetic"].append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        inside.weight_histograms(trained)
        inside.gradient_histograms(trained, image, 0)
        rows["histograms"].append((time.perf_counter() - start) * 1000)
    result = {f"{name}_ms": round(float(np.median(values)), 1) for name, values in rows.items() if values}
    result.update(layers=len(warm), bytes_sent=sent, photos=len(rows["outputs"]))
    return result


def transfer_model(class_count: int) -> TrainedImageClassifier:
    import keras

    from dl.image.transfer import TransferConfig, TransferImageModel, build_head

    keras.utils.set_random_seed(0)
    head = build_head(class_count, TransferConfig())
    return TrainedImageClassifier(TransferImageModel(head), [str(index) for index in range(class_count)], (224, 224), 3,
                                  {}, [], "transfer", np.array([], dtype=np.int64))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    arguments = parser.parse_args()
    digits = load_sklearn_digits()
    store = ModelStore(Path(tempfile.mkdtemp(prefix="bench_inside_")))
    report: dict = {"data": "sklearn digits (1,797, 8x8 shown at 28x28)", "repeats": arguments.repeats}
    for name, config in (("seed_cnn", ImageClassifierConfig(epochs=5)), ("strong_cnn", strong_config(epochs=3))):
        start = time.perf_counter()
        trained = run_inline(lambda reporter, config=config: train_image_classifier(config, digits, reporter, store))
        photos = digits.images[trained.test_indices[: arguments.repeats + 1]]
        report[name] = {"train_s": round(time.perf_counter() - start, 1), "test_accuracy": trained.metrics["accuracy"],
                        **time_model(trained, photos, arguments.repeats, with_conv=True)}
    photos = digits.images[: arguments.repeats + 1]
    report["transfer"] = time_model(transfer_model(10), photos, arguments.repeats, with_conv=False)
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
