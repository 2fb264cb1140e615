"""AppTest fixtures: every page test starts from a clean Streamlit cache. Helpers: ``apptest_utils``."""

import pytest
import streamlit as st


@pytest.fixture(autouse=True)
def clean_streamlit_caches():
    st.cache_resource.clear()
    st.cache_data.clear()
    yield
    st.cache_resource.clear()
    st.cache_data.clear()
