"""Project files: one zip that keeps a trained model with its data, settings and results (issue 26.1).

Layout of ``NAME.zip``::

    project.json      format and version, app version, task, store key, when saved, the data's description,
                      the data doctor's findings
    model/...         the store entry as it is: meta.json (settings, metrics, history, framework versions)
                      and the model files
    data/...          an uploaded data set's own files (a built-in set is named, not copied: it ships with the app);
                      images put into class slots (uploads and camera photos) one folder per class,
                      ``data/class-1/camera-1.jpg``, with the classes' names and files in order under
                      the data's ``options["classes"]`` (``class_files``)

Opening (``read_project``) is as careful as any upload: a size limit, zip-bomb and path checks, only
the three places above, every model file checked against the size and sha256 that meta.json lists (a
tampered or truncated file is refused), and the store key recomputed from task, settings and data
fingerprint (a project whose settings were edited by hand would be a model that does not match its
settings). A project from a newer app is refused with a message saying so. Nothing is unpickled: the
model files are read later by the task's own safe loaders (``.keras`` with ``safe_mode``,
safetensors, npz without pickle). ``install_project`` then puts the model into the local store under
its key, so the page (or the CLI) finds it there as it finds any cached model: no training.
"""

from __future__ import annotations

import io
import json
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import dl
from dl.data.archives import is_bomb, unpacked_and_packed
from dl.data.errors import DataError
from dl.limits import LIMITS, megabytes
from dl.store import META_FILE, BrokenEntryError, ModelStore, StoreEntry, make_key

FORMAT = "deep-learning-playground-project"
FORMAT_VERSION = 1  # raise it when the layout changes; read_project refuses a higher one
PROJECT_FILE = "project.json"
MODEL_FOLDER = "model"
DATA_FOLDER = "data"
SUFFIX = ".zip"
CLASSES_OPTION = "classes"  # ProjectData.options key of data kept class by class: [{"name", "files"}, ...]


@dataclass(frozen=True)
class ProjectData:
    """What a project's model was trained on.

    ``builtin``: a built-in set's name (its files ship with the app). Otherwise ``files`` maps a role
    to a file name under ``data/`` (``{"data": "mine.csv"}``, the recommender also ``"items"``) and
    ``options`` says how it was read (the text and label columns). Images kept class by class name
    every file by itself (role = file name) and list them under ``options["classes"]``:
    ``[{"name": "cats", "files": ["class-1/1.png", ...]}, ...]`` in the order the page read them.
    ``fingerprint``: the data's content hash, the store key's data part, checked again when the data
    is read back.
    """

    fingerprint: str
    builtin: str | None = None
    files: dict[str, str] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"fingerprint": self.fingerprint, "builtin": self.builtin, "files": self.files, "options": self.options}


@dataclass(frozen=True)
class Project:
    """A read and checked project file (``read_project``)."""

    file_name: str
    task: str
    key: str
    meta: dict[str, Any]  # the model's meta.json
    data: ProjectData
    data_files: dict[str, bytes]  # file name under data/ -> bytes
    model_files: dict[str, bytes]  # path under model/ -> bytes (meta.json included)
    app_version: str
    saved: float | None
    doctor: dict[str, Any] | None = None

    @property
    def config(self) -> dict[str, Any]:
        return self.meta.get("config", {})

    @property
    def metrics(self) -> dict[str, Any]:
        return self.meta.get("metrics", {})

    def data_file(self, role: str) -> tuple[str, bytes] | None:
        """(file name, bytes) of an uploaded data file by role, or None."""
        name = self.data.files.get(role)
        return (name, self.data_files[name]) if name else None

    def class_files(self) -> list[tuple[str, list[tuple[str, bytes]]]] | None:
        """Data kept class by class: [(class name, [(file name, bytes), ...]), ...] in the page's order,
        or None when the data is not kept that way (``read_project`` has checked its shape)."""
        classes = self.data.options.get(CLASSES_OPTION)
        if classes is None:
            return None
        return [(entry["name"], [(name, self.data_files[name]) for name in entry["files"]]) for entry in classes]


def save_project(entry: StoreEntry, data: ProjectData, data_files: dict[str, bytes] | None = None,
                 doctor: dict[str, Any] | None = None) -> bytes:
    """The project zip of a store entry and its data (``data_files``: file name -> bytes, uploads only)."""
    data_files = data_files or {}
    missing = [name for name in data.files.values() if name not in data_files]
    if missing:
        raise ValueError(f"data files named but not given: {missing}")
    unsafe = [name for name in data_files if not is_safe_data_name(name)]
    if unsafe:  # read_project would refuse the file: never write one
        raise ValueError(f"data file names must be relative paths without '..': {unsafe}")
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "app_version": dl.__version__,
        "saved": time.time(),
        "task": entry.meta.get("task"),
        "key": entry.key,
        "data": data.to_json(),
        "doctor": doctor,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(PROJECT_FILE, json.dumps(document, indent=2, ensure_ascii=False))
        for path in sorted(Path(entry.path).rglob("*")):
            relative = path.relative_to(entry.path).as_posix()
            if path.is_file() and (relative == META_FILE or relative in entry.meta.get("files", {})):
                archive.write(path, f"{MODEL_FOLDER}/{relative}")
        for name, content in data_files.items():
            archive.writestr(f"{DATA_FOLDER}/{name}", content)
    return buffer.getvalue()


def project_file_name(task: str, data: ProjectData, saved: float | None = None) -> str:
    """``text-mine-20261206-1812.zip``: the task, the data, and when."""
    source = data.builtin or (CLASSES_OPTION if CLASSES_OPTION in data.options else Path(next(iter(data.files.values()), "data")).stem)
    stamp = time.strftime("%Y%m%d-%H%M", time.localtime(saved or time.time()))
    safe = "".join(character if character.isalnum() or character in "-_" else "-" for character in source)[:40]
    return f"{task}-{safe}-{stamp}{SUFFIX}"


def read_project(content: bytes, file_name: str = "project.zip") -> Project:
    """The checked project in ``content``; DataError (with a code a page translates) when it is refused."""
    if len(content) > LIMITS.upload_bytes:
        raise DataError(f"{file_name} is {megabytes(len(content))} MB, over the {megabytes(LIMITS.upload_bytes)} MB limit. "
                        "Upload a smaller file.", "too_large", name=file_name, size=megabytes(len(content)),
                        limit=megabytes(LIMITS.upload_bytes))
    files = _unpack(content, file_name)
    document = _project_document(files, file_name)
    meta = _model_meta(files, file_name)
    model_files = {name.removeprefix(f"{MODEL_FOLDER}/"): data for name, data in files.items()
                   if name.startswith(f"{MODEL_FOLDER}/")}
    _check_model_files(model_files, meta, file_name)
    data = _project_data(document, file_name)
    data_files = {name.removeprefix(f"{DATA_FOLDER}/"): value for name, value in files.items() if name.startswith(f"{DATA_FOLDER}/")}
    if any(name not in data_files for name in data.files.values()):
        raise tampered(file_name, "a data file it names is missing")
    task = str(meta.get("task", ""))
    if make_key(task, meta.get("config", {}), data.fingerprint) != document.get("key"):
        raise tampered(file_name, "its settings or data do not match its model")
    return Project(file_name=file_name, task=task, key=str(document["key"]), meta=meta, data=data, data_files=data_files,
                   model_files=model_files, app_version=str(document.get("app_version", "?")),
                   saved=document.get("saved") if isinstance(document.get("saved"), (int, float)) else None,
                   doctor=document.get("doctor") if isinstance(document.get("doctor"), dict) else None)


def install_project(project: Project, store: ModelStore) -> StoreEntry:
    """Put the project's model into ``store`` under its key (kept as it is when already there; a broken
    entry under that key is moved aside and replaced, as a training would replace it)."""
    try:
        existing = store.get(project.key)
    except BrokenEntryError:
        store.move_aside(project.key)
        existing = None
    if existing is not None:
        return existing

    def write_files(folder: Path) -> None:
        for name, data in project.model_files.items():
            if name == META_FILE:
                continue
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)

    return store.put(project.key, write_files, project.meta, stamp=False)


def project_summary(project: Project) -> dict[str, Any]:
    """What ``python -m dl open`` prints: task, data, settings, metrics, epochs, versions, when."""
    return {
        "file": project.file_name,
        "task": project.task,
        "key": project.key,
        "data": project.data.builtin or _data_description(project),
        "builtin": project.data.builtin is not None,
        "settings": project.config,
        "metrics": {name: value for name, value in project.metrics.items() if isinstance(value, (int, float, str))},
        "epochs_run": len(project.meta.get("history", [])),
        "train_seconds": project.meta.get("train_seconds"),
        "trained": project.meta.get("created"),
        "saved": project.saved,
        "app_version": project.app_version,
        "versions": project.meta.get("versions", {}),
        "data_doctor": project.doctor,
    }


def _data_description(project: Project) -> str:
    """The files' names, or for data kept class by class each class with its number of files."""
    classes = project.class_files()
    if classes is None:
        return ", ".join(project.data.files.values())
    return ", ".join(f"{name} ({len(files)} files)" for name, files in classes)


def is_safe_data_name(name: str) -> bool:
    """A name a file may have inside a project (and a data file inside ``data/``): relative, forward
    slashes, no '..' and no empty part. ``save_project`` writes only such names; ``read_project`` refuses others."""
    path = PurePosixPath(name)
    return bool(name) and "\\" not in name and not path.is_absolute() and ".." not in path.parts \
        and all(part.strip() for part in name.split("/"))


def not_a_project(file_name: str) -> DataError:
    return DataError(f"{file_name} is not a project file of this app (it has no {PROJECT_FILE}). "
                     "Use “Save project” on a training page to make one.", "project_not_a_project", name=file_name)


def tampered(file_name: str, reason: str) -> DataError:
    return DataError(f"{file_name} was changed after it was saved ({reason}). Save the project again from the app.",
                     "project_tampered", name=file_name, reason=reason)


def _unpack(content: bytes, file_name: str) -> dict[str, bytes]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise DataError(f"{file_name} is not a readable project file ({error}). Save it again from the app.",
                        "project_unreadable", name=file_name, reason=str(error)) from None
    unpacked, packed = unpacked_and_packed(infos)
    if is_bomb(unpacked, packed) or unpacked > LIMITS.uncompressed_bytes:
        raise DataError(f"{file_name} would unpack to {unpacked / 2**20:,.0f} MB from {packed / 2**20:,.1f} MB "
                        "(a zip bomb?). The project was refused.", "project_bomb", name=file_name,
                        unpacked=f"{unpacked / 2**20:,.0f}", packed=f"{packed / 2**20:,.1f}")
    if PROJECT_FILE not in {info.filename for info in infos}:
        raise not_a_project(file_name)
    files: dict[str, bytes] = {}
    for info in infos:
        if info.is_dir():
            continue
        if not is_safe_data_name(info.filename) or (
                info.filename != PROJECT_FILE and PurePosixPath(info.filename).parts[0] not in (MODEL_FOLDER, DATA_FOLDER)):
            raise tampered(file_name, f"an unexpected entry {info.filename!r}")
        try:
            files[info.filename] = archive.read(info)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:  # truncated, or a CRC mismatch
            raise DataError(f"{file_name} is not a readable project file ({error}). Save it again from the app.",
                            "project_unreadable", name=file_name, reason=str(error)) from None
    return files


def _project_document(files: dict[str, bytes], file_name: str) -> dict[str, Any]:
    try:
        document = json.loads(files[PROJECT_FILE])
    except (KeyError, ValueError):
        document = None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise not_a_project(file_name)
    version = document.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise DataError(f"{file_name} was saved by a newer version of the app (project format {version}, this app reads "
                        f"up to {FORMAT_VERSION}). Update the app to open it.", "project_newer", name=file_name,
                        version=str(version), supported=str(FORMAT_VERSION))
    return document


def _model_meta(files: dict[str, bytes], file_name: str) -> dict[str, Any]:
    try:
        meta = json.loads(files[f"{MODEL_FOLDER}/{META_FILE}"])
    except (KeyError, ValueError):
        raise tampered(file_name, f"{MODEL_FOLDER}/{META_FILE} is missing or unreadable") from None
    if not isinstance(meta, dict) or not isinstance(meta.get("files"), dict):
        raise tampered(file_name, f"{MODEL_FOLDER}/{META_FILE} lists no model files")
    return meta


def _check_model_files(model_files: dict[str, bytes], meta: dict[str, Any], file_name: str) -> None:
    import hashlib

    listed = meta["files"]
    extra = sorted(set(model_files) - set(listed) - {META_FILE})
    if extra:
        raise tampered(file_name, f"model files its meta.json does not list: {', '.join(extra)}")
    for name, info in listed.items():
        data = model_files.get(name)
        if data is None:
            raise tampered(file_name, f"the model file {name} is missing")
        if len(data) != info.get("bytes") or hashlib.sha256(data).hexdigest() != info.get("sha256"):
            raise tampered(file_name, f"the model file {name} does not match its checksum")


def _project_data(document: dict[str, Any], file_name: str) -> ProjectData:
    data = document.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("fingerprint"), str):
        raise tampered(file_name, "it does not say what data the model was trained on")
    files = data.get("files") or {}
    options = data.get("options") or {}
    builtin = data.get("builtin")
    if not isinstance(files, dict) or not isinstance(options, dict) or not (builtin is None or isinstance(builtin, str)):
        raise tampered(file_name, "its data description is malformed")
    if builtin is None and not files:
        raise tampered(file_name, "it names neither a built-in data set nor data files")
    if CLASSES_OPTION in options:
        _check_classes(options[CLASSES_OPTION], set(files.values()), file_name)
    return ProjectData(fingerprint=data["fingerprint"], builtin=builtin, files={str(k): str(v) for k, v in files.items()},
                       options=options)


def _check_classes(classes: Any, named_files: set[Any], file_name: str) -> None:
    """``options["classes"]`` is a list of {"name": str, "files": [names the data lists]}, each file in one class."""
    def well_formed(entry: Any) -> bool:
        return isinstance(entry, dict) and isinstance(entry.get("name"), str) and isinstance(entry.get("files"), list) \
            and all(isinstance(name, str) and name in named_files for name in entry["files"])

    if not isinstance(classes, list) or not classes or not all(well_formed(entry) for entry in classes):
        raise tampered(file_name, "its list of classes is malformed")
    listed = [name for entry in classes for name in entry["files"]]
    if len(listed) != len(set(listed)):
        raise tampered(file_name, "a file is listed in two classes")
