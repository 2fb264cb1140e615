"""Concepts: eight interactive lessons on deep-learning basics, one tab each.

Only the open tab runs (``ui.tabs.lazy_tabs``): picking a tab reruns the page with that lesson. Each
tab's module is imported only when its tab runs, so a missing or broken lesson cannot take the page
down, and the heavy frameworks load only inside the lessons (and jobs) that need them.
"""

import importlib

import streamlit as st

from ui.i18n import t
from ui.tabs import lazy_tabs

# (tab title key, module under ui/concepts/ exposing render()) in the order a learner meets them
SECTIONS = [
    ("tab_playground", "playground"),
    ("tab_activations", "activations"),
    ("tab_losses", "losses"),
    ("tab_optimizers", "optimizers"),
    ("tab_backprop", "backprop"),
    ("tab_regularization", "regularization"),
    ("tab_architectures", "architectures"),
    ("tab_landscape", "landscape"),
]

st.title(f"📚 {t('nav.concepts')}")
st.caption(t("concepts.subtitle"))

tabs = lazy_tabs("concepts", [t(f"concepts.{key}") for key, _ in SECTIONS])
for tab, (title_key, module_name) in zip(tabs, SECTIONS, strict=True):
    if not tab.open:  # the optimizer race alone takes 1-2 s: run only the lesson the user looks at
        continue
    with tab:
        try:
            section = importlib.import_module(f"ui.concepts.{module_name}")
        except ImportError as error:
            if error.name == f"ui.concepts.{module_name}":  # this lesson is not written yet
                st.info(t("common.coming_soon", what=t("concepts.coming_section", section=t(f"concepts.{title_key}"))))
            else:  # it exists but something it needs is broken: show that in this tab only
                st.exception(error)
            continue
        try:
            section.render()
        except Exception as error:  # noqa: BLE001 - one broken lesson shows its error; the other tabs still work
            st.exception(error)
