"""Streamlit glue shared by the pages: i18n, cached loaders, the training-job widget, errors, plots.

``st.cache_resource`` is used only in this package (``ui.loaders``).
"""
