"""Deep Learning Playground: the router. It sets up the page, the language and the navigation;
every page lives in app_pages/. Nothing heavy is imported here."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import streamlit as st  # noqa: E402

from ui.i18n import language_picker, t  # noqa: E402
from ui.loaders import hardware  # noqa: E402
from ui.navigation import build_navigation  # noqa: E402
from ui.runtime import import_pandas_in_background, import_pandas_once, keep_keras_state_across_reruns  # noqa: E402
from ui.styles import page_styles  # noqa: E402

keep_keras_state_across_reruns()  # training threads must not lose Keras state at every rerun
st.set_page_config(page_title="Deep Learning Playground", page_icon="🧠", layout="wide")
language_picker()
page_styles()
navigation = build_navigation()
machine = hardware()
device_name = ", ".join(gpu["name"] for gpu in machine["gpus"]) or f"{t('common.cpu')} × {machine['cpu_cores']}"
st.sidebar.caption(t("nav.sidebar_device", device=device_name))
on_home = navigation.url_path == ""
if not on_home:
    import_pandas_once()  # pages draw tables and charts; two sessions importing pandas at once collide
navigation.run()
if on_home:
    import_pandas_in_background()  # after the first paint: the next page finds it loaded
