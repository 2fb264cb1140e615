"""A corpus of hostile and broken uploads, generated at test time (no binary fixtures).

Each ``Case`` names the upload path it goes through (``READERS`` in test_bad_inputs.py), the file
name and bytes a user would send, and what must happen: ``refused`` with words the message must
contain, or ``accepted`` (odd but valid files, such as a CMYK JPEG, must be read, not crash).
"""

from __future__ import annotations

import io
import json
import pickle
import stat
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image


@dataclass(frozen=True)
class Case:
    name: str
    reader: str  # image_zip | photo | text_table | ratings | lab_table | points | keras_model
    file_name: str
    content: bytes | Callable[[], bytes]  # a function for the big ones: built only when a test runs
    refused: bool = True
    words: tuple[str, ...] = ()  # the message must contain each (case-insensitive)

    def data(self) -> bytes:
        return self.content() if callable(self.content) else self.content


def png(size=(16, 16), colour=128, mode="L") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def zip_of(files: dict[str, bytes], symlinks: dict[str, str] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
        for name, target in (symlinks or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, target)
    return buffer.getvalue()


def two_classes(per_class: int = 4) -> dict[str, bytes]:
    return {f"{label}/{index}.png": png(colour=30 + 200 * (label == "light") + index)
            for label in ("dark", "light") for index in range(per_class)}


def decompression_bomb_png() -> bytes:
    """A 1-bit 20,000 x 20,000 PNG: a few kB on disk, 400 megapixels decoded."""
    buffer = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def sixteen_bit_png() -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.linspace(0, 65535, 32 * 32, dtype=np.uint16).reshape(32, 32)).save(buffer, format="PNG")
    return buffer.getvalue()


def cmyk_jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("CMYK", (24, 24), (10, 200, 30, 0)).save(buffer, format="JPEG")
    return buffer.getvalue()


def palette_png_with_transparency() -> bytes:
    buffer = io.BytesIO()
    image = Image.new("P", (24, 24), 1)
    image.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    image.save(buffer, format="PNG", transparency=0)
    return buffer.getvalue()


def animated_gif() -> bytes:
    buffer = io.BytesIO()
    frames = [Image.new("RGB", (20, 20), colour) for colour in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return buffer.getvalue()


def truncated(data: bytes, keep: float = 0.5) -> bytes:
    return data[: int(len(data) * keep)]


def zip_bomb() -> bytes:
    """One 50 MB entry of zeros (compresses ~1000x) inside a class folder."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("cats/bomb.png", b"\0" * (50 * 2**20))
        archive.writestr("dogs/1.png", png())
    return buffer.getvalue()


def many_entries(count: int = 20_001) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for index in range(count):
            archive.writestr(f"c{index % 2}/{index}.png", b"")
    return buffer.getvalue()


def review_rows(count: int = 12, encoding: str = "utf-8", separator: str = ",", bom: bool = False) -> bytes:
    rows = [f"text{separator}label"] + [f"{'好吃又新鲜' if index % 2 else '太难吃了'} {index}{separator}{'好' if index % 2 else '差'}"
                                         for index in range(count)]
    text = "\n".join(rows) + "\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding)


def million_row_csv() -> bytes:
    return b"text,label\n" + b"".join(b"review %d,%d\n" % (index, index % 2) for index in range(1_000_000))


def ratings_rows(rating=lambda index: str(1 + index % 5), count: int = 60) -> bytes:
    return ("user,item,rating\n" + "".join(f"u{index % 7},m{index % 11},{rating(index)}\n" for index in range(count))).encode()


class _WritesMarker:
    """Unpickling this would run ``open(marker, 'w')``: the classic pickle payload."""

    def __init__(self, marker: str):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def pickle_payload(marker: str) -> bytes:
    return pickle.dumps(_WritesMarker(marker))


def keras_zip_with_lambda(marker: str) -> bytes:
    """A ``.keras`` archive whose config holds a Lambda layer with Python source that would write
    ``marker`` (Keras' safe mode must refuse to deserialise it)."""
    code = f"lambda x: (open({marker!r}, 'w').close(), x)[1]"
    config = {
        "module": "keras", "class_name": "Sequential", "registered_name": None,
        "config": {"name": "sequential", "layers": [
            {"module": "keras.layers", "class_name": "InputLayer", "registered_name": None,
             "config": {"batch_shape": [None, 4], "dtype": "float32", "name": "input"}},
            {"module": "keras.layers", "class_name": "Lambda", "registered_name": None,
             "config": {"name": "evil", "function": {"class_name": "__lambda__", "config": {
                 "code": code, "defaults": None, "closure": None}}, "arguments": {}}},
        ]},
    }
    return zip_of({"metadata.json": json.dumps({"keras_version": "3.15.1"}).encode(),
                   "config.json": json.dumps(config).encode(), "model.weights.h5": b""})


def keras_zip_bomb() -> bytes:
    return zip_of({"config.json": b"{}", "model.weights.h5": b"\0" * (300 * 2**20)})


def corpus(marker: str) -> list[Case]:
    """Every case; ``marker`` is the path the malicious ones would create if they ran."""
    good_zip = two_classes()
    return [
        # ---- image zips (the image page, the CLI's --data ZIP)
        Case("empty zip", "image_zip", "empty.zip", zip_of({}), words=("no folders",)),
        Case("zip slip", "image_zip", "slip.zip", zip_of({**good_zip, "../../evil.png": png()}), words=("unsafe path", "..")),
        Case("absolute path", "image_zip", "absolute.zip", zip_of({**good_zip, "/etc/evil.png": png()}), words=("unsafe path",)),
        Case("symlink in a zip", "image_zip", "links.zip", zip_of(good_zip, {"dark/link.png": "/etc/passwd"}), refused=False),
        Case("zip bomb", "image_zip", "bomb.zip", zip_bomb, words=("zip bomb",)),
        Case("too many entries", "image_zip", "many.zip", many_entries, words=("entries", "limit")),
        Case("one class", "image_zip", "one.zip", zip_of({f"cats/{index}.png": png() for index in range(6)}), words=("class",)),
        Case("a class with one image", "image_zip", "lonely.zip", zip_of({**good_zip, "bird/1.png": png()}), words=("bird",)),
        Case("only non-images", "image_zip", "notes.zip", zip_of({"a/1.png": b"not an image", "b/2.png": b"nor this"}),
             words=("image",)),
        Case("truncated zip", "image_zip", "cut.zip", truncated(zip_of(good_zip)), words=("not a readable zip",)),
        Case("junk named .zip", "image_zip", "junk.zip", bytes(range(256)) * 40, words=("not a readable zip",)),
        # ---- single photos (predict, pretrained, the export tab)
        Case("empty photo", "photo", "empty.png", b"", words=("not an image",)),
        Case("text named .png", "photo", "note.png", b"hello, I am text", words=("not an image",)),
        Case("truncated JPEG", "photo", "cut.jpg", truncated(cmyk_jpeg(), 0.4), words=("image",)),
        Case("decompression bomb PNG", "photo", "bomb.png", decompression_bomb_png, words=("pixels", "limit")),
        Case("16-bit PNG", "photo", "deep.png", sixteen_bit_png(), refused=False),
        Case("CMYK JPEG", "photo", "print.jpg", cmyk_jpeg(), refused=False),
        Case("palette PNG with transparency", "photo", "palette.png", palette_png_with_transparency(), refused=False),
        Case("animated GIF", "photo", "anim.gif", animated_gif(), refused=False),
        # ---- text tables (text classification, BERT, labelling a table)
        Case("GBK CSV", "text_table", "gbk.csv", review_rows(encoding="gbk"), refused=False),
        Case("UTF-16 CSV", "text_table", "utf16.csv", review_rows(encoding="utf-16"), refused=False),
        Case("CSV with a BOM", "text_table", "bom.csv", review_rows(bom=True), refused=False),
        Case("semicolons", "text_table", "semicolon.csv", review_rows(separator=";"), refused=False),
        Case("one column", "text_table", "one.csv", b"text\n" + b"".join(b"line %d\n" % index for index in range(20)),
             words=("column",)),
        Case("header only", "text_table", "header.csv", b"text,label\n", words=("header.csv has 0 usable row",)),
        Case("binary junk named .csv", "text_table", "junk.csv", bytes(range(256)) * 64, words=("not readable text",)),
        Case("one class of texts", "text_table", "same.csv", b"text,label\n" + b"".join(b"t %d,x\n" % index for index in range(20)),
             words=("one class",)),
        Case("a million rows", "text_table", "huge.csv", million_row_csv, words=("1,000,000 rows", "200,000")),
        Case("junk named .xlsx", "text_table", "junk.xlsx", b"PK\x03\x04 not really a workbook", words=("junk.xlsx",)),
        Case("broken JSON lines", "text_table", "broken.jsonl", b'{"text": "ok", "label": 1}\n{"text": oops\n', words=("line 2",)),
        Case("empty table", "text_table", "empty.csv", b"", words=("empty",)),
        # ---- ratings (movie recommender)
        Case("text in the rating column", "ratings", "words.csv", ratings_rows(lambda index: "five" if index == 7 else "4"),
             words=("not a number",)),
        Case("a blank rating", "ratings", "blank.csv", ratings_rows(lambda index: "" if index == 3 else str(1 + index % 5)),
             refused=False),  # the row is skipped and counted in a note
        Case("only 'watched' marks", "ratings", "marks.csv", ratings_rows(lambda index: "1"), words=("every rating", "is 1")),
        Case("missing rating column", "ratings", "two.csv", b"user,item\n" + b"".join(b"u%d,m%d\n" % (i, i) for i in range(40)),
             words=("column",)),
        Case("too few ratings", "ratings", "few.csv", ratings_rows(count=5), words=("few.csv",)),
        Case("binary junk ratings", "ratings", "junk.dat", bytes(range(256)) * 64, words=("not readable text",)),
        # ---- the gradient lab's and the playground's tables
        Case("text in a feature", "lab_table", "pets.csv", b"a,b,label\n" + b"".join(b"%d,%d,%s\n" % (i, i, b"xy"[i % 2:i % 2 + 1]) for i in range(30)) + b"1,oops,x\n",
             words=("line 32", "not a number")),
        Case("points with NaN", "points", "points.csv", b"x,y,label\n" + b"".join(b"%d,%d,%d\n" % (i, i, i % 2) for i in range(20)) + b"1,,0\n",
             words=("points.csv, line 22: y is empty",)),
        # ---- models (the image page's Export tab, python -m dl predict image --model)
        Case("not a zip named .keras", "keras_model", "model.keras", b"plain bytes", words=("not a Keras model",)),
        Case("pickle renamed .keras", "keras_model", "pickle.keras", pickle_payload(marker), words=("not a Keras model",)),
        Case("Lambda layer in a .keras", "keras_model", "lambda.keras", keras_zip_with_lambda(marker), words=("could not be loaded",)),
        Case("zip bomb named .keras", "keras_model", "bomb.keras", keras_zip_bomb, words=("zip bomb", "refused")),
        Case("zip without a model", "keras_model", "nothing.zip", zip_of({"readme.txt": b"hi"}), words=("no Keras model",)),
        Case("truncated .keras", "keras_model", "cut.keras", truncated(keras_zip_with_lambda(marker), 0.6), words=("cut.keras",)),
    ]
