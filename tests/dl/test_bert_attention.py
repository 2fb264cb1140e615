"""The attention view's matrices against an independent computation, and its change measure.

The truth: softmax(Q·Kᵀ/√d) computed here by hand from the embeddings' output and layer 1's query and
key weights must equal the attention the model returns. Perturbing one layer's query weights must move
that layer's heads and leave the layers below untouched."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
import torch

from dl.bert.attention import attention_matrices, head_change, sentence_attention, strongest_links
from dl.bert.backbone import load_encoder, load_tokenizer
from dl.data.errors import DataError

SENTENCE = "A gripping, funny and heartfelt film."


@pytest.fixture(scope="module")
def encoder_and_tokenizer():
    return load_encoder("minilm"), load_tokenizer("minilm")


def test_first_layer_attention_equals_softmax_of_queries_and_keys(encoder_and_tokenizer):
    encoder, tokenizer = encoder_and_tokenizer
    pieces, matrices = attention_matrices(encoder, tokenizer, SENTENCE, max_length=64)
    encoded = tokenizer([SENTENCE], return_tensors="pt")
    assert pieces == tokenizer.convert_ids_to_tokens(encoded["input_ids"][0].tolist()) and pieces[0] == "[CLS]"
    heads, size = encoder.config.num_attention_heads, encoder.config.hidden_size // encoder.config.num_attention_heads
    with torch.no_grad():
        hidden = encoder.embeddings(input_ids=encoded["input_ids"], token_type_ids=encoded["token_type_ids"])
        attention = encoder.encoder.layer[0].attention.self
        queries = attention.query(hidden)[0].reshape(len(pieces), heads, size).transpose(0, 1)
        keys = attention.key(hidden)[0].reshape(len(pieces), heads, size).transpose(0, 1)
        expected = torch.softmax(queries @ keys.transpose(1, 2) / math.sqrt(size), dim=-1).numpy()
    assert matrices.shape == (encoder.config.num_hidden_layers, heads, len(pieces), len(pieces))
    np.testing.assert_allclose(matrices[0], expected, atol=1e-5)
    np.testing.assert_allclose(matrices.sum(-1), 1.0, atol=1e-5)
    assert encoder.config._attn_implementation == "sdpa"  # switched back after the view's forward pass


def test_change_is_zero_below_a_perturbed_layer_and_positive_from_it(encoder_and_tokenizer):
    encoder, tokenizer = encoder_and_tokenizer
    assert sentence_attention(encoder, encoder, tokenizer, SENTENCE, 64).change.max() == 0.0
    moved = copy.deepcopy(encoder)
    with torch.no_grad():
        generator = torch.Generator().manual_seed(0)
        weight = moved.encoder.layer[2].attention.self.query.weight
        weight += 0.5 * torch.randn(weight.shape, generator=generator)
    attention = sentence_attention(moved, encoder, tokenizer, SENTENCE, 64)
    assert attention.change[:2].max() < 1e-5  # layers 1-2 read the same inputs with the same weights
    assert (attention.change[2] > 0.01).all()  # every head of the perturbed layer moved
    assert attention.most_changed_head()[0] >= 2
    assert 0.0 <= attention.change.min() and attention.change.max() <= 1.0


def test_change_is_half_the_l1_distance_of_each_row():
    before = np.array([[[[1.0, 0.0], [0.5, 0.5]]]])
    after = np.array([[[[0.0, 1.0], [0.5, 0.5]]]])
    np.testing.assert_allclose(head_change(after, before), [[0.5]])  # row 1 moved entirely, row 2 not at all


def test_strongest_links_are_the_weights_over_the_threshold_largest_first():
    matrix = np.array([[0.7, 0.2, 0.1], [0.05, 0.9, 0.05], [0.3, 0.3, 0.4]])
    links = strongest_links(matrix, threshold=0.25)
    assert links == [(1, 1, 0.9), (0, 0, 0.7), (2, 2, 0.4), (2, 0, 0.3), (2, 1, 0.3)]


def test_an_empty_sentence_is_refused_with_a_code(encoder_and_tokenizer):
    with pytest.raises(DataError) as refused:
        attention_matrices(*encoder_and_tokenizer, "   ", 64)
    assert refused.value.code == "attention_empty_sentence"
