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
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image


@dataclass(frozen=True)
class Case:
    name: str
    reader: str  # image_zip | photo | text_table | ratings | lab_table | points | keras_model | project
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


def bit_flipped_png() -> bytes:
    """A PNG whose compressed pixel data has ten flipped bytes (a disk or transfer error)."""
    data = bytearray(png(size=(64, 64), colour=(90, 120, 150), mode="RGB"))
    start = data.find(b"IDAT") + 20
    for index in range(start, start + 10):
        data[index] ^= 0xFF
    return bytes(data)


def zero_width_png() -> bytes:
    header = struct.pack(">IIBBBBB", 0, 10, 8, 0, 0, 0, 0)
    chunk = struct.pack(">I", 13) + b"IHDR" + header + struct.pack(">I", zlib.crc32(b"IHDR" + header))
    return b"\x89PNG\r\n\x1a\n" + chunk + b"\0\0\0\0IEND\xaeB`\x82"


def many_large_photos(count: int = 22) -> bytes:
    """``count`` 7,000 x 7,000 one-bit PNGs (49 megapixels each, under the per-image limit, ~6 kB
    each): together over the limit for one upload."""
    buffer = io.BytesIO()
    Image.new("1", (7_000, 7_000)).save(buffer, format="PNG", optimize=True)
    return zip_of({f"{label}/{index}.png": buffer.getvalue() for label in ("a", "b") for index in range(count // 2)})


def zip_whose_header_lies() -> bytes:
    """A 10 MB entry whose local and central headers both claim 100 bytes: reading stops at 100 and
    the CRC check fails, so the entry is skipped and never read whole."""
    data = bytearray(zip_of({**two_classes(), "dark/big.png": b"\0" * (10 * 2**20)}))
    central = data.rfind(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, 100)
    local = data.find(b"dark/big.png") - 30
    struct.pack_into("<I", data, local + 22, 100)
    return bytes(data)


def workbook(rows: int) -> bytes:
    """An .xlsx with a text and a label column and ``rows`` rows, its sheet XML written by hand."""
    cells = b"".join(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>review %d</t></is></c><c r="B%d"><v>%d</v></c></row>'
                     % (row, row, row, row, row % 2) for row in range(2, rows + 2))
    sheet = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>text</t></is></c><c r="B1" t="inlineStr"><is><t>label</t></is></c></row>'
             + cells + b"</sheetData></worksheet>")
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    relationships = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    package = "http://schemas.openxmlformats.org/package/2006/relationships"
    return zip_of({
        "[Content_Types].xml": (
            b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            b'<Default Extension="xml" ContentType="application/xml"/>'
            b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            b"</Types>"),
        "_rels/.rels": (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{package}"><Relationship Id="rId1" '
                        f'Type="{relationships}/officeDocument" Target="xl/workbook.xml"/></Relationships>').encode(),
        "xl/workbook.xml": (f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{main}" xmlns:r="{relationships}"><sheets>'
                            '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>').encode(),
        "xl/_rels/workbook.xml.rels": (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{package}"><Relationship '
                                       f'Id="rId1" Type="{relationships}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>').encode(),
        "xl/worksheets/sheet1.xml": sheet,
    })


def workbook_bomb() -> bytes:
    """Half a gigabyte of spaces named as a sheet: ~0.5 MB zipped."""
    return zip_of({"[Content_Types].xml": b"<Types/>", "xl/worksheets/sheet1.xml": b" " * (500 * 2**20)})


def wide_csv(columns: int) -> bytes:
    return (",".join(f"c{index}" for index in range(columns)) + "\n" + ",".join("x" for _ in range(columns)) + "\n").encode()


def long_line_ratings(characters: int) -> bytes:
    return b"user,item,rating\n" + b"u1,m1," + b"5" * characters + b"\n" + ratings_rows()[len(b"user,item,rating\n"):]


def keras_zip_naming_os_system(marker: str) -> bytes:
    """A ``.keras`` config whose class is ``os.system`` with a command that would create ``marker``."""
    config = {"module": "os", "class_name": "system", "registered_name": None, "config": {"command": f"touch {marker}"}}
    return zip_of({"metadata.json": json.dumps({"keras_version": "3.15.1"}).encode(),
                   "config.json": json.dumps(config).encode(), "model.weights.h5": b""})


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


def two_and_project_free() -> bytes:
    return zip_of(two_classes())


def project(change: Callable[[dict], None] = lambda files: None) -> bytes:
    """A project file (dl.project's layout) around a stand-in model file; ``change`` edits its entries
    (name -> bytes) first. Opening checks the layout and checksums, not the model, so this is enough."""
    import hashlib

    from dl.project import FORMAT, FORMAT_VERSION
    from dl.store import make_key

    weights = b"weights " * 64
    config = {"epochs": 2, "model": "avgpool"}
    meta = {"task": "text", "config": config, "metrics": {"accuracy": 0.8}, "history": [],
            "data": {"source": "rotten_tomatoes", "fingerprint": "f" * 64, "builtin": True},
            "files": {"model.keras": {"bytes": len(weights), "sha256": hashlib.sha256(weights).hexdigest()}}}
    document = {"format": FORMAT, "format_version": FORMAT_VERSION, "app_version": "0.1.0", "task": "text",
                "key": make_key("text", config, "f" * 64),
                "data": {"fingerprint": "f" * 64, "builtin": "rotten_tomatoes", "files": {}, "options": {}}}
    files = {"project.json": json.dumps(document).encode(), "model/meta.json": json.dumps(meta).encode(),
             "model/model.keras": weights}
    change(files)
    return zip_of(files)


def _edit_json(files: dict, name: str, change: Callable[[dict], None]) -> None:
    document = json.loads(files[name])
    change(document)
    files[name] = json.dumps(document).encode()


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
        # ---- found by the second round (issue 14): each of these crashed, hung or took gigabytes before
        Case("zip of many large photos", "image_zip", "large.zip", many_large_photos, words=("add up to more than", "1,000,000,000")),
        Case("backslash zip slip", "image_zip", "backslash.zip", zip_of({**good_zip, "..\\..\\evil.png": png()}),
             words=("unsafe path",)),
        Case("drive letter in a zip", "image_zip", "drive.zip", zip_of({**good_zip, "C:/evil.png": png()}), words=("unsafe path",)),
        Case("zip whose header lies", "image_zip", "lying.zip", zip_whose_header_lies, refused=False),  # skipped, listed
        Case("zip inside the zip", "image_zip", "nested.zip", zip_of({"inner/a.zip": zip_of(good_zip), **good_zip}),
             words=("class 'inner' has 0",)),
        Case("bit-flipped PNG", "photo", "flipped.png", bit_flipped_png(), words=("corrupt image",)),
        Case("zero-width PNG", "photo", "zero.png", zero_width_png(), words=("not an image",)),
        Case("SVG named .png", "photo", "vector.png", b'<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"/>',
             words=("not an image",)),
        Case("5,000 columns", "text_table", "wide.csv", wide_csv(5_000), words=("5,000 columns", "1,000")),
        Case("a 1.5-million-character line", "text_table", "line.csv", wide_csv(200_000), words=("line 1", "1,000,000")),
        Case("workbook over the row limit", "text_table", "rows.xlsx", lambda: workbook(200_001), words=("more than 200,000 rows",)),
        Case("workbook bomb", "text_table", "bomb.xlsx", workbook_bomb, words=("zip bomb",)),
        Case("a one-line CSV", "text_table", "one-line.csv", b"hello,1\n", words=("0 usable row",)),
        Case("a quote never closed", "text_table", "quote.csv", b'text,label\n"never closed,1\n' + b"more,0\n" * 50,
             words=("not a readable table", "EOF inside string")),
        Case("JSON nested 100,000 deep", "text_table", "deep.json", b"[" * 100_000 + b"]" * 100_000, words=("not a readable table",)),
        Case("NaN labels", "text_table", "nan.csv", b"text,label\n" + b"".join(
            b"review %d,%s\n" % (index, [b"pos", b"neg", b"NaN", b""][index % 4]) for index in range(40)), refused=False),
        Case("old Mac line ends (CR only)", "text_table", "cr.csv", b"text,label\r" + b"".join(
            b"line %d,%d\r" % (index, index % 2) for index in range(20)), refused=False),
        Case("five million tiny ratings lines", "ratings", "lines.csv", lambda: b"user,item,rating\n" + b"1,2,3\n" * 5_000_000,
             words=("5,000,000 rows", "2,000,000")),
        Case("a million ratings", "ratings", "million.csv", lambda: b"user,item,rating\n" + b"".join(
            b"%d,%d,%d\n" % (index % 5000, index % 3001, 1 + index % 5) for index in range(1_000_000)), refused=False),
        Case("a 200,000-character rating", "ratings", "field.csv", long_line_ratings(200_000),
             words=("not a readable table", "line 2", "field limit")),
        Case("a 2-million-character line", "ratings", "line.csv", long_line_ratings(2_000_000), words=("line 2", "1,000,000")),
        Case("5,000 rating columns", "ratings", "wide.csv", wide_csv(5_000), words=("5,000 columns",)),
        Case("a NaN rating", "ratings", "nan.csv", ratings_rows(lambda index: "NaN" if index == 5 else str(1 + index % 5)),
             refused=False),  # skipped like a blank one
        Case("an infinite rating", "ratings", "inf.csv", ratings_rows(lambda index: "inf" if index == 5 else str(1 + index % 5)),
             words=("infinite",)),
        Case("GBK ratings with Chinese headers", "ratings", "gbk.csv", ("用户,电影,评分\n" + "".join(
            f"用户{index % 7},电影{index % 11},{1 + index % 5}\n" for index in range(60))).encode("gbk"), refused=False),
        Case("UTF-16 ratings", "ratings", "utf16.tsv", ("user\titem\trating\n" + "".join(
            f"u{index % 7}\tm{index % 11}\t{1 + index % 5}\n" for index in range(60))).encode("utf-16"), refused=False),
        Case("a one-line ratings file", "ratings", "one-line.csv", b"u1,m1,5\n", words=("1 usable row", "20")),
        Case("os.system as a Keras class", "keras_model", "os.keras", keras_zip_naming_os_system(marker), words=("could not be loaded",)),
        Case("HDF5 named .keras", "keras_model", "legacy.keras", b"\x89HDF\r\n\x1a\n" + b"\0" * 100, words=("not a Keras model",)),
        Case("JSON nested 200,000 deep in a .keras", "keras_model", "deep.keras", zip_of({
            "metadata.json": b"{}", "config.json": b"[" * 200_000 + b"]" * 200_000, "model.weights.h5": b""}),
             words=("could not be loaded",)),
        # ---- third round: reasons that were shown in English on Chinese pages (each now has a code)
        Case("a ratings line with a field missing", "ratings", "ragged.csv", ratings_rows().replace(b"\nu3,m3,4\n", b"\nu3,m3\n"),
             words=("line 5 has 2 fields", "line 1 has 3")),
        Case("ratings header only", "ratings", "header.csv", b"user,item,rating\n", words=("header but no rows",)),
        Case("ratings in one column", "ratings", "one.csv", b"just one column\n" * 30, words=("one column",)),
        Case("a time that is not a date", "ratings", "time.csv", b"user,item,rating,timestamp\n" + b"".join(
            b"u%d,m%d,%d,%s\n" % (index % 7, index % 11, 1 + index % 5, b"soon" if index == 4 else b"1000") for index in range(40)),
             words=("row 5", "neither a Unix time nor a date")),
        Case("a ratings file of one user", "ratings", "alone.csv", b"user,item,rating\n" + b"".join(
            b"me,m%d,%d\n" % (index, 1 + index % 5) for index in range(40)), words=("1 user(s)", "40 item(s)")),
        Case("JSON array cut short", "text_table", "cut.json", b'[{"text": "good", "label": 1}, ', words=("not valid JSON",)),
        Case("a JSON line that is a number", "text_table", "lines.jsonl", b'{"text": "good", "label": 1}\n5\n',
             words=("line 2 is not a JSON object",)),
        Case("a label on one text only", "text_table", "rare.csv", b"text,label\na,x\nb,x\nc,y\n", words=("only 1 distinct text",)),
        Case("every label different", "text_table", "unique.csv", b"a,b\n" + b"".join(
            b"text %d,label %d\n" % (index, index) for index in range(200)), words=("200 different values",)),
        Case("a lab table of one column", "lab_table", "one.csv", b"only\n1\n2\n", words=("1 column", "feature column")),
        Case("a lab class of one row", "lab_table", "rare.csv", b"a,b,label\n" + b"".join(
            b"%d,%d,%s\n" % (i, i, b"xy"[i % 2:i % 2 + 1]) for i in range(30)) + b"1,2,z\n", words=("class 'z' has only 1 row",)),
        Case("points in two columns", "points", "two.csv", b"".join(b"%d,%d\n" % (i, i) for i in range(20)),
             words=("2 column(s)", "x, y, label")),
        Case("points with twelve labels", "points", "many.csv", b"x,y,label\n" + b"".join(b"1,2,%d\n" % i for i in range(12)),
             words=("12 different labels",)),
        Case("class names that are not JSON", "keras_model", "export.zip", zip_of({
            "model.keras": zip_of({"config.json": b"{}"}), "class_names.json": b"[oops"}), words=("class_names.json", "not valid JSON")),
        # ---- project files (Open project on the pages and the home page, python -m dl open)
        Case("a project", "project", "project.zip", project(), refused=False),
        Case("junk named as a project", "project", "junk.zip", b"PK not really" * 50, words=("not a readable project file",)),
        Case("truncated project", "project", "cut.zip", truncated(project(), 0.6), words=("not a readable project file",)),
        Case("project bomb", "project", "bomb.zip", lambda: project(lambda files: files.update({"data/big.csv": b"0" * (300 * 2**20)})),
             words=("zip bomb",)),
        Case("project from a newer app", "project", "future.zip", project(lambda files: _edit_json(
            files, "project.json", lambda document: document.update(format_version=99))), words=("newer version", "update the app")),
        Case("a zip that is no project", "project", "photos.zip", two_and_project_free(), words=("not a project file",)),
        Case("project whose model file changed", "project", "changed.zip", project(lambda files: files.update({
            "model/model.keras": b"WEIGHTS " * 64})), words=("changed after it was saved", "checksum")),
        Case("project whose settings were edited", "project", "edited.zip", project(lambda files: _edit_json(
            files, "model/meta.json", lambda meta: meta["config"].update(epochs=50))), words=("do not match",)),
        Case("project with a path outside it", "project", "slip.zip", project(lambda files: files.update({
            "../evil.py": b"print('x')"})), words=("unexpected entry",)),
        Case("project with an extra model file", "project", "extra.zip", project(lambda files: files.update({
            "model/evil.pkl": pickle_payload(marker)})), words=("does not list",)),
    ]
