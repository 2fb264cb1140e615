"""BERT labeling, Results tab: first, when it did, that the frozen-encoder baseline beat fine-tuning;
fine-tuned vs frozen baselines, per label, confusion matrix, curves."""

from __future__ import annotations

import streamlit as st

from dl.bert.probe import baseline_wins, headline_metric
from dl.bert.train import TrainedLabeler
from ui.i18n import t
from ui.plots import history_figure
from ui.text.results import confusion_figure


def render_results_tab(trained: TrainedLabeler | None) -> None:
    if trained is None:
        st.info(t("bert_labeling.train_first"))
        return
    metrics, baselines = trained.metrics, trained.metrics["baselines"]
    if baseline_wins(metrics):  # said first: the simple model is the better one on this data
        lead = headline_metric(metrics)
        scale = 100 if lead == "accuracy" else 1
        st.warning(t(f"bert_labeling.baseline_wins_{lead}", model=metrics[lead] * scale,
                     baseline=baselines["frozen_logistic_regression"][lead] * scale)
                   + " " + (t("bert_labeling.baseline_wins_export") if trained.has_baseline else t("bert_labeling.baseline_wins_retrain")),
                   icon="⚖️")
    facts = trained.meta.get("model_facts", {})
    cells = st.columns(4)
    cells[0].metric(t("bert_labeling.parameters"), f"{facts.get('parameters', 0) / 1e6:.1f} M")
    cells[1].metric(t("bert_labeling.layers"), facts.get("layers", "?"))
    cells[2].metric(t("bert_labeling.hidden"), facts.get("hidden_size", "?"))
    cells[3].metric(t("bert_labeling.device"), trained.meta.get("device", "cpu"))
    st.subheader(t("bert_labeling.compare"))
    imbalanced = bool(metrics.get("imbalanced"))
    if imbalanced:  # accuracy flatters a model that always answers the largest label: macro F1 leads
        st.info(t("bert_labeling.imbalanced_lead", f1=metrics["macro_f1"],
                  majority=baselines.get("majority", {}).get("macro_f1", 0.0)))
    st.dataframe(comparison_rows(metrics, imbalanced), hide_index=True, width="stretch",
                 column_config={t("bert_labeling.accuracy"): st.column_config.NumberColumn(format="%.1f%%")})
    st.caption(t("bert_labeling.compare_help", test=metrics["test_size"], seconds=metrics.get("fit_seconds", 0))
               + (" " + t("bert_labeling.cache_help", seconds=metrics["cache_seconds"], sentences=metrics.get("cached_sentences", 0))
                  if metrics.get("strategy") == "top_layers" else ""))
    left, right = st.columns(2)
    left.plotly_chart(confusion_figure(trained), key="bert_confusion")
    if trained.history:
        right.plotly_chart(history_figure(trained.history), key="bert_history")


def comparison_rows(metrics: dict, imbalanced: bool) -> list[dict]:
    """Fine-tuned, the two frozen baselines and the majority label; macro F1 first on unequal labels.
    Accuracy in percent, as the headline above says it (0.8 here and 80 % there read as two numbers)."""
    baselines = metrics["baselines"]
    tuned = "fine_tuned_top" if metrics.get("strategy") == "top_layers" else "fine_tuned"
    approaches = [(tuned, metrics), ("frozen_lr", baselines["frozen_logistic_regression"]),
                  ("centroid", baselines["nearest_centroid"]), ("majority", baselines.get("majority"))]
    columns = ("macro_f1", "accuracy") if imbalanced else ("accuracy", "macro_f1")
    return [{t("bert_labeling.approach"): t(f"bert_labeling.{name}", layers=metrics.get("trainable_layers", 0)),
             **{t(f"bert_labeling.{column}"): (_shown(column, scores[column]) if column in scores else None) for column in columns}}
            for name, scores in approaches if scores is not None]


def _shown(column: str, value: float) -> float:
    return round(100 * value, 1) if column == "accuracy" else round(value, 4)
