"""Every reason a page can show is in the user's language.

A page shows a ``DataError`` through ``ui.errors.data_error_text``: ``errors.<code>`` from
locales/<language>/errors.json, formatted with the error's values; without a code, the English
message. A scan of dl/ finds every ``DataError(...)`` and fails when one has no code, unless it is on
the short list below (reasons no page can produce: a widget never offers the value, or only the CLI
reads the path); cli.py files are skipped (their argument errors are for a terminal). Every literal
code must have a text in both languages whose placeholders are exactly the values the call passes.
Then each new reason is raised for real: the right code, the text formats in both languages, and
the English text is the CLI's message word for word.
"""

from __future__ import annotations

import ast
import io
import json
import re
import zipfile
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from dl.data.errors import DataError

ROOT = Path(__file__).resolve().parents[2]
TEXTS = {language: json.loads((ROOT / "locales" / language / "errors.json").read_text(encoding="utf-8"))
         for language in ("en", "zh")}
PLACEHOLDER = re.compile(r"\{(\w+)")

# (file, function, words in the message or "" for every reason in the function): kept in English
KEPT_IN_ENGLISH = [
    ("dl/__main__.py", "open_project", ""),  # the CLI's own path argument
    ("dl/train_command.py", "resume_from_project", ""),  # --project and --epochs are command-line options
    ("dl/train_command.py", "run_train_command", ""),  # --data or --project: command-line options
    # only the CLI gives a local path: pages upload bytes and never load a model folder
    ("dl/image/uploads.py", "read_image_folder", ""),
    ("dl/image/uploads.py", "_folder_entries", ""),  # read_image_folder's files, one at a time
    ("dl/image/uploads.py", "read_image_path", ""),
    ("dl/image/cnn.py", "load_classifier_file", ""),
    ("dl/image/cnn.py", "_load_transfer_entry", ""),
    ("dl/text/train.py", "load_text_classifier", ""),
    ("dl/bert/train.py", "load_labeler_folder", ""),
    ("dl/recommender/train.py", "load_recommender_folder", ""),
    # names and numbers that come from radios, selectboxes and sliders bounded to valid values
    ("dl/data/registry.py", "get_dataset", ""),
    ("dl/image/cnn.py", "ImageClassifierConfig.validate", "Invalid settings"),
    ("dl/text/config.py", "TextClassifierConfig.validate", "Invalid settings"),
    ("dl/bert/config.py", "BertConfig.validate", "Invalid settings"),
    ("dl/recommender/config.py", "RecommenderConfig.validate", "Invalid settings"),
    ("dl/gradient_lab/config.py", "preset_config", ""),
    ("dl/gradient_lab/config.py", "validate_config", ""),
    ("dl/lessons/playground.py", "make_points", ""),
    ("dl/lessons/playground.py", "split_train_test", "The test share"),
    ("dl/lessons/playground.py", "build_model", ""),
    ("dl/lessons/playground.py", "make_optimizer", ""),
    ("dl/lessons/regularization.py", "weight_paths", ""),
    ("dl/lessons/regularization.py", "noisy_sine", ""),
    ("dl/lessons/regularization.py", "train_regularized_mlp", ""),
    ("dl/lessons/attention_weights.py", "sentence_attention", "layer must be"),
    ("dl/recommender/split.py", "split_ratings", "Unknown split"),
    # the column pickers only offer the table's own columns (the CLI's --text-col etc. can name others)
    ("dl/text/data.py", "dataset_from_table", "has no column"),
    ("dl/recommender/data.py", "ratings_from_table", "has no column"),
    # unreachable: Latin-1 decodes any bytes
    ("dl/data/text_files.py", "decode_text", "could not be decoded"),
]


def data_error_calls() -> list[tuple[str, str, ast.Call, str]]:
    """(file, enclosing function, call, its source) for every ``DataError(...)`` in dl/ but cli.py files."""
    calls = []
    for path in sorted((ROOT / "dl").rglob("*.py")):
        if path.name == "cli.py":
            continue
        source = path.read_text(encoding="utf-8")
        pending: list[tuple[ast.AST, list[str]]] = [(ast.parse(source), [])]
        while pending:
            node, scope = pending.pop()
            for child in ast.iter_child_nodes(node):
                named = isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                if isinstance(child, ast.Call) and getattr(child.func, "id", getattr(child.func, "attr", None)) == "DataError":
                    calls.append((path.relative_to(ROOT).as_posix(), ".".join(scope), child, ast.get_source_segment(source, child)))
                pending.append((child, [*scope, child.name] if named else scope))
    return calls


def code_of(call: ast.Call) -> ast.expr | None:
    if len(call.args) >= 2:
        return call.args[1]
    return next((keyword.value for keyword in call.keywords if keyword.arg == "code"), None)


def kept(file: str, function: str, source: str) -> bool:
    return any(file == kept_file and function == kept_function and words in source
               for kept_file, kept_function, words in KEPT_IN_ENGLISH)


def test_every_data_error_has_a_code_unless_no_page_can_show_it():
    calls = data_error_calls()
    assert len(calls) > 100  # the scan sees the package
    untranslated = [f"{file} {function}: {source[:100]}" for file, function, call, source in calls
                    if code_of(call) is None and not kept(file, function, source)]
    assert not untranslated, "give these a code and a text in locales/*/errors.json:\n" + "\n".join(untranslated)
    stale = [entry for entry in KEPT_IN_ENGLISH
             if not any(code_of(call) is None and file == entry[0] and function == entry[1] and entry[2] in source
                        for file, function, call, source in calls)]
    assert not stale, stale


def test_the_scan_catches_a_reason_without_a_code(tmp_path):
    """The scan reads calls, not text: a code passed positionally or by keyword counts, a message alone does not."""
    tree = ast.parse('DataError("a")\nDataError("b", "code_b", name=1)\nDataError(f"c", code="code_c")\n')
    codes = [code_of(node) for node in ast.walk(tree) if isinstance(node, ast.Call)]
    assert [None if code is None else code.value for code in codes] == [None, "code_b", "code_c"]


def test_every_literal_code_has_a_text_with_the_same_placeholders_in_both_languages():
    seen = set()
    for file, function, call, source in data_error_calls():
        code = code_of(call)
        if not isinstance(code, ast.Constant):
            continue  # unreadable_photo passes UnreadableImage's code: checked below
        seen.add(code.value)
        values = {keyword.arg for keyword in call.keywords if keyword.arg not in ("code", None)}
        assert None not in {keyword.arg for keyword in call.keywords}, (file, source)  # no **values
        for language, texts in TEXTS.items():
            assert code.value in texts, (language, code.value, file, function)
            assert set(PLACEHOLDER.findall(texts[code.value])) == values, (language, code.value, values)
    from dl.image.uploads import UnreadableImage

    for code in UnreadableImage.KINDS:  # values: name and reason (the text for an unknown format words its own reason)
        for language, texts in TEXTS.items():
            assert {"name"} <= set(PLACEHOLDER.findall(texts[code])) <= {"name", "reason"}, (language, code)
    assert len(seen) >= 80, len(seen)


# ------------------------------------------------------------------ the new reasons, raised for real
def _ratings(rows: int = 30, time: bool = False) -> bytes:
    header = "user,item,rating" + (",timestamp" if time else "")
    lines = [f"{row % 5},{row % 7},{1 + row % 5}" + (f",{1000 + row}" if time else "") for row in range(rows)]
    return "\n".join([header, *lines]).encode()


def _lab_csv(rows: list[str]) -> bytes:
    return ("a,b,label\n" + "\n".join(rows) + "\n").encode()


LAB_ROWS = [f"{index},{index * 2 % 7},{'xy'[index % 2]}" for index in range(40)]


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _noise_jpeg() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8)).save(buffer, format="JPEG")
    return buffer.getvalue()


def _noise_png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (64, 64), dtype=np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()


def photo_reasons():
    from dl.image.uploads import decode_photo

    yield "unknown_image_format", lambda: decode_photo(b"", "empty.png")
    yield "unknown_image_format", lambda: decode_photo(b"hello, I am text", "note.png")
    yield "not_an_image", lambda: decode_photo(_noise_jpeg()[:300], "cut.jpg")  # a JPEG whose header itself is cut
    yield "corrupt_image", lambda: decode_photo(_noise_png()[:2_000], "cut.png")  # the header reads, the pixels stop


def image_reasons():
    from dl.image.cnn import ImageClassifierConfig
    from dl.image.dataset import ImageDataset
    from dl.image.transfer import check_dataset
    from dl.image.uploads import UploadLimits, dataset_from_class_files, read_image_zip

    small = UploadLimits(max_upload_bytes=2_000, max_uncompressed_bytes=200_000, max_entry_bytes=50_000)
    yield "images_too_large", lambda: dataset_from_class_files({"a": [("1.png", b"x" * 1_500)], "b": [("2.png", b"x" * 1_500)]},
                                                                limits=small)
    yield "too_large", lambda: read_image_zip(b"PK" + b"x" * 3_000, "big.zip", small)
    yield "zip_unpacks_too_large", lambda: read_image_zip(_zip({f"a/{i}.bin": b"\0" * 45_000 for i in range(5)}), "bomb.zip", small)
    yield "zip_entry_too_large", lambda: read_image_zip(_zip({"a/1.bin": b"\0" * 60_000}), "one.zip", small)
    yield "too_many_conv_blocks", lambda: ImageClassifierConfig(conv_blocks=3, image_size=8).validate()
    pixels = np.zeros((3, 8, 8, 1), np.uint8)
    yield "need_two_classes", lambda: check_dataset(ImageDataset(pixels, np.zeros(3, np.int64), ["a"], "mine"))
    yield "class_too_small", lambda: check_dataset(ImageDataset(pixels, np.array([0, 0, 1]), ["a", "b"], "mine"))


def model_reasons():
    from dl.image.export import _wrap_uploaded, compress_classifier, load_uploaded_model

    def model(inputs, outputs):
        return SimpleNamespace(input_shape=inputs, output_shape=outputs)

    export = _zip({"m.keras": _zip({"config.json": b"{}"}), "class_names.json": b"[oops"})
    yield "class_names_not_json", lambda: load_uploaded_model(export, "export.zip")
    yield "model_several_inputs", lambda: _wrap_uploaded(model(((None, 8), (None, 8)), (None, 2)), None, "m.keras", None)
    yield "model_bad_output", lambda: _wrap_uploaded(model((None, 8, 8, 1), (None, 1)), None, "m.keras", None)
    yield "model_class_names_mismatch", lambda: _wrap_uploaded(model((None, 8, 8, 1), (None, 3)), ["a", "b"], "m.keras", None)
    yield "model_is_transfer_head", lambda: _wrap_uploaded(model((None, 1280), (None, 2)), None, "head.keras", (28, 28, 1))
    yield "model_bad_input", lambda: _wrap_uploaded(model((None, 8), (None, 2)), None, "m.keras", None)
    yield "model_wrong_input_size", lambda: _wrap_uploaded(model((None, 8, 8, 1), (None, 2)), None, "m.keras", (28, 28, 1))
    yield "no_test_images", lambda: compress_classifier(SimpleNamespace(test_indices=[]), None)


def text_reasons():
    from dl.bert.backbone import unreachable
    from dl.text.data import dataset_from_table, read_table, read_text_file

    yield "label_too_rare", lambda: read_text_file(b"text,label\na,x\nb,x\nc,y\n", "rare.csv")
    yield "not_json", lambda: read_table(b"[1, 2", "broken.json")
    yield "not_json_object", lambda: read_table(b'{"text": "a", "label": "x"}\n5\n', "lines.jsonl")
    yield "text_label_same_column", lambda: dataset_from_table(read_table(b"text,label\na,x\nb,y\n", "t.csv"), "text", "text", "t.csv")
    yield "label_column_too_many_values", lambda: read_text_file(
        b"a,b\n" + b"".join(b"text %d,label %d\n" % (index, index) for index in range(200)), "unique.csv")
    yield "model_unreachable", lambda: (_ for _ in ()).throw(unreachable("no/such-model", OSError("404 not found\nmore")))


def ratings_reasons():
    from dl.recommender import split
    from dl.recommender.data import (
        RatingColumns,
        guess_rating_columns,
        ratings_from_table,
        read_items_file,
        read_ratings_file,
        read_table,
    )
    from dl.recommender.recommend import recommend_for_visitor

    yield "ratings_one_column", lambda: read_ratings_file(b"just one column\n" * 30, "one.csv")
    yield "ragged_line", lambda: read_ratings_file(_ratings().replace(b"\n3,3,4", b"\n3,3"), "ragged.csv")
    yield "header_only", lambda: read_ratings_file(b"user,item,rating\n", "header.csv")
    yield "ratings_three_columns", lambda: guess_rating_columns(["column_1", "column_2"])
    yield "rating_columns_same", lambda: ratings_from_table(read_table(_ratings(), "r.csv"), RatingColumns("user", "user", "rating"), "r.csv")
    yield "rating_infinite", lambda: read_ratings_file(_ratings().replace(b"\n3,3,4", b"\n3,3,inf"), "inf.csv")
    yield "time_not_a_date", lambda: read_ratings_file(_ratings(time=True).replace(b",1003", b",soon"), "time.csv")
    yield "items_columns_unclear", lambda: read_items_file(b"item_id,genre\n1,Comedy\n2,Drama\n", "items.csv")
    yield "too_few_users_items", lambda: read_ratings_file(b"".join(b"1,%d,%d\n" % (i, 1 + i % 5) for i in range(40)), "one_user.csv")
    yield "rate_more_movies", lambda: recommend_for_visitor(None, None, {1: 5.0})
    yield "no_time_column", lambda: split.split_ratings(read_ratings_file(_ratings(), "untimed.csv"), "time", 0.2, 0.1, 0)


def lab_reasons():
    from dl.gradient_lab import tables
    from dl.gradient_lab.config import GradientLabConfig
    from dl.gradient_lab.data import load_lab_table, prepare_data
    from dl.gradient_lab.tables import read_feature_csv

    yield "need_features_and_label", lambda: read_feature_csv(b"only\n1\n2\n", "one.csv")
    yield "class_too_rare", lambda: read_feature_csv(_lab_csv([*LAB_ROWS, "1,2,z"]), "rare.csv")
    yield "number_too_large", lambda: read_feature_csv(_lab_csv([*LAB_ROWS, "1e39,2,x"]), "huge.csv")
    yield "choose_lab_csv", lambda: load_lab_table(GradientLabConfig(dataset="csv"), None)
    yield "lab_too_few_rows", lambda: prepare_data(GradientLabConfig(dataset="csv"), read_feature_csv(_lab_csv(LAB_ROWS[:8]), "tiny.csv"))

    def too_many_features():
        limit, tables.MAX_CSV_FEATURES = tables.MAX_CSV_FEATURES, 1
        try:
            read_feature_csv(_lab_csv(LAB_ROWS), "wide.csv")
        finally:
            tables.MAX_CSV_FEATURES = limit

    yield "too_many_features", too_many_features


def lesson_reasons():
    from dl.lessons import architectures, playground
    from dl.lessons.attention_weights import AttentionModel, sentence_attention

    ten_points = "".join(f"{index},{index % 3},{index % 2}\n" for index in range(10))  # 5 a class: 5 % of 5 rounds to 0
    yield "points_three_columns", lambda: playground.parse_points_csv("".join(f"{i},{i}\n" for i in range(20)), "two.csv")
    yield "too_many_labels", lambda: playground.parse_points_csv("x,y,label\n" + "".join(f"1,2,{i}\n" for i in range(12)), "many.csv")
    yield "upload_points_csv", lambda: playground.make_playground_data(playground.PlaygroundDataConfig(dataset="csv"), None)
    yield "too_few_to_hold_out", lambda: playground.make_playground_data(
        playground.PlaygroundDataConfig(dataset="csv", test_fraction=0.05), ten_points, "few.csv")
    yield "kernel_not_a_number", lambda: architectures.parse_kernel([["a", 0, 0], [0, 0, 0], [0, 0, 0]])
    yield "kernel_not_a_number", lambda: architectures.parse_kernel([[None, 0, 0], [0, 0, 0], [0, 0, 0]])
    yield "kernel_not_3x3", lambda: architectures.parse_kernel([[1, 2], [3, 4]])
    yield "kernel_not_3x3", lambda: architectures.parse_kernel([["inf", 0, 0], [0, 0, 0], [0, 0, 0]])

    class Tokenizer:  # one token a word, enough to reach the length check
        def __call__(self, sentence, return_tensors=None):
            return {"input_ids": [list(range(len(sentence.split())))]}

        def convert_ids_to_tokens(self, ids):
            return [f"t{index}" for index in ids]

    fake = AttentionModel(Tokenizer(), None, 2, 2)
    yield "sentence_empty", lambda: sentence_attention(fake, "   ", 1, None)
    yield "sentence_too_long", lambda: sentence_attention(fake, "word " * 40, 1, None)


def package_reasons():
    import importlib.util

    from dl.recommender.data import movielens_folder
    from dl.text.data import load_rotten_tomatoes

    def without_packages(load):
        def run():
            real = importlib.util.find_spec
            importlib.util.find_spec = lambda name, *rest: None
            try:
                load()
            finally:
                importlib.util.find_spec = real
        return run

    yield "missing_package", without_packages(movielens_folder)
    yield "missing_package", without_packages(load_rotten_tomatoes)


SHORTER_ON_PAGES = {"need_two_classes", "class_too_small"}  # older codes whose page text words the count differently
GROUPS = [photo_reasons, image_reasons, model_reasons, text_reasons, ratings_reasons, lab_reasons, lesson_reasons, package_reasons]


@pytest.mark.parametrize("group", GROUPS, ids=[group.__name__ for group in GROUPS])
def test_each_reason_a_page_can_show_formats_in_both_languages(group):
    for expected, raise_it in group():
        with pytest.raises(DataError) as raised:
            raise_it()
        error = raised.value
        assert error.code == expected, (expected, str(error))
        for language, texts in TEXTS.items():
            assert texts[error.code].format(**error.values), (language, error.code)
        if error.code not in SHORTER_ON_PAGES:
            assert TEXTS["en"][error.code].format(**error.values) == str(error), error.code  # the CLI's words
        assert re.search("[\u4e00-\u9fff]", TEXTS["zh"][error.code]), error.code


def test_a_page_shows_the_chinese_text_and_the_cli_the_english_one(monkeypatch):
    from dl.lessons.playground import parse_points_csv
    from ui import errors, i18n

    with pytest.raises(DataError) as raised:
        parse_points_csv("x,y,label\n" + "".join(f"1,2,{i}\n" for i in range(12)), "many.csv")
    monkeypatch.setattr(i18n, "current_language", lambda: "zh")
    assert errors.data_error_text(raised.value) == "many.csv 有 12 种不同的标签；游乐场最多只能画 10 个类别。"
    assert str(raised.value) == "many.csv has 12 different labels; the playground draws at most 10 classes."
