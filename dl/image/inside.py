"""Inside a trained image model: every layer's output for one photo, the arithmetic of one
convolution value, and histograms of the weights and of one photo's gradients.

The view the page draws is CNN Explainer's (Wang et al., 2020) on the user's own weights: a photo
goes in, each layer's output comes out in order, and one number of a convolution is taken apart into
kernel x input patch + bias (then the batch norm and ReLU that follow). ``conv_arithmetic`` checks
its hand sum against Keras' own output, the independent truth.

Two kinds of model (``dl.image.kinds``):

* the seed and the strong CNN are one Keras model: every layer's output comes from one call of a
  model with all layers as outputs. Augmentation and dropout layers pass a photo through unchanged
  at prediction time; they are listed (``identity_at_prediction``) so the order reads like the model.
* a transfer model is EfficientNet-Lite0 (PyTorch, frozen) followed by a Keras head: the stem, each
  of the 16 MBConv blocks, the last 1x1 convolution and the pooled features, then the head's layers.
  Its convolutions are PyTorch's, so ``conv_arithmetic`` covers the Keras CNNs only.

No Streamlit here; TensorFlow and PyTorch are imported inside the functions that need them.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from dl.data import DataError
from dl.image import pretrained
from dl.image.dataset import TrainedImageClassifier
from dl.image.kinds import TRANSFER
from dl.image.pixels import prepare_pixels

HISTOGRAM_BINS = 30  # enough to show a bell or a spike at zero, few enough to read each bar
IDENTITY_KINDS = ("augmentation", "dropout")  # pass the photo through unchanged when predicting

# per model, the Keras model whose outputs are every layer's output (built once: ~50 ms each time)
_all_layer_models: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_conv_models: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


@dataclass
class LayerOutput:
    """One layer's output for one photo.

    ``kind``: "input", "rescaling", "augmentation", "conv", "batch_norm", "activation", "pooling",
    "flatten", "dropout", "dense", "probabilities" (Keras layers) or "stem", "block", "head_conv",
    "features" (EfficientNet-Lite0's parts in a transfer model). ``values``: float32 without the
    batch axis, (height, width, channels) for maps and (units,) for vectors.
    """

    name: str
    kind: str
    values: np.ndarray

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(int(size) for size in self.values.shape)

    @property
    def identity_at_prediction(self) -> bool:
        return self.kind in IDENTITY_KINDS

    @property
    def is_map(self) -> bool:
        """A stack of 2-D feature maps (drawn as a grid), as opposed to a vector of numbers."""
        return self.values.ndim == 3


@dataclass
class Normalisation:
    """A batch norm applied to one value: (value - mean) / sqrt(variance + epsilon) * gamma + beta."""

    gamma: float
    beta: float
    mean: float
    variance: float
    epsilon: float
    result: float


@dataclass
class ConvArithmetic:
    """One output value of a Conv2D layer, taken apart.

    ``kernel`` and ``patch``: (kernel height, kernel width, input channels), the chosen output
    channel's kernel and the layer's input under the chosen output pixel (zeros where "same" padding
    reaches outside). ``products`` = kernel * patch; ``pre_activation`` = products.sum() + ``bias``;
    ``value`` = the layer's activation of that (what the layer outputs); ``keras_value`` is Keras'
    own output there. ``normalisation`` and ``after_relu`` describe the batch norm and ReLU layers
    that follow (strong CNN), with ``keras_final`` Keras' output after them.
    """

    layer: str
    channel: int
    row: int
    column: int
    kernel: np.ndarray
    patch: np.ndarray
    products: np.ndarray
    bias: float
    pre_activation: float
    activation: str
    value: float
    keras_value: float
    normalisation: Normalisation | None = None
    after_relu: float | None = None
    keras_final: float | None = None

    @property
    def final_value(self) -> float:
        """The hand-computed value after every step (conv, then batch norm and ReLU when present)."""
        if self.after_relu is not None:
            return self.after_relu
        return self.normalisation.result if self.normalisation is not None else self.value

    @property
    def framework_value(self) -> float:
        """Keras' own value after the same steps."""
        return self.keras_final if self.keras_final is not None else self.keras_value

    @property
    def difference(self) -> float:
        return abs(self.final_value - self.framework_value)


@dataclass
class Histogram:
    """Counts of one weight tensor's values (or of its gradient) in ``HISTOGRAM_BINS`` equal bins."""

    layer: str
    part: str  # "kernel", "bias", "gamma", "beta", ... (the variable's own name)
    counts: np.ndarray
    edges: np.ndarray
    size: int
    mean: float
    spread: float  # standard deviation
    largest: float = 0.0  # the largest absolute value
    extra: dict[str, Any] = field(default_factory=dict)


def is_transfer(trained: TrainedImageClassifier) -> bool:
    return trained.kind == TRANSFER.name


def keras_model(trained: TrainedImageClassifier) -> Any:
    """The Keras model whose weights were trained: the whole CNN, or a transfer model's head."""
    model = trained.model
    return model.head if is_transfer(trained) else model


def model_pixels(trained: TrainedImageClassifier, image: np.ndarray) -> np.ndarray:
    """One uint8 photo (h, w, c) as the seed CNN reads it: float32 (1, height, width, channels), 0-255."""
    return prepare_pixels(image[np.newaxis], trained.image_size, trained.channels)


# ------------------------------------------------------------------------------------ layer outputs
def layer_outputs(trained: TrainedImageClassifier, image: np.ndarray) -> list[LayerOutput]:
    """Every layer's output for one uint8 photo (h, w, 1|3) of any size, input first, probabilities last."""
    if image.ndim != 3 or image.shape[-1] not in (1, 3):
        raise DataError(f"Expected one image shaped (height, width, 1 or 3), got {image.shape}.", "bad_image_shape",
                        shape=str(image.shape))
    if is_transfer(trained):
        return transfer_layer_outputs(trained.model, image)
    return cnn_layer_outputs(trained.model, model_pixels(trained, image))


def layer_kind(layer: Any) -> str:
    """Which of ``LayerOutput``'s kinds a Keras layer is."""
    import keras

    layers = keras.layers
    if isinstance(layer, layers.Conv2D):
        return "conv"
    if isinstance(layer, layers.BatchNormalization):
        return "batch_norm"
    if isinstance(layer, (layers.ReLU, layers.Activation)):
        return "activation"
    if isinstance(layer, (layers.MaxPooling2D, layers.AveragePooling2D, layers.GlobalAveragePooling2D)):
        return "pooling"
    if isinstance(layer, layers.Flatten):
        return "flatten"
    if isinstance(layer, layers.Dropout):
        return "dropout"
    if isinstance(layer, layers.Rescaling):
        return "rescaling"
    if isinstance(layer, layers.Dense):
        return "probabilities" if layer.get_config().get("activation") == "softmax" else "dense"
    if type(layer).__name__.startswith("Random"):  # RandomFlip, RandomRotation, RandomZoom, RandomTranslation
        return "augmentation"
    return "other"


def computing_layers(model: Any) -> list[Any]:
    """The model's layers after its input, in order."""
    import keras

    return [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]


def all_layers_model(model: Any) -> Any:
    """A Keras model with the same input whose outputs are every layer's output (built once per model)."""
    found = _all_layer_models.get(model)
    if found is None:
        import keras

        found = keras.Model(model.inputs, [layer.output for layer in computing_layers(model)])
        _all_layer_models[model] = found
    return found


def cnn_layer_outputs(model: Any, pixels: np.ndarray) -> list[LayerOutput]:
    """Outputs of every layer of a Keras CNN for prepared pixels (1, h, w, c): one call, prediction mode."""
    import tensorflow as tf

    outputs = all_layers_model(model)(tf.constant(pixels), training=False)
    outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
    found = [LayerOutput("input", "input", pixels[0])]
    for layer, output in zip(computing_layers(model), outputs, strict=True):
        found.append(LayerOutput(layer.name, layer_kind(layer), np.asarray(output[0], dtype=np.float32)))
    return found


def transfer_layer_outputs(model: Any, image: np.ndarray) -> list[LayerOutput]:
    """A transfer model's layers: EfficientNet-Lite0's input, stem, blocks, head convolution and pooled
    features (channels moved last, like Keras), then the Keras head's layers on those features."""
    import torch

    from dl.device import limited_torch_threads

    network = pretrained.load_pretrained_model()
    device = next(network.parameters()).device
    network_input = pretrained.preprocess(image)
    found = [LayerOutput("input", "input", network_input.transpose(1, 2, 0))]

    def record(name: str, kind: str, tensor: Any) -> None:
        found.append(LayerOutput(name, kind, tensor[0].permute(1, 2, 0).cpu().numpy().astype(np.float32)))

    # the same steps as EfficientNet.extract_features (drop-connect is off in eval mode), recorded one by one
    with limited_torch_threads(), torch.inference_mode():
        x = torch.from_numpy(network_input[np.newaxis]).to(device)
        x = network._swish(network._bn0(network._conv_stem(x)))
        record("stem", "stem", x)
        for index, block in enumerate(network._blocks):
            x = block(x, drop_connect_rate=None)
            record(f"block_{index + 1}", "block", x)
        x = network._swish(network._bn1(network._conv_head(x)))
        record("head_conv", "head_conv", x)
        features = x.mean(dim=(2, 3)).cpu().numpy().astype(np.float32)  # global average pooling
    found.append(LayerOutput("efficientnet_lite0_features", "features", features[0]))
    found.extend(cnn_layer_outputs(model.head, features)[1:])  # [0] is the features again
    return found


# ------------------------------------------------------------------------------- conv arithmetic
def conv_layer_names(trained: TrainedImageClassifier) -> list[str]:
    """Names of the Conv2D layers whose arithmetic ``conv_arithmetic`` can show (none for transfer models)."""
    if is_transfer(trained):
        return []
    return [layer.name for layer in computing_layers(trained.model) if layer_kind(layer) == "conv"]


def conv_model(model: Any, layer_name: str) -> tuple[Any, list[Any]]:
    """(a Keras model: input -> [conv input, conv output, outputs of the norm/ReLU that follow], those layers)."""
    cached = _conv_models.setdefault(model, {})
    if layer_name not in cached:
        import keras

        layers = computing_layers(model)
        position = [layer.name for layer in layers].index(layer_name)
        followers = []
        for layer in layers[position + 1 : position + 3]:  # conv -> batch norm -> ReLU in the strong CNN
            kind = layer_kind(layer)
            if kind == "batch_norm" and not followers or kind == "activation" and followers:
                followers.append(layer)
            else:
                break
        conv = layers[position]
        outputs = [conv.input, conv.output] + [layer.output for layer in followers]
        cached[layer_name] = (keras.Model(model.inputs, outputs), followers)
    return cached[layer_name]


def input_patch(layer_input: np.ndarray, conv: Any, row: int, column: int) -> np.ndarray:
    """The (kernel height, kernel width, in channels) window of ``layer_input`` (h, w, c) under output
    pixel (row, column), with zeros where "same" padding reaches past the edge (TensorFlow's padding)."""
    kernel_height, kernel_width = conv.kernel_size
    stride_rows, stride_columns = conv.strides
    dilation_rows, dilation_columns = conv.dilation_rate
    height, width, channels = layer_input.shape
    top, left = 0, 0
    if conv.padding == "same":
        out_height, out_width = -(-height // stride_rows), -(-width // stride_columns)
        span_rows = (kernel_height - 1) * dilation_rows + 1
        span_columns = (kernel_width - 1) * dilation_columns + 1
        top = max((out_height - 1) * stride_rows + span_rows - height, 0) // 2
        left = max((out_width - 1) * stride_columns + span_columns - width, 0) // 2
    patch = np.zeros((kernel_height, kernel_width, channels), dtype=np.float64)
    for kernel_row in range(kernel_height):
        for kernel_column in range(kernel_width):
            source_row = row * stride_rows + kernel_row * dilation_rows - top
            source_column = column * stride_columns + kernel_column * dilation_columns - left
            if 0 <= source_row < height and 0 <= source_column < width:
                patch[kernel_row, kernel_column] = layer_input[source_row, source_column]
    return patch


def apply_activation(name: str, value: float) -> float:
    """The few activations the page's CNNs use, by Keras' name."""
    if name == "linear":
        return value
    if name == "relu":
        return max(value, 0.0)
    raise DataError(f"The arithmetic view knows linear and ReLU activations, not {name}.", "unknown_activation",
                    name=name)


def conv_arithmetic(trained: TrainedImageClassifier, image: np.ndarray, layer_name: str, channel: int,
                    row: int, column: int) -> ConvArithmetic:
    """Output value (``row``, ``column``, ``channel``) of Conv2D layer ``layer_name`` for one uint8 photo,
    computed by hand (float64) from the kernel, the layer's input and the bias, next to Keras' own."""
    import tensorflow as tf

    if layer_name not in conv_layer_names(trained):
        raise DataError(f"{layer_name} is not a convolution layer of this model.", "not_a_conv_layer", layer=layer_name)
    model = trained.model
    probe, followers = conv_model(model, layer_name)
    outputs = [np.asarray(output[0], dtype=np.float64) for output in probe(tf.constant(model_pixels(trained, image)), training=False)]
    layer_input, layer_output = outputs[0], outputs[1]
    out_height, out_width, out_channels = layer_output.shape
    if not (0 <= channel < out_channels and 0 <= row < out_height and 0 <= column < out_width):
        raise DataError(f"{layer_name} has {out_channels} maps of {out_height}x{out_width}; "
                        f"({row}, {column}) of map {channel} is outside.", "outside_the_map",
                        layer=layer_name, row=row, column=column, channel=channel)
    conv = model.get_layer(layer_name)
    kernel = np.asarray(conv.kernel, dtype=np.float64)[..., channel]
    bias = float(np.asarray(conv.bias)[channel]) if conv.use_bias else 0.0
    patch = input_patch(layer_input, conv, row, column)
    products = kernel * patch
    pre_activation = float(products.sum()) + bias
    activation = conv.get_config().get("activation", "linear")
    value = apply_activation(activation, pre_activation)
    arithmetic = ConvArithmetic(layer_name, channel, row, column, kernel, patch, products, bias, pre_activation,
                                activation, value, float(layer_output[row, column, channel]))
    current = value
    for follower, output in zip(followers, outputs[2:], strict=True):
        if layer_kind(follower) == "batch_norm":
            arithmetic.normalisation = normalise(follower, channel, current)
            current = arithmetic.normalisation.result
        else:
            current = relu_layer_value(follower, current)
            arithmetic.after_relu = current
        arithmetic.keras_final = float(output[row, column, channel])
    return arithmetic


def normalise(layer: Any, channel: int, value: float) -> Normalisation:
    """A BatchNormalization layer applied (prediction mode: its moving statistics) to one value of ``channel``."""
    gamma = float(np.asarray(layer.gamma)[channel]) if layer.scale else 1.0
    beta = float(np.asarray(layer.beta)[channel]) if layer.center else 0.0
    mean = float(np.asarray(layer.moving_mean)[channel])
    variance = float(np.asarray(layer.moving_variance)[channel])
    epsilon = float(layer.epsilon)
    result = (value - mean) / np.sqrt(variance + epsilon) * gamma + beta
    return Normalisation(gamma, beta, mean, variance, epsilon, float(result))


def relu_layer_value(layer: Any, value: float) -> float:
    """A ReLU (or Activation) layer applied to one value."""
    import keras

    if isinstance(layer, keras.layers.ReLU):
        config = layer.get_config()
        if config.get("max_value") is None and not config.get("negative_slope") and not config.get("threshold"):
            return max(value, 0.0)
        return float(np.asarray(layer(np.array([[value]], dtype=np.float32)))[0, 0])
    return apply_activation(layer.get_config().get("activation", "linear"), value)


# ------------------------------------------------------------------------------------ histograms
def histogram(layer: str, part: str, values: np.ndarray, bins: int = HISTOGRAM_BINS) -> Histogram:
    flat = np.asarray(values, dtype=np.float64).ravel()
    counts, edges = np.histogram(flat, bins=bins)
    largest = float(np.abs(flat).max()) if flat.size else 0.0
    return Histogram(layer, part, counts, edges, int(flat.size), float(flat.mean()), float(flat.std()), largest)


def variable_part(variable: Any) -> str:
    """A Keras variable's short name: "kernel", "bias", "gamma", ..."""
    return str(getattr(variable, "name", "")).split("/")[-1].split(":")[0]


def trainable_layers(trained: TrainedImageClassifier) -> list[tuple[str, list[Any]]]:
    """(layer name, its trainable variables) for every layer of the trained Keras model that has some."""
    return [(layer.name, list(layer.trainable_weights)) for layer in computing_layers(keras_model(trained))
            if layer.trainable_weights]


def weight_histograms(trained: TrainedImageClassifier) -> list[Histogram]:
    """One histogram per trainable variable (kernel, bias, batch-norm gamma and beta), in layer order."""
    return [histogram(name, variable_part(variable), np.asarray(variable))
            for name, variables in trainable_layers(trained) for variable in variables]


def gradient_histograms(trained: TrainedImageClassifier, image: np.ndarray, class_index: int) -> list[Histogram]:
    """Histograms of d(loss)/d(weight) for one photo: the cross-entropy of ``class_index`` (its true class,
    or the predicted one for a photo without a label), same variables and order as ``weight_histograms``."""
    import tensorflow as tf

    if not 0 <= class_index < len(trained.class_names):
        raise DataError(f"Class {class_index} is not one of the model's {len(trained.class_names)} classes.",
                        "unknown_class", index=class_index)
    model = keras_model(trained)
    if is_transfer(trained):
        inputs = trained.model.features(image[np.newaxis])
    else:
        inputs = model_pixels(trained, image)
    layers = trainable_layers(trained)
    variables = [variable for _name, layer_variables in layers for variable in layer_variables]
    with tf.GradientTape() as tape:
        probabilities = model(tf.constant(inputs), training=False)
        loss = tf.keras.losses.sparse_categorical_crossentropy(tf.constant([class_index]), probabilities)
    gradients = tape.gradient(loss, variables)
    found, position = [], 0
    for name, layer_variables in layers:
        for variable in layer_variables:
            gradient = gradients[position]
            values = np.zeros(tuple(variable.shape)) if gradient is None else np.asarray(gradient)
            found.append(histogram(name, variable_part(variable), values))
            position += 1
    return found
