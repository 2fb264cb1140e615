"""Fine-tune only the top of the encoder, on the frozen bottom's outputs computed once.

A full fine-tune pays for the whole encoder three times per sentence and epoch (forward, backward,
the optimizer). Here the embeddings and the bottom ``layers - trainable_layers`` transformer layers
never change, so their output for a sentence is the same in every epoch: run them once over every
sentence (no gradients, batches of similar length so little is padding), keep each sentence's hidden
states (float16 when they would fill more than ``FLOAT16_ABOVE_BYTES``), and train the top layers, the
pooler and the classification head on those for several epochs. The model object stays whole: its
trained top layers are its own, so the saved folder is an ordinary Hugging Face model that loads,
predicts, explains and exports like a fully fine-tuned one.

Works for BERT-style encoders (``embeddings`` + ``encoder.layer`` + ``pooler``, e.g. MiniLM, BERT,
RoBERTa); ``supports`` says whether a loaded model is one.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from dl.jobs import JobCancelled, ProgressReporter

CACHE_BATCH = 64  # sentences per no-grad pass through the frozen layers
FLOAT16_ABOVE_BYTES = 256 * 2**20  # keep float32 (exact) below this; float16 halves a large cache
BUCKET_BATCHES = 50  # training batches are drawn from 50-batch chunks sorted by length: little padding, still shuffled


def supports(model: Any) -> bool:
    """Whether ``model`` has the parts this strategy runs separately (a BERT-style classifier)."""
    base = getattr(model, "base_model", None)
    return all(hasattr(part, name) for part, name in ((base, "embeddings"), (getattr(base, "encoder", None), "layer"),
                                                      (base, "pooler"), (model, "classifier"), (model, "dropout"))) \
        and getattr(base, "pooler", None) is not None


def frozen_layer_count(model: Any, trainable_layers: int) -> int:
    return max(0, len(model.base_model.encoder.layer) - trainable_layers)


def freeze_bottom(model: Any, frozen_layers: int) -> None:
    """Only the top layers, the pooler and the head keep ``requires_grad``."""
    base = model.base_model
    for parameter in base.embeddings.parameters():
        parameter.requires_grad_(False)
    for layer in base.encoder.layer[:frozen_layers]:
        for parameter in layer.parameters():
            parameter.requires_grad_(False)


def _attention_mask(model: Any, hidden: Any, mask: Any) -> Any:
    """The mask in the form the model's attention implementation wants (as the model builds it)."""
    from transformers.masking_utils import create_bidirectional_mask

    return create_bidirectional_mask(config=model.base_model.config, inputs_embeds=hidden, attention_mask=mask)


def lower_layer_states(model: Any, tokenizer: Any, texts: list[str], max_length: int, frozen_layers: int,
                       progress: Callable[[int, int], None] | None = None) -> list[Any]:
    """Each text's hidden states after the embeddings and the bottom ``frozen_layers`` layers: a list of
    (its word pieces, hidden size) tensors in the order of ``texts``; ``progress(done, total)`` per batch."""
    import torch

    encoded = tokenizer(texts, truncation=True, max_length=max_length)
    lengths = np.array([len(ids) for ids in encoded["input_ids"]])
    hidden_size = model.config.hidden_size
    dtype = torch.float16 if int(lengths.sum()) * hidden_size * 4 > FLOAT16_ABOVE_BYTES else torch.float32
    order = np.argsort(lengths, kind="stable")  # similar lengths together: batches are hardly padded
    base = model.base_model
    states: list[Any] = [None] * len(texts)
    was_training = model.training
    model.eval()
    with torch.no_grad():
        for start in range(0, len(texts), CACHE_BATCH):
            rows = order[start:start + CACHE_BATCH]
            batch = tokenizer.pad({name: [encoded[name][row] for row in rows] for name in encoded.keys()}, return_tensors="pt")
            hidden = base.embeddings(input_ids=batch["input_ids"], token_type_ids=batch.get("token_type_ids"))
            mask = _attention_mask(model, hidden, batch["attention_mask"])
            for layer in base.encoder.layer[:frozen_layers]:
                hidden = layer(hidden, mask)
            for position, row in enumerate(rows):
                states[row] = hidden[position, :lengths[row]].to(dtype).clone()
            if progress is not None:
                progress(min(len(texts), start + CACHE_BATCH), len(texts))
    model.train(was_training)
    return states


def pad_states(states: list[Any], rows: np.ndarray) -> tuple[Any, Any]:
    """(batch, longest, hidden) float32 states of ``rows`` padded with zeros, and their 0/1 mask."""
    import torch

    chosen = [states[row] for row in rows]
    longest = max(state.shape[0] for state in chosen)
    hidden = torch.zeros(len(chosen), longest, chosen[0].shape[1])
    mask = torch.zeros(len(chosen), longest, dtype=torch.long)
    for position, state in enumerate(chosen):
        hidden[position, :state.shape[0]] = state.float()
        mask[position, :state.shape[0]] = 1
    return hidden, mask


def top_logits(model: Any, hidden: Any, mask: Any, frozen_layers: int) -> Any:
    """The classifier's logits from the bottom layers' output: the top layers, the pooler, the head."""
    base = model.base_model
    extended = _attention_mask(model, hidden, mask)
    for layer in base.encoder.layer[frozen_layers:]:
        hidden = layer(hidden, extended)
    return model.classifier(model.dropout(base.pooler(hidden)))


def probabilities_from_states(model: Any, states: list[Any], rows: np.ndarray, frozen_layers: int,
                              batch_size: int = CACHE_BATCH) -> np.ndarray:
    """(len(rows), labels) probabilities of the model on cached bottom-layer states."""
    import torch

    model.eval()
    order = sorted(range(len(rows)), key=lambda position: states[rows[position]].shape[0])
    result = np.zeros((len(rows), model.config.num_labels), np.float32)
    with torch.no_grad():
        for start in range(0, len(order), batch_size):
            positions = order[start:start + batch_size]
            hidden, mask = pad_states(states, np.asarray(rows)[positions])
            result[positions] = torch.softmax(top_logits(model, hidden, mask, frozen_layers), dim=-1).numpy()
    return result


def mean_pooled(model: Any, states: list[Any], rows: np.ndarray, frozen_layers: int, batch_size: int = CACHE_BATCH) -> np.ndarray:
    """Sentence embeddings (mean of the last layer's states over the real pieces) from cached states:
    with the pretrained top layers, the frozen-encoder baselines' vectors at a third of the cost."""
    import torch

    base = model.base_model
    vectors = np.zeros((len(rows), model.config.hidden_size), np.float32)
    model.eval()
    with torch.no_grad():
        for start in range(0, len(rows), batch_size):
            hidden, mask = pad_states(states, np.asarray(rows)[start:start + batch_size])
            extended = _attention_mask(model, hidden, mask)
            for layer in base.encoder.layer[frozen_layers:]:
                hidden = layer(hidden, extended)
            weights = mask.unsqueeze(-1).float()
            vectors[start:start + batch_size] = ((hidden * weights).sum(1) / weights.sum(1).clamp(min=1.0)).numpy()
    return vectors


def length_buckets(lengths: np.ndarray, batch_size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """One epoch's batches (positions into ``lengths``): shuffled, then sorted by length within chunks of
    ``BUCKET_BATCHES`` batches, and the batches shuffled again: random, yet hardly padded."""
    order = rng.permutation(len(lengths))
    chunk = batch_size * BUCKET_BATCHES
    batches = []
    for start in range(0, len(order), chunk):
        part = order[start:start + chunk]
        part = part[np.argsort(lengths[part], kind="stable")]
        batches.extend(part[index:index + batch_size] for index in range(0, len(part), batch_size))
    rng.shuffle(batches)
    return batches


def train_top_layers(config: Any, model: Any, states: list[Any], labels: np.ndarray, train: np.ndarray,
                     validation: np.ndarray, frozen_layers: int, reporter: ProgressReporter,
                     class_weights: list[float] | None = None) -> tuple[list[dict[str, float]], float]:
    """AdamW (no decay on biases and LayerNorm, as Trainer), linear warm-up then decay, gradient clipping,
    length-bucketed batches of the cached states; one history row per epoch (loss, and on validation
    sentences val_loss, val_accuracy, val_macro_f1). Returns (history, seconds)."""
    import torch
    from sklearn.metrics import f1_score
    from transformers import get_linear_schedule_with_warmup

    trainable = [(name, parameter) for name, parameter in model.named_parameters() if parameter.requires_grad]
    no_decay = ("bias", "LayerNorm.weight", "layernorm.weight", "norm.weight")
    groups = [{"params": [p for name, p in trainable if not name.endswith(no_decay)], "weight_decay": config.weight_decay},
              {"params": [p for name, p in trainable if name.endswith(no_decay)], "weight_decay": 0.0}]
    optimizer = torch.optim.AdamW(groups, lr=config.learning_rate)
    steps_per_epoch = math.ceil(len(train) / config.batch_size)
    warmup_steps = min(config.warmup_steps, steps_per_epoch * config.epochs // 10)
    schedule = get_linear_schedule_with_warmup(optimizer, warmup_steps, steps_per_epoch * config.epochs)
    weight = torch.tensor(class_weights, dtype=torch.float32) if class_weights is not None else None
    lengths = np.array([states[row].shape[0] for row in train])
    targets = torch.as_tensor(labels, dtype=torch.long)
    rng = np.random.default_rng(config.seed)
    history: list[dict[str, float]] = []
    reporter.start_training(config.epochs, steps_per_epoch)
    started = time.perf_counter()
    for epoch in range(1, config.epochs + 1):
        reporter.start_epoch(epoch)
        model.train()
        losses = []
        for step, positions in enumerate(length_buckets(lengths, config.batch_size, rng), start=1):
            rows = train[positions]
            hidden, mask = pad_states(states, rows)
            logits = top_logits(model, hidden, mask, frozen_layers)
            loss = torch.nn.functional.cross_entropy(logits, targets[rows], weight=weight)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_([parameter for _, parameter in trainable], config.max_grad_norm)
            optimizer.step()
            schedule.step()
            losses.append(float(loss.detach()))
            try:
                reporter.end_batch(step, losses[-1])
            except JobCancelled:
                model.eval()
                return history, time.perf_counter() - started  # the caller checks and never stores it
        row = {"epoch": epoch, "loss": float(np.mean(losses))}
        if len(validation):
            probabilities = probabilities_from_states(model, states, validation, frozen_layers)
            truth = labels[validation]
            picked = np.clip(probabilities[np.arange(len(truth)), truth], 1e-12, 1.0)
            row_weights = np.asarray(class_weights)[truth] if class_weights is not None else np.ones(len(truth))
            predicted = probabilities.argmax(axis=1)
            row.update(val_loss=float(-(row_weights * np.log(picked)).sum() / row_weights.sum()),
                       val_accuracy=float(np.mean(predicted == truth)),
                       val_macro_f1=float(f1_score(truth, predicted, labels=list(range(model.config.num_labels)),
                                                   average="macro", zero_division=0)))
        history.append(row)
        reporter.end_epoch(epoch, row)
    reporter.end_training()
    model.eval()
    return history, time.perf_counter() - started
