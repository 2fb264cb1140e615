"""Export a trained image classifier, load one back, and compress it with int8 quantization.

* ``export_zip(trained)``: a zip with the Keras model, ``class_names.json``, a metrics card
  (``model_card.json`` + ``MODEL_CARD.md``), ``export_info.json`` and a runnable ``predict.py``
  (``python predict.py photo.png`` prints the label). For transfer learning the zip holds the
  trained head (``head.keras``, input: 1,280 features) and ``predict.py`` rebuilds the features with
  the installed EfficientNet-Lite0 packages; the card says so.
* ``load_uploaded_model(data, file_name)``: a ``.keras`` file or an exported zip back into a
  model that predicts; loaded with ``safe_mode=True``; anything else, or a model whose input is
  not image pixels (or EfficientNet-Lite0 features), is a ``DataError``.
* ``compress_classifier(trained, dataset)``: post-training int8 quantization with LiteRT (the
  TFLite converter in TensorFlow), the compression recipe of seed article 004, with file size,
  test accuracy and latency before and after. ``compressed_export_zip`` packs the int8 model the
  same way as ``export_zip``.
"""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
import time
import warnings
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from dl.data import DataError
from dl.data.archives import check_model_file, open_model_archive
from dl.data.errors import too_large
from dl.image import pretrained
from dl.image.dataset import ImageDataset, TrainedImageClassifier
from dl.image.disk import image_chunks, take
from dl.image.kinds import SEED, TRANSFER, model_kind
from dl.image.uploads import DEFAULT_LIMITS
from dl.limits import LIMITS

PREDICT_SCRIPT = Path(__file__).with_name("predict_script.py")
MAX_MODEL_UPLOAD_BYTES = LIMITS.model_upload_bytes
CALIBRATION_IMAGES = 100  # int8 ranges settle after ~100 representative inputs (TFLite's guidance)
LATENCY_IMAGES = 50  # single-image calls timed after warm-up; enough for a stable mean


# ------------------------------------------------------------------------------------------- exporting
def model_card(trained: TrainedImageClassifier, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The metrics card as a dict: what the model is, what it expects, how well it did."""
    from dl.device import framework_versions

    card = {
        "name": f"Deep Learning Playground image classifier ({trained.kind})",
        "kind": trained.kind,
        "classes": list(trained.class_names),
        "input": trained.model_kind.describe_input(trained.image_size, trained.channels),
        "metrics": trained.metrics,
        "epochs_trained": len(trained.history),
        "config": trained.config,
        "versions": {name: version for name, version in framework_versions().items() if version},
        "exported": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
    }
    if trained.model_kind.card_note:
        card["note"] = trained.model_kind.card_note
    card.update(extra or {})
    return card


def model_card_markdown(card: dict[str, Any], heading_level: int = 1) -> str:
    """The card as Markdown: summary, per-class table, confusion matrix, settings.

    ``heading_level``: 1 for a file of its own; deeper (e.g. 4) when shown inside a page.
    """
    metrics = card.get("metrics", {})
    classes = card["classes"]
    title, section = "#" * heading_level, "#" * (heading_level + 1)
    lines = [f"{title} {card['name']}", ""]
    if card.get("note"):
        lines += [f"> {card['note']}", ""]
    lines += [f"- **Classes** ({len(classes)}): {', '.join(classes)}", f"- **Input**: {card['input']}"]
    if "accuracy" in metrics:
        lines.append(f"- **Test accuracy**: {metrics['accuracy']:.1%} on {metrics.get('test_size', '?')} held-out images")
    lines += [f"- **Epochs trained**: {card.get('epochs_trained', '?')}", f"- **Exported**: {card['exported']}", ""]
    if metrics.get("precision") and metrics.get("recall"):
        lines += ["| class | precision | recall |", "|---|---|---|"]
        lines += [
            f"| {name} | {precision:.3f} | {recall:.3f} |"
            for name, precision, recall in zip(classes, metrics["precision"], metrics["recall"], strict=False)
        ]
        lines.append("")
    if metrics.get("confusion_matrix"):
        lines += ["Confusion matrix (rows: true class, columns: predicted):", "", "| | " + " | ".join(classes) + " |"]
        lines.append("|---" * (len(classes) + 1) + "|")
        lines += [f"| **{name}** | " + " | ".join(str(value) for value in row) + " |" for name, row in zip(classes, metrics["confusion_matrix"], strict=False)]
        lines.append("")
    if card.get("compression"):
        lines += [f"{section} Compression (int8)", "", "| | file | accuracy | ms per image |", "|---|---|---|---|"]
        for row in card["compression"]["rows"]:
            lines.append(f"| {row['name']} | {row['bytes'] / 1024:.1f} KiB | {row['accuracy']:.1%} | {row['ms_per_image']:.2f} |")
        lines.append("")
    if card.get("config"):
        lines += [f"{section} Training settings", "", "```json", json.dumps(card["config"], indent=2), "```", ""]
    lines += [f"{section} Use it", "", "```", "python predict.py photo.jpg", "```", "", f"Versions: {json.dumps(card.get('versions', {}))}", ""]
    return "\n".join(lines)


def _keras_bytes(model: Any) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.keras"
        model.save(path)
        return path.read_bytes()


def _export_info(trained: TrainedImageClassifier, model_file: str) -> dict[str, Any]:
    info: dict[str, Any] = {
        "kind": trained.kind,
        "model_file": model_file,
        "class_names": list(trained.class_names),
        "image_size": list(trained.image_size),
        "channels": trained.channels,
        "storage_size": list(DEFAULT_LIMITS.storage_size),
        **trained.model_kind.export_info(),
    }
    return info


def _pack(files: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _common_files(trained: TrainedImageClassifier, model_file: str, model_bytes: bytes, card: dict[str, Any]) -> dict[str, bytes | str]:
    return {
        model_file: model_bytes,
        "class_names.json": json.dumps(list(trained.class_names), ensure_ascii=False, indent=2),
        "export_info.json": json.dumps(_export_info(trained, model_file), ensure_ascii=False, indent=2),
        "model_card.json": json.dumps(card, ensure_ascii=False, indent=2, default=str),
        "MODEL_CARD.md": model_card_markdown(card),
        "predict.py": PREDICT_SCRIPT.read_text(encoding="utf-8"),
    }


def keras_model_of(trained: TrainedImageClassifier) -> Any:
    """The Keras model that is exported: the whole CNN (seed) or the head (transfer)."""
    return trained.model_kind.keras_model(trained.model)


def export_zip(trained: TrainedImageClassifier) -> bytes:
    """The bytes of a zip: ``model.keras`` (seed) or ``head.keras`` (transfer), class names, card,
    export_info.json and predict.py. Unzip it and run ``python predict.py IMAGE``."""
    model_file = trained.model_kind.model_file
    return _pack(_common_files(trained, model_file, _keras_bytes(keras_model_of(trained)), model_card(trained)))


# ------------------------------------------------------------------------------------------- loading back
@dataclass
class UploadedImageModel:
    """A model uploaded by the user. ``predict(pixels 0-255 (n, h, w, c))`` -> probabilities."""

    model: Any  # keras.Model (seed) or TransferImageModel (transfer head)
    class_names: list[str]
    image_size: tuple[int, int]
    channels: int
    kind: str
    file_name: str

    @property
    def model_kind(self) -> Any:
        """What this kind of model does differently (``dl.image.kinds``)."""
        return model_kind(self.kind)

    def predict(self, images: np.ndarray) -> np.ndarray:
        """Probabilities (n, classes) for photos (n, h, w, c) in 0-255 of any size (resized as the model needs)."""
        inputs = self.model_kind.model_inputs(np.asarray(images), self.image_size, self.channels)
        return np.asarray(self.model.predict(inputs, verbose=0))


def load_uploaded_model(data: bytes, file_name: str, expected_input: tuple[int, int, int] | None = None) -> UploadedImageModel:
    """Load a user's ``.keras`` file, or a zip from ``export_zip``, with Keras' ``safe_mode=True``.

    ``expected_input``: (height, width, channels) the model must take, e.g. the current dataset's;
    None accepts any image input. Raises DataError (naming the file) when the upload is too big,
    not a Keras model, or its input or output shape does not fit an image classifier.
    """
    if len(data) > MAX_MODEL_UPLOAD_BYTES:
        raise too_large(file_name, len(data), MAX_MODEL_UPLOAD_BYTES)
    class_names = None
    keras_bytes = data
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise DataError(f"{file_name} is not a Keras model: a .keras file is a zip archive, this is not. Upload the .keras file or the exported zip.",
                        "not_a_model", name=file_name)
    with open_model_archive(data, file_name) as archive:
        names = set(archive.namelist())
        if "config.json" not in names:
            model_files = sorted(name for name in names if name.endswith(".keras") and "/" not in name)
            if not model_files:
                raise DataError(f"{file_name} holds no Keras model (no config.json, no .keras file). Upload a .keras file or a zip exported here.",
                                "no_model_inside", name=file_name)
            keras_bytes = archive.read(model_files[0])
            check_model_file(keras_bytes, f"{model_files[0]} in {file_name}")  # the inner .keras passes the same checks
            if "class_names.json" in names:
                try:
                    class_names = [str(name) for name in json.loads(archive.read("class_names.json"))]
                except ValueError:
                    raise DataError(f"class_names.json in {file_name} is not valid JSON.", "class_names_not_json",
                                    name=file_name) from None
    model = _load_keras_bytes(keras_bytes, file_name)
    return _wrap_uploaded(model, class_names, file_name, expected_input)


def _load_keras_bytes(keras_bytes: bytes, file_name: str) -> Any:
    import keras

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "upload.keras"
        path.write_bytes(keras_bytes)
        try:
            return keras.saving.load_model(path, safe_mode=True, compile=False)
        except Exception as error:  # noqa: BLE001 - Keras raises many types for foreign files
            message = str(error).splitlines()[0][:300] if str(error) else type(error).__name__
            raise DataError(f"{file_name} could not be loaded as a Keras model ({message}).", "model_unloadable",
                            name=file_name, reason=message) from None


def _wrap_uploaded(model: Any, class_names: list[str] | None, file_name: str, expected_input: tuple[int, int, int] | None) -> UploadedImageModel:
    from dl.image.transfer import TransferImageModel

    input_shape = tuple(getattr(model, "input_shape", ()) or ())
    output_shape = tuple(getattr(model, "output_shape", ()) or ())
    if isinstance(input_shape[0] if input_shape else None, tuple):
        raise DataError(f"{file_name} has several inputs; an image classifier takes one image.", "model_several_inputs",
                        name=file_name)
    if len(output_shape) != 2 or not output_shape[-1] or output_shape[-1] < 2:
        raise DataError(f"{file_name} outputs shape {output_shape}; an image classifier outputs (batch, classes) with 2 or more classes.",
                        "model_bad_output", name=file_name, shape=str(output_shape))
    num_classes = int(output_shape[-1])
    if class_names is None:
        class_names = [f"class {index}" for index in range(num_classes)]
    if len(class_names) != num_classes:
        raise DataError(f"{file_name} has {num_classes} outputs but {len(class_names)} class names.", "model_class_names_mismatch",
                        name=file_name, outputs=num_classes, names=len(class_names))
    if len(input_shape) == 2 and input_shape[-1] == pretrained.FEATURE_SIZE:
        size = (pretrained.IMAGE_SIZE, pretrained.IMAGE_SIZE)
        if expected_input is not None and expected_input != (*size, 3):
            raise DataError(f"{file_name} is a transfer-learning head (input: 1,280 features), not a model for {expected_input} images.",
                            "model_is_transfer_head", name=file_name, expected=str(expected_input))
        return UploadedImageModel(TransferImageModel(model), class_names, size, 3, TRANSFER.name, file_name)
    if len(input_shape) != 4 or input_shape[-1] not in (1, 3) or not input_shape[1] or not input_shape[2]:
        raise DataError(
            f"{file_name} takes input of shape {input_shape}; image models here take (batch, height, width, 1 or 3) "
            f"pixels, or {pretrained.FEATURE_SIZE} EfficientNet-Lite0 features.", "model_bad_input",
            name=file_name, shape=str(input_shape), features=pretrained.FEATURE_SIZE,
        )
    height, width, channels = int(input_shape[1]), int(input_shape[2]), int(input_shape[3])
    if expected_input is not None and (height, width, channels) != tuple(expected_input):
        size, needed = f"{height}x{width}x{channels}", "x".join(map(str, expected_input))
        raise DataError(f"{file_name} takes {size} images, but this needs {needed}.", "model_wrong_input_size",
                        name=file_name, size=size, needed=needed)
    return UploadedImageModel(model, class_names, (height, width), channels, SEED.name, file_name)


# ------------------------------------------------------------------------------------------- compression
@dataclass
class CompressionReport:
    """Size, accuracy and latency of the model before and after int8 quantization.

    ``rows``: one dict per variant (name, bytes, accuracy, ms_per_image): the Keras float32 model,
    the same model as float32 LiteRT, and the int8 LiteRT model. ``int8_model``: the .tflite bytes.
    For transfer learning the three rows are the head only (features are computed the same way
    for all three, in PyTorch); ``note`` says so.
    """

    rows: list[dict[str, Any]]
    int8_model: bytes = field(repr=False)
    test_size: int
    backend: str
    note: str = ""

    def summary(self) -> dict[str, Any]:
        """Everything but the model bytes, for JSON and the model card."""
        return {key: value for key, value in asdict(self).items() if key != "int8_model"}


def model_inputs(trained: TrainedImageClassifier, images: np.ndarray) -> np.ndarray:
    """What the exported Keras model reads for these dataset images: float32 pixels 0-255 at the
    model's size and channels (seed), or EfficientNet-Lite0 features (transfer)."""
    return trained.model_kind.keras_inputs(images, trained.image_size, trained.channels)


def inputs_in_chunks(trained: TrainedImageClassifier, images: Any) -> np.ndarray:
    """``model_inputs`` of many images a chunk at a time: a big set's test images are on disk
    (``dl.image.disk``), and float32 copies of all of them at their stored size would not fit."""
    parts = [model_inputs(trained, chunk) for chunk in image_chunks(images)]
    return np.concatenate(parts) if parts else model_inputs(trained, images[:0])


def _interpreter(model_bytes: bytes) -> Any:
    """TensorFlow's own LiteRT interpreter: always installed here, so the numbers in the page and the
    benchmarks come from one runtime on every machine (``ai-edge-litert`` is not a requirement; only
    the exported ``predict.py`` prefers it, on the user's device, where it is the light runtime)."""
    import tensorflow as tf

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tf.lite.Interpreter's deprecation notice; it still works in TF 2.21
        interpreter = tf.lite.Interpreter(model_content=model_bytes)
    interpreter.allocate_tensors()
    return interpreter


def run_tflite(model_bytes: bytes, inputs: np.ndarray) -> tuple[np.ndarray, float]:
    """Probabilities for ``inputs`` one by one through a LiteRT model, and mean ms per image."""
    interpreter = _interpreter(model_bytes)
    source, target = interpreter.get_input_details()[0], interpreter.get_output_details()[0]
    outputs = []
    interpreter.set_tensor(source["index"], inputs[:1].astype(source["dtype"]))
    interpreter.invoke()  # warm-up
    started = time.perf_counter()
    for row in inputs:
        interpreter.set_tensor(source["index"], row[None].astype(source["dtype"]))
        interpreter.invoke()
        outputs.append(interpreter.get_tensor(target["index"])[0].copy())
    return np.stack(outputs), (time.perf_counter() - started) * 1000 / len(inputs)


def _run_keras(model: Any, inputs: np.ndarray) -> tuple[np.ndarray, float]:
    model(inputs[:1], training=False)  # warm-up
    started = time.perf_counter()
    outputs = [np.asarray(model(row[None], training=False))[0] for row in inputs]
    return np.stack(outputs), (time.perf_counter() - started) * 1000 / len(inputs)


def convert_to_tflite(model: Any, calibration_inputs: np.ndarray | None) -> bytes:
    """A Keras model as LiteRT flatbuffer bytes: float32 when ``calibration_inputs`` is None, else
    full int8 (weights and activations, ranges from the calibration inputs) with float32 input and
    output so callers feed the same arrays as to the Keras model."""
    import tensorflow as tf

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    if calibration_inputs is not None:
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        samples = calibration_inputs.astype(np.float32)

        def representative_inputs():
            for row in samples:
                yield [row[None]]

        converter.representative_dataset = representative_inputs
    # the converter prints the traced signature to stdout: keep it out of CLI/JSON output
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        return converter.convert()


def compress_classifier(trained: TrainedImageClassifier, dataset: ImageDataset) -> CompressionReport:
    """Post-training int8 quantization of the exported Keras model, measured on the test images.

    Calibration uses up to CALIBRATION_IMAGES training images (never the test ones); accuracy is
    on ``trained.test_indices``; latency is single-image calls, mean of up to LATENCY_IMAGES.
    """
    test_indices = np.asarray(trained.test_indices, dtype=np.int64)
    if len(test_indices) == 0:
        raise DataError("The model has no held-out test images to measure the compressed model on; train with a test split.",
                        "no_test_images")
    training_indices = np.setdiff1d(np.arange(len(dataset.images)), test_indices)
    calibration_indices = np.random.default_rng(0).permutation(training_indices)[:CALIBRATION_IMAGES]
    keras_model = keras_model_of(trained)
    test_inputs = inputs_in_chunks(trained, take(dataset.images, test_indices))
    calibration_inputs = (inputs_in_chunks(trained, take(dataset.images, calibration_indices))
                          if len(calibration_indices) else test_inputs)
    test_labels = dataset.labels[test_indices]
    float_tflite = convert_to_tflite(keras_model, None)
    int8_tflite = convert_to_tflite(keras_model, calibration_inputs)
    timed = test_inputs[:LATENCY_IMAGES]

    def accuracy(probabilities: np.ndarray) -> float:
        return float(np.mean(np.argmax(probabilities, axis=1) == test_labels))

    rows = []
    keras_probabilities = np.asarray(keras_model.predict(test_inputs, verbose=0))
    _, keras_ms = _run_keras(keras_model, timed)
    rows.append({"name": "Keras float32", "bytes": len(_keras_bytes(keras_model)), "accuracy": accuracy(keras_probabilities), "ms_per_image": keras_ms})
    for name, model_bytes in (("LiteRT float32", float_tflite), ("LiteRT int8", int8_tflite)):
        probabilities, _ = run_tflite(model_bytes, test_inputs)
        _, milliseconds = run_tflite(model_bytes, timed)
        rows.append({"name": name, "bytes": len(model_bytes), "accuracy": accuracy(probabilities), "ms_per_image": milliseconds})
    return CompressionReport(rows=rows, int8_model=int8_tflite, test_size=int(len(test_indices)),
                             backend="LiteRT (tf.lite.TFLiteConverter, post-training int8)",
                             note=trained.model_kind.compression_note)


def compressed_export_zip(trained: TrainedImageClassifier, report: CompressionReport) -> bytes:
    """Like ``export_zip`` with ``model_int8.tflite`` instead of the Keras file; the card lists the
    size/accuracy/latency comparison."""
    card = model_card(trained, {"compression": report.summary()})
    return _pack(_common_files(trained, "model_int8.tflite", report.int8_model, card))
