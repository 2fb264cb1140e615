"""Placeholder until this page's issue is built."""

import streamlit as st

from ui.i18n import t

st.title(f"🏷️ {t('nav.bert_labeling')}")
st.info(t("common.coming_soon", what=t("bert_labeling.coming")))
