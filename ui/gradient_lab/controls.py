"""Gradient lab inputs: presets, network and training widgets, data choice -> a GradientLabConfig.

Every widget is keyed ``gl_<config field>``, so a preset or a doctor's fix changes the form simply by
writing those keys in ``st.session_state`` (in a button callback, which runs before the widgets).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import streamlit as st

from dl.config import config_from_dict
from dl.gradient_lab import trainer as lab
from dl.gradient_lab.tables import FeatureTable
from dl.gradient_lab.trainer import GradientLabConfig
from ui.gradient_lab.state import PAGE, lab_state
from ui.i18n import t
from ui.limits import show_limits
from ui.links import config_from_link
from ui.loaders import model_store
from ui.projects import remember_data
from ui.tabs import KeptFile
from ui.training import Reopener, page_state

PREFIX = "gl_"
UPLOAD_KEY = "gl_upload"
FIELDS = [field.name for field in dataclasses.fields(GradientLabConfig)]


def widget_key(name: str) -> str:
    return f"{PREFIX}{name}"


def set_widgets(config: GradientLabConfig) -> None:
    """Write every field of ``config`` into its widget's state (call from a callback or before the widgets)."""
    for name in FIELDS:
        st.session_state[widget_key(name)] = getattr(config, name)


# what the form's widgets can show, beyond validate_config's ranges (a link's value outside them is ignored)
WIDTHS = [4, 8, 16, 32, 64, 128, 256, 512]
BATCH_SIZES = [16, 32, 64, 128, 256]
WIDGET_RANGES = {"epochs": (1, 50), "learning_rate": (1e-5, 10.0), "clip_threshold": (1e-3, 100.0), "weight_decay": (0.0, 0.5),
                 "seed": (0, 10_000), "init_stddev": (1e-4, 10.0)}
LINK_IGNORED = "gl_link_ignored"  # session state: what the opening link carried that did not fit
LINKED = [*(f"{PREFIX}{name}" for name in FIELDS), "gl_how", "gl_upload"]  # the page's own parameters


def fits_the_form(config: GradientLabConfig) -> bool:
    """Whether the form can show ``config``: valid, and within every widget's own options and range."""
    lab.validate_config(config)
    return (config.width in WIDTHS and config.batch_size in BATCH_SIZES
            and all(low <= getattr(config, name) <= high for name, (low, high) in WIDGET_RANGES.items()))


def ensure_defaults() -> None:
    """Initialise the widget state once per session: the defaults, with what the page's address carries
    (a shared link) on top; what does not fit is kept for ``link_box`` to name."""
    if widget_key("mode") not in st.session_state:
        config, st.session_state[LINK_IGNORED] = config_from_link(GradientLabConfig(), PREFIX, fits_the_form)
        set_widgets(config)


def _choose_preset(name: str) -> None:
    set_widgets(lab.preset_config(name))
    lab_state().preset = name


def preset_buttons() -> None:
    """One button per classic case; pressing it fills the form."""
    st.markdown(f"**{t('gradient_lab.presets')}**")
    columns = st.columns(len(lab.PRESETS))
    for column, name in zip(columns, lab.PRESETS, strict=True):
        column.button(t(f"gradient_lab.preset_{name}"), key=f"preset-{name}", on_click=_choose_preset, args=(name,),
                      width="stretch", help=t(f"gradient_lab.preset_{name}_help"))


def option_labels(prefix: str, options: tuple[str, ...] | list[str]) -> Any:
    """A ``format_func`` with the labels translated now (a dict lookup, not a lazy ``t()`` call, so
    the labels stay in the session's language wherever Streamlit re-applies it)."""
    return {value: t(f"gradient_lab.{prefix}{value}") for value in options}.get


def _select(name: str, options: tuple[str, ...]) -> str:
    return st.selectbox(t(f"gradient_lab.field_{name}"), options, key=widget_key(name),
                        format_func=option_labels(f"{name}_", options))


def config_form() -> GradientLabConfig:
    """The network, optimisation and data widgets; returns the config they describe."""
    values: dict[str, Any] = {}
    network, optimisation, data = st.columns(3)
    with network.container(border=True):
        st.markdown(f"**{t('gradient_lab.network_header')}**")
        values["mode"] = _select("mode", lab.MODES)
        if values["mode"] == "dense":
            values["depth"] = st.slider(t("gradient_lab.field_depth"), *lab.DEPTH_RANGE, key=widget_key("depth"))
        else:
            values["recurrent_cell"] = _select("recurrent_cell", lab.RECURRENT_CELLS)
            values["sequence_length"] = st.slider(t("gradient_lab.field_sequence_length"), *lab.SEQUENCE_RANGE,
                                                  key=widget_key("sequence_length"))
        values["width"] = st.select_slider(t("gradient_lab.field_width"), WIDTHS,
                                           key=widget_key("width"))
        values["activation"] = _select("activation", lab.ACTIVATIONS)
        values["initializer"] = _select("initializer", lab.INITIALIZERS)
        if values["initializer"] == "random_normal":
            values["init_stddev"] = st.number_input(t("gradient_lab.field_init_stddev"), 1e-4, 10.0, format="%.4f",
                                                    key=widget_key("init_stddev"))
        values["batch_norm"] = st.toggle(t("gradient_lab.field_batch_norm"), key=widget_key("batch_norm"))
        if values["mode"] == "dense":
            values["residual"] = st.toggle(t("gradient_lab.field_residual"), key=widget_key("residual"))
    with optimisation.container(border=True):
        st.markdown(f"**{t('gradient_lab.training_header')}**")
        values["optimizer"] = _select("optimizer", lab.OPTIMIZERS)
        values["learning_rate"] = st.number_input(t("gradient_lab.field_learning_rate"), 1e-5, 10.0, format="%.4f",
                                                  key=widget_key("learning_rate"))
        values["clipping"] = _select("clipping", lab.CLIPPINGS)
        if values["clipping"] != "none":
            values["clip_threshold"] = st.number_input(t("gradient_lab.field_clip_threshold"), 1e-3, 100.0,
                                                       format="%.3f", key=widget_key("clip_threshold"))
        values["weight_decay"] = st.number_input(t("gradient_lab.field_weight_decay"), 0.0, 0.5, format="%.4f",
                                                 step=1e-3, key=widget_key("weight_decay"))
        values["epochs"] = st.slider(t("gradient_lab.field_epochs"), 1, 50, key=widget_key("epochs"))
        values["batch_size"] = st.select_slider(t("gradient_lab.field_batch_size"), BATCH_SIZES,
                                                key=widget_key("batch_size"))
        values["seed"] = st.number_input(t("gradient_lab.field_seed"), 0, 10_000, key=widget_key("seed"))
    with data.container(border=True):
        st.markdown(f"**{t('gradient_lab.data_header')}**")
        values["dataset"] = _select("dataset", lab.DATASETS)
        if values["dataset"] == "csv":
            st.file_uploader(t("gradient_lab.upload"), type=["csv"], key=UPLOAD_KEY, help=t("gradient_lab.upload_help"))
            show_limits("lab_table")
        st.caption(t(f"gradient_lab.dataset_{values['dataset']}_about"))
    # fields whose widget is hidden keep the value they last had
    kept = {name: st.session_state.get(widget_key(name), getattr(GradientLabConfig(), name)) for name in FIELDS}
    return lab.canonical_config(GradientLabConfig(**{**kept, **values}))


@st.cache_resource(show_spinner=False, max_entries=4)
def _builtin_table(name: str) -> FeatureTable:
    return lab.load_lab_table(GradientLabConfig(dataset=name))


def load_table(config: GradientLabConfig) -> FeatureTable:
    """The table for ``config``: a cached built-in set or the uploaded CSV (DataError when unusable).

    An opened project's CSV stands in for an upload until a file is uploaded; what was read is recorded
    for "Save project" (``ui.projects.remember_data``)."""
    if config.dataset != "csv":
        table = _builtin_table(config.dataset)
        remember_data(PAGE, table.fingerprint, builtin=config.dataset)
        return table
    upload = st.session_state.get(UPLOAD_KEY) or page_state(PAGE).get("kept_uploads", {}).get(UPLOAD_KEY)
    table = lab.load_lab_table(config, upload.getvalue() if upload else None, upload.name if upload else "")
    if upload:
        remember_data(PAGE, table.fingerprint, files={"data": KeptFile(upload.name, upload.getvalue())})
    return table


def reopener(table: FeatureTable) -> Reopener:
    """How a run opened from a project file comes back on ``table``: the page's own job for its settings,
    which the store answers."""
    def build(values: dict[str, Any], resume: Any) -> tuple[str, Any]:
        config = lab.canonical_config(config_from_dict(GradientLabConfig, values))
        return lab.model_key(config, table.fingerprint), lambda reporter: lab.train_gradient_lab(config, table, reporter,
                                                                                                  model_store())
    return Reopener(table.fingerprint, {lab.TASK: build}, "", "")


def setting_states(task: str, values: dict[str, Any]) -> dict[str, Any]:
    """Every form widget's state for a stored run's config (opening a project); {} when the form cannot show it."""
    config = lab.canonical_config(config_from_dict(GradientLabConfig, values))
    try:
        fits = fits_the_form(config)
    except ValueError:
        fits = False
    return {widget_key(name): getattr(config, name) for name in FIELDS} if fits else {}
