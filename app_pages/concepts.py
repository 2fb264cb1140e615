"""Concepts: eight interactive lessons on deep-learning basics, one tab each.

Each tab's module is imported only when its tab runs, so a missing or broken lesson cannot take the
page down, and the heavy frameworks load only inside the lessons (and jobs) that need them.
"""

import importlib

import streamlit as st

from ui.i18n import t

# (tab title key, module under ui/ exposing render()) in the order a learner meets them
SECTIONS = [
    ("tab_playground", "concepts_playground"),
    ("tab_activations", "concepts_activations"),
    ("tab_losses", "concepts_losses"),
    ("tab_optimizers", "concepts_optimizers"),
    ("tab_backprop", "concepts_backprop"),
    ("tab_regularization", "concepts_regularization"),
    ("tab_architectures", "concepts_architectures"),
    ("tab_landscape", "concepts_landscape"),
]

st.title(f"📚 {t('nav.concepts')}")
st.caption(t("concepts.subtitle"))

for tab, (title_key, module_name) in zip(st.tabs([t(f"concepts.{key}") for key, _ in SECTIONS]), SECTIONS, strict=True):
    with tab:
        try:
            section = importlib.import_module(f"ui.{module_name}")
        except ImportError as error:
            if error.name == f"ui.{module_name}":  # this lesson is not written yet
                st.info(t("common.coming_soon", what=t("concepts.coming_section", section=t(f"concepts.{title_key}"))))
            else:  # it exists but something it needs is broken: show that in this tab only
                st.exception(error)
            continue
        try:
            section.render()
        except Exception as error:  # noqa: BLE001 - one broken lesson shows its error; the other tabs still work
            st.exception(error)
