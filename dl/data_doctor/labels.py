"""Checks every labelled set shares: how the classes are balanced and whether each is big enough.

The thresholds are shared with training: ``needs_class_weights`` is what turns class weights on by
default, so the doctor's finding and the trainer's behaviour cannot disagree.
"""

from __future__ import annotations

import numpy as np

from dl.data_doctor.findings import Finding, Severity

IMBALANCE_RATIO = 3.0  # largest / smallest class: at 3:1 (75/25) the unweighted defaults started to drop the small class (bench/own_data.py)
SEVERE_IMBALANCE_RATIO = 9.0  # 90/10: without weights every built-in set collapsed to the majority class
TINY_CLASS = 10  # with a 20 % test split a class this small has at most 2 test examples: its score is noise
FEW_PER_CLASS = {"text": 100, "image": 50}  # below this many a class, a network trained from scratch rarely beats the simple baseline
FEW_EXAMPLES_FIX = {"text": "", "image": "transfer"}  # texts: the TF-IDF baseline is trained anyway; photos: a pretrained network


def class_counts(labels: np.ndarray, num_classes: int) -> np.ndarray:
    return np.bincount(np.asarray(labels, dtype=np.int64), minlength=num_classes)


def imbalance_ratio(labels: np.ndarray, num_classes: int) -> float:
    """Largest class over smallest (inf when a class is empty)."""
    counts = class_counts(labels, num_classes)
    return float(counts.max() / counts.min()) if counts.min() else float("inf")


CLASS_WEIGHT_SETTINGS = ("auto", "on", "off")  # every trainer's class_weights field takes these


def class_weights_wanted(setting: str, labels: np.ndarray, num_classes: int) -> bool:
    """Whether a run with ``class_weights=setting`` weights its classes: "on", "off", or "auto" = on when
    ``needs_class_weights`` (the rule that raises the doctor's imbalance finding)."""
    return setting == "on" or (setting == "auto" and needs_class_weights(labels, num_classes))


def needs_class_weights(labels: np.ndarray, num_classes: int) -> bool:
    """Whether "auto" class weights switch on for these labels."""
    return imbalance_ratio(labels, num_classes) >= IMBALANCE_RATIO


def balanced_class_weights(labels: np.ndarray, num_classes: int) -> dict[int, float]:
    """sklearn's "balanced" weights, n / (classes * count): every class carries the same total weight."""
    counts = class_counts(labels, num_classes).astype(float)
    total = counts.sum()
    return {label: float(total / (num_classes * count)) if count else 0.0 for label, count in enumerate(counts)}


def majority_baseline(labels: np.ndarray, num_classes: int) -> dict[str, float]:
    """Accuracy and macro F1 of always answering the largest class (what a collapsed model scores)."""
    counts = class_counts(labels, num_classes)
    share = float(counts.max() / counts.sum()) if counts.sum() else 0.0
    # F1 of the majority class is 2p/(1+p) with p its share; every other class scores 0
    return {"accuracy": share, "macro_f1": (2 * share / (1 + share)) / num_classes if share else 0.0}


def label_findings(labels: np.ndarray, class_names: list[str], kind: str, class_weights_on: bool = False) -> list[Finding]:
    """Imbalance, tiny classes and too few examples a class for a network trained from scratch."""
    counts = class_counts(labels, len(class_names))
    findings = []
    ratio = imbalance_ratio(labels, len(class_names))
    largest, smallest = int(counts.argmax()), int(counts.argmin())
    if ratio >= IMBALANCE_RATIO:
        values = {"largest": class_names[largest], "share": 100 * counts[largest] / counts.sum(),
                  "smallest": class_names[smallest], "smallest_count": int(counts[smallest]), "ratio": ratio}
        severity = Severity.PROBLEM if ratio >= SEVERE_IMBALANCE_RATIO and not class_weights_on else Severity.WARNING
        code = "imbalance_weighted" if class_weights_on else "imbalance"
        findings.append(Finding(code, severity, values, fix="" if class_weights_on else "class_weights"))
    tiny = [name for name, count in zip(class_names, counts, strict=True) if count < TINY_CLASS]
    if tiny:
        findings.append(Finding("tiny_classes", Severity.WARNING, {"count": len(tiny), "threshold": TINY_CLASS,
                                                                    "smallest_count": int(counts.min())},
                                tuple(f"{name} ({int(counts[class_names.index(name)])})" for name in tiny[:5])))
    few = FEW_PER_CLASS[kind]
    if counts.min() < few and not tiny:
        findings.append(Finding("few_examples", Severity.WARNING, {"smallest_count": int(counts.min()), "needed": few},
                                fix=FEW_EXAMPLES_FIX[kind]))
    return findings
