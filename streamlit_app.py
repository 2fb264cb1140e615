"""Deep Learning Playground: the router. It sets up the page, the language and the navigation;
every page lives in app_pages/. Nothing heavy is imported here."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import pandas  # noqa: E402, F401 - import once here: two sessions' first runs importing it at once collide
import streamlit as st  # noqa: E402

from ui.i18n import language_picker, t  # noqa: E402
from ui.loaders import hardware  # noqa: E402
from ui.navigation import build_navigation  # noqa: E402
from ui.runtime import keep_keras_state_across_reruns  # noqa: E402

keep_keras_state_across_reruns()  # training threads must not lose Keras state at every rerun
st.set_page_config(page_title="Deep Learning Playground", page_icon="🧠", layout="wide")
language_picker()
navigation = build_navigation()
machine = hardware()
device_name = ", ".join(gpu["name"] for gpu in machine["gpus"]) or f"{t('common.cpu')} × {machine['cpu_cores']}"
st.sidebar.caption(t("nav.sidebar_device", device=device_name))
navigation.run()
