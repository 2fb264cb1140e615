"""The shape every ``python -m dl train TASK`` shares; each task's ``cli.py`` gives only its specifics.

A task's ``train(args)`` is ``run_train_command(args, build)``: ``build(args, store)`` reads the
task's data and makes its config (its own code, with its own checks) and returns a ``TrainCommand``;
the rest is the same for every task:

1. ask the model store for this (task, config, data): a hit is answered from ``meta.json`` alone,
   so no framework is imported (DESIGN.md: a cache hit costs well under a second);
2. otherwise say on stderr what is about to be trained (not with ``--json``), then train in a job
   with a progress bar or JSON progress lines (``dl.console.train_with_progress``);
3. turn the entry's or the training's ``meta.json`` into the task's result document, and print
   it with ``dl.console.report_training``: a summary for people, or one JSON line.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dl import console
from dl.data.errors import DataError
from dl.store import ModelStore


@dataclass(frozen=True)
class TrainingOutcome:
    """What a train command reports on, whether the store or a training run gave it."""

    meta: dict[str, Any]  # the entry's meta.json: metrics, class names, history, data, train_seconds
    model_path: str  # printed as "model": what ``predict`` takes
    from_cache: bool
    notes: Sequence[str] = ()  # e.g. that the cache could not be written

    @property
    def train_seconds(self) -> float | None:
        """How long the training took (when it was stored; a cache hit reports the first run's)."""
        return self.meta.get("train_seconds")

    @property
    def data_source(self) -> str | None:
        """The data set's name or file name, as the store recorded it."""
        return self.meta.get("data", {}).get("source")


def given_settings(**values: Any) -> dict[str, Any]:
    """Keyword arguments for a task's config: the options given on the command line. An option left
    out (None) is dropped, so the config's own default, and the reason written beside it, stands."""
    return {name: value for name, value in values.items() if value is not None}


def outcome_of_trained(trained: Any) -> TrainingOutcome:
    """The outcome of a task's training result that has ``meta``, ``path``, ``from_cache`` and ``notes``
    (the text classifier, the recommender and the BERT labeler do)."""
    return TrainingOutcome(trained.meta, str(trained.path), trained.from_cache, list(trained.notes))


@dataclass(frozen=True)
class TrainCommand:
    """One task's part of ``python -m dl train TASK``."""

    stored: Callable[[], Any]  # the store entry (``dl.task.stored_meta``) of this config and data, or None
    train: Callable[[Any], Any]  # train(reporter) -> the task's trained result; runs in a job
    job_name: str  # the job's name ("text", "image-seed")
    headline: str  # what was trained on what, the summary's first words
    result_document: Callable[[TrainingOutcome], dict[str, Any]]  # the task's --json keys, in order
    summary_rows: Callable[[dict[str, Any]], Sequence[tuple[str, Any]]]  # (label, value) rows for people
    announce: Callable[[], Sequence[str]] = lambda: ()  # lines on stderr before training; called only then
    model_file: str = ""  # the file in a store entry that "model" names ("" names the entry's folder)
    outcome: Callable[[Any], TrainingOutcome] = outcome_of_trained  # what train() returned, as an outcome


def run_train_command(args: Any, build: Callable[[Any, ModelStore], TrainCommand]) -> None:
    """``build(args, store)`` (the task reads its data and makes its config), then answer from the
    store or train, and print the result (see the module docstring). The time reported includes
    ``build``. With ``--project``, ``args.data`` comes from the project (``resume_from_project``)."""
    started = time.perf_counter()
    store = ModelStore()
    if getattr(args, "save_project", None) and getattr(args, "fix", None):  # as on the pages: the data as read
        raise DataError("--save-project keeps the data as it was read, and --fix changes it: train without --fix "
                        "to save a project.")
    if getattr(args, "project", None):
        resume_from_project(args, store)
    elif not getattr(args, "data", None):
        raise DataError("Give --data (a built-in set's name or a file), or --project PROJECT.zip to resume one.")
    command = build(args, store)
    entry = command.stored()
    if entry is not None:  # a cache hit needs only meta.json: no framework, no model loading
        outcome = TrainingOutcome(entry.meta, str(Path(entry.path) / command.model_file), from_cache=True)
    else:
        if not args.json:
            for line in command.announce():
                print(line, file=sys.stderr)
        trained = console.train_with_progress(command.train, command.job_name, args.json)
        outcome = command.outcome(trained)
    result = command.result_document(outcome)
    if getattr(args, "save_project", None):
        write_project(args, outcome, result.get("data_doctor"))
    console.report_training(args, result, command.headline, command.summary_rows(result), started, outcome.notes)


def resume_from_project(args: Any, store: ModelStore) -> None:
    """``--project PROJECT.zip --epochs N``: install the project's model in ``store`` and point the task at
    its data and settings: ``args.data`` (a built-in name, or the project's files unpacked into a
    temporary folder), the column options, ``args.project_settings`` (its config) and ``args.resume``
    (a ``dl.task.Resume`` of N more epochs). The task's own ``build`` then reads them."""
    import tempfile

    from dl.project import install_project, read_project
    from dl.task import Resume

    path = Path(args.project)
    if not path.is_file():
        raise DataError(f"{args.project} is not a file.")
    if args.epochs is None or args.epochs < 1:
        raise DataError("With --project, give --epochs N: how many more epochs to train.")
    project = read_project(path.read_bytes(), path.name)
    if project.task not in RESUMABLE.get(args.task, ()):
        raise DataError(f"{path.name} holds a {project.task} model, not one `train {args.task} --project` resumes.")
    entry = install_project(project, store)
    if project.data.builtin:
        args.data = project.data.builtin
    elif project.class_files() is not None:  # images kept class by class (the image page's slots and camera)
        args.data, args.class_files = path.name, project.class_files()
    else:
        folder = Path(tempfile.mkdtemp(prefix="dl-project-"))
        for name, content in project.data_files.items():
            (folder / name).write_bytes(content)
        args.data = str(folder / project.data.files["data"])
        if "items" in project.data.files:
            args.items = str(folder / project.data.files["items"])
    for option, value in project.data.options.items():
        if hasattr(args, option) and value is not None:
            setattr(args, option, value)
    args.project_settings, args.resume = project.config, Resume(entry, args.epochs)


# the stored runs each `train TASK --project` goes on with: Keras models with their optimizer's state, BERT from its
# saved weights (a fresh optimizer); the image page's transfer model is not resumed (its frozen base has nothing to go on with)
RESUMABLE = {"image": ("image-cnn",), "text": ("text",), "recommender": ("recommender",), "bert": ("bert",)}


def project_config(args: Any, config_class: type) -> Any | None:
    """The resumed project's settings as ``config_class`` (``--project``), else None."""
    from dl.config import config_from_dict

    settings = getattr(args, "project_settings", None)
    return config_from_dict(config_class, settings) if settings is not None else None


def write_project(args: Any, outcome: TrainingOutcome, doctor: dict[str, Any] | None = None) -> Path:
    """``--save-project PATH``: the trained model's project file, with the data it was trained on (a built-in
    set by name; a file as it is; a folder of class folders as a zip), the column options given and the
    data doctor's findings (``doctor``)."""
    import io
    import zipfile

    from dl.project import ProjectData, save_project
    from dl.store import StoreEntry

    data_meta = outcome.meta.get("data", {})
    folder = Path(outcome.model_path)
    folder = folder if folder.is_dir() else folder.parent
    entry = StoreEntry(key=str(outcome.meta.get("key", folder.name)), path=folder, meta=outcome.meta)
    options = {name: value for name, value in vars(args).items() if name.endswith(("_col", "_column")) and value}
    files: dict[str, bytes] = {}
    if data_meta.get("builtin"):
        data = ProjectData(fingerprint=data_meta["fingerprint"], builtin=args.data, options=options)
    else:
        roles = {"data": args.data, **({"items": args.items} if getattr(args, "items", None) else {})}
        names = {}
        for role, given in roles.items():
            path = Path(given)
            if path.is_dir():  # a folder of class folders travels as the zip a page would take
                buffer = io.BytesIO()
                with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                    for file in sorted(path.rglob("*")):
                        if file.is_file():
                            archive.write(file, file.relative_to(path).as_posix())
                names[role], files[f"{path.name}.zip"] = f"{path.name}.zip", buffer.getvalue()
            else:
                names[role], files[path.name] = path.name, path.read_bytes()
        data = ProjectData(fingerprint=data_meta["fingerprint"], files=names, options=options)
    target = Path(args.save_project)
    target.write_bytes(save_project(entry, data, files, doctor))
    print(f"project saved: {target} ({target.stat().st_size / 2**20:.1f} MiB)", file=sys.stderr)
    return target
