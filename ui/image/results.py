"""Image classification, Results tab: accuracy (macro F1 and balanced accuracy first when the run
weighted its classes), the majority-class predictor, per-class precision/recall, confusion matrix,
training curves, misclassified test images and Grad-CAM overlays."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from dl.data_doctor.labels import majority_baseline
from dl.image.dataset import ImageDataset, TrainedImageClassifier
from dl.metrics import balanced_accuracy, macro_f1
from ui.i18n import t
from ui.image.augment import render_comparison
from ui.image.data import display_pixels
from ui.image.replay import render_replay
from ui.image.training import seed_work
from ui.loaders import load_model_once
from ui.plots import history_figure
from ui.tabs import KEEP

GALLERY_SIZE = 12


def confusion_figure(matrix: list[list[int]], class_names: list[str]) -> go.Figure:
    """Heat map of counts: rows = true class, columns = predicted class."""
    values = np.asarray(matrix)
    figure = go.Figure(go.Heatmap(
        z=values, x=class_names, y=class_names, colorscale="Blues", text=values, texttemplate="%{text}",
        hovertemplate=t("image_classification.confusion_hover") + "<extra></extra>",
    ))
    size = max(320, 40 * len(class_names) + 140)
    figure.update_layout(
        height=size, margin={"l": 10, "r": 10, "t": 30, "b": 10}, title=t("image_classification.confusion_title"),
        xaxis={"title": t("image_classification.predicted"), "type": "category", "side": "bottom"},
        yaxis={"title": t("image_classification.actual"), "type": "category", "autorange": "reversed"},
    )
    return figure


def render_results_tab(trained: TrainedImageClassifier | None, dataset: ImageDataset | None) -> None:
    if trained is None or dataset is None:
        st.info(t("image_classification.no_model_yet"))
        return
    metrics = trained.metrics
    scores = headline_scores(metrics)
    columns = st.columns(5)
    accuracy = (t("image_classification.accuracy"), f"{metrics['accuracy'] * 100:.1f}%")
    f1 = (t("image_classification.macro_f1"), f"{scores['macro_f1']:.3f}")
    if headline_metric(metrics) == "macro_f1":  # imbalanced classes: accuracy would flatter a model that ignores the small ones
        leading = [f1, (t("image_classification.balanced_accuracy"), f"{scores['balanced_accuracy'] * 100:.1f}%"), accuracy]
    else:
        leading = [accuracy, f1, (t("image_classification.chance"), f"{100 / len(trained.class_names):.1f}%")]
    for column, (label, value) in zip(columns, leading):
        column.metric(label, value)
    columns[3].metric(t("image_classification.test_images"), metrics.get("test_size", len(trained.test_indices)))
    columns[4].metric(t("image_classification.epochs_run"), len(trained.history))
    majority = majority_scores(metrics, dataset.labels[trained.test_indices], len(trained.class_names))
    st.caption(t("image_classification.majority_line", accuracy=majority["accuracy"] * 100, macro_f1=majority["macro_f1"]))
    table_column, matrix_column = st.columns([2, 3])
    with table_column:
        st.markdown(f"**{t('image_classification.per_class')}**")
        st.dataframe({
            t("image_classification.class"): trained.class_names,
            t("image_classification.precision"): [f"{value:.1%}" for value in metrics["precision"]],
            t("image_classification.recall"): [f"{value:.1%}" for value in metrics["recall"]],
            t("image_classification.support"): metrics.get("support", [""] * len(trained.class_names)),
        }, hide_index=True)
        st.caption(t("image_classification.precision_help"))
    with matrix_column:
        st.plotly_chart(confusion_figure(metrics["confusion_matrix"], trained.class_names), key="image_confusion")
    if trained.history:
        st.plotly_chart(history_figure(trained.history, title=t("image_classification.curves_title")), key="image_curves")
    render_comparison(trained, dataset, seed_work)
    render_replay(trained)
    render_misclassified(trained, dataset)
    render_grad_cam(trained, dataset)


def headline_metric(metrics: dict) -> str:
    """"macro_f1" when the run weighted its classes (the data is imbalanced), else "accuracy"."""
    return "macro_f1" if metrics.get("class_weights_used", metrics.get("class_weights")) else "accuracy"


def headline_scores(metrics: dict) -> dict[str, float]:
    """Macro F1 and balanced accuracy from the metrics, computed from precision and recall when a run
    did not store them (transfer learning, entries trained before they were added)."""
    return {"macro_f1": metrics["macro_f1"] if "macro_f1" in metrics else macro_f1(metrics),
            "balanced_accuracy": metrics["balanced_accuracy"] if "balanced_accuracy" in metrics else balanced_accuracy(metrics)}


def majority_scores(metrics: dict, test_labels: np.ndarray, num_classes: int) -> dict[str, float]:
    """Accuracy and macro F1 of always answering the largest class on the same test images."""
    if "majority" in metrics:
        return metrics["majority"]
    if "support" in metrics:  # the test labels as counted when the model was trained
        test_labels = np.repeat(np.arange(num_classes), metrics["support"])
    return majority_baseline(test_labels, num_classes)


def test_predictions(trained: TrainedImageClassifier, dataset: ImageDataset) -> tuple[np.ndarray, np.ndarray]:
    """(predicted class, confidence) of every held-out test image, from the metrics when stored."""
    metrics = trained.metrics
    if "test_predicted" in metrics and len(metrics["test_predicted"]) == len(trained.test_indices):
        return np.asarray(metrics["test_predicted"]), np.asarray(metrics["test_confidence"])
    from dl.image.cnn import predict_probabilities
    from dl.image.disk import image_chunks, take

    # a chunk at a time: a set kept on disk (dl.image.disk) may have thousands of test images
    probabilities = np.concatenate([predict_probabilities(trained, chunk)
                                    for chunk in image_chunks(take(dataset.images, trained.test_indices))])
    return probabilities.argmax(1), probabilities.max(1)


def render_misclassified(trained: TrainedImageClassifier, dataset: ImageDataset) -> None:
    st.subheader(t("image_classification.misclassified_title"))
    predicted, confidence = test_predictions(trained, dataset)
    actual = dataset.labels[trained.test_indices]
    wrong = np.flatnonzero(predicted != actual)
    if len(wrong) == 0:
        st.success(t("image_classification.none_wrong"))
        return
    wrong = wrong[np.argsort(-confidence[wrong])][:GALLERY_SIZE]  # the most confident mistakes first
    st.caption(t("image_classification.misclassified_help", shown=len(wrong), total=int(np.sum(predicted != actual))))
    columns = st.columns(6)
    for position, row in enumerate(wrong):
        with columns[position % 6]:
            st.image(display_pixels(dataset.images[trained.test_indices[row]]), width=84)
            st.caption(t(
                "image_classification.wrong_caption", actual=trained.class_names[actual[row]],
                predicted=trained.class_names[predicted[row]], confidence=confidence[row] * 100,
            ))


def render_grad_cam(trained: TrainedImageClassifier, dataset: ImageDataset) -> None:
    st.subheader(t("image_classification.gradcam_title"))
    if not trained.model_kind.has_grad_cam:
        st.info(t("image_classification.gradcam_unavailable"))
        return
    st.caption(t("image_classification.gradcam_help"))
    count = len(trained.test_indices)
    start = st.number_input(t("image_classification.gradcam_start"), 0, max(0, count - 1), 0, 6, key="image_gradcam_start", persist_state=KEEP)
    load_model_once(trained)
    columns = st.columns(6)
    for position, row in enumerate(range(int(start), min(int(start) + 6, count))):
        image = dataset.images[trained.test_indices[row]]
        blended, label = grad_cam_overlay(trained, image)
        with columns[position]:
            st.image([display_pixels(image), display_pixels(blended)], width=84)
            st.caption(t("image_classification.gradcam_caption", label=label))


def grad_cam_overlay(trained: TrainedImageClassifier, image: np.ndarray) -> tuple[np.ndarray, str]:
    """(RGB overlay of the Grad-CAM heat map, predicted class name) of one uint8 image."""
    from dl.image.explain import grad_cam, overlay

    heat, class_index, _method = grad_cam(trained, image)
    return overlay(image, heat), trained.class_names[class_index]
