"""The data doctor for BERT fine-tuning: the text checks, minus what only holds for networks trained
from scratch, plus how much of the sentences the model's tokenizer can read."""

from __future__ import annotations

from dl.bert.config import BertConfig
from dl.bert.train import class_weights_for
from dl.data_doctor import Diagnosis
from dl.data_doctor.texts import diagnose_texts, unknown_piece_finding
from dl.text.data import TextDataset

# "few_examples" compares with what a network trained from scratch needs; a pretrained BERT learns
# from far fewer (the few-shot demo: sixteen sentences)
FROM_SCRATCH_ONLY = ("few_examples",)


def diagnose_sentences(dataset: TextDataset, config: BertConfig, unknown_share: float | None = None) -> Diagnosis:
    """Findings on ``dataset`` for fine-tuning with ``config``; ``unknown_share``: the tokenizer's
    [UNK] share on these sentences (``dl.bert.backbone.unknown_share``), when it was measured."""
    weighted = class_weights_for(config, dataset.labels, dataset.num_classes) is not None
    diagnosis = diagnose_texts(dataset, config.max_length, class_weights_on=weighted)
    findings = [finding for finding in diagnosis.findings if finding.code not in FROM_SCRATCH_ONLY]
    if unknown_share is not None:
        findings += unknown_piece_finding(unknown_share, config.model)
    return Diagnosis(findings, diagnosis.seconds)
