"""Home: what the playground is, links to every page, the machine it runs on, the model cache.

Tables here are Markdown, not st.table / st.dataframe: those import pandas (~0.3 s), which the
first paint of the first page a visitor sees should not wait for."""

import streamlit as st

from dl.runs import hosted_mode
from ui.cache_table import cache_header, cache_row, visible_entries
from ui.formatting import human_size, markdown_table
from ui.i18n import t
from ui.loaders import hardware, model_store
from ui.navigation import PAGES
from ui.projects import open_project_uploader

st.title(f"🧠 {t('home.title')}")
st.markdown(f"#### {t('home.tagline')}")
st.caption(t("home.offline_note"))

st.subheader(t("home.pages_header"))
page_specs = [page for page in PAGES if page.name != "home"]
for row_start in range(0, len(page_specs), 3):
    for column, spec in zip(st.columns(3), page_specs[row_start : row_start + 3]):
        with column.container(border=True, height="stretch"):
            st.markdown(f"### {spec.icon} {t(f'nav.{spec.name}')}")
            st.write(t(f"home.{spec.name}_blurb"))
            st.page_link(spec.path, label=t("home.open", page=t(f"nav.{spec.name}")), icon="➡️")

with st.expander(t("projects.section")):
    open_project_uploader("home_open_project")

with st.expander(t("home.how_header"), expanded=False):
    st.write(t("home.how_body"))


machine_column, cache_column = st.columns(2)
with machine_column:
    st.subheader(t("home.machine_header"))
    machine = hardware()
    cores, memory = st.columns(2)
    cores.metric(t("home.cpu_cores"), machine["cpu_cores"])
    memory.metric(t("home.memory"), t("home.memory_value", gib=machine["memory_gib"]) if machine["memory_gib"] else "?")
    if machine["gpus"]:
        for gpu in machine["gpus"]:
            st.write(t("home.gpu_line", index=gpu["index"], name=gpu["name"]))
    else:
        st.info(t("home.no_gpu"), icon="💻")
    st.markdown(f"**{t('home.versions')}**")
    st.markdown(markdown_table(
        [t("home.package"), t("home.version")],
        [[package, version or t("home.not_installed")] for package, version in machine["versions"].items()],
    ))

with cache_column:
    st.subheader(t("home.cache_header"))
    store = model_store()
    summary = store.summary()
    st.write(f"**{t('home.cache_folder')}:** `{summary['folder']}`")
    entries, size = st.columns(2)
    entries.metric(t("home.cache_entries"), summary["entries"])
    size.metric(t("home.cache_size"), human_size(summary["bytes"]))
    st.caption(t("home.cache_cap", cap=human_size(summary["max_bytes"])))
    shown = visible_entries(store)
    if shown:
        st.markdown(markdown_table(cache_header(), [cache_row(entry) for entry in shown]))
    if hosted_mode():  # a shared app: other visitors' models are not this visitor's to delete
        st.caption(t("home.cache_hosted"))
    elif st.button(t("home.clear_cache"), icon="🗑️", disabled=summary["bytes"] == 0):
        freed = store.clear()
        st.success(t("home.cache_cleared", size=human_size(freed)))
