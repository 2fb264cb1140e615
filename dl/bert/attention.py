"""What the fine-tuned encoder attends to in one sentence, beside the same heads before fine-tuning.

Every self-attention head of every layer gives each word piece a probability distribution over the
pieces of the sentence (a row of softmax(Q·Kᵀ/√d)). ``sentence_attention`` returns those matrices for
the fine-tuned model and for the pretrained encoder it started from, and how far each head moved:
the mean, over the sentence's pieces, of half the L1 distance between a piece's two distributions
(0: the head attends exactly as before; 1: to entirely different pieces).

Fast attention kernels (PyTorch's SDPA) never form the matrices, so the models are switched to the
plain ("eager") implementation for the one forward pass and switched back: both give the same outputs.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

from dl.data.errors import DataError
from dl.limits import LIMITS

ARC_THRESHOLD = 0.1  # arcs drawn for a head: attention weights at least this large (a uniform row over 10 pieces is 0.1)


@dataclass(frozen=True)
class SentenceAttention:
    """One sentence's attention in the fine-tuned model and in the pretrained encoder."""

    pieces: list[str]  # word pieces, [CLS] and [SEP] included
    tuned: np.ndarray  # (layers, heads, pieces, pieces): row i is where piece i looks
    pretrained: np.ndarray  # the same for the encoder before fine-tuning
    change: np.ndarray  # (layers, heads): mean half-L1 distance between the two, in [0, 1]

    @property
    def layers(self) -> int:
        return self.tuned.shape[0]

    @property
    def heads(self) -> int:
        return self.tuned.shape[1]

    def most_changed_head(self) -> tuple[int, int]:
        """(layer, head), counted from 0, of the head fine-tuning moved most on this sentence."""
        layer, head = np.unravel_index(int(np.argmax(self.change)), self.change.shape)
        return int(layer), int(head)


@contextmanager
def eager_attention(model: Any):
    """Let ``model`` return its attention matrices for the duration of the block."""
    previous = getattr(model.config, "_attn_implementation", "eager")
    if previous != "eager":
        model.set_attn_implementation("eager")
    try:
        yield model
    finally:
        if previous != "eager":
            model.set_attn_implementation(previous)


def attention_matrices(model: Any, tokenizer: Any, text: str, max_length: int) -> tuple[list[str], np.ndarray]:
    """(word pieces, (layers, heads, pieces, pieces) attention) of ``model`` for one sentence."""
    import torch

    if not text.strip():
        raise DataError("Type a sentence to see its attention.", "attention_empty_sentence")
    encoded = tokenizer([text[:LIMITS.text_chars]], truncation=True, max_length=max_length, return_tensors="pt").to(model.device)
    with eager_attention(model), torch.no_grad():
        output = model(**encoded, output_attentions=True)
    if not output.attentions:
        raise DataError(f"The model {type(model).__name__} does not return its attention.", "attention_unavailable",
                        model=type(model).__name__)
    matrices = torch.stack([layer[0] for layer in output.attentions]).float().cpu().numpy()
    return tokenizer.convert_ids_to_tokens(encoded["input_ids"][0].tolist()), matrices


def head_change(tuned: np.ndarray, pretrained: np.ndarray) -> np.ndarray:
    """(layers, heads) mean over pieces of half the L1 distance between each piece's two attention rows."""
    return 0.5 * np.abs(tuned - pretrained).sum(axis=-1).mean(axis=-1)


def sentence_attention(tuned_model: Any, pretrained_encoder: Any, tokenizer: Any, text: str, max_length: int) -> SentenceAttention:
    """The fine-tuned model's and the pretrained encoder's attention for ``text``, and each head's change."""
    pieces, tuned = attention_matrices(tuned_model, tokenizer, text, max_length)
    _, pretrained = attention_matrices(pretrained_encoder, tokenizer, text, max_length)
    if pretrained.shape != tuned.shape:  # a different encoder (e.g. a folder from another model): nothing to compare
        raise DataError("The pretrained encoder does not match the fine-tuned model.", "attention_encoder_mismatch")
    return SentenceAttention(pieces, tuned, pretrained, head_change(tuned, pretrained))


def strongest_links(matrix: np.ndarray, threshold: float = ARC_THRESHOLD) -> list[tuple[int, int, float]]:
    """(from piece, to piece, weight) of one head's attention at least ``threshold``, strongest first."""
    rows, columns = np.nonzero(matrix >= threshold)
    links = [(int(row), int(column), float(matrix[row, column])) for row, column in zip(rows, columns)]
    return sorted(links, key=lambda link: -link[2])
