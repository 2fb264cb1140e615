"""Text classification, Results tab: the model beside the TF-IDF baseline, per class, the most
confidently wrong test texts, curves, and every model trained on this data in this session."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from dl.text.data import TextDataset
from dl.text.train import TrainedTextClassifier, working_set
from ui.i18n import t
from ui.plots import history_figure
from ui.text.training import PAGE
from ui.training import runs_on

WRONG_SHOWN = 10


def render_results_tab(trained: TrainedTextClassifier | None, dataset: TextDataset | None) -> None:
    if trained is None or dataset is None:
        st.info(t("text_classification.train_first"))
        return
    metrics, baseline = trained.metrics, trained.metrics["baseline"]
    lead = headline_metric(metrics)
    if baseline_wins(metrics):
        scale = 100 if lead == "accuracy" else 1
        st.warning(t(f"text_classification.baseline_wins_{lead}", model=metrics[lead] * scale, baseline=baseline[lead] * scale),
                   icon="⚖️")
    cells = st.columns(4)
    if lead == "macro_f1":  # imbalanced classes: accuracy would flatter a model that ignores the small ones
        cells[0].metric(t("text_classification.macro_f1"), f"{metrics['macro_f1']:.3f}",
                        f"{metrics['macro_f1'] - baseline['macro_f1']:+.3f} {t('text_classification.vs_baseline')}")
        cells[1].metric(t("text_classification.balanced_accuracy"), f"{metrics.get('balanced_accuracy', 0) * 100:.1f}%")
        cells[2].metric(t("text_classification.accuracy"), f"{metrics['accuracy'] * 100:.1f}%")
    else:
        cells[0].metric(t("text_classification.accuracy"), f"{metrics['accuracy'] * 100:.1f}%",
                        f"{(metrics['accuracy'] - baseline['accuracy']) * 100:+.1f} {t('text_classification.vs_baseline')}")
        cells[1].metric(t("text_classification.macro_f1"), f"{metrics['macro_f1']:.3f}")
        cells[2].metric(t("text_classification.baseline_accuracy"), f"{baseline['accuracy'] * 100:.1f}%")
    cells[3].metric(t("text_classification.test_texts"), f"{metrics['test_size']:,}")
    if "majority" in metrics:
        st.caption(t("text_classification.majority_line", accuracy=metrics["majority"]["accuracy"] * 100,
                     macro_f1=metrics["majority"]["macro_f1"], baseline_f1=baseline["macro_f1"]))
    st.caption(t("text_classification.baseline_help", seconds=baseline.get("seconds", 0)))
    st.subheader(t("text_classification.runs"))
    st.dataframe(run_rows(runs_on(PAGE, dataset.fingerprint()) or [trained]), hide_index=True, width="stretch")
    left, right = st.columns(2)
    left.plotly_chart(confusion_figure(trained), key="text_confusion")
    right.dataframe([{t("text_classification.class"): name, t("text_classification.precision"): round(precision, 3),
                      t("text_classification.recall"): round(recall, 3), t("text_classification.support"): support}
                     for name, precision, recall, support in zip(trained.class_names, metrics["precision"], metrics["recall"],
                                                                 metrics["support"], strict=True)], hide_index=True)
    st.subheader(t("text_classification.confidently_wrong"))
    st.dataframe(confidently_wrong(trained, working_set(dataset, trained.config)), hide_index=True, width="stretch")
    if trained.history:
        st.subheader(t("text_classification.curves"))
        st.plotly_chart(history_figure(trained.history), key="text_history")


def headline_metric(metrics: dict) -> str:
    """"macro_f1" when the run weighted its classes (the data is imbalanced), else "accuracy"."""
    return "macro_f1" if metrics.get("class_weights") else "accuracy"


def baseline_wins(metrics: dict, margin: float = 0.01) -> bool:
    """The TF-IDF baseline beat the network on the headline metric by more than ``margin``."""
    lead = headline_metric(metrics)
    return metrics["baseline"][lead] > metrics[lead] + margin


def run_rows(runs: list[TrainedTextClassifier]) -> list[dict]:
    rows = []
    for run in runs:
        config = run.config
        rows.append({t("text_classification.model"): t(f"text_classification.model_{config.model}"),
                     t("text_classification.accuracy"): round(run.metrics["accuracy"], 4),
                     t("text_classification.macro_f1"): round(run.metrics["macro_f1"], 4),
                     t("text_classification.baseline_accuracy"): round(run.metrics["baseline"]["accuracy"], 4),
                     t("text_classification.epochs_run"): run.metrics.get("epochs_run"),
                     t("text_classification.seconds"): run.metrics.get("fit_seconds"),
                     t("text_classification.settings"): t("text_classification.settings_value", ngrams=run.metrics.get("ngrams", config.ngrams),
                                                                          vocabulary=config.vocabulary_size, length=config.sequence_length)})
    return rows


def confusion_figure(trained: TrainedTextClassifier) -> go.Figure:
    matrix = np.array(trained.metrics["confusion_matrix"])
    figure = go.Figure(go.Heatmap(z=matrix, x=trained.class_names, y=trained.class_names, colorscale="Blues",
                                  text=matrix, texttemplate="%{text}", showscale=False))
    figure.update_layout(title=t("text_classification.confusion"), height=320, margin={"l": 10, "r": 10, "t": 40, "b": 10},
                         xaxis={"title": t("text_classification.predicted")}, yaxis={"title": t("text_classification.actual"), "autorange": "reversed"})
    return figure


def confidently_wrong(trained: TrainedTextClassifier, working: TextDataset) -> list[dict]:
    metrics = trained.metrics
    predicted, confidence = np.array(metrics["test_predicted"]), np.array(metrics["test_confidence"])
    actual = working.labels[trained.test_indices]
    wrong = np.flatnonzero(predicted != actual)
    order = wrong[np.argsort(-confidence[wrong])][:WRONG_SHOWN]
    return [{t("text_classification.text"): working.texts[trained.test_indices[index]],
             t("text_classification.actual"): trained.class_names[actual[index]],
             t("text_classification.predicted"): trained.class_names[predicted[index]],
             t("text_classification.probability"): round(float(confidence[index]), 3)} for index in order]
