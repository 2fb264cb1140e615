"""Concepts tab 7: architectures. MLP, CNN (kernel → feature map → pooling), RNN/LSTM, attention, GAN.

Only the chosen architecture computes, so MiniLM (attention) and PyTorch (GAN) load only when asked for.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from dl.data import DataError
from dl.lessons import architectures
from ui.concepts.common import colour, explain, labels, tidy, try_this
from ui.errors import show_data_error
from ui.i18n import t
from ui.tabs import KEEP

PARTS = ["mlp", "cnn", "rnn", "attention", "gan"]
DEFAULT_SENTENCE = "The cat sat on the mat because it was tired"  # English in every language: MiniLM reads English


@st.cache_resource(show_spinner=False)
def _attention_model():
    from dl.lessons.attention_weights import load_attention_model

    return load_attention_model()


@st.cache_data(max_entries=8, show_spinner=False)
def _gan(target: str):
    from dl.lessons.gan_1d import GanConfig, train_gan

    return train_gan(GanConfig(target=target))


@st.cache_data(max_entries=4, show_spinner=False)
def _image(name: str) -> np.ndarray:
    return architectures.sample_image(name)


def render() -> None:
    explain("architectures")
    part = st.radio(t("lessons.architectures_part"), PARTS, horizontal=True,
                    format_func=labels("architecture_"), key="lessons_arch_part", persist_state=KEEP)
    st.markdown(t(f"lessons.architecture_{part}_intro"))
    {"mlp": _mlp, "cnn": _cnn, "rnn": _rnn, "attention": _attention, "gan": _gan_section}[part]()
    try_this(f"architecture_{part}")


# --- MLP -----------------------------------------------------------------------------------------
def _mlp() -> None:
    columns = st.columns(4)
    inputs = columns[0].slider(t("lessons.mlp_inputs"), 1, 8, 2, key="lessons_mlp_inputs", persist_state=KEEP)
    layers = columns[1].slider(t("lessons.mlp_layers"), 0, 4, 2, key="lessons_mlp_layers", persist_state=KEEP)
    width = columns[2].slider(t("lessons.mlp_width"), 1, 12, 4, key="lessons_mlp_width", persist_state=KEEP)
    outputs = columns[3].slider(t("lessons.mlp_outputs"), 1, 6, 1, key="lessons_mlp_outputs", persist_state=KEEP)
    table = architectures.mlp_layer_table(inputs, [width] * layers, outputs)
    sizes = [inputs, *[width] * layers, outputs]
    figure = go.Figure()
    positions = [[(layer, (size - 1) / 2 - unit) for unit in range(size)] for layer, size in enumerate(sizes)]
    edge_x, edge_y = [], []
    for left, right in zip(positions[:-1], positions[1:], strict=True):
        for x0, y0 in left:
            for x1, y1 in right:
                edge_x += [x0, x1, None]
                edge_y += [y0, y1, None]
    figure.add_trace(go.Scatter(x=edge_x, y=edge_y, mode="lines", line={"color": "#bbb", "width": 1}, hoverinfo="skip",
                                showlegend=False))
    for layer, points in enumerate(positions):
        kind = "input" if layer == 0 else "output" if layer == len(sizes) - 1 else "hidden"
        figure.add_trace(go.Scatter(x=[p[0] for p in points], y=[p[1] for p in points], mode="markers",
                                    name=t(f"lessons.mlp_{kind}"), legendgroup=kind, showlegend=layer < 2 or kind == "output",
                                    marker={"size": 18, "color": colour(["input", "hidden", "output"].index(kind))}))
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    st.plotly_chart(tidy(figure, height=320), key="lessons_mlp_chart")
    st.metric(t("lessons.mlp_parameters"), f"{int(table['parameters'].sum()):,}")
    st.dataframe(table.rename(columns=lambda name: t(f"lessons.mlp_column_{name}")), hide_index=True, key="lessons_mlp_table")


# --- CNN -----------------------------------------------------------------------------------------
def _cnn() -> None:
    image_column, kernel_column = st.columns(2)
    image_name = image_column.selectbox(t("lessons.cnn_image"), architectures.IMAGES,
                                        format_func=labels("cnn_image_"), key="lessons_cnn_image", persist_state=KEEP)
    kernel_names = [*architectures.KERNELS, "custom"]
    kernel_name = kernel_column.selectbox(t("lessons.cnn_kernel"), kernel_names,
                                          format_func=labels("cnn_kernel_"), key="lessons_cnn_kernel", persist_state=KEEP)
    if kernel_name == "custom":
        st.caption(t("lessons.cnn_custom_help"))
        grid = st.data_editor(pd.DataFrame(architectures.KERNELS["outline"], columns=["1", "2", "3"]),
                              hide_index=True, key="lessons_cnn_custom_grid")
        try:
            kernel = architectures.parse_kernel(grid.to_numpy().tolist())
        except DataError as error:
            show_data_error(error)
            return
    else:
        kernel = architectures.KERNELS[kernel_name]
        st.caption(t("lessons.cnn_kernel_values", values=np.array2string(kernel, precision=2, suppress_small=True)))
    image = _image(image_name)
    feature_map = architectures.convolve2d(image, kernel)
    pooled = architectures.relu_and_pool(feature_map, 2)
    titles = [t("lessons.cnn_input", shape=f"{image.shape[0]}×{image.shape[1]}"),
              t("lessons.cnn_feature_map", shape=f"{feature_map.shape[0]}×{feature_map.shape[1]}"),
              t("lessons.cnn_pooled", shape=f"{pooled.shape[0]}×{pooled.shape[1]}")]
    figure = make_subplots(rows=1, cols=3, subplot_titles=titles, horizontal_spacing=0.03)
    for column, (array, scale) in enumerate([(image, "gray"), (feature_map, "RdBu"), (pooled, "Reds")], start=1):
        limit = float(np.abs(array).max()) or 1.0
        signed = scale == "RdBu"  # the raw feature map has both signs; the image and ReLU output do not
        figure.add_trace(go.Heatmap(z=array, colorscale=scale, showscale=False, zmin=-limit if signed else 0,
                                    zmax=limit if signed else (1 if scale == "gray" else limit)), 1, column)
    figure.update_yaxes(autorange="reversed", scaleanchor="x", visible=False)
    figure.update_xaxes(visible=False)
    for column in (2, 3):
        figure.update_yaxes(scaleanchor=f"x{column}", row=1, col=column)
    st.plotly_chart(tidy(figure, height=340), key="lessons_cnn_chart")


# --- RNN / LSTM ----------------------------------------------------------------------------------
def _rnn() -> None:
    columns = st.columns(3)
    kind = columns[0].selectbox(t("lessons.rnn_sequence"), architectures.SEQUENCES,
                                format_func=labels("rnn_sequence_"), key="lessons_rnn_sequence", persist_state=KEEP)
    forget_bias = columns[1].slider(t("lessons.rnn_forget_bias"), -3.0, 5.0, 1.0, 0.5, key="lessons_rnn_forget", persist_state=KEEP,
                                    help=t("lessons.rnn_forget_bias_help"))
    seed = columns[2].number_input(t("lessons.rnn_seed"), 0, 99, 0, key="lessons_rnn_seed", persist_state=KEEP)
    sequence = architectures.input_sequence(kind, 40)
    rnn = architectures.simple_rnn_states(sequence, architectures.recurrent_weights(8, gates=1, seed=int(seed)))
    hidden, cells = architectures.lstm_states(sequence, architectures.recurrent_weights(8, gates=4, seed=int(seed)), forget_bias)
    titles = [t("lessons.rnn_input"), t("lessons.rnn_simple_hidden"), t("lessons.rnn_lstm_hidden"), t("lessons.rnn_lstm_cell")]
    figure = make_subplots(rows=4, cols=1, shared_xaxes=True, subplot_titles=titles, vertical_spacing=0.06,
                           row_heights=[0.16, 0.28, 0.28, 0.28])
    figure.add_trace(go.Scatter(x=np.arange(len(sequence)), y=sequence[:, 0], mode="lines+markers", showlegend=False,
                                line={"color": colour(0)}), 1, 1)
    for row, states in ((2, rnn), (3, hidden), (4, cells)):
        limit = float(np.abs(states).max()) or 1.0
        figure.add_trace(go.Heatmap(z=states.T, colorscale="RdBu", zmin=-limit, zmax=limit, showscale=False), row, 1)
        figure.update_yaxes(title_text=t("lessons.rnn_unit_axis"), row=row, col=1)
    figure.update_xaxes(title_text=t("lessons.rnn_step_axis"), row=4, col=1)
    st.plotly_chart(tidy(figure, height=560), key="lessons_rnn_chart")
    memory_column, lstm_column = st.columns(2)
    memory_column.metric(t("lessons.rnn_memory_simple"), f"{np.abs(rnn[-1]).mean():.3g}")
    lstm_column.metric(t("lessons.rnn_memory_lstm"), f"{np.abs(cells[-1]).mean():.3g}")


# --- attention -----------------------------------------------------------------------------------
def _attention() -> None:
    from dl.lessons.attention_weights import sentence_attention

    sentence = st.text_input(t("lessons.attention_sentence"), DEFAULT_SENTENCE,
                             key="lessons_attention_sentence", persist_state=KEEP, max_chars=200)
    with st.spinner(t("lessons.attention_loading")):
        model = _attention_model()
    layer_column, head_column = st.columns(2)
    layer = layer_column.slider(t("lessons.attention_layer"), 1, model.layers, 2, key="lessons_attention_layer", persist_state=KEEP)
    mean_label = t("lessons.attention_mean")
    head = head_column.selectbox(t("lessons.attention_head"), [0, *range(1, model.heads + 1)],
                                 format_func=lambda h: mean_label if h == 0 else str(h),
                                 key="lessons_attention_head", persist_state=KEEP)
    try:
        tokens, weights = sentence_attention(model, sentence, layer, head or None)
    except DataError as error:
        show_data_error(error)
        return
    labels = [f"{index}·{token}" for index, token in enumerate(tokens)]
    figure = px.imshow(weights, x=labels, y=labels, color_continuous_scale="Blues", zmin=0, zmax=float(weights.max()), aspect="auto",
                       labels={"x": t("lessons.attention_key_axis"), "y": t("lessons.attention_query_axis"), "color": "w"})
    figure.update_xaxes(tickangle=-45)
    st.plotly_chart(tidy(figure, height=520), key="lessons_attention_chart")


# --- GAN -----------------------------------------------------------------------------------------
def _gan_section() -> None:
    from dl.lessons.gan_1d import TARGETS

    target = st.selectbox(t("lessons.gan_target"), TARGETS, format_func=labels("gan_target_"),
                          index=TARGETS.index("bimodal"), key="lessons_gan_target", persist_state=KEEP)
    with st.spinner(t("lessons.gan_training")):
        samples, history = _gan(target)
    generated = samples[samples["source"] == "generated"]
    steps = sorted(generated["step"].unique())
    step = st.select_slider(t("lessons.gan_step"), steps, value=steps[-1], key="lessons_gan_step", persist_state=KEEP)
    real = samples[samples["source"] == "real"]["value"]
    figure = go.Figure()
    figure.add_trace(go.Histogram(x=real, name=t("lessons.gan_real"), histnorm="probability density", opacity=0.5,
                                  marker_color=colour(0), xbins={"start": -5, "end": 5, "size": 0.2}))
    figure.add_trace(go.Histogram(x=generated[generated["step"] == step]["value"], name=t("lessons.gan_generated"),
                                  histnorm="probability density", opacity=0.6, marker_color=colour(1),
                                  xbins={"start": -5, "end": 5, "size": 0.2}))
    figure.update_xaxes(range=[-5, 5])
    st.plotly_chart(tidy(figure, height=320, barmode="overlay"), key="lessons_gan_histogram")
    figure = go.Figure()
    smooth = history.rolling(25, min_periods=1).mean()
    for index, name in enumerate(["discriminator_on_real", "discriminator_on_generated"]):
        figure.add_trace(go.Scatter(x=history["step"], y=smooth[name], name=t(f"lessons.gan_{name}"), line={"color": colour(index)}))
    figure.add_vline(x=step, line_dash="dot")
    figure.update_yaxes(range=[0, 1], title_text="D(x)")
    figure.update_xaxes(title_text=t("lessons.gan_step"))
    st.plotly_chart(tidy(figure, height=260), key="lessons_gan_history")
