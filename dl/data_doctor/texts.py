"""The data doctor for labelled texts (the text and BERT pages, ``python -m dl train text``).

Near duplicates are texts equal once case, punctuation, symbols and spacing are dropped:
"Great movie!" and "great movie" are one review typed twice. Under one label they leak between the
training and the test split and flatter the score; under two labels no model can get both right.
"""

from __future__ import annotations

import re
import time
from collections import defaultdict

import numpy as np

from dl.data_doctor.findings import Diagnosis, Finding, Severity
from dl.data_doctor.labels import label_findings
from dl.text.data import CJK, TextDataset, build_dataset, mostly_chinese

NOT_WORD = re.compile(r"[\W_]+")

SHORT_TOKENS = 3  # a text of 1-2 tokens carries almost no signal for a bag of words
SHORT_SHARE = 0.10  # worth a warning when a tenth of the texts are that short
LONG_SHARE = 0.10  # warning when a tenth of the texts are cut at the sequence length
MIXED_SHARE = 0.10  # both scripts present in at least a tenth of the texts each
NEAR_DUPLICATE_SHARE = 0.01  # 1 % of texts repeated (after normalising) moves accuracy by about as much
EXAMPLES = 3  # shown under a finding
UNKNOWN_SHARE_WARNING = 0.05  # BERT pieces the tokenizer cannot read; at 5 % whole words turn to [UNK]
FIXES = ("class_weights", "drop_near_duplicates", "drop_conflicts")


def diagnose_texts(dataset: TextDataset, sequence_length: int = 200, class_weights_on: bool = False) -> Diagnosis:
    """All text findings for ``dataset`` as the model will see it (``sequence_length`` tokens a text)."""
    started = time.perf_counter()
    normalised = [normalise(text) for text in dataset.texts]
    findings = label_findings(dataset.labels, dataset.class_names, "text", class_weights_on)
    findings += _duplicate_findings(dataset, normalised)
    findings += _length_findings(dataset, sequence_length)
    findings += _language_findings(dataset)
    return Diagnosis(findings, time.perf_counter() - started)


def unknown_piece_finding(share: float, model_name: str) -> list[Finding]:
    """A BERT tokenizer that turns many pieces into [UNK] cannot read the language (e.g. an English
    model on Chinese): warned, with the share measured on the data."""
    if share >= UNKNOWN_SHARE_WARNING:
        return [Finding("unknown_pieces", Severity.PROBLEM, {"share": 100 * share, "model": model_name})]
    return [Finding("unknown_pieces_ok", Severity.NOTE, {"share": 100 * share, "model": model_name})]


def normalise(text: str) -> str:
    """"Great movie!!" and "great  movie" -> "greatmovie" (10x faster than ``prepare_text``)."""
    return NOT_WORD.sub("", text.lower())


def token_count(text: str) -> int:
    """Tokens as the models count them: words, and each Chinese character on its own."""
    characters = len(CJK.findall(text))
    return characters + len(CJK.sub(" ", text).split()) if characters else len(text.split())


def near_duplicate_groups(normalised: list[str]) -> list[list[int]]:
    """Indices of texts that are equal after ``normalise``, in groups of two or more."""
    groups: dict[str, list[int]] = defaultdict(list)
    for index, text in enumerate(normalised):
        groups[text].append(index)
    return [members for members in groups.values() if len(members) > 1]


def _duplicate_findings(dataset: TextDataset, normalised: list[str]) -> list[Finding]:
    findings = []
    if dataset.duplicates or dataset.conflicts or dataset.skipped:
        findings.append(Finding("exact_duplicates_removed", Severity.NOTE,
                                {"duplicates": dataset.duplicates, "conflicts": dataset.conflicts, "skipped": dataset.skipped}))
    groups = near_duplicate_groups(normalised)
    conflicting = [group for group in groups if len({int(dataset.labels[index]) for index in group}) > 1]
    agreeing = [group for group in groups if group not in conflicting]
    if conflicting:
        examples = tuple(" ≠ ".join(f"“{dataset.texts[index][:60]}” → {dataset.class_names[dataset.labels[index]]}"
                                    for index in group[:2]) for group in conflicting[:EXAMPLES])
        findings.append(Finding("conflicting_labels", Severity.WARNING,
                                {"groups": len(conflicting), "texts": sum(map(len, conflicting))}, examples,
                                fix="drop_conflicts"))
    extra = sum(len(group) - 1 for group in agreeing)
    if extra and extra >= NEAR_DUPLICATE_SHARE * len(normalised):
        examples = tuple(" = ".join(f"“{dataset.texts[index][:60]}”" for index in group[:2]) for group in agreeing[:EXAMPLES])
        findings.append(Finding("near_duplicates", Severity.WARNING,
                                {"count": extra, "share": 100 * extra / len(normalised)}, examples, fix="drop_near_duplicates"))
    return findings


def _length_findings(dataset: TextDataset, sequence_length: int) -> list[Finding]:
    token_counts = np.array([token_count(text) for text in dataset.texts])
    total = len(token_counts)
    findings = []
    short = np.flatnonzero(token_counts < SHORT_TOKENS)
    if len(short) >= SHORT_SHARE * total:
        findings.append(Finding("short_texts", Severity.WARNING,
                                {"count": len(short), "share": 100 * len(short) / total, "tokens": SHORT_TOKENS},
                                tuple(f"“{dataset.texts[index][:60]}”" for index in short[:EXAMPLES])))
    long = np.flatnonzero(token_counts > sequence_length)
    if len(long) >= LONG_SHARE * total:
        findings.append(Finding("long_texts", Severity.NOTE,
                                {"count": len(long), "share": 100 * len(long) / total,
                                 "sequence_length": sequence_length, "median": int(np.median(token_counts))}))
    return findings


def _language_findings(dataset: TextDataset) -> list[Finding]:
    chinese = np.array([mostly_chinese(text) for text in dataset.texts[:5000]])
    share = float(chinese.mean()) if len(chinese) else 0.0
    if MIXED_SHARE <= share <= 1 - MIXED_SHARE:
        example_zh = dataset.texts[int(np.flatnonzero(chinese)[0])][:60]
        example_other = dataset.texts[int(np.flatnonzero(~chinese)[0])][:60]
        return [Finding("mixed_languages", Severity.WARNING, {"chinese_share": 100 * share},
                        (f"“{example_zh}”", f"“{example_other}”"))]
    return []


def apply_text_fix(dataset: TextDataset, fix: str) -> TextDataset:
    """The data after a one-click fix: near duplicates or conflicting near duplicates dropped.

    ``drop_near_duplicates`` keeps the first text of each group whose texts agree on the label;
    ``drop_conflicts`` removes every text of a group that carries two labels (as exact conflicts are).
    """
    if fix not in ("drop_near_duplicates", "drop_conflicts"):
        raise ValueError(f"not a data fix: {fix}")
    drop: set[int] = set()
    for group in near_duplicate_groups([normalise(text) for text in dataset.texts]):
        conflicting = len({int(dataset.labels[index]) for index in group}) > 1
        if fix == "drop_conflicts" and conflicting:
            drop.update(group)
        elif fix == "drop_near_duplicates" and not conflicting:
            drop.update(group[1:])
    kept = [index for index in range(len(dataset.texts)) if index not in drop]
    fixed = build_dataset([dataset.texts[index] for index in kept], [dataset.class_names[dataset.labels[index]] for index in kept],
                          dataset.source, citation=dataset.citation)
    fixed.notes = [note for note in dataset.notes]
    return fixed
