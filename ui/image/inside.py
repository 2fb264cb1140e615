"""Image classification, "Inside the model" tab: one photo through every layer (feature-map grids,
dense activations, class scores), the arithmetic of one convolution value on the user's own weights
(kernel, input patch, products, bias, then batch norm and ReLU), and weight and gradient histograms."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from dl.image.dataset import ImageDataset, TrainedImageClassifier
from dl.image.inside import ConvArithmetic, Histogram, LayerOutput
from ui.i18n import t
from ui.image.data import IMAGE_TYPES, display_pixels
from ui.limits import show_limits
from ui.loaders import load_model_once
from ui.tabs import KEEP, kept_upload

PAGE = "image_classification"
GRID_COLUMNS = 8  # maps per row of a layer's grid: eight small multiples still fit a phone's width
CELL_PIXELS = 48  # each map is enlarged (nearest neighbour, so pixels stay square) to at least this
FEW_MAPS_CELL_PIXELS = 112  # a layer of 1-4 maps (the photo's own channels) is drawn larger
GAP_PIXELS = 2
GAP_SHADE = 255  # white lines between the maps
SUM_TERMS = 6  # products written out in the sum before "…"
DEFAULT_MAPS = 16
BAR_COLOUR = "#4C78A8"


# ------------------------------------------------------------------------------------ drawing helpers
def feature_grid(maps: np.ndarray, count: int, columns: int = GRID_COLUMNS) -> np.ndarray:
    """The first ``count`` maps of (h, w, channels) as one uint8 greyscale image of small multiples.

    Each map is stretched to 0-255 by its own range (a map's pattern matters here, not its scale,
    which the histograms show); a map with one value everywhere is drawn black."""
    count = max(1, min(count, maps.shape[-1]))
    height, width = maps.shape[:2]
    cell_pixels = FEW_MAPS_CELL_PIXELS if count <= 4 else CELL_PIXELS
    scale = max(1, -(-cell_pixels // max(height, width)))
    chosen = maps[..., :count].astype(np.float32)
    low, high = chosen.min(axis=(0, 1)), chosen.max(axis=(0, 1))
    span = np.where(high > low, high - low, 1.0)
    scaled = np.where(high > low, (chosen - low) / span * 255.0, 0.0).astype(np.uint8)
    scaled = np.kron(scaled.transpose(2, 0, 1), np.ones((1, scale, scale), dtype=np.uint8))  # (count, H, W)
    columns = min(columns, count)
    rows = -(-count // columns)
    cell_height, cell_width = height * scale + GAP_PIXELS, width * scale + GAP_PIXELS
    grid = np.full((rows * cell_height - GAP_PIXELS, columns * cell_width - GAP_PIXELS), GAP_SHADE, dtype=np.uint8)
    for index in range(count):
        top, left = (index // columns) * cell_height, (index % columns) * cell_width
        grid[top : top + height * scale, left : left + width * scale] = scaled[index]
    return grid


def shape_text(shape: tuple[int, ...]) -> str:
    return "×".join(str(size) for size in shape)


def layer_caption(output: LayerOutput) -> str:
    return t("inside_image.layer_caption", name=output.name, kind=t(f"inside_image.kind_{output.kind}"),
             shape=shape_text(output.shape))


def bars_figure(values: np.ndarray, labels: list[str], axis_title: str, height: int = 220) -> go.Figure:
    """Vertical bars of a vector (a dense layer's activations or the class scores)."""
    figure = go.Figure(go.Bar(x=labels, y=values, marker_color=BAR_COLOUR, hovertemplate="%{x}: %{y:.4f}<extra></extra>"))
    figure.update_layout(height=height, margin={"l": 10, "r": 10, "t": 10, "b": 10},
                         xaxis={"type": "category", "title": axis_title}, yaxis={"title": t("inside_image.value_axis")})
    return figure


def heat_figure(values: np.ndarray, title: str, colours: str = "RdBu", height: int = 230) -> go.Figure:
    """A small 2-D array as a heat map with its numbers written in (kernels and patches are 3x3 or 5x5)."""
    largest = float(np.abs(values).max()) or 1.0
    figure = go.Figure(go.Heatmap(z=values, colorscale=colours, zmin=-largest if colours == "RdBu" else None,
                                  zmax=largest if colours == "RdBu" else None, text=np.round(values, 2),
                                  texttemplate="%{text}", showscale=False, hovertemplate="%{z:.4f}<extra></extra>"))
    figure.update_layout(title=title, height=height, margin={"l": 10, "r": 10, "t": 40, "b": 10},
                         xaxis={"showticklabels": False}, yaxis={"showticklabels": False, "autorange": "reversed"})
    return figure


def part_label(part: str) -> str:
    """A weight variable's name in the page's language ("kernel" -> "卷积核/权重矩阵"); others stay as they are."""
    return t(f"inside_image.part_{part}") if part in ("kernel", "bias", "gamma", "beta") else part


def histogram_figure(histogram: Histogram, title: str, colour: str) -> go.Figure:
    centres = (histogram.edges[:-1] + histogram.edges[1:]) / 2
    figure = go.Figure(go.Bar(x=centres, y=histogram.counts, marker_color=colour,
                              width=np.diff(histogram.edges), hovertemplate="%{x:.4g}: %{y}<extra></extra>"))
    figure.update_layout(title=title, height=240, margin={"l": 10, "r": 10, "t": 40, "b": 10}, bargap=0.05,
                         xaxis={"title": t("inside_image.value_axis")}, yaxis={"title": t("inside_image.count_axis")})
    return figure


def marked_map(values: np.ndarray, row: int, column: int) -> np.ndarray:
    """One feature map (h, w) as enlarged RGB with the chosen pixel outlined in red."""
    grey = feature_grid(values[..., np.newaxis], 1)
    scale = grey.shape[0] // values.shape[0]
    rgb = np.repeat(grey[..., np.newaxis], 3, axis=-1)
    top, left = row * scale, column * scale
    rgb[top : top + scale, left : left + scale] = (rgb[top : top + scale, left : left + scale] * 0.3
                                                   + np.array([230, 30, 30]) * 0.7).astype(np.uint8)
    return rgb


def written_sum(arithmetic: ConvArithmetic, terms: int = SUM_TERMS) -> str:
    """"0.12×0.50 + (−0.03)×1.00 + … (288 products) + 0.066 = 1.234": the first few products, then the total."""
    kernel, patch = arithmetic.kernel.ravel(), arithmetic.patch.ravel()
    shown = [f"{signed(weight)}×{signed(value)}" for weight, value in zip(kernel[:terms], patch[:terms], strict=True)]
    if len(kernel) > terms:
        shown.append(t("inside_image.more_products", count=len(kernel) - terms))
    return " + ".join(shown) + f" + {signed(arithmetic.bias)} = {arithmetic.pre_activation:.4f}"


def signed(value: float) -> str:
    """A number in a written sum: negatives in brackets, so "+ (−0.061)" does not read as "+ -0.061"."""
    return f"{value:.3f}" if value >= 0 else f"(−{-value:.3f})"


# ------------------------------------------------------------------------------------------ the tab
def render_inside_tab(trained: TrainedImageClassifier | None, dataset: ImageDataset | None) -> None:
    if trained is None:
        st.info(t("inside_image.no_model"))
        return
    st.caption(t("inside_image.intro"))
    photo = choose_photo(trained, dataset)
    if photo is None:
        return
    image, true_label = photo
    from dl.image.inside import layer_outputs

    load_model_once(trained)
    outputs = layer_outputs(trained, image)
    probabilities = outputs[-1].values
    predicted = int(np.argmax(probabilities))
    picture, scores = st.columns([1, 3], vertical_alignment="center")
    picture.image(display_pixels(image), width=112)
    picture.caption(t("inside_image.prediction", predicted=trained.class_names[predicted],
                      probability=probabilities[predicted] * 100))
    scores.plotly_chart(bars_figure(probabilities, list(trained.class_names), t("inside_image.class_axis")),
                        key="inside_image_scores")
    render_layers(outputs, trained.class_names)
    render_arithmetic(trained, image, outputs)
    gradient_class = true_label if true_label is not None else predicted
    render_histograms(trained, image, gradient_class, true_label is not None)


def choose_photo(trained: TrainedImageClassifier, dataset: ImageDataset | None) -> tuple[np.ndarray, int | None] | None:
    """(uint8 photo, its true class or None) from the held-out test images or an upload."""
    from dl.data import DataError
    from ui.errors import show_data_error

    held_out = dataset is not None and len(trained.test_indices) > 0 and len(dataset.images) > int(trained.test_indices.max())
    choices = (["held_out"] if held_out else []) + ["upload"]
    labels = {choice: t(f"inside_image.source_{choice}") for choice in choices}  # translated now, not when read
    source = st.radio(t("inside_image.photo_source"), choices, format_func=labels.__getitem__,
                      horizontal=True, key="inside_image_source", persist_state=KEEP)
    if source == "held_out":
        count = len(trained.test_indices)
        position = st.slider(t("inside_image.photo_index", count=count), 0, count - 1, 0, key="inside_image_index",
                             persist_state=KEEP)
        index = int(trained.test_indices[position])
        label = int(dataset.labels[index])
        st.caption(t("inside_image.photo_label", label=dataset.class_names[label]))
        return dataset.images[index], label
    upload = kept_upload(PAGE, "inside_image_upload", lambda: st.file_uploader(
        t("inside_image.upload"), type=IMAGE_TYPES, key="inside_image_upload"))
    show_limits("photos")
    if upload is None:
        st.info(t("inside_image.upload_first"))
        return None
    from dl.image.uploads import DEFAULT_LIMITS, decode_photo, images_to_array

    try:
        decoded = decode_photo(upload.getvalue(), upload.name)
    except DataError as error:
        show_data_error(error)
        return None
    return images_to_array([decoded], DEFAULT_LIMITS.storage_size, 1 if decoded.mode == "L" else 3)[0], None


def render_layers(outputs: list[LayerOutput], class_names: list[str]) -> None:
    st.subheader(t("inside_image.layers_title"))
    most_maps = max((output.shape[-1] for output in outputs if output.is_map), default=1)
    shown = st.slider(t("inside_image.maps_shown"), 1, most_maps, min(DEFAULT_MAPS, most_maps),
                      key="inside_image_maps_shown", persist_state=KEEP)
    for position, output in enumerate(outputs):
        caption = layer_caption(output)
        if output.identity_at_prediction:
            st.caption(caption + " · " + t("inside_image.identity"))
        elif output.is_map:
            total = output.shape[-1]
            if total == 1:
                more = t("inside_image.one_map")
            else:
                more = t("inside_image.maps_of", shown=shown, total=total) if shown < total else t("inside_image.maps_all", total=total)
            grid = feature_grid(output.values, shown)  # drawn at its own size: stretched, the maps' pixels blur
            st.caption(caption + more)  # above, at full width: under a narrow grid it would wrap word by word
            st.image(grid, output_format="PNG", width=int(grid.shape[1]))
        elif output.kind == "flatten":
            st.caption(caption + " · " + t("inside_image.flatten_note", count=output.shape[0]))
        elif output.kind == "probabilities":
            st.caption(caption + " · " + t("inside_image.scores_above"))
        else:
            st.caption(caption)
            labels = [str(unit) for unit in range(output.shape[0])]
            st.plotly_chart(bars_figure(output.values, labels, t("inside_image.unit_axis"), height=180),
                            key=f"inside_image_layer_{position}")


def render_arithmetic(trained: TrainedImageClassifier, image: np.ndarray, outputs: list[LayerOutput]) -> None:
    from dl.image.inside import conv_arithmetic, conv_layer_names

    st.subheader(t("inside_image.arithmetic_title"))
    names = conv_layer_names(trained)
    if not names:
        st.info(t("inside_image.no_arithmetic"))
        return
    st.caption(t("inside_image.arithmetic_help"))
    by_name = {output.name: output for output in outputs}
    choose_layer, choose_map, choose_row, choose_column = st.columns(4)
    layer = choose_layer.selectbox(t("inside_image.conv_layer"), names, key="inside_image_conv_layer", persist_state=KEEP)
    maps = by_name[layer].values
    height, width, channels = maps.shape
    map_names = [t("inside_image.map_name", number=number) for number in range(channels)]
    channel = choose_map.selectbox(t("inside_image.feature_map"), list(range(channels)), format_func=map_names.__getitem__,
                                   key=f"inside_image_map_{layer}", persist_state=KEEP)
    brightest_row, brightest_column = np.unravel_index(int(np.argmax(maps[..., channel])), (height, width))
    # each map starts at its own brightest pixel (a ReLU's zero elsewhere would hide the sum) and keeps its choice
    row = choose_row.number_input(t("inside_image.row"), 0, height - 1, int(brightest_row),
                                  key=f"inside_image_row_{layer}_{channel}", persist_state=KEEP)
    column = choose_column.number_input(t("inside_image.column"), 0, width - 1, int(brightest_column),
                                        key=f"inside_image_column_{layer}_{channel}", persist_state=KEEP)
    arithmetic = conv_arithmetic(trained, image, layer, int(channel), int(row), int(column))
    in_channels = arithmetic.kernel.shape[-1]
    in_channel = 0
    if in_channels > 1:
        in_channel = st.slider(t("inside_image.input_channel", count=in_channels), 0, in_channels - 1, 0,
                               key=f"inside_image_input_channel_{layer}", persist_state=KEEP)
    chosen_map, kernel, patch, products = st.columns(4)
    chosen_map.image(marked_map(maps[..., channel], int(row), int(column)), width=FEW_MAPS_CELL_PIXELS + 48,
                     caption=t("inside_image.chosen_map", name=layer, number=channel), output_format="PNG")
    kernel.plotly_chart(heat_figure(arithmetic.kernel[..., in_channel], t("inside_image.kernel_title")), key="inside_image_kernel")
    patch.plotly_chart(heat_figure(arithmetic.patch[..., in_channel], t("inside_image.patch_title"), "Greys"),
                       key="inside_image_patch")
    products.plotly_chart(heat_figure(arithmetic.products[..., in_channel], t("inside_image.products_title")),
                          key="inside_image_products")
    show_steps(arithmetic)
    with st.expander(t("inside_image.products_table", count=arithmetic.products.size)):
        kernel_rows, kernel_columns, input_channels = np.indices(arithmetic.kernel.shape)
        st.dataframe({
            t("inside_image.kernel_row"): kernel_rows.ravel(),
            t("inside_image.kernel_column"): kernel_columns.ravel(),
            t("inside_image.input_channel_column"): input_channels.ravel(),
            t("inside_image.weight"): arithmetic.kernel.ravel(),
            t("inside_image.input_value"): arithmetic.patch.ravel(),
            t("inside_image.product"): arithmetic.products.ravel(),
        }, hide_index=True)


def show_steps(arithmetic: ConvArithmetic) -> None:
    """The sum written out, then each step after it, then Keras' own value beside the hand result."""
    lines = [t("inside_image.sum_line", sum=written_sum(arithmetic))]
    if arithmetic.activation == "relu":
        lines.append(t("inside_image.relu_line", value=arithmetic.pre_activation, result=arithmetic.value))
    norm = arithmetic.normalisation
    if norm is not None:
        lines.append(t("inside_image.norm_line", value=arithmetic.value, mean=norm.mean, variance=norm.variance,
                       epsilon=norm.epsilon, gamma=norm.gamma, beta=norm.beta, result=norm.result))
        if arithmetic.after_relu is not None:
            lines.append(t("inside_image.relu_line", value=norm.result, result=arithmetic.after_relu))
    st.markdown("  \n".join(lines))
    matches = arithmetic.difference < 1e-4
    message = t("inside_image.keras_matches" if matches else "inside_image.keras_differs", hand=arithmetic.final_value,
                keras=arithmetic.framework_value, difference=arithmetic.difference)
    (st.success if matches else st.error)(message)


def render_histograms(trained: TrainedImageClassifier, image: np.ndarray, class_index: int, is_true_class: bool) -> None:
    from dl.image.inside import gradient_histograms, weight_histograms

    st.subheader(t("inside_image.histograms_title"))
    st.caption(t("inside_image.gradient_help_true" if is_true_class else "inside_image.gradient_help_predicted",
                 label=trained.class_names[class_index]))
    weights = weight_histograms(trained)
    gradients = gradient_histograms(trained, image, class_index)
    layers = list(dict.fromkeys(histogram.layer for histogram in weights))
    layer = st.selectbox(t("inside_image.histogram_layer"), layers, key="inside_image_histogram_layer", persist_state=KEEP)
    for weight, gradient in zip(weights, gradients, strict=True):
        if weight.layer != layer:
            continue
        left, right = st.columns(2)
        left.plotly_chart(histogram_figure(weight, t("inside_image.weights_title", part=part_label(weight.part), count=weight.size),
                                           BAR_COLOUR), key=f"inside_image_weights_{layer}_{weight.part}")
        right.plotly_chart(histogram_figure(gradient, t("inside_image.gradients_title", part=part_label(gradient.part),
                                                        largest=gradient.largest), "#E45756"),
                           key=f"inside_image_gradients_{layer}_{gradient.part}")
