"""Project files in the browser (issue 26.1): "Save project" on a training page, "Open project" on
the home page and on each training page's "All runs" tab.

Saving: a page's data chooser records what it read (``remember_data``: a built-in set's name, or the
uploaded files and the columns picked); the save button puts that beside the trained model's store
entry into one zip (``dl.project``), built only when clicked.

Opening: the file is checked (``dl.project.read_project``), its model goes into the store under its
key, and the page it belongs to is prepared as a visitor would have left it: the data source picked,
an uploaded file back in its uploader (``ui.tabs.kept_upload``), the columns chosen, images kept class
by class back in their class slots (``ProjectPage.data_module``). Once the page has
read that data, ``open_pending_project`` opens the stored run there (``ui.runs.open_run``): the
Results, Inside and Predict tabs come back without training.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from dl.data.errors import DataError
from dl.project import ProjectData, install_project, project_file_name, read_project, save_project
from dl.runs import Run
from dl.store import StoreEntry
from ui.errors import show_data_error
from ui.i18n import t
from ui.limits import show_limits
from ui.loaders import model_store
from ui.tabs import KeptFile, tabs_key
from ui.training import Reopener, own_runs, page_state, start_opened_run

OPEN_ERROR = "_project_open_error"  # session key: the refusal to show after the uploader's callback
SWITCH_TO = "_project_switch_to"  # session key: the page to go to after a project was opened on the home page


@dataclass(frozen=True)
class ProjectPage:
    """Where a task's project opens: the page, its data-source radio, its uploaders and column pickers."""

    state: str  # page_state name (ui.training.page_state)
    tabs: str  # the page's lazy_tabs name
    path: str  # for st.switch_page
    source_key: str  # the data-source radio's widget key
    upload_option: str  # that radio's value for "my own file"
    upload_keys: dict[str, str]  # data role -> uploader widget key
    option_keys: dict[str, str] = field(default_factory=dict)  # option name -> widget key (columns)
    builtin_options: dict[str, str] = field(default_factory=dict)  # a built-in set's name -> the radio's value, when they differ
    settings_module: str = ""  # its ``setting_states(task, config) -> widget states`` (imported when a project opens)
    data_module: str = ""  # its ``restore_project_data(project) -> the source radio's value or None``: data the page
    # keeps its own way (the image page's class slots), put back when a project opens


TEXT_PAGE = ProjectPage("text", "text_classification", "app_pages/text_classification.py", "text_source", "upload",
                        {"data": "text_file"}, {"text_col": "text_text_col", "label_col": "text_label_col"},
                        settings_module="ui.text.training")
IMAGE_PAGE = ProjectPage("image", "image_classification", "app_pages/image_classification.py", "image_source", "zip",
                         {"data": "image_zip"}, settings_module="ui.image.training", data_module="ui.image.data")
RECOMMENDER_PAGE = ProjectPage("movie_recommender", "movie_recommender", "app_pages/movie_recommender.py", "recommender_source",
                               "upload", {"data": "recommender_ratings_file", "items": "recommender_items_file"},
                               {"user_col": "recommender_user_col", "item_col": "recommender_item_col",
                                "rating_col": "recommender_rating_col"}, {"ml-100k": "builtin"},
                               settings_module="ui.recommender.training")
BERT_PAGE = ProjectPage("bert", "bert_labeling", "app_pages/bert_labeling.py", "bert_source", "upload",
                        {"data": "bert_file"}, {"text_col": "bert_text_col", "label_col": "bert_label_col"},
                        settings_module="ui.bert.training")
GRADIENT_LAB_PAGE = ProjectPage("gradient_lab", "", "app_pages/gradient_lab.py", "gl_dataset", "csv", {"data": "gl_upload"},
                                settings_module="ui.gradient_lab.controls")  # no tabs: one page
PAGE_OF_TASK = {"text": TEXT_PAGE, "image-cnn": IMAGE_PAGE, "image-transfer": IMAGE_PAGE, "recommender": RECOMMENDER_PAGE,
                "bert": BERT_PAGE, "gradient_lab": GRADIENT_LAB_PAGE}


# ---------------------------------------------------------------- saving
def remember_data(page: str, fingerprint: str, builtin: str | None = None, files: dict[str, KeptFile] | None = None,
                  options: dict[str, Any] | None = None) -> None:
    """What the page's data chooser read: a project saved later carries it (``files``: role -> file)."""
    page_state(page)["project_data"] = {"fingerprint": fingerprint, "builtin": builtin, "files": files or {},
                                        "options": options or {}}


def save_project_button(page: str, trained: Any) -> None:
    """A download button for the project of ``trained`` (a task result with ``meta`` and ``path``: its
    store entry, already in memory, so a rerun reads and hashes no files)."""
    recorded = page_state(page).get("project_data")
    meta = trained.meta
    fingerprint = meta.get("data", {}).get("fingerprint")
    if not recorded or recorded["fingerprint"] != fingerprint:  # data changed by the doctor's fixes, or typed in
        st.caption(t("projects.save_needs_raw_data"))
        return
    data, files = recorded_project_data(recorded)
    entry = StoreEntry(key=trained.path.name, path=trained.path, meta=meta)
    doctor = page_state(page).get("doctor")  # the data doctor's findings on this data (ui.data_doctor.doctor_panel)
    st.download_button(t("projects.save"), lambda: save_project(entry, data, files, doctor), icon="💾", key=f"{page}_save_project",
                       file_name=project_file_name(str(meta.get("task")), data), mime="application/zip",
                       help=t("projects.save_help"))


def recorded_project_data(recorded: dict[str, Any]) -> tuple[ProjectData, dict[str, bytes]]:
    """What ``remember_data`` recorded as a project's data description and its files (name -> bytes)."""
    data = ProjectData(fingerprint=recorded["fingerprint"], builtin=recorded["builtin"],
                       files={role: file.name for role, file in recorded["files"].items()}, options=recorded["options"])
    return data, {file.name: file.getvalue() for file in recorded["files"].values()}


# ---------------------------------------------------------------- opening
def open_project_uploader(key: str) -> None:
    """The "Open project" uploader; a good file prepares its page (and the home page then goes there)."""
    st.file_uploader(t("projects.open"), type=["zip"], key=key, on_change=_opened, args=(key,), help=t("projects.open_help"))
    show_limits("project")
    error = st.session_state.pop(OPEN_ERROR, None)
    if error is not None:
        show_data_error(error)
    target = st.session_state.pop(SWITCH_TO, None)
    if target is not None:
        st.switch_page(target)


def _opened(key: str) -> None:
    upload = st.session_state.get(key)
    if upload is None:
        return
    try:
        spec = prepare_project(upload.getvalue(), upload.name)
    except DataError as error:
        st.session_state[OPEN_ERROR] = error
        return
    st.session_state[SWITCH_TO] = spec.path


def prepare_project(content: bytes, file_name: str) -> ProjectPage:
    """Check the project, store its model, and set its page up to open it (DataError when refused)."""
    project = read_project(content, file_name)
    spec = PAGE_OF_TASK.get(project.task)
    if spec is None:
        raise DataError(f"{file_name} holds a {project.task} model, which no page opens.", "project_unknown_task",
                        name=file_name, task=project.task)
    install_project(project, model_store())
    own_runs().add(project.key)
    builtin = project.data.builtin
    own_way = importlib.import_module(spec.data_module).restore_project_data(project) if spec.data_module else None
    st.session_state[spec.source_key] = own_way or (spec.builtin_options.get(builtin, builtin) if builtin else spec.upload_option)
    kept = page_state(spec.state).setdefault("kept_uploads", {})
    for role, uploader in spec.upload_keys.items():
        found = project.data_file(role)
        st.session_state.pop(uploader, None)
        if found is not None:
            kept[uploader], kept[f"{uploader}.restored"] = KeptFile(*found), True
    if spec.settings_module:
        st.session_state.update(importlib.import_module(spec.settings_module).setting_states(project.task, project.config))
    for option, widget in spec.option_keys.items():
        if option in project.data.options:
            st.session_state[widget] = project.data.options[option]
    page_state(spec.state)["pending_open"] = {"key": project.key, "data": project.data.fingerprint, "file": file_name}
    if spec.tabs:
        st.session_state[tabs_key(spec.tabs)] = t(f"{spec.tabs}.tab_data")
    return spec


def open_pending_project(page: str, reopener: Reopener) -> None:
    """On the Data tab, once the data is read: open the project's run, or say why it cannot be."""
    pending = page_state(page).get("pending_open")
    if not pending or reopener.data_fingerprint is None:
        return
    page_state(page).pop("pending_open")
    entry = model_store().get(pending["key"])
    reopened = reopener.reopen(Run.from_entry(entry)) if entry is not None else None
    if reopener.data_fingerprint != pending["data"] or reopened is None:
        st.warning(t("projects.data_differs", name=pending["file"]), icon="⚠️")
        return
    start_opened_run(page, Run.from_entry(entry), *reopened, reopener)  # its result shows here, on the Data tab:
    st.rerun()  # the model itself (and TensorFlow) loads only when a tab that needs it is opened
