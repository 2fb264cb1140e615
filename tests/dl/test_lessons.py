"""The Concepts page's lesson computations: activations, losses, optimizer race, architectures, GAN."""

import os

import numpy as np
import pytest

from dl.data import DataError
from dl.lessons import activations, architectures, losses

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

X = np.linspace(-4.0, 4.0, 81)


# --- activations -------------------------------------------------------------------------------
@pytest.mark.parametrize("name", list(activations.ACTIVATIONS))
def test_activation_derivative_matches_central_differences(name):
    function, derivative = activations.ACTIVATIONS[name]
    points = X[np.abs(X) > 1e-3]  # ReLU-like kinks at 0 have no derivative
    step = 1e-6
    numeric = (function(points + step) - function(points - step)) / (2 * step)
    np.testing.assert_allclose(derivative(points), numeric, atol=1e-6)


@pytest.mark.parametrize("name", list(activations.ACTIVATIONS))
def test_activation_values_and_derivatives_match_keras_and_gradient_tape(name):
    import keras
    import tensorflow as tf
    reference = {
        "sigmoid": keras.activations.sigmoid,
        "tanh": keras.activations.tanh,
        "relu": keras.activations.relu,
        "leaky_relu": lambda x: keras.activations.leaky_relu(x, negative_slope=activations.LEAKY_RELU_SLOPE),
        "elu": lambda x: keras.activations.elu(x, alpha=activations.ELU_ALPHA),
        "gelu": lambda x: keras.activations.gelu(x, approximate=False),
    }[name]
    points = tf.Variable(X[np.abs(X) > 1e-3])
    with tf.GradientTape() as tape:
        values = reference(points)
    slopes = tape.gradient(values, points)
    function, derivative = activations.ACTIVATIONS[name]
    np.testing.assert_allclose(function(points.numpy()), values.numpy(), atol=1e-6)
    np.testing.assert_allclose(derivative(points.numpy()), slopes.numpy(), atol=1e-6)


def test_softmax_and_its_jacobian_match_keras_and_gradient_tape():
    import keras
    import tensorflow as tf
    logits = np.array([2.0, -1.0, 0.5, 0.0])
    np.testing.assert_allclose(activations.softmax(logits), keras.activations.softmax(logits[None]).numpy()[0], atol=1e-6)
    variable = tf.Variable(logits)
    with tf.GradientTape() as tape:
        probabilities = tf.nn.softmax(variable)
    jacobian = tape.jacobian(probabilities, variable).numpy()
    np.testing.assert_allclose(activations.softmax_jacobian(logits), jacobian, atol=1e-6)
    sweep = activations.softmax_sweep((0.0, 1.0), temperature=1.0)
    assert np.allclose(sweep.groupby("logit")["probability"].sum(), 1.0)


def test_sigmoid_gradients_vanish_with_depth_while_relu_keeps_them():
    table = activations.gradient_through_layers(["sigmoid", "relu"], depth=12, weight_scale=1.0)
    first_layer = table[table["layer"] == 1].set_index("activation")["gradient_norm"]
    last_layer = table[table["layer"] == 12].set_index("activation")["gradient_norm"]
    sigmoid_shrink = first_layer["sigmoid"] / last_layer["sigmoid"]
    relu_shrink = first_layer["relu"] / last_layer["relu"]
    assert sigmoid_shrink < 1e-4  # each sigmoid layer multiplies the gradient by at most 0.25
    assert relu_shrink > 100 * sigmoid_shrink
    assert table[table["activation"] == "sigmoid"]["mean_derivative"].max() <= 0.25


# --- losses ------------------------------------------------------------------------------------
def test_regression_losses_match_keras():
    import keras
    target, predictions = 1.5, np.array([-2.0, 0.0, 1.2, 1.5, 3.9])
    truth = np.full((len(predictions), 1), target)
    def per_sample(loss):
        return loss(truth, predictions[:, None]).numpy()
    np.testing.assert_allclose(losses.mean_squared_error(target, predictions), per_sample(keras.losses.mean_squared_error), rtol=1e-6)
    np.testing.assert_allclose(losses.mean_absolute_error(target, predictions), per_sample(keras.losses.mean_absolute_error), rtol=1e-6)
    for delta in (0.5, 1.0, 2.0):
        np.testing.assert_allclose(losses.huber(target, predictions, delta),
                                   keras.losses.huber(truth, predictions[:, None], delta=delta).numpy(), rtol=1e-5)


def test_classification_losses_match_keras():
    import keras
    probabilities = np.array([0.01, 0.3, 0.5, 0.9, 0.999])
    for target in (0.0, 1.0, 0.3):
        truth = np.full((len(probabilities), 1), target)
        np.testing.assert_allclose(
            losses.binary_cross_entropy(target, probabilities),
            keras.losses.binary_crossentropy(truth, probabilities[:, None]).numpy(), rtol=1e-4)
        both_true = np.column_stack([1 - truth[:, 0], truth[:, 0]])
        both_predicted = np.column_stack([1 - probabilities, probabilities])
        np.testing.assert_allclose(losses.kl_divergence(target, probabilities),
                                   keras.losses.kl_divergence(both_true, both_predicted).numpy(), atol=1e-5)
    scores = np.array([-2.0, 0.0, 0.5, 1.0, 3.0])
    for sign in (-1.0, 1.0):
        np.testing.assert_allclose(losses.hinge(sign, scores),
                                   keras.losses.hinge(np.full((5, 1), sign), scores[:, None]).numpy(), rtol=1e-6)
    mask = np.array([1.0, 1.0, 0.0, 0.0, 1.0])
    predicted = np.array([0.9, 0.2, 0.1, 0.6, 1.0])
    assert losses.dice_loss(mask, predicted) == pytest.approx(float(keras.losses.dice(mask, predicted)), abs=1e-6)


def test_hand_computed_loss_values():
    assert losses.binary_cross_entropy(1.0, np.array(0.5)) == pytest.approx(np.log(2))
    assert losses.huber(0.0, np.array(3.0), delta=1.0) == pytest.approx(2.5)  # 1·(3 - 0.5)
    assert losses.kl_divergence(0.5, np.array(0.5)) == pytest.approx(0.0, abs=1e-12)
    assert losses.dice_loss(np.array([1.0, 0.0]), np.array([1.0, 0.0])) == pytest.approx(0.0, abs=1e-6)


def test_confident_wrong_answer_costs_cross_entropy_far_more_than_squared_error():
    table = losses.confident_mistake_table([0.99, 0.5, 0.01, 0.0001]).set_index("probability_of_true_class")
    assert table.loc[0.0001, "cross_entropy"] == pytest.approx(-np.log(0.0001))
    assert table.loc[0.0001, "mse_on_probability"] < 1.0
    assert table["cross_entropy"].is_monotonic_increasing
    curves = losses.regression_curves(target=0.0, delta=1.0)
    huber_gradients = curves[curves["loss"] == "huber"]["gradient"]
    assert huber_gradients.abs().max() == pytest.approx(1.0, abs=1e-2)  # Huber's slope is capped at delta


# --- optimizer race ----------------------------------------------------------------------------
def test_every_keras_optimizer_lowers_the_loss_on_the_noisy_bowl():
    from dl.lessons.optimizer_race import OPTIMIZERS, RaceConfig, race_summary, run_race

    race = run_race(RaceConfig(surface="noisy_bowl", steps=150))
    assert set(race["optimizer"]) == set(OPTIMIZERS)
    assert (race.groupby("optimizer")["step"].max() == 150).all()
    start_loss = race[race["step"] == 0]["loss"]
    assert np.allclose(start_loss, start_loss.iloc[0])  # same start for everyone
    summary = race_summary(race).set_index("optimizer")
    assert not summary["diverged"].any()
    assert (summary["final_loss"] < 0.3 * start_loss.iloc[0]).all(), summary
    # the adaptive methods' step is ~ the learning rate: more steps go further downhill
    mean_loss_by_step = race.groupby("step")["loss"].mean()
    assert mean_loss_by_step.iloc[-20:].mean() < mean_loss_by_step.iloc[:20].mean()


def test_momentum_beats_plain_sgd_on_rosenbrock_and_a_huge_learning_rate_diverges():
    from dl.lessons.optimizer_race import RaceConfig, race_summary, run_race

    summary = race_summary(run_race(RaceConfig(surface="rosenbrock", optimizers=("sgd", "momentum")))).set_index("optimizer")
    assert summary.loc["momentum", "final_loss"] < summary.loc["sgd", "final_loss"] / 10
    blown = race_summary(run_race(RaceConfig(surface="rosenbrock", steps=50, sgd_learning_rate=0.05, optimizers=("sgd",))))
    assert blown["diverged"].all()


# --- architectures -----------------------------------------------------------------------------
def test_vertical_edge_kernel_responds_only_at_the_step():
    image = np.zeros((10, 10))
    image[:, 5:] = 1.0  # dark left half, bright right half: a vertical edge between columns 4 and 5
    feature_map = architectures.convolve2d(image, architectures.KERNELS["vertical_edge"])
    assert feature_map.shape == (8, 8)
    strong_columns = np.flatnonzero(np.abs(feature_map).max(axis=0) > 1.0)
    assert set(strong_columns) <= {3, 4}  # output column j looks at input columns j..j+2
    assert np.abs(feature_map[:, [0, 1, 6, 7]]).max() == 0.0
    pooled = architectures.max_pool(np.abs(feature_map))
    assert pooled.shape == (4, 4) and pooled[:, 2].min() == pytest.approx(4.0)
    # the Sobel kernel is left minus right, so a dark-to-bright step is negative: ReLU drops it
    activated = architectures.relu_and_pool(feature_map)
    assert activated.shape == (4, 4) and activated.max() == 0.0
    assert architectures.relu_and_pool(-feature_map)[:, 2].min() == pytest.approx(4.0)


def test_convolution_and_pooling_match_keras_layers():
    import keras
    image = architectures.sample_image("digit")
    kernel = architectures.KERNELS["sharpen"]
    conv = keras.layers.Conv2D(1, 3, use_bias=False)
    conv.build((1, 8, 8, 1))
    conv.set_weights([kernel[:, :, None, None]])
    expected = conv(image[None, :, :, None].astype("float32")).numpy()[0, :, :, 0]
    np.testing.assert_allclose(architectures.convolve2d(image, kernel), expected, atol=1e-5)
    pooled = keras.layers.MaxPooling2D(2)(expected[None, :, :, None]).numpy()[0, :, :, 0]
    np.testing.assert_allclose(architectures.max_pool(expected), pooled, atol=1e-6)
    assert architectures.sample_image("flower", size=64).shape == (64, 64)


def test_user_kernel_parsing_rejects_bad_cells():
    assert architectures.parse_kernel([["1", 0, -1], [2, "0", -2], [1, 0, "-1"]])[1, 0] == 2.0
    with pytest.raises(DataError):
        architectures.parse_kernel([["a", 0, 0], [0, 0, 0], [0, 0, 0]])
    with pytest.raises(DataError):
        architectures.parse_kernel([[1, 2], [3, 4]])


def test_numpy_rnn_and_lstm_match_keras_layers_with_the_same_weights():
    import keras
    sequence = architectures.input_sequence("sine", 20)
    rnn_weights = architectures.recurrent_weights(units=6, gates=1, seed=3)
    layer = keras.layers.SimpleRNN(6, return_sequences=True)
    layer.build((1, 20, 1))
    layer.set_weights([rnn_weights["kernel"], rnn_weights["recurrent_kernel"], rnn_weights["bias"]])
    np.testing.assert_allclose(architectures.simple_rnn_states(sequence, rnn_weights),
                               layer(sequence[None].astype("float32")).numpy()[0], atol=1e-5)

    lstm_weights = architectures.recurrent_weights(units=5, gates=4, seed=4)
    layer = keras.layers.LSTM(5, return_sequences=True)
    layer.build((1, 20, 1))
    bias = lstm_weights["bias"].copy()
    bias[5:10] += 1.0  # our forget_bias=1 equals Keras' unit_forget_bias initialisation
    layer.set_weights([lstm_weights["kernel"], lstm_weights["recurrent_kernel"], bias])
    hidden, cells = architectures.lstm_states(sequence, lstm_weights, forget_bias=1.0)
    assert hidden.shape == cells.shape == (20, 5)
    np.testing.assert_allclose(hidden, layer(sequence[None].astype("float32")).numpy()[0], atol=1e-5)


def test_a_larger_forget_bias_makes_the_lstm_remember_a_spike_longer():
    sequence = architectures.input_sequence("spike", 40)
    weights = architectures.recurrent_weights(units=8, gates=4, seed=0)
    _, forgetful = architectures.lstm_states(sequence, weights, forget_bias=-2.0)
    _, remembering = architectures.lstm_states(sequence, weights, forget_bias=4.0)
    assert np.abs(remembering[30]).sum() > 10 * np.abs(forgetful[30]).sum()


def test_mlp_parameter_count_matches_keras():
    import keras
    table = architectures.mlp_layer_table(2, [8, 4], 3)
    inputs = keras.Input((2,))
    outputs = keras.layers.Dense(3)(keras.layers.Dense(4)(keras.layers.Dense(8)(inputs)))
    assert table["parameters"].sum() == keras.Model(inputs, outputs).count_params()


def test_scaled_dot_product_attention_shapes_and_rows_sum_to_one():
    from dl.lessons.attention_weights import scaled_dot_product_attention

    random = np.random.default_rng(0)
    outputs, weights = scaled_dot_product_attention(random.normal(size=(4, 8)), random.normal(size=(6, 8)),
                                                    random.normal(size=(6, 3)))
    assert outputs.shape == (4, 3) and weights.shape == (4, 6)
    np.testing.assert_allclose(weights.sum(axis=1), 1.0)
    keys = np.eye(3) * 10
    _, sharp = scaled_dot_product_attention(keys, keys, np.eye(3))
    assert (np.argmax(sharp, axis=1) == np.arange(3)).all()  # a query matching one key looks at it


def test_sentence_attention_from_minilm():
    from dl.lessons.attention_weights import attention_table, load_attention_model, sentence_attention

    model = load_attention_model()
    tokens, weights = sentence_attention(model, "The cat sat on the mat", layer=2, head=3)
    assert tokens[0] == "[CLS]" and tokens[-1] == "[SEP]" and "cat" in tokens
    assert weights.shape == (len(tokens), len(tokens))
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, atol=1e-5)
    assert len(attention_table(tokens, weights)) == len(tokens) ** 2
    with pytest.raises(DataError):
        sentence_attention(model, "   ", layer=1, head=None)


def test_gan_generator_moves_towards_the_real_distribution():
    from dl.lessons.gan_1d import GanConfig, train_gan

    samples, history = train_gan(GanConfig(target="gaussian"))
    generated = samples[samples["source"] == "generated"]
    real = samples[samples["source"] == "real"]["value"]
    assert len(history) == 600 and set(generated["step"]) == set(range(0, 601, 60))
    assert len(real) == 2000 and (generated.groupby("step").size() == 2000).all()
    start = generated[generated["step"] == 0]["value"]
    end = generated[generated["step"] == 600]["value"]
    assert abs(end.mean() - real.mean()) < 0.5 < abs(start.mean() - real.mean())
    assert abs(end.std() - real.std()) < 0.3


# --- quantization ------------------------------------------------------------------------------
def test_quantization_error_shrinks_with_more_bits_and_zero_stays_exact():
    from dl.lessons.quantization import example_weights, quantization_report, quantize

    weights = example_weights()
    report = quantization_report(weights, [2, 4, 8]).set_index("bits")
    assert report["mean_absolute_error"].is_monotonic_decreasing
    assert report.loc[8, "distinct_values"] <= 256 and report.loc[2, "distinct_values"] <= 4
    assert report.loc[8, "size_ratio"] == 4.0
    dequantized, scale, _ = quantize(np.array([-1.0, 0.0, 0.3, 2.0]), 8)
    assert dequantized[1] == 0.0
    assert np.abs(dequantized - [-1.0, 0.0, 0.3, 2.0]).max() <= scale / 2 + 1e-12
