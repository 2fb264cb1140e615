"""Placeholder until this page's issue is built."""

import streamlit as st

from ui.i18n import t

st.title(f"🖼️ {t('nav.image_classification')}")
st.info(t("common.coming_soon", what=t("image_classification.coming")))
