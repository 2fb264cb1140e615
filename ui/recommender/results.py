"""Movie recommender, Results tab: every model beside the baselines, on the same held-out ratings."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from dl.recommender.data import RatingsData
from dl.recommender.train import TrainedRecommender
from ui.i18n import t
from ui.plots import history_figure
from ui.recommender.training import PAGE
from ui.training import runs_on

METRICS = ("rmse", "ndcg_at_10", "precision_at_10", "recall_at_10", "mae")  # error, then ranking: both matter


def render_results_tab(trained: TrainedRecommender | None, data: RatingsData | None) -> None:
    if trained is None or data is None:
        st.info(t("movie_recommender.train_first"))
        return
    rows = comparison_rows(trained, runs_on(PAGE, data.fingerprint()))
    st.subheader(t("movie_recommender.comparison"))
    st.dataframe(rows, hide_index=True, width="stretch", column_config={
        "model": st.column_config.TextColumn(t("movie_recommender.model")),
        **{name: st.column_config.NumberColumn(t(f"movie_recommender.metric_{name}"), format="%.4f") for name in METRICS},
    })
    st.caption(t("movie_recommender.comparison_help", test=trained.metrics.get("test_ratings", 0),
                 threshold=trained.catalog.relevance_threshold, moved=trained.metrics.get("moved_to_train", 0)))
    left, right = st.columns(2)
    left.plotly_chart(_metric_bars(rows, "rmse"), key="recommender_rmse_bars")
    right.plotly_chart(_metric_bars(rows, "ndcg_at_10"), key="recommender_ndcg_bars")
    st.info(t("movie_recommender.rmse_vs_ranking"))
    if trained.history:
        st.subheader(t("movie_recommender.curves"))
        st.plotly_chart(history_figure(trained.history), key="recommender_history")


def comparison_rows(trained: TrainedRecommender, runs: list[TrainedRecommender]) -> list[dict]:
    """One row per trained model (this session, this data) plus the two baselines of ``trained``."""
    rows = []
    for run in runs or [trained]:
        rows.append({"model": t(f"movie_recommender.model_{run.kind}") + _settings(run),
                     **{name: run.metrics.get(name) for name in METRICS}})
    for baseline in ("bias", "global_mean"):
        values = trained.metrics["baselines"][baseline]
        rows.append({"model": t(f"movie_recommender.baseline_{baseline}"), **{name: values.get(name) for name in METRICS}})
    return rows


def _settings(run: TrainedRecommender) -> str:
    config = run.config
    return (f" · d={config.embedding_dim} · L2={config.l2:g} · {t(f'movie_recommender.split_{config.split}')}"
            f" · {t('movie_recommender.min_ratings_short', count=config.min_ratings_to_recommend)}")


def _metric_bars(rows: list[dict], metric: str) -> go.Figure:
    figure = go.Figure(go.Bar(x=[row[metric] for row in rows], y=[row["model"] for row in rows], orientation="h",
                              marker_color=["#4c78a8"] * (len(rows) - 2) + ["#bab0ac", "#bab0ac"],
                              text=[f"{row[metric]:.3f}" for row in rows], textposition="auto"))
    figure.update_layout(title=t(f"movie_recommender.metric_{metric}"), height=80 + 40 * len(rows),
                         margin={"l": 10, "r": 10, "t": 40, "b": 10}, yaxis={"autorange": "reversed"})
    return figure
