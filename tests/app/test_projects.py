"""AppTest: project files through the pages (issue 26.1).

A model trained in one session is saved as a project (the zip the page's "Save project" button builds,
from what the page recorded) and opened in a fresh session with a fresh model cache, as on another
machine: from the home page for built-in data, from the page's "All runs" tab for an uploaded table.
The page comes back with its data, the model answers from the store (nothing is trained: the cache
holds one model) and the Results tab shows the same accuracy.
"""

from __future__ import annotations

import re

import streamlit as st
from apptest_utils import open_page, run_until, show_tab

from dl.project import ProjectData, save_project
from dl.store import ModelStore, StoreEntry

PAGE = "text_classification"
RUNS = 5
TRAINED = re.compile(r"test accuracy [\d.]+%")


def train(app, upload: bytes | None = None):
    if upload is None:
        app.radio(key="text_source").set_value("rotten_tomatoes").run()
        app.select_slider(key="text_max_texts").set_value(500).run()
    else:
        app.radio(key="text_source").set_value("upload").run()
        app.file_uploader(key="text_file").set_value(("mine.csv", upload, "text/csv")).run()
    app.slider(key="text_epochs").set_value(2).run()
    app.button(key="text_train").click().run()
    run_until(app, lambda page: any(TRAINED.search(box.value) for box in page.success))
    assert [button for button in app.get("download_button") if button.proto.label == "Save project"]
    return TRAINED.search(next(box.value for box in app.success if TRAINED.search(box.value))).group()


def project_of(app) -> bytes:
    """The zip "Save project" builds: the page's recorded data beside the trained model's store entry."""
    recorded = app.session_state["_page_state.text"]["project_data"]
    store = ModelStore()
    entry = next(entry for entry in store.entries() if entry.meta["data"]["fingerprint"] == recorded["fingerprint"])
    data = ProjectData(recorded["fingerprint"], recorded["builtin"], {role: file.name for role, file in recorded["files"].items()},
                       recorded["options"])
    return save_project(StoreEntry(entry.key, entry.path, entry.meta), data,
                        {file.name: file.getvalue() for file in recorded["files"].values()})


def on_another_machine(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("DL_CACHE_DIR", str(tmp_path / "another-machine"))
    st.cache_resource.clear()  # the model store and the job registry of this process start empty


def test_a_built_in_project_opens_from_the_home_page_without_training(monkeypatch, tmp_path):
    first = open_page(PAGE)
    accuracy = train(first)
    content = project_of(first)
    on_another_machine(monkeypatch, tmp_path)

    home = open_page("home")
    home.file_uploader(key="home_open_project").set_value(("reviews.zip", content, "application/zip")).run()
    assert not home.exception
    run_until(home, lambda page: any(accuracy in box.value for box in page.success))
    assert home.session_state["text_source"] == "rotten_tomatoes"
    assert home.session_state["text_max_texts"] == 500 and home.session_state["text_epochs"] == 2  # its settings, restored
    assert not [caption for caption in home.caption if "settings changed" in caption.value]
    assert any("Opened a stored run" in caption.value for caption in home.caption)
    assert len(ModelStore().entries()) == 1  # the project's model, installed; nothing trained
    show_tab(home, 1, PAGE)
    assert not home.exception and home.metric  # Results: the model's numbers


def test_an_uploaded_table_travels_inside_the_project(monkeypatch, tmp_path):
    rows = "".join(f"{'lovely tasty' if index % 2 else 'awful stale'} number {index},{'good' if index % 2 else 'bad'}\n"
                   for index in range(60))
    first = open_page(PAGE)
    accuracy = train(first, ("text,label\n" + rows).encode())
    content = project_of(first)
    on_another_machine(monkeypatch, tmp_path)

    second = show_tab(open_page(PAGE), RUNS, PAGE)
    second.file_uploader(key="text_open_project").set_value(("mine-project.zip", content, "application/zip")).run()
    assert not second.exception
    run_until(second, lambda page: any(accuracy in box.value for box in page.success))
    assert second.session_state["text_source"] == "upload"
    assert any("Opened a stored run" in caption.value for caption in second.caption)
    assert any("mine.csv" in caption.value for caption in second.caption)  # the table, back in its uploader
    assert len(ModelStore().entries()) == 1


def test_a_tampered_project_is_refused_with_the_reason(monkeypatch, tmp_path):
    home = open_page("home")
    home.file_uploader(key="home_open_project").set_value(("broken.zip", b"PK" + b"\0" * 500, "application/zip")).run()
    assert not home.exception
    assert any("not a readable project file" in box.value for box in home.error)


def test_an_image_project_saved_by_the_cli_opens_with_its_settings(monkeypatch, tmp_path):
    from cli_runner import run_cli

    project = tmp_path / "digits.zip"
    made = run_cli(["train", "image", "--data", "digits", "--epochs", "2", "--save-project", str(project)], cache=tmp_path / "cli")
    assert made.returncode == 0, made.stderr
    on_another_machine(monkeypatch, tmp_path)
    home = open_page("home")
    home.file_uploader(key="home_open_project").set_value((project.name, project.read_bytes(), "application/zip")).run()
    run_until(home, lambda page: any("test accuracy" in box.value for box in page.success))
    assert home.session_state["image_source"] == "digits" and home.session_state["image_model_kind"] == "seed"
    assert home.session_state["image_epochs"] == 2
    assert any("Opened a stored run" in caption.value for caption in home.caption)
    assert len(ModelStore().entries()) == 1


def test_a_gradient_lab_run_travels_as_a_project(monkeypatch, tmp_path):
    lab = open_page("gradient_lab")
    lab.slider(key="gl_epochs").set_value(2).run()
    lab.button(key="gradient_lab_train").click().run()
    run_until(lab, lambda page: any(button.proto.label == "Save project" for button in page.get("download_button")))
    recorded = lab.session_state["_page_state.gradient_lab"]["project_data"]
    entry = next(entry for entry in ModelStore().entries() if entry.meta["task"] == "gradient_lab")
    content = save_project(StoreEntry(entry.key, entry.path, entry.meta),
                           ProjectData(recorded["fingerprint"], recorded["builtin"], {}, {}))
    on_another_machine(monkeypatch, tmp_path)

    home = open_page("home")
    home.file_uploader(key="home_open_project").set_value(("lab.zip", content, "application/zip")).run()
    run_until(home, lambda page: any(button.proto.label == "Save project" for button in page.get("download_button")))
    assert not home.exception
    assert home.session_state["gl_epochs"] == 2 and home.session_state["gl_dataset"] == entry.meta["config"]["dataset"]
    assert len(ModelStore().entries()) == 1  # its run, installed and shown; nothing trained


def test_class_slot_images_and_camera_photos_travel_inside_the_project(monkeypatch, tmp_path):
    """Issue 27.1: uploads and camera photos put into class slots are saved with the model; opened in a fresh
    session (another machine), they are back in their slots as kept photos, the data has the same fingerprint
    and the model opens from the store without training."""
    from camera_utils import name_class, open_camera, photo_names, slot_ids, take_photos
    from image_photos import shape_png

    from dl.store import ModelStore as Store
    from ui.projects import recorded_project_data

    image_page, image_runs = "image_classification", 6
    first = open_page(image_page)
    first.radio(key="image_source").set_value("slots").run()
    bars, stripes = slot_ids(first)
    name_class(first, bars, "bars")
    name_class(first, stripes, "stripes")
    first.file_uploader(key=f"image_slot_files_{bars}").set_value(
        [(f"bar-{seed}.png", shape_png("bars", seed), "image/png") for seed in range(3)]).run()
    open_camera(first, bars)
    take_photos(first, bars, "bars", 2, first_seed=10)
    open_camera(first, stripes)
    take_photos(first, stripes, "stripes", 4, first_seed=100)
    first.select_slider(key="image_size").set_value(16)
    first.slider(key="image_epochs").set_value(2)
    first.button(key="image_train").click().run()
    run_until(first, lambda page: any(button.proto.label == "Save project" for button in page.get("download_button")))
    recorded = first.session_state["_page_state.image"]["project_data"]
    data, files = recorded_project_data(recorded)  # what the Save project button zips
    assert sorted(files) == ["class-1/bar-0.png", "class-1/bar-1.png", "class-1/bar-2.png", "class-1/camera-1.jpg",
                             "class-1/camera-2.jpg"] + [f"class-2/camera-{number}.jpg" for number in range(1, 5)]
    entry = next(entry for entry in Store().entries() if entry.meta["data"]["fingerprint"] == recorded["fingerprint"])
    content = save_project(StoreEntry(entry.key, entry.path, entry.meta), data, files)
    on_another_machine(monkeypatch, tmp_path)

    second = show_tab(open_page(image_page), image_runs, image_page)
    second.file_uploader(key="image_open_project").set_value(("shapes.zip", content, "application/zip")).run()
    assert not second.exception
    assert second.session_state["image_source"] == "slots"  # the class slots, not the zip uploader
    run_until(second, lambda page: any("Opened a stored run" in caption.value for caption in page.caption))
    restored_bars, restored_stripes = slot_ids(second)
    assert [box.value for box in second.text_input if box.key.startswith("image_slot_name_")] == ["bars", "stripes"]
    assert photo_names(second, restored_bars) == ["camera-2.jpg", "camera-1.jpg", "bar-2.png", "bar-1.png", "bar-0.png"]
    assert len(photo_names(second, restored_stripes)) == 4
    assert second.session_state["_page_state.image"]["project_data"]["fingerprint"] == recorded["fingerprint"]
    assert not [box for box in second.warning if "is not the data in" in box.value]
    assert len(Store().entries()) == 1  # the project's model, installed; nothing trained
