"""AppTest: the image page's "Inside the model" tab. Before training it says to train first; after a tiny
run on the built-in 8x8 digits it shows every layer (feature-map grids, captions with shapes), the
arithmetic of one convolution value agreeing with Keras, and choosing another feature map or pixel
changes that arithmetic. In 简体中文 the tab shows no English but names and the model's layer names."""

from __future__ import annotations

import re

import pytest
from apptest_utils import english_on_page, open_page, run_until, show_tab

PAGE = "image_classification"
INSIDE = 2  # tab position: after Results
TEXT = {
    "en": {"no_model": "No model yet", "agree": "They agree", "by_hand": r"By hand: (-?\d+\.\d+)"},
    "zh": {"no_model": "还没有模型", "agree": "两者一致", "by_hand": r"手算：(-?\d+\.\d+)"},
}
LAYER_NAMES = ["input", "scale_to_unit", "augment_shift", "conv_1", "pool_1", "flatten", "dense", "dropout",
               "probabilities"]  # the seed CNN's layers (the model's own names, in any language)


def train_tiny_digits(language: str):
    app = open_page(PAGE, language)
    show_tab(app, INSIDE, PAGE)
    assert any(TEXT[language]["no_model"] in box.value for box in app.info)  # nothing trained yet
    show_tab(app, 0, PAGE)
    app.radio(key="image_source").set_value("digits").run()
    app.select_slider(key="image_size").set_value(16)
    app.slider(key="image_epochs").set_value(3)
    app.button(key="image_train").click().run()
    show_tab(app, INSIDE, PAGE)
    run_until(app, lambda page: any(TEXT[language]["agree"] in box.value for box in page.success))
    assert not app.exception and not app.error
    return app


def arithmetic_text(app) -> str:
    return " ".join(block.value for block in app.markdown if "×" in block.value)


def by_hand(app, language: str) -> float:
    (box,) = [box.value for box in app.success if TEXT[language]["agree"] in box.value]
    return float(re.search(TEXT[language]["by_hand"], box).group(1))


@pytest.mark.parametrize("language", ["en", "zh"])
def test_inside_the_model_after_training(language):
    app = train_tiny_digits(language)
    tab = app.tabs[INSIDE]
    layers = [caption.value for caption in tab.get("caption") if caption.value.startswith("`")]
    assert [caption.split(" · ")[0].strip("`") for caption in layers] == LAYER_NAMES  # every layer, in order
    shapes = {"input": "16×16×1", "conv_1": "14×14×32", "pool_1": "7×7×32", "flatten": "1568", "dense": "128"}
    for caption, name in zip(layers, LAYER_NAMES):
        assert shapes.get(name, "") in caption, caption  # a 16 px image's shapes
    # the photo, the grids of input, scale_to_unit, conv_1 and pool_1 (not of the identity layers), the chosen map
    assert len(tab.get("image")) == 6
    assert len(app.get("plotly_chart")) >= 6  # scores, dense bars, kernel, patch, products, histograms

    before_text = arithmetic_text(app)
    assert by_hand(app, language) > 0  # the view starts at the map's brightest pixel, not at a ReLU's zero
    app.selectbox(key="inside_image_map_conv_1").set_value(5).run()
    assert not app.exception
    after_text = arithmetic_text(app)
    assert after_text != before_text  # another map: another kernel, another sum
    assert by_hand(app, language) > 0  # the other map starts at its own brightest pixel too
    app.number_input(key="inside_image_row_conv_1_5").set_value(3).run()
    app.number_input(key="inside_image_column_conv_1_5").set_value(9).run()
    assert arithmetic_text(app) != after_text  # another pixel: another input patch
    assert any(TEXT[language]["agree"] in box.value for box in app.success)

    if language == "zh":
        assert english_on_page(app, LAYER_NAMES) == []
        return
    # an uploaded photo has no true class: its gradients are for the predicted one
    app.radio(key="inside_image_source").set_value("upload").run()
    app.file_uploader(key="inside_image_upload").set_value(("seven.png", seven_png(), "image/png")).run()
    assert not app.exception and not app.error
    assert any("predicted class" in caption.value for caption in app.tabs[INSIDE].get("caption"))
    assert any(TEXT[language]["agree"] in box.value for box in app.success)


def seven_png() -> bytes:
    """A white 7 on black, 64x64: another size than the model's input (the tab resizes it)."""
    import io

    import numpy as np
    from PIL import Image

    pixels = np.zeros((64, 64), dtype=np.uint8)
    pixels[12:18, 14:50] = 255
    for row in range(18, 54):
        column = 48 - (row - 18) // 2
        pixels[row, column - 3 : column + 3] = 255
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()
