"""AppTest: the Predict tab says when a photo is far from the training data (issue 24, item 5).

A digits CNN is trained on the page; a colour photo gets the warning with its reasons beside its
prediction, a held-out digit gets the quiet "like the training images" line instead. Both languages.
"""

from __future__ import annotations

import io

import pytest
from apptest_utils import open_page, run_until, show_tab
from PIL import Image
from sklearn.datasets import load_sample_image

from dl.image.dataset import load_sklearn_digits

PAGE = "image_classification"
PREDICT = 3
TEXT = {
    "en": {"far": "Far from the training data", "colour": "greyscale", "near": "Like the training images"},
    "zh": {"far": "与训练数据相差很远", "colour": "灰度图", "near": "与训练图像相似"},
}


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def flower_photo() -> bytes:
    return png(Image.fromarray(load_sample_image("flower.jpg")[100:356, 150:406]))


def digit_drawing() -> bytes:
    """The last of sklearn's digits (in the test split or not, it is a digit like the others), blown up."""
    return png(Image.fromarray(load_sklearn_digits().images[-1, ..., 0]).resize((64, 64), Image.NEAREST))


@pytest.mark.parametrize("language", ["en", "zh"])
def test_predict_tab_warns_about_a_photo_far_from_the_training_digits(language):
    app = open_page(PAGE, language)
    app.radio(key="image_source").set_value("digits").run()
    app.select_slider(key="image_size").set_value(16)
    app.slider(key="image_epochs").set_value(6)
    app.button(key="image_train").click().run()
    show_tab(app, PREDICT, PAGE)
    run_until(app, lambda page: any(uploader.key == "image_predict_files" for uploader in page.get("file_uploader")))
    app.file_uploader(key="image_predict_files").set_value([
        ("flower.png", flower_photo(), "image/png"),
        ("digit.png", digit_drawing(), "image/png"),
    ]).run()
    assert not app.exception and not app.error
    text = TEXT[language]
    (warning,) = [box.value for box in app.warning if text["far"] in box.value]
    assert text["colour"] in warning  # the reason: a colour photo against greyscale digits
    assert sum(text["near"] in caption.value for caption in app.caption) == 1  # the digit: no warning
