"""Every page's upload path, driven through the page with a hostile or broken file: an error box
that names the problem (in the page's language), never an exception. Files from tests/dl/bad_inputs.py."""

from __future__ import annotations

import pytest
from apptest_utils import open_page, show_tab
from bad_inputs import (  # tests/dl, on sys.path (tests/conftest.py)
    keras_zip_with_lambda,
    long_line_ratings,
    many_entries,
    many_large_photos,
    million_row_csv,
    wide_csv,
    workbook_bomb,
    zip_bomb,
)

JUNK = bytes(range(256)) * 64

# page, source radio (key, value) or None, uploader key, file name, bytes, words in the English error box
UPLOADS = [
    ("image_classification", ("image_source", "zip"), "image_zip", "bomb.zip", zip_bomb, "zip bomb"),
    ("image_classification", ("image_source", "zip"), "image_zip", "many.zip", many_entries, "20,001 entries"),
    ("image_classification", ("image_source", "zip"), "image_zip", "large.zip", many_large_photos, "add up to more than"),
    ("image_classification", None, "image_export_model_upload", "lambda.keras", lambda: keras_zip_with_lambda("/tmp/never"),
     "could not be loaded"),
    ("text_classification", ("text_source", "upload"), "text_file", "junk.csv", lambda: JUNK, "not readable text"),
    ("text_classification", ("text_source", "upload"), "text_file", "huge.csv", million_row_csv, "1,000,000 rows"),
    ("text_classification", ("text_source", "upload"), "text_file", "wide.csv", lambda: wide_csv(5_000), "5,000 columns"),
    ("bert_labeling", ("bert_source", "upload"), "bert_file", "junk.xlsx", lambda: b"PK\x03\x04 not a workbook", "junk.xlsx"),
    ("bert_labeling", ("bert_source", "upload"), "bert_file", "bomb.xlsx", workbook_bomb, "zip bomb"),
    ("movie_recommender", ("recommender_source", "upload"), "recommender_ratings_file", "junk.dat", lambda: JUNK, "not readable text"),
    ("movie_recommender", ("recommender_source", "upload"), "recommender_ratings_file", "field.csv",
     lambda: long_line_ratings(200_000), "field limit"),  # a csv.Error escaped the reader before
    ("gradient_lab", None, "gl_upload", "junk.csv", lambda: JUNK, "not readable text"),
    ("concepts", None, "playground_upload", "junk.csv", lambda: JUNK, "not readable text"),
]

LAZY_TAB_UPLOADERS = {"image_export_model_upload": 5, "pretrained_upload": 4}  # uploader key -> its tab on the image page


def open_upload(page: str, source: tuple[str, str] | None, uploader: str, language: str):
    app = open_page(page, language)
    if source:
        app.radio(key=source[0]).set_value(source[1]).run()
    if page == "gradient_lab":
        app.selectbox(key="gl_dataset").set_value("csv").run()
    if page == "concepts":
        app.session_state["playground_dataset"] = "csv"
        app.run()
    if uploader in LAZY_TAB_UPLOADERS:
        show_tab(app, LAZY_TAB_UPLOADERS[uploader], page)  # that tab runs only when open
    return app


@pytest.mark.parametrize("page, source, uploader, name, content, words", UPLOADS,
                         ids=[f"{page}-{name}" for page, _, _, name, _, _ in UPLOADS])
def test_a_bad_upload_shows_an_error_box(page, source, uploader, name, content, words):
    app = open_upload(page, source, uploader, "en")
    app.file_uploader(key=uploader).set_value((name, content(), "application/octet-stream")).run()
    assert not app.exception
    errors = [box.value for box in app.error]
    assert any(words in error and "Problem with the data" in error for error in errors), errors


def test_the_reason_is_translated_for_chinese_users():
    app = open_upload("text_classification", ("text_source", "upload"), "text_file", "zh")
    app.file_uploader(key="text_file").set_value(("junk.csv", JUNK, "text/csv")).run()
    assert not app.exception
    assert any("junk.csv 不是可读的文本" in box.value for box in app.error), [box.value for box in app.error]


# page, uploader, file name, bytes, the Chinese reason (each was shown in English on the Chinese page before)
CHINESE_REASONS = [
    ("concepts", "playground_upload", "two.csv", b"".join(b"%d,%d\n" % (i, i) for i in range(20)),
     "two.csv 有 2 列；需要三列：x、y、label。"),
    ("concepts", "playground_upload", "many.csv", b"x,y,label\n" + b"".join(b"1,2,%d\n" % i for i in range(12)),
     "many.csv 有 12 种不同的标签；游乐场最多只能画 10 个类别。"),
    ("image_classification", "pretrained_upload", "note.png", b"hello, I am text",
     "note.png：不是图片（Pillow 认不出这种格式）。请上传 PNG、JPEG、WebP、BMP、GIF 或 TIFF 格式的照片。"),
]


@pytest.mark.parametrize("page, uploader, name, content, reason", CHINESE_REASONS, ids=[row[2] for row in CHINESE_REASONS])
def test_a_refused_photo_or_points_file_shows_the_chinese_reason(page, uploader, name, content, reason):
    app = open_upload(page, None, uploader, "zh")
    files = [(name, content, "application/octet-stream")]
    app.file_uploader(key=uploader).set_value(files if uploader == "pretrained_upload" else files[0]).run()
    assert not app.exception
    errors = [box.value for box in app.error]
    assert any("数据有问题" in error and reason in error for error in errors), errors
    assert not any("Upload a" in error or "not an image" in error for error in errors), errors  # no English sentence left
