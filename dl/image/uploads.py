"""The user's own images: a zip of class folders, a folder of class folders, or files per class.

Every reader ends in ``ImageDataset`` or raises ``DataError`` naming the file or class to fix.
Nothing is ever extracted to disk; the zip is read in memory under these safety rules:

- the upload itself is size-capped (``UploadLimits.max_upload_bytes``);
- zip bombs: the number of entries, the declared uncompressed total and each entry's compression
  ratio are capped before anything is decompressed, and every read is capped too, so a header
  that lies about sizes cannot exhaust memory;
- zip slip: an entry whose path is absolute or contains ``..`` refuses the whole zip;
- decompression bombs: an image's width x height is checked from its header before its pixels
  are decoded, and so is the sum over all images of an upload (many large images that each pass
  are a bomb together); each image is shrunk to ``storage_size`` as soon as it is decoded;
- non-images and corrupt images are skipped and listed by name; RGBA, palette, 16-bit, CMYK and
  other modes are converted to RGB or greyscale.
"""

from __future__ import annotations

import io
import stat
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import numpy as np

from dl.data import DataError
from dl.data.errors import too_large
from dl.image.dataset import ImageDataset, ImageOriginals
from dl.image.pixels import to_rgb_or_grey
from dl.limits import LIMITS

IGNORED_NAMES = {".ds_store", "thumbs.db", "desktop.ini"}  # written by file managers, never data
IGNORED_FOLDERS = {"__macosx"}  # macOS Finder's resource forks inside zips


@dataclass(frozen=True)
class UploadLimits:
    """Safety limits for uploads; each default says why."""

    # the numbers and the reasons for them live in dl/limits.py; tests may pass smaller ones
    max_upload_bytes: int = LIMITS.upload_bytes
    max_entries: int = LIMITS.zip_entries
    max_uncompressed_bytes: int = LIMITS.uncompressed_bytes
    max_entry_bytes: int = LIMITS.zip_entry_bytes
    max_compression_ratio: float = LIMITS.compression_ratio
    max_image_pixels: int = LIMITS.image_pixels
    max_total_pixels: int = LIMITS.total_image_pixels
    storage_size: tuple[int, int] = (128, 128)  # pixels kept per image: enough for any model here


DEFAULT_LIMITS = UploadLimits()


# ---------------------------------------------------------------------------------------------- images
def decode_image(data: bytes, name: str, limits: UploadLimits = DEFAULT_LIMITS):
    """Decode image bytes into a PIL image in mode "RGB" or "L" (greyscale).

    Raises DataError when the image is over the pixel limit (checked from the header, before
    decoding), and ``UnreadableImage`` when the bytes are not a readable image.
    """
    return load_image(open_image(data, name, limits))


def decode_photo(data: bytes, name: str, limits: UploadLimits = DEFAULT_LIMITS):
    """One photo a user gives a page (Predict, Pretrained, Export tabs) decoded like ``decode_image``;
    every reason it is refused is a DataError (an empty or truncated file, text, a pixel bomb)."""
    try:
        return decode_image(data, name, limits)
    except UnreadableImage as error:
        raise unreadable_photo(name, error) from None


def unreadable_photo(name: str, error: UnreadableImage) -> DataError:
    return DataError(
        f"{name}: {error}. Upload a PNG, JPEG, WebP, BMP, GIF or TIFF photo.",
        error.code,
        name=name,
        reason=error.reason,
    )


def open_image(data: bytes, name: str, limits: UploadLimits = DEFAULT_LIMITS):
    """A PIL image whose header is read but whose pixels are not decoded yet (``load_image`` does).

    DataError when its width x height is over ``limits.max_image_pixels``; ``UnreadableImage`` when
    the bytes are not an image.
    """
    from PIL import Image

    try:
        image = Image.open(io.BytesIO(data))
        width, height = image.size
    except Image.DecompressionBombError as error:
        raise DataError(
            f"{name} is too large to open safely ({error}). Resize it and upload again.",
            "image_too_large_to_open",
            name=name,
            reason=str(error),
        ) from None
    except Exception as error:  # noqa: BLE001 - PIL raises many types for bad files
        code = "unknown_image_format" if str(error).startswith("cannot identify image file") else "not_an_image"
        raise UnreadableImage(code, _short(error)) from None
    if width * height > limits.max_image_pixels:
        raise DataError(
            f"{name} has {width}x{height} = {width * height:,} pixels, over the limit of "
            f"{limits.max_image_pixels:,}. Resize it (a few hundred pixels a side is enough) and upload again.",
            "too_many_pixels",
            name=name,
            width=width,
            height=height,
            pixels=f"{width * height:,}",
            limit=f"{limits.max_image_pixels:,}",
        )
    return image


def load_image(image):
    """Decode an ``open_image`` result: EXIF rotation applied, mode "RGB" or "L"; ``UnreadableImage``
    when the data is truncated or corrupt."""
    from PIL import ImageOps

    try:
        image.load()
        image = ImageOps.exif_transpose(image)  # phone photos store rotation in EXIF
        return to_rgb_or_grey(image)
    except Exception as error:  # noqa: BLE001 - truncated or corrupt data
        raise UnreadableImage("corrupt_image", _short(error)) from None


class UnreadableImage(Exception):
    """Internal: the bytes are not a readable image (in a zip the file is skipped and listed; one
    photo becomes ``unreadable_photo``). ``code`` is a key of ``KINDS`` (``unknown_image_format``: Pillow
    knows no format with this header, e.g. text or an empty file), ``reason`` the decoder's own words;
    the text is e.g. "not an image (not a format Pillow can read)"."""

    KINDS = {"unknown_image_format": "not an image", "not_an_image": "not an image", "corrupt_image": "corrupt image"}

    def __init__(self, code: str, reason: str):
        super().__init__(f"{self.KINDS[code]} ({reason})")
        self.code, self.reason = code, reason


def is_greyscale(image) -> bool:
    """True for mode "L" and for RGB images whose three channels are equal."""
    if image.mode == "L":
        return True
    pixels = np.asarray(image)
    return bool(np.array_equal(pixels[..., 0], pixels[..., 1]) and np.array_equal(pixels[..., 1], pixels[..., 2]))


def resize_square(image, size: tuple[int, int]):
    """Centre-crop to the target aspect ratio, then resize (what Teachable Machine does).

    Cropping keeps shapes undistorted; the object of a photo is usually in its middle.
    """
    from PIL import Image, ImageOps

    height, width = size
    return ImageOps.fit(image, (width, height), method=Image.Resampling.BILINEAR)


def images_to_array(images: Sequence, size: tuple[int, int], channels: int) -> np.ndarray:
    """PIL images -> uint8 array (n, height, width, channels), resized and converted."""
    mode = "L" if channels == 1 else "RGB"
    arrays = [np.asarray(resize_square(image.convert(mode), size), dtype=np.uint8) for image in images]
    stacked = np.stack(arrays) if arrays else np.zeros((0, *size), dtype=np.uint8)
    return stacked.reshape(len(arrays), size[0], size[1], channels)


# ---------------------------------------------------------------------------------------------- readers
def read_image_zip(data: bytes, file_name: str = "upload.zip", limits: UploadLimits = DEFAULT_LIMITS) -> ImageDataset:
    """Read a zip whose folders are the classes (``cats/1.jpg``, ``dogs/2.png`` ...).

    One wrapping folder (``photos/cats/...``) is allowed and ignored. Files outside any class
    folder, non-images and corrupt images are skipped and listed in ``dataset.skipped``.
    Raises DataError for everything listed in the module docstring.
    """
    if len(data) > limits.max_upload_bytes:
        raise too_large(file_name, len(data), limits.max_upload_bytes)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise DataError(
            f"{file_name} is not a readable zip file ({_short(error)}). Create it again with a zip tool.",
            "not_zip",
            name=file_name,
            reason=_short(error),
        ) from None
    _check_zip_safety(infos, file_name, limits)
    files = [info for info in infos if not info.is_dir() and not _is_ignored(info.filename)]
    paths = [PurePosixPath(info.filename.replace("\\", "/")) for info in files]
    wrapper = _common_wrapper_folder(paths)
    entries: list[tuple[str | None, str, bytes | str]] = []
    read_total = 0
    for info, path in zip(files, paths, strict=True):
        parts = path.parts[1:] if wrapper else path.parts
        class_name = parts[0] if len(parts) >= 2 else None
        if _is_symlink(info):
            entries.append((class_name, info.filename, "a symbolic link, not a file"))
            continue
        if info.flag_bits & 0x1:
            entries.append((class_name, info.filename, "encrypted (password-protected)"))
            continue
        try:
            with archive.open(info) as handle:
                content = handle.read(limits.max_entry_bytes + 1)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError, NotImplementedError) as error:
            entries.append((class_name, info.filename, f"unreadable in the zip ({_short(error)})"))
            continue
        read_total += len(content)
        if len(content) > limits.max_entry_bytes or read_total > limits.max_uncompressed_bytes:
            raise DataError(
                f"{file_name}: {info.filename} unpacks to more data than its header says (a zip bomb?). "
                "The zip was refused.",
                "zip_lies",
                name=file_name,
                entry=info.filename,
            )
        entries.append((class_name, info.filename, content))
    if not any(class_name for class_name, _, _ in entries):
        raise DataError(
            f"{file_name} has no folders. Put each class's images in its own folder "
            "(e.g. cats/1.jpg, dogs/1.jpg) and zip those folders.",
            "no_folders",
            name=file_name,
        )
    return _build_dataset(entries, file_name, limits)


def read_image_folder(folder: Path | str, limits: UploadLimits = DEFAULT_LIMITS) -> ImageDataset:
    """Read a folder whose sub-folders are the classes (the CLI's ``--data PATH``)."""
    root = Path(folder)
    if not root.is_dir():
        raise DataError(f"{root} is not a folder.")
    class_folders = sorted(child for child in root.iterdir() if child.is_dir() and not _is_ignored(child.name))
    if not class_folders:
        raise DataError(f"{root} has no sub-folders. Put each class's images in its own sub-folder.")
    entries: list[tuple[str | None, str, bytes | str]] = []
    total = 0
    for class_folder in class_folders:
        for file in sorted(class_folder.rglob("*")):
            if not file.is_file() or _is_ignored(file.relative_to(root).as_posix()):
                continue
            if len(entries) >= limits.max_entries:
                raise DataError(f"{root} has more than {limits.max_entries:,} files. Use fewer images.")
            size = file.stat().st_size
            total += size
            if size > limits.max_entry_bytes or total > limits.max_uncompressed_bytes:
                raise DataError(f"{file} makes the data larger than the limit. Use fewer or smaller images.")
            entries.append((class_folder.name, file.relative_to(root).as_posix(), file.read_bytes()))
    return _build_dataset(entries, root.name, limits)


def read_image_path(path: Path | str, limits: UploadLimits = DEFAULT_LIMITS) -> ImageDataset:
    """A ``.zip`` file or a folder of class folders (what the CLI accepts)."""
    path = Path(path)
    if path.is_dir():
        return read_image_folder(path, limits)
    if not path.is_file():
        raise DataError(f"{path} does not exist. Give a .zip of class folders, a folder, 'mnist' or 'digits'.")
    if path.stat().st_size > limits.max_upload_bytes:
        raise DataError(f"{path} is over the {limits.max_upload_bytes / 2**20:.0f} MiB limit.")
    return read_image_zip(path.read_bytes(), path.name, limits)


def dataset_from_class_files(
    files_by_class: dict[str, Sequence[tuple[str, bytes]]],
    source: str = "uploaded images",
    limits: UploadLimits = DEFAULT_LIMITS,
) -> ImageDataset:
    """Build a dataset from image files the user put into class slots: {class: [(file name, bytes)]}."""
    cleaned: dict[str, Sequence[tuple[str, bytes]]] = {}
    for raw_name, files in files_by_class.items():
        name = raw_name.strip()
        if not name:
            raise DataError("A class has no name. Type a name for every class.", "class_without_name")
        if name.casefold() in {existing.casefold() for existing in cleaned}:
            raise DataError(
                f"Two classes are called '{name}'. Give every class a different name.", "duplicate_class", name=name
            )
        cleaned[name] = files
    total = sum(len(data) for files in cleaned.values() for _, data in files)
    if total > limits.max_upload_bytes:
        size, limit = f"{total / 2**20:.0f}", f"{limits.max_upload_bytes / 2**20:.0f}"
        raise DataError(
            f"The images add up to {size} MiB, over the {limit} MiB limit.", "images_too_large", size=size, limit=limit
        )
    entries = [(name, file_name, data) for name, files in cleaned.items() for file_name, data in files]
    return _build_dataset(entries, source, limits, class_order=list(cleaned))


# ---------------------------------------------------------------------------------------------- helpers
def _build_dataset(
    entries: Iterable[tuple[str | None, str, bytes | str]],
    source: str,
    limits: UploadLimits,
    class_order: list[str] | None = None,
) -> ImageDataset:
    """Decode entries ``(class or None, file name, bytes or a skip reason)`` into an ImageDataset.

    Every header is read first, so an upload whose images add up to more than
    ``limits.max_total_pixels`` is refused before any is decoded. Each image is then decoded, shrunk
    to ``limits.storage_size`` and written straight into the dataset's array, so memory grows with the
    number of images, not their size (twelve 49-megapixel PNGs of 0.1 MB used to take 2.6 GB).
    """
    skipped: list[str] = []
    class_names, opened = _open_images(entries, source, limits, class_order, skipped)
    if len(class_names) < 2:
        raise need_two_classes(source, class_names)
    pixels, labels, originals = _decode_images(opened, class_names, limits.storage_size, skipped)
    counts = np.bincount(labels, minlength=len(class_names))
    for name, count in zip(class_names, counts, strict=True):
        if count < 2:
            raise class_too_small(source, name, int(count))
    return ImageDataset(pixels, labels, class_names, source, skipped, originals)


def need_two_classes(source: str, class_names: list[str]) -> DataError:
    found = f"only '{class_names[0]}'" if class_names else "none"
    return DataError(
        f"{source}: at least two classes with images are needed (found {found}). Add another class.",
        "need_two_classes",
        name=source,
        found=", ".join(class_names) or "—",
    )


def class_too_small(source: str, name: str, count: int) -> DataError:
    return DataError(
        f"{source}: class '{name}' has {count} readable image{'s' if count != 1 else ''}; "
        "every class needs at least 2. Add images to it or remove it.",
        "class_too_small",
        name=source,
        label=name,
        count=count,
    )


def _open_images(
    entries, source: str, limits: UploadLimits, class_order: list[str] | None, skipped: list[str]
) -> tuple[list[str], list[tuple[str, str, object]]]:
    """(class names, [(class, file name, image with only its header read)]); skipped entries are
    added to ``skipped``. DataError when the images add up to more than ``limits.max_total_pixels``."""
    classes: dict[str, None] = dict.fromkeys(class_order or [])
    opened = []
    total_pixels = 0
    for class_name, file_name, content in entries:
        if class_name is not None:
            classes.setdefault(class_name)  # a folder of only broken files is still a class
        if isinstance(content, str):
            skipped.append(f"{file_name}: {content}")
            continue
        if class_name is None:
            skipped.append(f"{file_name}: not inside a class folder")
            continue
        try:
            image = open_image(content, file_name, limits)
        except UnreadableImage as reason:
            skipped.append(f"{file_name}: {reason}")
            continue
        total_pixels += image.width * image.height
        if total_pixels > limits.max_total_pixels:
            raise too_many_total_pixels(source, total_pixels, limits.max_total_pixels)
        opened.append((class_name, file_name, image))
    return (list(classes) if class_order else sorted(classes)), opened


def _decode_images(
    opened, class_names: list[str], size: tuple[int, int], skipped: list[str]
) -> tuple[np.ndarray, np.ndarray, ImageOriginals]:
    """Decode and shrink each image into one uint8 array (n, height, width, 1 or 3), grouped by class,
    its int64 labels and what each was before (name, size, mode). One channel when every image is
    greyscale. Corrupt images go to ``skipped``."""
    index = {name: position for position, name in enumerate(class_names)}
    in_class_order = sorted(opened, key=lambda item: index[item[0]])  # stable: file order within a class
    pixels = np.empty((len(opened), *size, 3), dtype=np.uint8)
    labels = np.empty(len(opened), dtype=np.int64)
    names, sizes, modes = [], [], []
    kept, greyscale = 0, True
    for class_name, file_name, image in in_class_order:
        mode = image.mode  # the file's own mode, before load_image converts it
        try:
            loaded = load_image(image)
            small = resize_square(loaded, size)
        except UnreadableImage as reason:
            skipped.append(f"{file_name}: {reason}")
            continue
        greyscale = greyscale and is_greyscale(small)
        pixels[kept] = np.asarray(small.convert("RGB"), dtype=np.uint8)
        labels[kept] = index[class_name]
        names.append(file_name)
        sizes.append(loaded.size)
        modes.append(mode)
        kept += 1
    pixels, labels = pixels[:kept], labels[:kept]
    originals = ImageOriginals(names, np.asarray(sizes, dtype=np.int64).reshape(-1, 2), modes)
    return (pixels[..., :1].copy() if greyscale else pixels), labels, originals


def too_many_total_pixels(source: str, pixels: int, limit: int) -> DataError:
    return DataError(
        f"{source}: the images add up to more than {limit:,} pixels (at least {pixels:,}), the limit for one upload. "
        "Use fewer or smaller images (a few hundred pixels a side is enough).",
        "too_many_total_pixels",
        name=source,
        limit=f"{limit:,}",
    )


def _check_zip_safety(infos: list[zipfile.ZipInfo], file_name: str, limits: UploadLimits) -> None:
    if len(infos) > limits.max_entries:
        raise DataError(
            f"{file_name} has {len(infos):,} entries, over the limit of {limits.max_entries:,}. Use fewer images.",
            "too_many_entries",
            name=file_name,
            entries=f"{len(infos):,}",
            limit=f"{limits.max_entries:,}",
        )
    for info in infos:
        name = info.filename.replace("\\", "/")
        if name.startswith("/") or (len(name) > 1 and name[1] == ":") or ".." in PurePosixPath(name).parts:
            raise DataError(
                f"{file_name} contains the unsafe path '{info.filename}' (absolute or with '..'). "
                "The zip was refused; zip the class folders with relative paths.",
                "unsafe_path",
                name=file_name,
                path=info.filename,
            )
    declared = sum(info.file_size for info in infos)
    if declared > limits.max_uncompressed_bytes:
        size, limit = f"{declared / 2**20:,.0f}", f"{limits.max_uncompressed_bytes / 2**20:,.0f}"
        raise DataError(
            f"{file_name} unpacks to {size} MiB, over the {limit} MiB limit (a zip bomb?). "
            "Use fewer or smaller images.",
            "zip_unpacks_too_large",
            name=file_name,
            size=size,
            limit=limit,
        )
    for info in infos:
        if info.file_size > limits.max_entry_bytes:
            size = f"{info.file_size / 2**20:,.0f}"
            raise DataError(
                f"{file_name}: {info.filename} unpacks to {size} MiB, over the limit.",
                "zip_entry_too_large",
                name=file_name,
                entry=info.filename,
                size=size,
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > limits.max_compression_ratio and info.file_size > 2**20:
            raise DataError(
                f"{file_name}: {info.filename} is compressed {ratio:,.0f} times (a zip bomb?). The zip was refused.",
                "zip_bomb",
                name=file_name,
                entry=info.filename,
                ratio=f"{ratio:,.0f}",
            )


def _common_wrapper_folder(paths: list[PurePosixPath]) -> bool:
    """True when every file sits inside one top folder that itself holds the class folders."""
    if not paths or not any(len(path.parts) >= 3 for path in paths):
        return False
    return len({path.parts[0] for path in paths}) == 1 and all(len(path.parts) >= 2 for path in paths)


def _is_ignored(name: str) -> bool:
    parts = PurePosixPath(name.replace("\\", "/")).parts
    return any(part.casefold() in IGNORED_FOLDERS for part in parts) or (
        bool(parts) and (parts[-1].casefold() in IGNORED_NAMES or parts[-1].startswith("._"))
    )


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


def _short(error: BaseException) -> str:
    text = str(error) or type(error).__name__
    if text.startswith("cannot identify image file"):  # PIL names our in-memory buffer, not the file
        return "not a format Pillow can read"
    return text if len(text) <= 120 else text[:117] + "…"
