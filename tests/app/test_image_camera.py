"""AppTest: the camera per class slot on the image page (issue 27, part 1).

AppTest (Streamlit 1.67) has a camera element: ``app.camera_input(key=...).set_value((name.jpg, jpeg, "image/jpeg"))``
stages a photo the way the browser widget sends one, and the page's own callback keeps it. Photos of
bars go into one slot and photos of stripes into the other (a different number each, so a photo in
the wrong class shows in the counts); the model trained on them classifies new images it never saw,
which it cannot do if the photos were mixed up between the classes.
"""

from __future__ import annotations

import re

from apptest_utils import chart_specs, english_on_page, open_page, plotly_array, run_until, show_tab
from camera_utils import camera_jpeg, name_class, open_camera, photo_names, slot_ids, take_photos
from image_photos import shape_png

PAGE = "image_classification"
PREDICT = 3  # tab position
BARS, STRIPES = 13, 11  # photos per class: unequal, so a photo in the wrong class changes both counts
TRAINED = re.compile(r"test accuracy [\d.]+%")


def class_counts(app) -> dict[str, int]:
    """The counts-per-class bar chart of the data step."""
    bars = [trace for spec in chart_specs(app) for trace in spec.get("data", []) if trace.get("type") == "bar"]
    return {name: count for trace in bars for count, name in zip(plotly_array(trace["x"]).tolist(), trace["y"], strict=True)}


def test_a_burst_per_class_lands_in_its_class_and_trains():
    app = open_page(PAGE)
    app.radio(key="image_source").set_value("slots").run()
    bars, stripes = slot_ids(app)
    assert not app.camera_input  # closed until asked for
    name_class(app, bars, "bars")
    name_class(app, stripes, "stripes")
    open_camera(app, bars)
    take_photos(app, bars, "bars", BARS)
    assert photo_names(app, bars) == [f"camera-{number}.jpg" for number in range(BARS, 1, -1)]  # thumbnails: the newest 12
    assert any(f"{BARS} photos in this class; the newest 12 are shown" in caption.value for caption in app.caption)
    open_camera(app, stripes)
    take_photos(app, stripes, "stripes", STRIPES, first_seed=100)
    assert class_counts(app) == {"bars": BARS, "stripes": STRIPES}
    assert any(f"{STRIPES} photos in this class" in caption.value for caption in app.caption)

    app.button(key=f"image_slot_photo_remove_{bars}_camera-2.jpg").click().run()  # one thumbnail's ✖
    assert "camera-2.jpg" not in photo_names(app, bars) and photo_names(app, bars)[-1] == "camera-1.jpg"  # the 12th newest now
    assert class_counts(app) == {"bars": BARS - 1, "stripes": STRIPES}
    take_photos(app, bars, "bars", 1, first_seed=50)  # the next photo gets a new name, not the removed one's
    assert photo_names(app, bars)[0] == f"camera-{BARS + 1}.jpg"
    assert class_counts(app) == {"bars": BARS, "stripes": STRIPES}

    app.select_slider(key="image_size").set_value(16)
    app.slider(key="image_epochs").set_value(15)
    app.button(key="image_train").click().run()
    run_until(app, lambda page: any(TRAINED.search(box.value) for box in page.success))
    show_tab(app, PREDICT, PAGE)
    new_images = [(f"new_{kind}_{seed}.png", shape_png(kind, seed), "image/png") for kind in ("bars", "stripes") for seed in (900, 901, 902, 903)]
    app.file_uploader(key="image_predict_files").set_value(new_images).run()
    predicted = [match for block in app.markdown for match in re.findall(r"\*\*(bars|stripes)\*\*\s*[(（][\d.]+%", block.value)]
    expected = ["bars"] * 4 + ["stripes"] * 4
    assert len(predicted) == len(expected)
    assert sum(guess == truth for guess, truth in zip(predicted, expected, strict=True)) >= 7  # chance: 4 of 8


def test_a_removed_class_takes_its_photos_in_chinese():
    app = open_page(PAGE, "zh")
    app.radio(key="image_source").set_value("slots").run()
    app.button(key="image_slot_add").click().run()
    first, _, third = slot_ids(app)
    open_camera(app, first)
    take_photos(app, first, "bars", 2, first_seed=7)
    kept = app.session_state["image_slot_photos"][first]
    assert [photo.data for photo in kept] == [camera_jpeg("bars", 7), camera_jpeg("bars", 8)]  # the camera's bytes, in order
    open_camera(app, third)
    take_photos(app, third, "stripes", 3)
    assert any("这个类别有 3 张照片" in caption.value for caption in app.caption)
    assert english_on_page(app) == []
    app.button(key=f"image_slot_remove_{third}").click().run()
    assert third not in app.session_state["image_slot_photos"] and len(photo_names(app, first)) == 2
    app.button(key="image_slot_add").click().run()
    new_slot = slot_ids(app)[-1]
    assert photo_names(app, new_slot) == []  # a new slot starts empty: no photos left over from the removed one
    app.button(key=f"image_slot_photos_clear_{first}").click().run()  # "remove all"
    assert photo_names(app, first) == [] and not app.exception

