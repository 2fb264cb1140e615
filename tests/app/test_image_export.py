"""AppTest: the Export tab packs the trained model, compresses it to int8 and says what to do
without a model. Both languages."""

from __future__ import annotations

import pytest
from apptest_utils import ROOT, TIMEOUT
from streamlit.testing.v1 import AppTest


def new_app(function, language: str) -> AppTest:
    app = AppTest.from_function(function, default_timeout=TIMEOUT)
    app.session_state["root"] = str(ROOT)
    app.session_state["language"] = language
    return app


def export_tab_page():
    import sys

    import streamlit as st

    sys.path.insert(0, st.session_state["root"])
    from ui.image.export import render_export_tab

    render_export_tab(st.session_state.get("trained"), st.session_state.get("dataset"))


@pytest.fixture(scope="module")
def digits_model(tmp_path_factory):
    from dl.image.cnn import ImageClassifierConfig, train_image_classifier
    from dl.image.dataset import load_sklearn_digits
    from dl.jobs import run_inline
    from dl.store import ModelStore

    dataset = load_sklearn_digits()
    store = ModelStore(tmp_path_factory.mktemp("store"))
    trained = run_inline(lambda reporter: train_image_classifier(ImageClassifierConfig(image_size=8, epochs=3), dataset, reporter, store))
    return trained, dataset


@pytest.mark.parametrize("language", ["en", "zh"])
def test_export_tab_without_a_model_says_to_train_first(language):
    app = new_app(export_tab_page, language).run()
    assert not app.exception
    assert ("Train a model first" in app.info[0].value) if language == "en" else ("请先训练" in app.info[0].value)
    assert len(app.get("download_button")) == 0


@pytest.mark.parametrize("language", ["en", "zh"])
def test_export_tab_offers_the_zip_and_compresses_to_int8(language, digits_model):
    trained, dataset = digits_model
    app = new_app(export_tab_page, language)
    app.session_state["trained"] = trained
    app.session_state["dataset"] = dataset
    app.run()
    assert not app.exception
    downloads = app.get("download_button")
    assert len(downloads) == 1
    assert ("Download zip" if language == "en" else "下载压缩包") in downloads[0].proto.label
    app.button(key="image_export_compress").click().run()
    assert not app.exception
    assert len(app.get("download_button")) == 2
    table = next(frame.value for frame in app.dataframe if "LiteRT int8" in list(frame.value.iloc[:, 0]))
    assert list(table.iloc[:, 0]) == ["Keras float32", "LiteRT float32", "LiteRT int8"]
    size_metric = app.metric[0]
    assert size_metric.label == ("File size" if language == "en" else "文件大小")
    assert size_metric.delta.startswith("-")  # smaller after quantization


def test_the_chinese_export_tab_shows_the_model_card_in_chinese(digits_model):
    """Issue 24: the card preview and the compression note were English on the Chinese page. The
    words left are names: files, formats, libraries (the zip's MODEL_CARD.md itself stays English)."""
    import re

    trained, dataset = digits_model
    app = new_app(export_tab_page, "zh")
    app.session_state["trained"] = trained
    app.session_state["dataset"] = dataset
    app.run()
    app.button(key="image_export_compress").click().run()
    assert not app.exception
    card_table = next(frame.value for frame in app.dataframe if "精确率" in frame.value.columns)
    assert list(card_table.columns) == ["类别", "精确率", "召回率"] and len(card_table) == 10
    shown = [block.value for block in [*app.markdown, *app.caption]]
    assert any("测试准确率" in text and "留出图片" in text for text in shown)
    names = {"zip", "keras", "json", "md", "MODEL_CARD", "model_card", "class_names", "predict", "py", "Keras", "LiteRT",
             "tf", "lite", "TFLiteConverter", "int8", "float32", "TensorFlow", "Lite", "RGB", "CPU", "UTC", "MB", "Adam", "model"}  # model.keras
    english = {word for text in shown for word in re.findall(r"[A-Za-z_][A-Za-z0-9_]+", text)} - names
    assert not english, english
