"""AppTest: augmentation on the image page: the preview shows random draws, the Results tab sets a run
beside the same settings without augmentation, and its numbers are the two stored runs' own."""

from __future__ import annotations

import pytest
from apptest_utils import chart_specs, english_on_page, open_page, run_until, show_tab

from dl.store import ModelStore

PAGE = "image_classification"
RESULTS = 1


def preview_images(app) -> list:
    return [image for element in app.get("image") for image in element.proto.imgs]


@pytest.mark.parametrize("language", ["en", "zh"])
def test_preview_shows_the_image_and_random_draws(language):
    app = open_page(PAGE, language)
    app.radio(key="image_source").set_value("digits").run()
    app.select_slider(key="image_size").set_value(16)
    app.slider(key="image_brightness").set_value(0.3)
    app.slider(key="image_contrast").set_value(0.4).run()
    shown_before = len(preview_images(app))
    app.toggle(key="image_augment_preview").set_value(True).run()
    assert not app.exception and not app.error
    draws = preview_images(app)[shown_before:]
    assert len(draws) == 8  # the image as it is and seven random draws
    assert len({image.url for image in draws}) == 8  # eight different pictures (media files are named by content)
    if language == "zh":
        assert english_on_page(app) == []
    app.button(key="image_augment_another").click().run()  # another image of the data
    assert not app.exception and len(preview_images(app)) == shown_before + 8


def test_results_compare_the_run_with_the_same_settings_without_augmentation():
    app = open_page(PAGE)
    app.radio(key="image_source").set_value("digits").run()
    app.select_slider(key="image_size").set_value(16)
    app.slider(key="image_epochs").set_value(4)
    app.slider(key="image_brightness").set_value(0.2).run()
    app.button(key="image_train").click().run()
    show_tab(app, RESULTS, PAGE)
    run_until(app, lambda page: any(button.key == "image_augment_compare" for button in page.button))
    app.button(key="image_augment_compare").click().run()  # trains the twin: brightness and shift off
    run_until(app, lambda page: any("With augmentation" in frame.value.columns for frame in page.dataframe))
    assert not app.exception and not app.error
    runs = {entry.meta["config"]["augment_brightness"]: entry.meta for entry in ModelStore().entries()
            if entry.meta.get("task") == "image-cnn"}
    assert set(runs) == {0.2, 0.0} and runs[0.0]["config"]["augment_shift"] == 0.0  # the twin has every augmentation off
    table = next(frame.value for frame in app.dataframe if "With augmentation" in frame.value.columns)
    first = table.iloc[0]  # held-out accuracy: each column is that stored run's own number
    assert first["With augmentation"] == f"{runs[0.2]['metrics']['accuracy']:.1%}"
    assert first["Without"] == f"{runs[0.0]['metrics']['accuracy']:.1%}"
    expected = (runs[0.2]["metrics"]["accuracy"] - runs[0.0]["metrics"]["accuracy"]) * 100
    assert first["Difference (points)"] == f"{expected:+.1f}"
    curves = [spec for spec in chart_specs(app) if len(spec.get("data", [])) == 2
              and {trace.get("name") for trace in spec["data"]} == {"With augmentation", "Without"}]
    assert curves  # both runs' validation curves in one chart
