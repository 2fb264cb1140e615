"""BERT labeling, Results tab: fine-tuned vs frozen baselines, per label, confusion matrix, curves."""

from __future__ import annotations

import streamlit as st

from dl.bert.train import TrainedLabeler
from ui.i18n import t
from ui.plots import history_figure
from ui.text.results import confusion_figure


def render_results_tab(trained: TrainedLabeler | None) -> None:
    if trained is None:
        st.info(t("bert_labeling.train_first"))
        return
    metrics, baselines = trained.metrics, trained.metrics["baselines"]
    facts = trained.meta.get("model_facts", {})
    cells = st.columns(4)
    cells[0].metric(t("bert_labeling.parameters"), f"{facts.get('parameters', 0) / 1e6:.1f} M")
    cells[1].metric(t("bert_labeling.layers"), facts.get("layers", "?"))
    cells[2].metric(t("bert_labeling.hidden"), facts.get("hidden_size", "?"))
    cells[3].metric(t("bert_labeling.device"), trained.meta.get("device", "cpu"))
    st.subheader(t("bert_labeling.compare"))
    st.dataframe([
        {t("bert_labeling.approach"): t("bert_labeling.fine_tuned"), t("bert_labeling.accuracy"): round(metrics["accuracy"], 4)},
        {t("bert_labeling.approach"): t("bert_labeling.frozen_lr"),
         t("bert_labeling.accuracy"): round(baselines["frozen_logistic_regression"]["accuracy"], 4)},
        {t("bert_labeling.approach"): t("bert_labeling.centroid"), t("bert_labeling.accuracy"): round(baselines["nearest_centroid"]["accuracy"], 4)},
    ], hide_index=True, width="stretch")
    st.caption(t("bert_labeling.compare_help", test=metrics["test_size"], seconds=metrics.get("fit_seconds", 0)))
    left, right = st.columns(2)
    left.plotly_chart(confusion_figure(trained), key="bert_confusion")
    if trained.history:
        right.plotly_chart(history_figure(trained.history), key="bert_history")
