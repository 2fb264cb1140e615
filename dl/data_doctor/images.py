"""The data doctor for labelled images (the image page, ``python -m dl train image``).

Besides the class balance every labelled set shares, it looks at what a CNN trained on the stored
pixels cannot see or will be misled by:

- sizes and colour modes before the reader shrank and converted them (``ImageDataset.originals``,
  uploads only; a built-in set's stored size is its own): mixed sizes, images far from square (the
  reader crops their sides), tiny images among larger ones (upscaled and blurry, unlike the rest),
  greyscale and colour files mixed;
- exact and near-duplicate images. Two 64-bit perceptual hashes, dHash (is each pixel of a 9x8 grey
  thumbnail brighter than its left neighbour) and aHash (is each pixel of an 8x8 one brighter than
  their mean), find candidates within ``HASH_DISTANCE`` (dHash) or ``AVERAGE_HASH_DISTANCE`` (aHash) bits; a candidate is a duplicate
  when the 32x32 grey thumbnails also correlate at ``CORRELATION`` or more. JPEG noise on a dark
  background flips dHash bits (13 and 15 bits for two re-saved MNIST threes) but not aHash's.
  The hash alone is not enough: digits and other dark-background images leave most bits unset, and
  844 pairs of different MNIST digits share the very same hash. Measured (bench notes below): a copy
  re-saved as JPEG at quality 60 after shrinking to 60 % and brightening 15 % is found in 171 of 200
  photo crops (hash distance median 1 bit; the rest are flat sky or wall, where the hash is noise);
  of 12.5 million pairs of different MNIST digits, 22 pass both tests (very alike 1s), 0.0004 %.
  Under one label a copy leaks between the training and the test split; under two, no model can get
  both right;
- classes told apart by size or brightness alone: a depth-3 decision tree on [mean brightness,
  width, height, aspect ratio, greyscale or not] per image, cross-validated; when its balanced
  accuracy goes most of the way from chance to perfect, a CNN can learn that shortcut instead of
  the objects (photos of one class all taken at night, or all from one phone).
"""

from __future__ import annotations

import hashlib
import time

import numpy as np

from dl.data_doctor.findings import Diagnosis, Finding, Severity
from dl.data_doctor.labels import label_findings
from dl.image.dataset import ImageDataset
from dl.image.disk import image_chunks

TINY_SIDE = 32  # px on the short side: below this a photo holds little a 28-128 px CNN input can use
FAR_FROM_SQUARE = 1.5  # long side / short side: the reader's centre crop then cuts off a third or more
HASH_DISTANCE = 10  # bits of 64: keeps 171 of 200 re-saved copies as candidates (12 of 200 crops of 2 photos)
CORRELATION = 0.98  # 32x32 grey thumbnails: 195 of 200 copies reach it; 22 of 12.5M MNIST pairs do
AVERAGE_HASH_DISTANCE = 4  # aHash bits: re-saved copies flip 0-2; more lets in most of MNIST's 1s (7 s, not 1 s)
COARSE_CORRELATION = 0.95  # 8x8 thumbnails, a first cut before the 32x32 test (copies correlate higher at 8x8)
THUMBNAIL = 32  # px a side for the correlation: finer than the hash, coarse enough to ignore JPEG noise
DUPLICATE_SHARE = 0.01  # 1 % of images repeated moves accuracy by about as much: a warning from there
SHORTCUT_SCORE = 0.5  # (balanced accuracy - chance) / (1 - chance) of the tree; MNIST: 0.14, 8x8 digits: 0.13
SHORTCUT_SAMPLE = 3000  # images the tree is cross-validated on (the whole set when smaller): ~0.1 s
EXAMPLES = 3  # shown under a finding
CHUNK = 512  # images per step of every whole-set pass (bounded memory; a big upload's pixels are on disk)
GREY_MODES = {"1", "L", "LA", "La", "I", "I;16", "I;16B", "I;16L", "I;16N", "F"}
FIXES = ("class_weights", "transfer", "drop_near_duplicates", "drop_conflicts")
DATA_FIXES = ("drop_near_duplicates", "drop_conflicts")


def diagnose_images(dataset: ImageDataset, class_weights_on: bool = False) -> Diagnosis:
    """All image findings for ``dataset``; ``class_weights_on``: whether training will weight the classes."""
    started = time.perf_counter()
    findings = label_findings(dataset.labels, dataset.class_names, "image", class_weights_on)
    sizes, modes = original_sizes(dataset), original_colour_modes(dataset)
    findings += _size_findings(dataset, sizes)
    findings += _colour_findings(dataset, modes)
    findings += _duplicate_findings(dataset)
    findings += _shortcut_findings(dataset, sizes, modes)
    return Diagnosis(findings, time.perf_counter() - started)


def apply_image_fix(dataset: ImageDataset, fix: str) -> ImageDataset:
    """The data after a one-click fix.

    ``drop_near_duplicates`` keeps the first image of each group of (near) copies that share a label;
    ``drop_conflicts`` removes every image of a group whose copies carry two labels.
    """
    if fix not in DATA_FIXES:
        raise ValueError(f"not a data fix: {fix}")
    drop: set[int] = set()
    for group in duplicate_groups(dataset.images):
        conflicting = len({int(dataset.labels[index]) for index in group}) > 1
        if fix == "drop_conflicts" and conflicting:
            drop.update(group)
        elif fix == "drop_near_duplicates" and not conflicting:
            drop.update(group[1:])
    return dataset.subset(np.array([index for index in range(len(dataset.labels)) if index not in drop], dtype=np.int64))


# ------------------------------------------------------------------------------------------- what each image was
def original_sizes(dataset: ImageDataset) -> np.ndarray:
    """(n, 2) width and height of each image as given (the stored size for built-in sets)."""
    if dataset.originals is not None:
        return dataset.originals.sizes
    height, width = dataset.image_size
    return np.tile(np.array([[width, height]], dtype=np.int64), (len(dataset.labels), 1))


def original_colour_modes(dataset: ImageDataset) -> np.ndarray:
    """Per image "grey", "colour" or "alpha" (has transparency) as given; the pixels decide for RGB files
    whose three channels are equal (a greyscale photo saved as RGB is greyscale)."""
    if dataset.channels == 1:
        grey = np.ones(len(dataset.labels), dtype=bool)
    else:
        grey = np.concatenate([np.all((chunk[..., 0] == chunk[..., 1]) & (chunk[..., 1] == chunk[..., 2]), axis=(1, 2))
                               for chunk in image_chunks(dataset.images, CHUNK)])
    modes = np.where(grey, "grey", "colour").astype(object)
    if dataset.originals is not None:
        for index, mode in enumerate(dataset.originals.modes):
            if mode in ("RGBA", "LA", "La", "RGBa", "PA"):
                modes[index] = "alpha"
            elif mode in GREY_MODES:
                modes[index] = "grey"
    return modes


def _names(dataset: ImageDataset, indices) -> tuple[str, ...]:
    """File names (uploads) or "class #index" (built-in sets) of a few images."""
    if dataset.originals is not None:
        return tuple(dataset.originals.file_names[index] for index in indices)
    return tuple(f"{dataset.class_names[dataset.labels[index]]} #{index}" for index in indices)


# ------------------------------------------------------------------------------------------- sizes and modes
def _size_findings(dataset: ImageDataset, sizes: np.ndarray) -> list[Finding]:
    findings = []
    short_side, long_side = sizes.min(axis=1), sizes.max(axis=1)
    distinct = {tuple(size) for size in sizes.tolist()}
    if len(distinct) > 1:
        smallest, largest = sizes[int(np.argmin(sizes.prod(axis=1)))], sizes[int(np.argmax(sizes.prod(axis=1)))]
        findings.append(Finding("mixed_sizes", Severity.NOTE, {
            "sizes": len(distinct), "smallest": f"{smallest[0]}×{smallest[1]}", "largest": f"{largest[0]}×{largest[1]}",
            "stored": f"{dataset.image_size[1]}×{dataset.image_size[0]}"}))
    oblong = np.flatnonzero(long_side >= FAR_FROM_SQUARE * short_side)
    if len(oblong):
        findings.append(Finding("far_from_square", Severity.WARNING if len(oblong) >= 0.1 * len(sizes) else Severity.NOTE,
                                {"count": len(oblong), "share": 100 * len(oblong) / len(sizes), "ratio": FAR_FROM_SQUARE},
                                _names(dataset, oblong[:EXAMPLES])))
    tiny = np.flatnonzero(short_side < TINY_SIDE)
    if len(tiny):
        # a set that is all tiny and all one size (sklearn's 8x8 digits) is low-resolution by design
        by_design = len(tiny) == len(sizes) and len(distinct) == 1
        findings.append(Finding("small_images" if by_design else "tiny_images", Severity.NOTE if by_design else Severity.WARNING,
                                {"count": len(tiny), "share": 100 * len(tiny) / len(sizes), "side": TINY_SIDE,
                                 "smallest": int(short_side.min())},
                                () if by_design else _names(dataset, tiny[:EXAMPLES])))
    return findings


def _colour_findings(dataset: ImageDataset, modes: np.ndarray) -> list[Finding]:
    counts = {mode: int(np.sum(modes == mode)) for mode in ("grey", "colour", "alpha")}
    if counts["grey"] and (counts["colour"] + counts["alpha"]):
        minority = "grey" if counts["grey"] <= counts["colour"] + counts["alpha"] else "colour"
        members = np.flatnonzero(modes == minority) if minority == "grey" else np.flatnonzero(modes != "grey")
        return [Finding("mixed_colour_modes", Severity.WARNING, counts, _names(dataset, members[:EXAMPLES]))]
    if counts["alpha"]:
        return [Finding("transparent_images", Severity.NOTE, {"count": counts["alpha"]},
                        _names(dataset, np.flatnonzero(modes == "alpha")[:EXAMPLES]))]
    return []


# ------------------------------------------------------------------------------------------- duplicates
def grey_thumbnails(images: np.ndarray, height: int, width: int) -> np.ndarray:
    """float32 (n, height, width): each image's grey levels averaged over boxes (area resampling)."""
    rows, columns = _box_weights(images.shape[1], height), _box_weights(images.shape[2], width).T
    out = np.empty((len(images), height, width), dtype=np.float32)
    for start in range(0, len(images), CHUNK):
        chunk = images[start : start + CHUNK].astype(np.float32)
        grey = chunk[..., 0] if chunk.shape[-1] == 1 else chunk @ np.array([0.299, 0.587, 0.114], np.float32)
        out[start : start + CHUNK] = np.matmul(np.matmul(rows, grey), columns)
    return out


def _box_weights(source: int, target: int) -> np.ndarray:
    """(target, source): how much of each source pixel falls in each target pixel, rows summing to 1."""
    edges = np.linspace(0.0, source, target + 1)
    starts, ends = np.arange(source), np.arange(1, source + 1)
    overlap = np.clip(np.minimum(edges[1:, None], ends) - np.maximum(edges[:-1, None], starts), 0.0, None)
    return (overlap / overlap.sum(axis=1, keepdims=True)).astype(np.float32)


def difference_hashes(images: np.ndarray) -> np.ndarray:
    """64-bit dHash per image (uint64): bit set where a 9x8 thumbnail's pixel is brighter than its left neighbour."""
    thumbnails = grey_thumbnails(images, 8, 9)
    bits = (thumbnails[:, :, 1:] > thumbnails[:, :, :-1]).reshape(len(images), 64)
    return np.packbits(bits, axis=1).view(">u8")[:, 0].astype(np.uint64)


def average_hashes(images: np.ndarray) -> np.ndarray:
    """64-bit aHash per image (uint64): bit set where an 8x8 thumbnail's pixel is brighter than its mean.
    Steadier than dHash on dark backgrounds, where JPEG noise flips the comparisons of near-equal neighbours."""
    thumbnails = grey_thumbnails(images, 8, 8).reshape(len(images), 64)
    bits = thumbnails > thumbnails.mean(axis=1, keepdims=True)
    return np.packbits(bits, axis=1).view(">u8")[:, 0].astype(np.uint64)


def duplicate_groups(images: np.ndarray) -> list[list[int]]:
    """Indices of images that are the same picture (exactly, or as a near copy), in groups of two or more."""
    count = len(images)
    if count < 2:
        return []
    parent = list(range(count))

    def root(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    exact: dict[bytes, int] = {}
    for start, chunk in zip(range(0, count, CHUNK), image_chunks(images, CHUNK)):
        for index, image in enumerate(chunk, start=start):
            digest = hashlib.blake2b(image.tobytes(), digest_size=16).digest()
            if digest in exact:
                parent[root(index)] = root(exact[digest])
            else:
                exact[digest] = index
    hashes, averages = difference_hashes(images), average_hashes(images)
    coarse, fine = _unit_thumbnails(images, 8), _unit_thumbnails(images, THUMBNAIL)
    for start in range(0, count, CHUNK):
        near = (np.bitwise_count(hashes[start : start + CHUNK, None] ^ hashes[None, :]) <= HASH_DISTANCE) | (
            np.bitwise_count(averages[start : start + CHUNK, None] ^ averages[None, :]) <= AVERAGE_HASH_DISTANCE)
        first, second = np.nonzero(near)
        first += start
        later = second > first
        first, second = first[later], second[later]
        # most candidates of dark-background sets differ already at 8x8: a cheap first cut
        alike = np.einsum("ij,ij->i", coarse[first], coarse[second]) >= COARSE_CORRELATION
        first, second = first[alike], second[alike]
        close = np.einsum("ij,ij->i", fine[first], fine[second]) >= CORRELATION
        for left, right in zip(first[close].tolist(), second[close].tolist()):
            parent[root(right)] = root(left)
    groups: dict[int, list[int]] = {}
    for index in range(count):
        groups.setdefault(root(index), []).append(index)
    return [members for members in groups.values() if len(members) > 1]


def _unit_thumbnails(images: np.ndarray, size: int) -> np.ndarray:
    """(n, size*size) grey thumbnails with mean 0 and length 1: a dot product is their correlation."""
    flat = grey_thumbnails(images, size, size).reshape(len(images), -1)
    flat -= flat.mean(axis=1, keepdims=True)
    flat /= np.maximum(np.linalg.norm(flat, axis=1, keepdims=True), 1e-6)
    return flat


def _duplicate_findings(dataset: ImageDataset) -> list[Finding]:
    groups = duplicate_groups(dataset.images)
    conflicting = [group for group in groups if len({int(dataset.labels[index]) for index in group}) > 1]
    agreeing = [group for group in groups if group not in conflicting]
    findings = []
    if conflicting:
        examples = tuple(" ≠ ".join(f"{name} → {dataset.class_names[dataset.labels[index]]}"
                                    for name, index in zip(_names(dataset, group[:2]), group[:2]))
                         for group in conflicting[:EXAMPLES])
        findings.append(Finding("conflicting_images", Severity.WARNING,
                                {"groups": len(conflicting), "images": sum(map(len, conflicting))}, examples,
                                fix="drop_conflicts"))
    extra = sum(len(group) - 1 for group in agreeing)
    if extra:
        severity = Severity.WARNING if extra >= DUPLICATE_SHARE * len(dataset.labels) else Severity.NOTE
        examples = tuple(" = ".join(_names(dataset, group[:2])) for group in agreeing[:EXAMPLES])
        findings.append(Finding("duplicate_images", severity, {"count": extra, "share": 100 * extra / len(dataset.labels)},
                                examples, fix="drop_near_duplicates"))
    return findings


# ------------------------------------------------------------------------------------------- shortcuts
def shortcut_features(dataset: ImageDataset, sizes: np.ndarray, modes: np.ndarray) -> dict[str, np.ndarray]:
    """Per image, what a class could be told apart by without looking at the content."""
    brightness = grey_thumbnails(dataset.images, 8, 8).reshape(len(dataset.labels), -1).mean(axis=1)
    width, height = sizes[:, 0].astype(float), sizes[:, 1].astype(float)
    return {"brightness": brightness[:, None],
            "size": np.column_stack([width, height, width / height]),
            "colour": (modes == "grey").astype(float)[:, None]}


def shortcut_score(features: np.ndarray, labels: np.ndarray, num_classes: int, seed: int = 0) -> float:
    """How far a depth-3 tree on ``features`` gets from chance to perfect: 0 = chance, 1 = every class right
    (cross-validated balanced accuracy, rescaled)."""
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.tree import DecisionTreeClassifier

    counts = np.bincount(labels, minlength=num_classes)
    folds = int(min(5, counts[counts > 0].min()))
    if folds < 2 or np.ptp(features, axis=0).max() == 0:
        return 0.0
    tree = DecisionTreeClassifier(max_depth=3, min_samples_leaf=2, random_state=seed)
    splitter = StratifiedKFold(folds, shuffle=True, random_state=seed)
    balanced = float(np.mean(cross_val_score(tree, features, labels, cv=splitter, scoring="balanced_accuracy")))
    chance = 1.0 / num_classes
    return max(0.0, (balanced - chance) / (1.0 - chance))


def _shortcut_findings(dataset: ImageDataset, sizes: np.ndarray, modes: np.ndarray) -> list[Finding]:
    import warnings

    features = shortcut_features(dataset, sizes, modes)
    labels = dataset.labels
    if len(labels) > SHORTCUT_SAMPLE:
        chosen = np.random.default_rng(0).choice(len(labels), SHORTCUT_SAMPLE, replace=False)
        features = {name: values[chosen] for name, values in features.items()}
        labels = labels[chosen]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # folds with a class of 2-4 images: sklearn warns, the score still counts
        together = shortcut_score(np.column_stack(list(features.values())), labels, dataset.num_classes)
        if together < SHORTCUT_SCORE:
            return []
        alone = {name: shortcut_score(values, labels, dataset.num_classes) for name, values in features.items()}
    strongest = max(alone, key=alone.get)
    return [Finding(f"shortcut_{strongest}", Severity.WARNING,
                    {"score": 100 * together, "alone": 100 * alone[strongest], "threshold": 100 * SHORTCUT_SCORE},
                    _shortcut_examples(dataset, strongest, sizes, modes))]


def _shortcut_examples(dataset: ImageDataset, feature: str, sizes: np.ndarray, modes: np.ndarray) -> tuple[str, ...]:
    """One line per class (up to five): its typical brightness, size or share of greyscale images."""
    lines = []
    brightness = grey_thumbnails(dataset.images, 4, 4).reshape(len(dataset.labels), -1).mean(axis=1)
    for label, name in list(enumerate(dataset.class_names))[:5]:
        members = dataset.labels == label
        if feature == "brightness":
            lines.append(f"{name}: {np.median(brightness[members]):.0f}/255")
        elif feature == "size":
            width, height = np.median(sizes[members], axis=0)
            lines.append(f"{name}: {width:.0f}×{height:.0f}")
        else:
            lines.append(f"{name}: {100 * np.mean(modes[members] == 'grey'):.0f}%")
    return tuple(lines)
