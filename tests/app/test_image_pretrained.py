"""AppTest: the Pretrained tab classifies a photo into ImageNet classes, in both languages."""

from __future__ import annotations

import io
import json

import pytest
from apptest_utils import ROOT, TIMEOUT, open_page, show_tab
from PIL import Image
from streamlit.testing.v1 import AppTest


def pretrained_tab_page():
    import sys

    import streamlit as st

    sys.path.insert(0, st.session_state["root"])
    from ui.image.pretrained import render_pretrained_tab

    render_pretrained_tab()


def new_app(function, language: str) -> AppTest:
    app = AppTest.from_function(function, default_timeout=TIMEOUT)
    app.session_state["root"] = str(ROOT)
    app.session_state["language"] = language
    return app


def charts_text(app: AppTest) -> str:
    return " ".join(str(chart.proto.spec) for chart in app.get("plotly_chart"))


@pytest.mark.parametrize("language", ["en", "zh"])
def test_sample_photo_gets_a_top5_chart(language):
    app = new_app(pretrained_tab_page, language).run()
    assert not app.exception
    assert len(app.get("plotly_chart")) == 0
    assert ("ImageNet" in app.info[0].value)
    app.selectbox(key="pretrained_sample").select_index(1).run()  # the flower sample
    assert not app.exception
    assert len(app.get("plotly_chart")) == 1
    assert "daisy" in charts_text(app)
    best = [block.value for block in app.markdown if "daisy" in block.value]
    assert best and ("most likely" in best[0] if language == "en" else "最可能" in best[0])


def test_a_broken_upload_shows_an_error_box_not_a_traceback():
    """The classifier behind the uploader: a DataError naming the file; a transparent PNG still works."""
    from dl.data import DataError
    from ui.image.pretrained import classify_photo_bytes

    with pytest.raises(DataError, match="notes.png"):
        classify_photo_bytes.__wrapped__(b"not an image at all", "notes.png")
    png = io.BytesIO()
    Image.new("RGBA", (64, 48), (255, 0, 0, 128)).save(png, format="PNG")
    top5, thumbnail = classify_photo_bytes.__wrapped__(png.getvalue(), "red.png")
    assert len(top5) == 5 and thumbnail.startswith(b"\x89PNG")


def flower_jpeg() -> bytes:
    from sklearn.datasets import load_sample_image

    buffer = io.BytesIO()
    Image.fromarray(load_sample_image("flower.jpg")).save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_page_classifies_an_uploaded_photo_and_refuses_a_broken_one(language):
    """Through the real page: the Pretrained tab's uploader, a real photo and a file that is not one."""
    app = show_tab(open_page("image_classification", language), 4, "image_classification")  # Pretrained
    app.file_uploader(key="pretrained_upload").set_value([
        ("flower.jpg", flower_jpeg(), "image/jpeg"),
        ("notes.png", b"not an image at all", "image/png"),
    ]).run()
    assert not app.exception
    charts = [json.loads(chart.proto.spec) for chart in app.get("plotly_chart")]
    top5 = [trace for chart in charts for trace in chart["data"]
            if trace.get("type") == "bar" and str(trace.get("text", [""])[0]).endswith("%")]  # not the class counts
    assert len(top5) == 1 and "daisy" in top5[0]["customdata"][-1]  # the most likely class is drawn on top
    assert any("notes.png" in box.value for box in app.error)


def test_two_classes_of_one_name_are_two_bars():
    """Issue 24: bars keyed by name stacked ImageNet's two "missile" classes into one 49 % bar.
    Keyed by rank, two entries stay two bars, each with its own share and its own label."""
    from ui.image.pretrained import top_classes_figure

    figure = top_classes_figure([("missile", 0.30), ("missile", 0.19), ("tank", 0.1)])
    (bar,) = figure.data
    assert len(set(bar.y)) == 3
    assert sorted(bar.x, reverse=True) == pytest.approx([30.0, 19.0, 10.0])
    shown = dict(zip(figure.layout.yaxis.tickvals, figure.layout.yaxis.ticktext, strict=True))
    assert [shown[key] for key in bar.y] == list(bar.customdata) == ["tank", "missile", "missile"]
