"""Inside the image model: layer outputs end in the model's own prediction, the hand arithmetic of a
convolution value equals Keras' output, one photo's gradients are there, and a transfer model's
EfficientNet blocks and head are listed."""

from __future__ import annotations

import numpy as np
import pytest

from dl.data import DataError
from dl.image import inside
from dl.image.cnn import ImageClassifierConfig, predict_probabilities, strong_config, train_image_classifier
from dl.image.dataset import TrainedImageClassifier, load_sklearn_digits
from dl.jobs import run_inline

CONFIGS = {  # tiny and quick: the arithmetic must hold for any weights, learned a little or a lot
    "seed": ImageClassifierConfig(image_size=16, epochs=2),
    "strong": strong_config(image_size=16, epochs=2),
}


@pytest.fixture(scope="module")
def digits():
    return load_sklearn_digits()


@pytest.fixture(scope="module", params=list(CONFIGS))
def trained(request, digits, tmp_path_factory):
    from dl.store import ModelStore

    store = ModelStore(tmp_path_factory.mktemp(f"inside_{request.param}"))
    config = CONFIGS[request.param]
    return run_inline(lambda reporter: train_image_classifier(config, digits, reporter, store))


def test_layer_outputs_are_in_order_and_end_in_the_models_prediction(trained, digits):
    image = digits.images[trained.test_indices[0]]
    outputs = inside.layer_outputs(trained, image)
    names = [output.name for output in outputs]
    assert names[0] == "input" and names[-1] == "probabilities"
    assert names[1:] == [layer.name for layer in inside.computing_layers(trained.model)]
    expected = predict_probabilities(trained, image[np.newaxis])[0]
    np.testing.assert_allclose(outputs[-1].values, expected, atol=1e-5)
    kinds = {output.name: output.kind for output in outputs}
    assert kinds["conv_1"] == "conv" and kinds["pool_1"] == "pooling" and kinds["dense"] == "dense"
    conv = next(output for output in outputs if output.name == "conv_1")
    assert conv.is_map and conv.shape[-1] == trained.config["filters"]
    # augmentation and dropout change nothing when predicting: their output equals their input
    for before, output in zip(outputs, outputs[1:]):
        if output.identity_at_prediction:
            np.testing.assert_array_equal(output.values, before.values)


def test_every_layer_output_equals_a_keras_sub_model_of_that_layer(trained, digits):
    """The independent truth the issue names: ``keras.Model(inputs, layer.output)`` on the same photo,
    within 1e-5 (float32 arithmetic in a different order)."""
    import keras

    image = digits.images[trained.test_indices[2]]
    pixels = inside.model_pixels(trained, image)
    model = trained.model
    for output in inside.layer_outputs(trained, image)[1:]:
        direct = keras.Model(model.inputs, model.get_layer(output.name).output)(pixels, training=False)
        np.testing.assert_allclose(output.values, keras.ops.convert_to_numpy(direct)[0], atol=1e-5, err_msg=output.name)


def test_hand_arithmetic_equals_keras_for_every_conv_layer(trained, digits):
    image = digits.images[trained.test_indices[1]]
    outputs = {output.name: output for output in inside.layer_outputs(trained, image)}
    generator = np.random.default_rng(0)
    for name in inside.conv_layer_names(trained):
        maps = outputs[name].values
        positive = np.argwhere(maps > 0)  # a ReLU's zeros would hide a wrong sum: check lit values too
        chosen = list(positive[generator.choice(len(positive), size=min(8, len(positive)), replace=False)])
        chosen += [np.array([generator.integers(0, size) for size in maps.shape]) for _ in range(4)]  # anywhere
        for row, column, channel in chosen:
            arithmetic = inside.conv_arithmetic(trained, image, name, int(channel), int(row), int(column))
            assert arithmetic.value == pytest.approx(arithmetic.keras_value, abs=1e-4), (name, row, column, channel)
            assert arithmetic.difference < 1e-4
            assert arithmetic.keras_value == pytest.approx(float(maps[row, column, channel]), abs=1e-6)
            np.testing.assert_allclose(arithmetic.products, arithmetic.kernel * arithmetic.patch)
            assert arithmetic.pre_activation == pytest.approx(arithmetic.products.sum() + arithmetic.bias)
        if trained.config["batch_norm"]:  # the norm and ReLU after it, by hand, equal Keras' relu_N output
            assert arithmetic.normalisation is not None and arithmetic.keras_final is not None
        else:
            assert arithmetic.activation == "relu" and arithmetic.normalisation is None


def test_a_wrong_kernel_would_be_caught(trained, digits):
    """The check has teeth: the same sum with another channel's kernel does not match Keras."""
    image = digits.images[trained.test_indices[2]]
    name = inside.conv_layer_names(trained)[0]
    outputs = {output.name: output for output in inside.layer_outputs(trained, image)}
    row, column, channel = np.unravel_index(np.argmax(np.abs(outputs[name].values)), outputs[name].shape)  # a lit patch
    arithmetic = inside.conv_arithmetic(trained, image, name, int(channel), int(row), int(column))
    other_kernel = np.asarray(trained.model.get_layer(name).kernel)[..., (channel + 1) % outputs[name].shape[-1]]
    assert abs(float((other_kernel * arithmetic.patch).sum()) + arithmetic.bias - arithmetic.pre_activation) > 1e-3


def test_outside_the_map_is_a_data_error(trained, digits):
    image = digits.images[0]
    name = inside.conv_layer_names(trained)[0]
    with pytest.raises(DataError) as error:
        inside.conv_arithmetic(trained, image, name, 0, 999, 0)
    assert error.value.code == "outside_the_map"


def test_weight_and_gradient_histograms(trained, digits):
    image = digits.images[trained.test_indices[0]]
    label = int(digits.labels[trained.test_indices[0]])
    weights = inside.weight_histograms(trained)
    gradients = inside.gradient_histograms(trained, image, label)
    assert [(h.layer, h.part) for h in weights] == [(h.layer, h.part) for h in gradients]
    assert ("conv_1", "kernel") in [(h.layer, h.part) for h in weights]
    for weight in weights:
        assert weight.counts.sum() == weight.size and len(weight.edges) == inside.HISTOGRAM_BINS + 1
    output_kernel = next(h for h in gradients if (h.layer, h.part) == ("probabilities", "kernel"))
    assert output_kernel.largest > 0  # the loss moves with the last layer's weights
    conv_kernel = next(h for h in gradients if (h.layer, h.part) == ("conv_1", "kernel"))
    assert conv_kernel.largest > 0  # and reaches back to the first convolution


def test_transfer_model_lists_efficientnet_blocks_then_the_head():
    import keras

    from dl.image.pretrained import FEATURE_SIZE
    from dl.image.transfer import TransferConfig, TransferImageModel, build_head

    keras.utils.set_random_seed(0)
    head = build_head(3, TransferConfig(hidden_units=8))  # untrained is enough: the path, not the accuracy
    trained = TrainedImageClassifier(TransferImageModel(head), ["a", "b", "c"], (224, 224), 3, {}, [], "transfer",
                                     np.array([], dtype=np.int64))
    image = (np.random.default_rng(0).random((40, 50, 3)) * 255).astype(np.uint8)
    outputs = inside.layer_outputs(trained, image)
    kinds = [output.kind for output in outputs]
    assert kinds[:2] == ["input", "stem"] and kinds.count("block") == 16
    assert outputs[kinds.index("features")].shape == (FEATURE_SIZE,)
    assert [output.name for output in outputs[-3:]] == ["hidden", "dropout", "probabilities"]
    np.testing.assert_allclose(outputs[-1].values, trained.model.predict(image[np.newaxis])[0], atol=1e-5)
    np.testing.assert_allclose(outputs[kinds.index("features")].values, trained.model.features(image[np.newaxis])[0],
                               atol=1e-4)
    assert inside.conv_layer_names(trained) == []
    gradients = inside.gradient_histograms(trained, image, 1)
    assert [h.layer for h in gradients] == ["hidden", "hidden", "probabilities", "probabilities"]
    assert max(h.largest for h in gradients) > 0
