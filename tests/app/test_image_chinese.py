"""The image page after training, in 简体中文: every tab, with a photo on the Predict tab (its warning)
and a sample on the Pretrained tab, shows no English words but names, units and the data's own words
(issue 24.6, the image page's part; the pages before training are in tests/app/test_chinese_pages.py)."""

from __future__ import annotations

import io

from apptest_utils import english_on_page, open_page, run_until, show_tab
from PIL import Image
from sklearn.datasets import load_sample_image

PAGE = "image_classification"
RESULTS, PREDICT, PRETRAINED, EXPORT = 1, 3, 4, 5  # 2: Inside the model


def flower_png() -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(load_sample_image("flower.jpg")[100:356, 150:406]).save(buffer, format="PNG")
    return buffer.getvalue()


LAYER_NAMES = ["conv_1", "dense", "probabilities"]  # the seed CNN's own layer names (Keras identifiers), as Keras shows them


def test_every_tab_of_the_trained_image_page_is_chinese():
    from dl.image.pretrained import imagenet_labels

    app = open_page(PAGE, "zh")
    app.radio(key="image_source").set_value("digits").run()
    app.select_slider(key="image_size").set_value(16)
    app.slider(key="image_epochs").set_value(3)
    app.button(key="image_train").click().run()
    show_tab(app, RESULTS, PAGE)
    run_until(app, lambda page: len(page.get("plotly_chart")) >= 2)  # the confusion matrix and the curves
    assert english_on_page(app, LAYER_NAMES) == [], "Results"  # the replay's weight legend names the model's layers

    show_tab(app, PREDICT, PAGE)
    run_until(app, lambda page: any(uploader.key == "image_predict_files" for uploader in page.get("file_uploader")))
    app.file_uploader(key="image_predict_files").set_value([("flower.png", flower_png(), "image/png")]).run()
    assert any("与训练数据相差很远" in box.value for box in app.warning)
    assert english_on_page(app) == [], "Predict"

    show_tab(app, PRETRAINED, PAGE)
    app.file_uploader(key="pretrained_upload").set_value([("flower.png", flower_png(), "image/png")]).run()
    assert len(app.get("plotly_chart")) >= 1
    assert english_on_page(app, imagenet_labels()) == [], "Pretrained"  # ImageNet's class names are English (said there)

    show_tab(app, EXPORT, PAGE)
    app.button(key="image_export_compress").click().run()
    assert not app.exception
    assert english_on_page(app) == [], "Export"
