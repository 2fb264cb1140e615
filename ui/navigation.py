"""The app's pages: file, URL path, icon and title key, in navigation order.

Emoji icons only: Material icons fetch a web font, which fails offline.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from ui.i18n import t


@dataclass(frozen=True)
class PageSpec:
    name: str  # locale key in nav.json and namespace of the page's own strings
    path: str
    icon: str
    section: str  # locale key of the navigation section


PAGES = [
    PageSpec("home", "app_pages/home.py", "🏠", "section_start"),
    PageSpec("concepts", "app_pages/concepts.py", "📚", "section_learn"),
    PageSpec("gradient_lab", "app_pages/gradient_lab.py", "🩺", "section_learn"),
    PageSpec("image_classification", "app_pages/image_classification.py", "🖼️", "section_train"),
    PageSpec("text_classification", "app_pages/text_classification.py", "📝", "section_train"),
    PageSpec("movie_recommender", "app_pages/movie_recommender.py", "🎬", "section_train"),
    PageSpec("bert_labeling", "app_pages/bert_labeling.py", "🏷️", "section_train"),
]


def build_navigation() -> st.navigation:
    """``st.navigation`` over PAGES, grouped by section, titles in the current language."""
    sections: dict[str, list] = {}
    for spec in PAGES:
        page = st.Page(
            spec.path,
            title=t(f"nav.{spec.name}"),
            icon=spec.icon,
            url_path=spec.name,
            default=spec.name == "home",
        )
        sections.setdefault(t(f"nav.{spec.section}"), []).append(page)
    return st.navigation(sections)
