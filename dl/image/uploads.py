"""The user's own images: a zip of class folders, a folder of class folders, or files per class.

Every reader ends in ``ImageDataset`` or raises ``DataError`` naming the file or class to fix.
No file of the zip is ever extracted to disk; the zip is read in memory, one entry at a time (its
bytes are dropped once its header is read, and read again when its pixels are decoded), under these
safety rules:

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

A set whose stored pixels pass ``UploadLimits.disk_threshold_bytes`` (~5,400 colour images) is written
image by image into a file (``dl.image.disk``) instead of an array: 20,000 photos stay off the heap, and
the same zip uploaded again is read back from that file without decoding.
"""

from __future__ import annotations

import hashlib
import io
import stat
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np

from dl.data import DataError
from dl.data.errors import too_large
from dl.image.dataset import ImageDataset, ImageOriginals
from dl.image.disk import DiskImages, DiskImageWriter, disk_threshold_bytes, images_folder, read_stored, write_meta
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
    # stored pixels above which the set goes to a file (dl/image/disk.py); None: $DL_IMAGES_ON_DISK_MB or 256 MiB
    disk_threshold_bytes: int | None = None


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
    classes = [_class_of(path, wrapper) for path in paths]
    if not any(classes):
        raise DataError(
            f"{file_name} has no folders. Put each class's images in its own folder "
            "(e.g. cats/1.jpg, dogs/1.jpg) and zip those folders.",
            "no_folders",
            name=file_name,
        )
    disk_path = None
    if _goes_to_disk(len(files), limits):  # could: a small zip is not hashed
        disk_path = images_folder() / f"{_upload_digest(data, limits)}.u8"
        stored = read_stored(disk_path)
        if stored is not None:  # the same zip was read before and went to disk: its pixels are there
            return _dataset_from_stored(*stored, source=file_name)
    entries = _zip_entries(archive, files, classes, file_name, limits)
    return _build_dataset(entries, file_name, limits, disk_path=disk_path)


def _zip_entries(
    archive: zipfile.ZipFile, files: list[zipfile.ZipInfo], classes: list[str | None], file_name: str,
    limits: UploadLimits,
) -> Iterator[tuple[str | None, str, bytes | str, Callable[[], bytes] | None]]:
    """Each entry as ``(class, name, bytes or a skip reason, a function reading the bytes again)``, one
    at a time: the caller reads the header and drops the bytes, so the zip's files are never all in
    memory at once. DataError when an entry unpacks to more than its header said (a zip bomb)."""
    read_total = 0
    for info, class_name in zip(files, classes, strict=True):
        if _is_symlink(info):
            yield class_name, info.filename, "a symbolic link, not a file", None
            continue
        if info.flag_bits & 0x1:
            yield class_name, info.filename, "encrypted (password-protected)", None
            continue
        try:
            content = _read_entry(archive, info, limits)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError, NotImplementedError) as error:
            yield class_name, info.filename, f"unreadable in the zip ({_short(error)})", None
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
        yield class_name, info.filename, content, lambda info=info: _read_entry(archive, info, limits)


def _read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: UploadLimits) -> bytes:
    with archive.open(info) as handle:
        return handle.read(limits.max_entry_bytes + 1)


def _class_of(path: PurePosixPath, wrapper: bool) -> str | None:
    parts = path.parts[1:] if wrapper else path.parts
    return parts[0] if len(parts) >= 2 else None


def read_image_folder(folder: Path | str, limits: UploadLimits = DEFAULT_LIMITS) -> ImageDataset:
    """Read a folder whose sub-folders are the classes (the CLI's ``--data PATH``)."""
    root = Path(folder)
    if not root.is_dir():
        raise DataError(f"{root} is not a folder.")
    class_folders = sorted(child for child in root.iterdir() if child.is_dir() and not _is_ignored(child.name))
    if not class_folders:
        raise DataError(f"{root} has no sub-folders. Put each class's images in its own sub-folder.")
    return _build_dataset(_folder_entries(root, class_folders, limits), root.name, limits)


def _folder_entries(
    root: Path, class_folders: list[Path], limits: UploadLimits
) -> Iterator[tuple[str | None, str, bytes | str, Callable[[], bytes] | None]]:
    """A folder's image files as ``_zip_entries`` gives a zip's, one at a time."""
    count = total = 0
    for class_folder in class_folders:
        for file in sorted(class_folder.rglob("*")):
            if not file.is_file() or _is_ignored(file.relative_to(root).as_posix()):
                continue
            if count >= limits.max_entries:
                raise DataError(f"{root} has more than {limits.max_entries:,} files. Use fewer images.")
            count += 1
            size = file.stat().st_size
            total += size
            if size > limits.max_entry_bytes or total > limits.max_uncompressed_bytes:
                raise DataError(f"{file} makes the data larger than the limit. Use fewer or smaller images.")
            yield class_folder.name, file.relative_to(root).as_posix(), file.read_bytes(), file.read_bytes


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
    entries = [(name, file_name, data, None) for name, files in cleaned.items() for file_name, data in files]
    return _build_dataset(entries, source, limits, class_order=list(cleaned))


# ---------------------------------------------------------------------------------------------- helpers
def _build_dataset(
    entries: Iterable[tuple[str | None, str, bytes | str, Callable[[], bytes] | None]],
    source: str,
    limits: UploadLimits,
    class_order: list[str] | None = None,
    disk_path: Path | None = None,
) -> ImageDataset:
    """Decode entries ``(class or None, file name, bytes or a skip reason, a function reading the bytes
    again or None)`` into an ImageDataset.

    Every header is read first, so an upload whose images add up to more than
    ``limits.max_total_pixels`` is refused before any is decoded. Each image is then decoded, shrunk
    to ``limits.storage_size`` and written straight into the dataset's array, so memory grows with the
    number of images, not their size (twelve 49-megapixel PNGs of 0.1 MB used to take 2.6 GB); past
    ``limits.disk_threshold_bytes`` it is written into a file instead (``disk_path``, or one named by
    the content's hash), and memory stays flat. An entry with a function to read it again is not
    kept in memory between its header and its pixels.
    """
    skipped: list[str] = []
    content_digest = hashlib.sha256()
    class_names, opened = _open_images(entries, source, limits, class_order, skipped, content_digest)
    if len(class_names) < 2:
        raise need_two_classes(source, class_names)
    size = limits.storage_size
    if _goes_to_disk(len(opened), limits):
        target = disk_path or images_folder() / f"{content_digest.hexdigest()}.u8"
        sink: _MemoryPixels | DiskImageWriter = DiskImageWriter(target, len(opened), size)
    else:
        sink = _MemoryPixels(len(opened), size)
    try:
        pixels, labels, originals = _decode_images(opened, class_names, limits, skipped, sink)
        counts = np.bincount(labels, minlength=len(class_names))
        for name, count in zip(class_names, counts, strict=True):
            if count < 2:
                raise class_too_small(source, name, int(count))
    except BaseException:
        if isinstance(sink, DiskImageWriter):
            sink.abandon()
        raise
    if isinstance(pixels, DiskImages):  # what a second read of the same upload needs besides the pixels
        write_meta(pixels.path, {"labels": labels.tolist(), "class_names": class_names, "skipped": skipped,
                                 "file_names": originals.file_names, "sizes": originals.sizes.tolist(),
                                 "modes": originals.modes, "shape": list(pixels.stored_shape)})
    return ImageDataset(pixels, labels, class_names, source, skipped, originals)


def _dataset_from_stored(pixels: DiskImages, meta: dict[str, Any], source: str) -> ImageDataset:
    """An upload read before, from its pixels file and the meta beside it."""
    originals = ImageOriginals(list(meta["file_names"]), np.asarray(meta["sizes"], dtype=np.int64).reshape(-1, 2),
                               list(meta["modes"]))
    return ImageDataset(pixels, np.asarray(meta["labels"], dtype=np.int64), list(meta["class_names"]), source,
                        list(meta["skipped"]), originals)


def _goes_to_disk(count: int, limits: UploadLimits) -> bool:
    """Whether ``count`` colour images at ``limits.storage_size`` pass the disk threshold."""
    threshold = disk_threshold_bytes() if limits.disk_threshold_bytes is None else limits.disk_threshold_bytes
    return count * limits.storage_size[0] * limits.storage_size[1] * 3 > threshold


def _upload_digest(data: bytes, limits: UploadLimits) -> str:
    """The name of an upload's pixels on disk: its bytes and every limit it was read under."""
    digest = hashlib.sha256(data)
    digest.update(repr(limits).encode())
    return digest.hexdigest()


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


@dataclass
class _OpenedImage:
    """An image whose header was read: its class, name and mode, and how to get it again for decoding
    (the opened image itself when its bytes are in memory anyway, else a function reading them again)."""

    class_name: str
    file_name: str
    mode: str
    image: Any = None
    read_again: Callable[[], bytes] | None = None

    def reopen(self, limits: UploadLimits) -> Any:
        return self.image if self.image is not None else open_image(self.read_again(), self.file_name, limits)


def _open_images(
    entries, source: str, limits: UploadLimits, class_order: list[str] | None, skipped: list[str],
    content_digest: Any,
) -> tuple[list[str], list[_OpenedImage]]:
    """(class names, the images with only their headers read); skipped entries are added to
    ``skipped``; every image's name and bytes go into ``content_digest``. DataError when the images
    add up to more than ``limits.max_total_pixels``."""
    classes: dict[str, None] = dict.fromkeys(class_order or [])
    opened = []
    total_pixels = 0
    for class_name, file_name, content, read_again in entries:
        if class_name is not None:
            classes.setdefault(class_name)  # a folder of only broken files is still a class
        if isinstance(content, str):
            skipped.append(f"{file_name}: {content}")
            continue
        if class_name is None:
            skipped.append(f"{file_name}: not inside a class folder")
            continue
        content_digest.update(f"{class_name}/{file_name}:{len(content)}:".encode())
        content_digest.update(content)
        try:
            image = open_image(content, file_name, limits)
        except UnreadableImage as reason:
            skipped.append(f"{file_name}: {reason}")
            continue
        total_pixels += image.width * image.height
        if total_pixels > limits.max_total_pixels:
            raise too_many_total_pixels(source, total_pixels, limits.max_total_pixels)
        kept = None if read_again is not None else image  # with a way to read it again, let the bytes go
        opened.append(_OpenedImage(class_name, file_name, image.mode, kept, read_again))
    return (list(classes) if class_order else sorted(classes)), opened


class _MemoryPixels:
    """Where ``_decode_images`` writes a small set's pixels: one uint8 array, as ``DiskImageWriter`` a file."""

    def __init__(self, capacity: int, size: tuple[int, int]):
        self.pixels = np.empty((capacity, *size, 3), dtype=np.uint8)
        self.count = 0

    def append(self, pixels: np.ndarray) -> None:
        self.pixels[self.count] = pixels
        self.count += 1

    def finish(self, greyscale: bool) -> np.ndarray:
        pixels = self.pixels[: self.count]
        return pixels[..., :1].copy() if greyscale else pixels


def _decode_images(
    opened: list[_OpenedImage], class_names: list[str], limits: UploadLimits, skipped: list[str],
    sink: _MemoryPixels | DiskImageWriter,
) -> tuple[np.ndarray | DiskImages, np.ndarray, ImageOriginals]:
    """Decode and shrink each image into ``sink`` (uint8 (n, height, width, 1 or 3), grouped by class),
    its int64 labels and what each was before (name, size, mode). One channel when every image is
    greyscale. Corrupt images go to ``skipped``."""
    index = {name: position for position, name in enumerate(class_names)}
    in_class_order = sorted(opened, key=lambda item: index[item.class_name])  # stable: file order within a class
    labels = np.empty(len(opened), dtype=np.int64)
    names, sizes, modes = [], [], []
    greyscale = True
    for item in in_class_order:
        try:
            loaded = load_image(item.reopen(limits))
            small = resize_square(loaded, limits.storage_size)
        except UnreadableImage as reason:
            skipped.append(f"{item.file_name}: {reason}")
            continue
        greyscale = greyscale and is_greyscale(small)
        labels[sink.count] = index[item.class_name]
        sink.append(np.asarray(small.convert("RGB"), dtype=np.uint8))
        names.append(item.file_name)
        sizes.append(loaded.size)
        modes.append(item.mode)  # the file's own mode, before load_image converted it
    labels = labels[: sink.count]
    originals = ImageOriginals(names, np.asarray(sizes, dtype=np.int64).reshape(-1, 2), modes)
    return sink.finish(greyscale), labels, originals


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
