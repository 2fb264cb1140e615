"""The image data doctor: each finding on a set made to have it, none of them on a clean set.

Sets are real zips read by the upload reader (so file names, sizes and colour modes come from the
files), built from MNIST digits scaled to photo size: handwriting, not synthetic patterns.
"""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest
from PIL import Image

from dl.data_doctor import Severity
from dl.data_doctor.images import apply_image_fix, diagnose_images, difference_hashes, duplicate_groups
from dl.image.dataset import load_builtin
from dl.image.uploads import read_image_zip

IMAGE_CODES = {"mixed_sizes", "far_from_square", "tiny_images", "small_images", "mixed_colour_modes", "transparent_images",
               "duplicate_images", "conflicting_images", "shortcut_brightness", "shortcut_size", "shortcut_colour"}
PER_CLASS = 60  # above the "few examples" line (50), so a clean set is clean of label findings too


@pytest.fixture(scope="module")
def mnist():
    import sklearn.model_selection  # noqa: F401 - imported once here, so the timings below are the doctor's own
    import sklearn.tree  # noqa: F401

    return load_builtin("mnist")


def digit_images(mnist, digit: int, count: int, offset: int = 0) -> list[Image.Image]:
    members = np.flatnonzero(mnist.labels == digit)[offset : offset + count]
    return [Image.fromarray(mnist.images[index, :, :, 0]) for index in members]


def zip_of(classes: dict[str, list[tuple[str, Image.Image, str]]]) -> bytes:
    """{class: [(file name, image, format)]} -> zip bytes of class folders."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for class_name, files in classes.items():
            for name, image, image_format in files:
                data = io.BytesIO()
                image.save(data, image_format)
                archive.writestr(f"{class_name}/{name}", data.getvalue())
    return buffer.getvalue()


def photo_set(mnist, transform=None, size: int = 64, count: int = PER_CLASS) -> dict[str, list]:
    """Threes and fives at ``size`` px as PNG; ``transform(class, index, image)`` may change one."""
    classes = {}
    for class_name, digit in (("three", 3), ("five", 5)):
        files = []
        for index, image in enumerate(digit_images(mnist, digit, count)):
            image = image.resize((size, size), Image.BILINEAR)
            files.append((f"{class_name}_{index}.png", transform(class_name, index, image) if transform else image, "PNG"))
        classes[class_name] = files
    return classes


def diagnose(classes) -> tuple:
    dataset = read_image_zip(zip_of(classes), "test.zip")
    return dataset, diagnose_images(dataset)


def test_clean_set_has_no_image_findings(mnist):
    dataset, diagnosis = diagnose(photo_set(mnist))
    assert not set(diagnosis.codes()), diagnosis.to_json()
    assert diagnosis.healthy


def test_builtin_sets_run_in_about_a_second(mnist):
    diagnosis = diagnose_images(mnist)
    assert diagnosis.seconds < 3  # ~1 s on an idle 2-core machine; CI runs tests side by side
    # 28x28 by design: a note, not a warning; the 22 pairs of very alike 1s are under 1 %: a note
    assert not IMAGE_CODES.intersection(code for code, finding in zip(diagnosis.codes(), diagnosis.findings)
                                        if finding.severity != Severity.NOTE)
    assert diagnosis.get("small_images").severity == Severity.NOTE and diagnosis.get("tiny_images") is None  # no "others" to be blurrier than
    assert "shortcut_brightness" not in diagnosis.codes()  # a 1 has less ink than an 8, but not enough to sort ten digits


def test_mixed_sizes_oblong_and_tiny(mnist):
    def transform(class_name, index, image):
        if index % 3 == 0:
            return image.resize((96, 48))  # twice as wide as high: the crop cuts half of it
        if index % 3 == 1:
            return image.resize((20, 20))  # tiny
        return image
    _, diagnosis = diagnose(photo_set(mnist, transform))
    assert diagnosis.get("mixed_sizes").values["sizes"] == 3
    oblong = diagnosis.get("far_from_square")
    assert oblong.values["count"] == 40 and oblong.severity == Severity.WARNING
    assert oblong.examples[0].endswith("_0.png")
    tiny = diagnosis.get("tiny_images")
    assert tiny.values["count"] == 40 and tiny.values["smallest"] == 20 and tiny.severity == Severity.WARNING


def test_mixed_colour_modes(mnist):
    def transform(class_name, index, image):
        if index % 4 == 0:  # a quarter are colour photos: the digit in orange on blue
            grey = np.asarray(image, dtype=np.float32)[..., None] / 255
            return Image.fromarray((grey * [255, 140, 0] + (1 - grey) * [0, 40, 120]).astype(np.uint8))
        return image
    _, diagnosis = diagnose(photo_set(mnist, transform))
    finding = diagnosis.get("mixed_colour_modes")
    assert finding.values == {"grey": 90, "colour": 30, "alpha": 0}
    assert all(name.endswith(("_0.png", "_4.png", "_8.png")) for name in finding.examples)
    assert "shortcut_colour" not in diagnosis.codes()  # both classes have the same mix


def test_duplicates_and_conflicts_by_perceptual_hash(mnist):
    classes = photo_set(mnist)
    for index in range(6):  # six threes again as JPEG, shrunk and brightened: near copies, same label
        image = classes["three"][index][1].resize((50, 50)).point(lambda value: min(255, int(value * 1.1) + 10))
        classes["three"].append((f"copy_{index}.jpg", image.convert("RGB"), "JPEG"))
    for index in range(10, 12):  # two threes also filed as fives: conflicts
        classes["five"].append((f"wrong_{index}.png", classes["three"][index][1], "PNG"))
    dataset, diagnosis = diagnose(classes)
    duplicates, conflicts = diagnosis.get("duplicate_images"), diagnosis.get("conflicting_images")
    assert duplicates.values["count"] == 6 and duplicates.fix == "drop_near_duplicates"
    assert any("copy_" in example for example in duplicates.examples)
    assert conflicts.values == {"groups": 2, "images": 4} and conflicts.fix == "drop_conflicts"
    assert "five/wrong_10.png → five ≠ three/three_10.png → three" in conflicts.examples

    without_copies = apply_image_fix(dataset, "drop_near_duplicates")
    assert len(without_copies.labels) == len(dataset.labels) - 6
    assert "duplicate_images" not in diagnose_images(without_copies).codes()
    without_conflicts = apply_image_fix(dataset, "drop_conflicts")
    assert len(without_conflicts.labels) == len(dataset.labels) - 4
    assert not any(name.startswith(("three/three_10", "five/wrong")) for name in without_conflicts.originals.file_names)
    assert "conflicting_images" not in diagnose_images(without_conflicts).codes()
    assert without_conflicts.fingerprint() != dataset.fingerprint()


def test_hash_is_a_perceptual_hash(mnist):
    """dHash against a direct computation on one image: 9x8 box-averaged grey, left < right neighbour."""
    image = np.asarray(Image.fromarray(mnist.images[0, :, :, 0]).resize((72, 64)))[None, :, :, None]  # 8x8 boxes
    expected = image[0, :, :, 0].astype(np.float32).reshape(8, 8, 9, 8).mean(axis=(1, 3))
    bits = (expected[:, 1:] > expected[:, :-1]).ravel()
    hashed = int(difference_hashes(image)[0])
    assert [bool(hashed >> (63 - position) & 1) for position in range(64)] == bits.tolist()
    assert duplicate_groups(mnist.images[:200]) == []  # 200 different digits: no copies


def test_brightness_shortcut(mnist):
    def transform(class_name, index, image):  # every five photographed in daylight: a bright grey background
        return image.point(lambda value: max(value, 150)) if class_name == "five" else image
    _, diagnosis = diagnose(photo_set(mnist, transform))
    finding = diagnosis.get("shortcut_brightness")
    assert finding is not None and finding.severity == Severity.WARNING and finding.values["score"] > 90
    brightness = dict(example.split(": ") for example in finding.examples)
    assert int(brightness["five"].split("/")[0]) > 2 * int(brightness["three"].split("/")[0])


def test_size_shortcut(mnist):
    def transform(class_name, index, image):  # the fives come from another camera
        return image.resize((100, 100)) if class_name == "five" else image
    _, diagnosis = diagnose(photo_set(mnist, transform))
    assert "shortcut_size" in diagnosis.codes() and "mixed_sizes" in diagnosis.codes()
    assert diagnosis.get("shortcut_size").examples == ("five: 100×100", "three: 64×64")


def test_label_findings_and_transfer_fix(mnist):
    _, diagnosis = diagnose(photo_set(mnist, count=20))
    assert diagnosis.get("few_examples").fix == "transfer"
    classes = photo_set(mnist)
    classes["five"] = classes["five"][:6]
    _, diagnosis = diagnose(classes)
    assert diagnosis.get("imbalance").fix == "class_weights" and diagnosis.get("imbalance").severity == Severity.PROBLEM
    assert "tiny_classes" in diagnosis.codes()


def test_fix_must_be_a_data_fix(mnist):
    with pytest.raises(ValueError):
        apply_image_fix(mnist, "class_weights")
