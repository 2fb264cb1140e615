"""Style rules every page gets: tables that scroll inside their own box, and Streamlit's own
file-uploader texts in the page's language.

Streamlit draws the uploader's "Upload" and "200MB per file" in its frontend, in English, with no
option to change them: on other languages a rule hides the English text and shows ours in its
place (screen readers read the widget's label). A Markdown table (the home page's cache table)
wider than a phone's screen pushed the whole page sideways; it now scrolls on its own.
"""

from __future__ import annotations

import json

import streamlit as st

from ui.i18n import DEFAULT_LANGUAGE, current_language, t

TABLES_SCROLL = '[data-testid="stMarkdownContainer"] table {display: block; max-width: 100%; overflow-x: auto}'


def page_styles() -> None:
    rules = [TABLES_SCROLL]
    if current_language() != DEFAULT_LANGUAGE:
        rules += _uploader_texts()
    st.html("<style>\n" + "\n".join(rules) + "\n</style>")


def _uploader_texts() -> list[str]:
    button = json.dumps(t("common.uploader_button"), ensure_ascii=False)
    limit = json.dumps(t("common.uploader_limit", size=st.get_option("server.maxUploadSize")), ensure_ascii=False)
    dropzone_button = '[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p'
    instructions = '[data-testid="stFileUploaderDropzoneInstructions"] span'
    return [f"{dropzone_button} {{font-size: 0}}", f"{dropzone_button}::after {{content: {button}; font-size: 1rem}}",
            f"{instructions} {{font-size: 0}}", f"{instructions}::after {{content: {limit}; font-size: 0.875rem}}"]
