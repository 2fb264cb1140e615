"""Movie recommender: ratings (MovieLens 100k or your own), matrix factorisation trained in the
background beside honest baselines, recommendations with reasons, a new visitor in one click,
a map of the movies, export."""

import streamlit as st

from ui.i18n import t
from ui.links import settings_from_link, settings_link_box
from ui.projects import open_pending_project, save_project_button
from ui.recommender.data import choose_ratings, show_ratings
from ui.recommender.doctor import fixed_ratings, ratings_doctor
from ui.recommender.explore import render_explore_tab
from ui.recommender.export import render_export_tab
from ui.recommender.recommend import render_recommend_tab, render_visitor_tab
from ui.recommender.results import render_results_tab
from ui.recommender.training import PAGE, TASK, link_settings, reopener, settings_form, train_and_attach
from ui.runs import render_runs_tab
from ui.tabs import lazy_tabs, run_open_tab

st.title(f"🎬 {t('nav.movie_recommender')}")
st.caption(t("movie_recommender.intro"))

data_tab, results_tab, recommend_tab, visitor_tab, explore_tab, export_tab, runs_tab = lazy_tabs("movie_recommender", [
    t("movie_recommender.tab_data"),
    t("movie_recommender.tab_results"),
    t("movie_recommender.tab_recommend"),
    t("movie_recommender.tab_visitor"),
    t("movie_recommender.tab_explore"),
    t("movie_recommender.tab_export"),
    t("runs.tab"),
])

trained = None
with data_tab:  # always runs: its uploads and job feed the other tabs, which run only when open
    link_widgets, link_defaults = link_settings()
    ignored_in_link = settings_from_link(link_widgets)  # a shared link's settings, before their widgets
    st.subheader(t("movie_recommender.step_data"))
    original = choose_ratings()
    data = fixed_ratings(original) if original is not None else None  # what training uses: the doctor's fixes applied
    if data is not None:
        show_ratings(data)
        ratings_doctor(original, data)
        st.subheader(t("movie_recommender.step_model"))
        open_pending_project(PAGE, reopener(data, t("movie_recommender.tab_results")))  # a project file opened here
        trained = train_and_attach(settings_form(data), data)
        if trained is not None:
            save_project_button(PAGE, trained)
    settings_link_box(link_widgets, link_defaults, original is not None and original.builtin, ignored_in_link)

# the other tabs run only when open; a cached model loads when one of them first needs it
run_open_tab([
    (results_tab, lambda: render_results_tab(trained, data)),
    (recommend_tab, lambda: render_recommend_tab(trained)),
    (visitor_tab, lambda: render_visitor_tab(trained)),
    (explore_tab, lambda: render_explore_tab(trained)),
    (export_tab, lambda: render_export_tab(trained)),
    (runs_tab, lambda: render_runs_tab(PAGE, [TASK], reopener(data, t("movie_recommender.tab_results")))),
])
