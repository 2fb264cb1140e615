"""dl.project: images kept class by class (the image page's class slots: uploads and camera photos, issue 27.1).

The independent truth is the data set itself: the files read back from a project and decoded again by
the upload reader give the same pixels, labels and class names (the same fingerprint, the store key's
data part) as the files that were saved, so the page finds the saved model without training. A project
whose class list was edited by hand is refused, and a name that could escape ``data/`` is never written.
"""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from image_photos import shape_png
from PIL import Image

from dl.data import DataError
from dl.image.uploads import dataset_from_class_files
from dl.project import CLASSES_OPTION, ProjectData, project_file_name, project_summary, read_project, save_project
from dl.store import ModelStore, make_key

CONFIG = {"epochs": 2}


def jpeg(kind: str, seed: int) -> bytes:
    buffer = io.BytesIO()
    Image.open(io.BytesIO(shape_png(kind, seed))).save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def class_data() -> dict[str, list[tuple[str, bytes]]]:
    """Two classes as the page reads them: uploads first, then camera photos (a non-ASCII class name too)."""
    return {
        "竖条 bars": [("bar.png", shape_png("bars", 1)), ("camera-1.jpg", jpeg("bars", 2)), ("camera-2.jpg", jpeg("bars", 3))],
        "stripes": [("camera-1.jpg", jpeg("stripes", 4)), ("camera-2.jpg", jpeg("stripes", 5))],
    }


def saved_project(tmp_path, classes: dict[str, list[tuple[str, bytes]]]) -> bytes:
    """A project of a stand-in model trained on ``classes``, its files laid out as the page records them."""
    fingerprint = dataset_from_class_files(classes).fingerprint()
    entry = ModelStore(tmp_path / "store").put(make_key("image-cnn", CONFIG, fingerprint),
                                               lambda folder: (folder / "model.keras").write_bytes(b"weights"),
                                               {"task": "image-cnn", "config": CONFIG, "data": {"fingerprint": fingerprint}})
    data, files = class_layout(classes, fingerprint)
    assert project_file_name("image-cnn", data).startswith("image-cnn-classes-")
    return save_project(entry, data, files)


def class_layout(classes: dict[str, list[tuple[str, bytes]]], fingerprint: str) -> tuple[ProjectData, dict[str, bytes]]:
    """A project's data description and files for ``classes``, laid out as the page records them."""
    listed, files = [], {}
    for number, (name, class_files) in enumerate(classes.items(), start=1):
        paths = [f"class-{number}/{file_name}" for file_name, _ in class_files]
        files.update(zip(paths, (data for _, data in class_files), strict=True))
        listed.append({"name": name, "files": paths})
    return ProjectData(fingerprint=fingerprint, files={path: path for path in files}, options={CLASSES_OPTION: listed}), files


def test_class_files_read_back_make_the_same_data_set(tmp_path):
    classes = class_data()
    project = read_project(saved_project(tmp_path, classes), "shapes.zip")
    read_back = project.class_files()
    assert [name for name, _ in read_back] == list(classes)
    assert [[data for _, data in files] for _, files in read_back] == [[data for _, data in files] for files in classes.values()]
    rebuilt = dataset_from_class_files({name: files for name, files in read_back})
    assert rebuilt.fingerprint() == project.data.fingerprint == dataset_from_class_files(classes).fingerprint()
    assert rebuilt.class_counts() == {"竖条 bars": 3, "stripes": 2}
    assert project_summary(project)["data"] == "竖条 bars (3 files), stripes (2 files)"


def edited(content: bytes, change) -> bytes:
    """``content`` with its project.json's data description changed by ``change`` (as a hand edit would)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "project.json":
                document = json.loads(data)
                change(document["data"])
                data = json.dumps(document).encode()
            archive.writestr(info.filename, data)
    return buffer.getvalue()


@pytest.mark.parametrize("change", [
    lambda data: data["options"]["classes"][0]["files"].append("class-9/elsewhere.jpg"),  # a file the data does not list
    lambda data: data["options"]["classes"][1]["files"].append(data["options"]["classes"][0]["files"][0]),  # in two classes
    lambda data: data["options"].update(classes={"cats": ["class-1/bar.png"]}),  # not a list of classes
    lambda data: data["options"]["classes"][0].update(name=7),  # a class without a name
], ids=["unknown file", "file in two classes", "not a list", "no name"])
def test_a_hand_edited_class_list_is_refused(tmp_path, change):
    content = edited(saved_project(tmp_path, class_data()), change)
    with pytest.raises(DataError) as refused:
        read_project(content, "edited.zip")
    assert refused.value.code == "project_tampered" and "class" in str(refused.value)


@pytest.mark.parametrize("name", ["../escape.png", "/absolute.png", "class-1/../../x.png", "class-1\\x.png", "class-1//x.png"])
def test_a_data_file_name_that_could_leave_data_is_never_written(tmp_path, name):
    entry = ModelStore(tmp_path / "store").put(make_key("image-cnn", CONFIG, "f" * 64),
                                               lambda folder: (folder / "model.keras").write_bytes(b"weights"),
                                               {"task": "image-cnn", "config": CONFIG})
    with pytest.raises(ValueError, match="relative paths"):
        save_project(entry, ProjectData("f" * 64, files={name: name}), {name: b"pixels"})


def test_the_cli_resumes_a_project_kept_class_by_class(tmp_path):
    """``train image --project`` on images kept class by class reads them as the page did: the same data
    set, so the saved model is found and goes on for the asked epochs (it used to look for a data file)."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from cli_runner import run_cli

    from dl.image.cnn import ImageClassifierConfig, train_image_classifier
    from dl.jobs import run_inline

    classes = {"竖条 bars": [(f"bar-{index}.png", shape_png("bars", index)) for index in range(10)],
               "stripes": [(f"camera-{index}.jpg", jpeg("stripes", 50 + index)) for index in range(10)]}
    dataset = dataset_from_class_files(classes)
    store = ModelStore(tmp_path / "store")
    config = ImageClassifierConfig(image_size=16, epochs=2, early_stopping=False)
    trained = run_inline(lambda reporter: train_image_classifier(config, dataset, reporter, store))
    data, files = class_layout(classes, dataset.fingerprint())
    entry = store.get(trained.path.name)
    project_path = tmp_path / "slots.zip"
    project_path.write_bytes(save_project(entry, data, files))
    resumed = run_cli(["train", "image", "--project", str(project_path), "--epochs", "1", "--json"], cache=tmp_path / "other-cache")
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert json.loads(resumed.stdout)["epochs_run"] == 3  # two saved epochs and the one asked for
