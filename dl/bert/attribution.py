"""Which word pieces decided a label: integrated gradients (Sundararajan et al., 2017).

The input embeddings are scaled from zero to their real values in ``steps`` steps; the gradient of
the predicted label's logit is averaged along that path and multiplied by the embedding, then
summed over the hidden size: one number per word piece. The numbers add up (approximately) to the
logit's change from the all-zero input, so they are comparable across pieces. One batched forward
and backward pass of ``steps`` copies of the sentence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

IG_STEPS = 24  # the attributions' sum is within a few % of the logit difference at ~20 steps for MiniLM


@dataclass
class Attribution:
    pieces: list[str]
    scores: list[float]
    label: int
    probability: float


def integrated_gradients(model: Any, tokenizer: Any, text: str, max_length: int, steps: int = IG_STEPS) -> Attribution:
    import torch

    encoded = tokenizer(text, truncation=True, max_length=max_length, return_tensors="pt").to(model.device)
    model.eval()
    with torch.no_grad():
        probabilities = torch.softmax(model(**encoded).logits, dim=-1)[0]
    label = int(probabilities.argmax())
    embeddings = model.get_input_embeddings()(encoded["input_ids"]).detach()
    alphas = torch.linspace(1.0 / steps, 1.0, steps, device=embeddings.device).view(-1, 1, 1)
    path = (alphas * embeddings).requires_grad_(True)
    mask = encoded["attention_mask"].repeat(steps, 1)
    logits = model(inputs_embeds=path, attention_mask=mask).logits[:, label]
    gradients = torch.autograd.grad(logits.sum(), path)[0]
    scores = (embeddings * gradients.mean(dim=0, keepdim=True)).sum(-1)[0]
    pieces = tokenizer.convert_ids_to_tokens(encoded["input_ids"][0])
    special = set(tokenizer.all_special_tokens)
    kept = [(piece, float(score)) for piece, score in zip(pieces, scores.tolist(), strict=True) if piece not in special]
    return Attribution([piece for piece, _ in kept], [score for _, score in kept], label, float(probabilities[label]))
