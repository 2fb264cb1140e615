"""AppTest: the image classification page, in English and Chinese.

Upload a zip of two classes, train a small CNN, see the confusion matrix, classify an uploaded
image; a bad zip shows an error box, never a traceback.
"""

from __future__ import annotations

import io
import time
import zipfile

import pytest
from apptest_utils import open_page
from image_photos import shape_png

PAGE = "image_classification"
TEXT = {
    "en": {"title": "Image classification", "confusion": "Confusion matrix", "problem": "Problem with the data"},
    "zh": {"title": "图像分类", "confusion": "混淆矩阵", "problem": "数据有问题"},
}


def two_class_zip(per_class: int = 10) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for index in range(per_class):
            archive.writestr(f"shapes/bars/{index}.png", shape_png("bars", index))
            archive.writestr(f"shapes/stripes/{index}.png", shape_png("stripes", 100 + index))
        archive.writestr("shapes/notes.txt", "not an image")
    return buffer.getvalue()


def charts_text(app) -> str:
    return " ".join(str(chart.proto.spec) for chart in app.get("plotly_chart"))


def run_until(app, condition, seconds: float = 240) -> None:
    """Rerun the page until ``condition(app)``: a job's fragment does not tick inside AppTest."""
    deadline = time.time() + seconds
    while not condition(app):
        assert time.time() < deadline, "timed out waiting for the page"
        assert not app.exception, app.exception
        time.sleep(1.0)
        app.run()


@pytest.mark.parametrize("language", ["en", "zh"])
def test_upload_zip_train_and_predict(language):
    app = open_page(PAGE, language)
    assert not app.exception
    assert TEXT[language]["title"] in app.title[0].value
    app.radio(key="image_source").set_value("zip").run()
    app.file_uploader(key="image_zip").set_value(("shapes.zip", two_class_zip(), "application/zip")).run()
    assert not app.exception and not app.error
    assert "notes.txt" in " ".join(block.value for block in app.code)  # the skipped file is listed
    assert "bars" in charts_text(app) and "stripes" in charts_text(app)  # counts per class
    # small and quick: 16 px images, 4 epochs
    app.select_slider(key="image_size").set_value(16)
    app.slider(key="image_epochs").set_value(4)
    app.button(key="image_train").click().run()
    # wait for what is asserted: the results (a job can finish between two reruns of the page)
    run_until(app, lambda page: TEXT[language]["confusion"] in charts_text(page))
    assert not app.error
    assert "heatmap" in charts_text(app)
    accuracy = next(metric for metric in app.metric if metric.value.endswith("%"))
    assert float(accuracy.value.rstrip("%")) >= 75.0  # bars vs stripes: chance is 50 %

    app.file_uploader(key="image_predict_files").set_value([
        ("new_bar.png", shape_png("bars", 999), "image/png"),
        ("broken.png", b"not an image at all", "image/png"),
    ]).run()
    assert not app.exception
    labels = " ".join(block.value for block in app.markdown)
    assert "**bars**" in labels or "**stripes**" in labels  # the top class, in bold
    assert any("broken.png" in error.value for error in app.error)  # the bad file: an error box
    assert len([chart for chart in app.get("plotly_chart") if "probability" in str(chart.proto.spec) or "概率" in str(chart.proto.spec)]) >= 1


@pytest.mark.parametrize("language", ["en", "zh"])
def test_bad_zip_shows_an_error_box(language):
    app = open_page(PAGE, language)
    app.radio(key="image_source").set_value("zip").run()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../escape.png", shape_png("bars", 1))
        archive.writestr("bars/1.png", shape_png("bars", 2))
    app.file_uploader(key="image_zip").set_value(("evil.zip", buffer.getvalue(), "application/zip")).run()
    assert not app.exception
    assert len(app.error) == 1 and TEXT[language]["problem"] in app.error[0].value
    assert "../escape.png" in app.error[0].value
    assert all(button.key != "image_train" for button in app.button)


def test_builtin_digits_render_samples_and_settings():
    app = open_page(PAGE, "en")
    app.radio(key="image_source").set_value("digits").run()
    assert not app.exception
    assert "1,797 images" in " ".join(caption.value for caption in app.caption)
    assert len(app.get("image")) >= 10  # a row of samples per digit
    app.radio(key="image_model_kind").set_value("transfer").run()
    assert not app.exception


def test_class_slots_add_rename_remove():
    app = open_page(PAGE, "en")
    app.radio(key="image_source").set_value("slots").run()
    assert not app.exception
    name_boxes = [box for box in app.text_input if box.key.startswith("image_slot_name_")]
    assert [box.value for box in name_boxes] == ["Class 1", "Class 2"]
    app.button(key="image_slot_add").click().run()
    name_boxes = [box for box in app.text_input if box.key.startswith("image_slot_name_")]
    assert len(name_boxes) == 3
    third = name_boxes[2].key.removeprefix("image_slot_name_")
    app.button(key=f"image_slot_remove_{third}").click().run()
    name_boxes = [box for box in app.text_input if box.key.startswith("image_slot_name_")]
    assert len(name_boxes) == 2 and not any(button.key.startswith("image_slot_remove_") for button in app.button)

    first, second = (box.key.removeprefix("image_slot_name_") for box in name_boxes)
    app.text_input(key=f"image_slot_name_{first}").set_value("Bars")
    app.text_input(key=f"image_slot_name_{second}").set_value("Stripes")
    app.file_uploader(key=f"image_slot_files_{first}").set_value(
        [(f"b{index}.png", shape_png("bars", index), "image/png") for index in range(3)]
    )
    app.file_uploader(key=f"image_slot_files_{second}").set_value([("s0.png", shape_png("stripes", 50), "image/png")])
    app.run()
    assert not app.exception
    assert "class 'Stripes' has 1 readable image" in app.error[0].value  # named, with how to fix it
    app.file_uploader(key=f"image_slot_files_{second}").set_value(
        [(f"s{index}.png", shape_png("stripes", 50 + index), "image/png") for index in range(3)]
    ).run()
    assert not app.error
    assert "6 images · 2 classes" in " ".join(caption.value for caption in app.caption)
    app.text_input(key=f"image_slot_name_{second}").set_value("bars").run()
    assert "Two classes are called 'bars'" in app.error[0].value
