"""AppTest helpers: every page test starts from a clean Streamlit cache and job registry."""

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "streamlit_app.py")
TIMEOUT = 120  # anything that imports TensorFlow needs far more than AppTest's 3 s default


@pytest.fixture(autouse=True)
def clean_streamlit_caches():
    st.cache_resource.clear()
    st.cache_data.clear()
    yield
    st.cache_resource.clear()
    st.cache_data.clear()


def open_page(page: str, language: str = "en") -> AppTest:
    """Run the app on ``pages/<page>.py`` in ``language`` and return the AppTest after that run."""
    app = AppTest.from_file(APP, default_timeout=TIMEOUT)
    app.query_params["lang"] = language
    app.run()
    if page != "home":
        app.switch_page(f"pages/{page}.py").run()
    return app
