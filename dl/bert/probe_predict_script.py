"""Label sentences with an exported frozen-encoder + logistic-regression labeler (a linear probe).

    pip install torch "transformers>=5" numpy
    python predict.py "What a wonderful film" "Boring and far too long"
    python predict.py --file sentences.txt          # one sentence per line
    python predict.py --probabilities "A film"      # every label's probability, unrounded

Prints one JSON line per sentence: text, label, probability. A sentence's vector is the mean of the
pretrained encoder's last hidden states over its real word pieces (no padding), as sentence-transformers
pools MiniLM; ``frozen_probe.json`` holds the logistic regression fitted on those vectors as numbers
(no pickle). The encoder in ``encoder/`` is the pretrained one, never fine-tuned: loaded from
safetensors only and never with remote code. The playground's own ``predict bert --baseline`` uses
``probe_probabilities`` from this very file.
"""

import argparse
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
BATCH = 64


def mean_pooled_vectors(encoder, tokenizer, texts, max_length, batch_size=BATCH):
    """(n, hidden) float64: each sentence's last hidden states averaged over its real word pieces."""
    import numpy as np
    import torch

    rows = []
    encoder.eval()
    with torch.no_grad():
        for start in range(0, len(texts), batch_size):
            batch = tokenizer(list(texts[start:start + batch_size]), truncation=True, max_length=max_length, padding=True,
                              return_tensors="pt").to(encoder.device)
            hidden = encoder(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            rows.append(((hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)).float().cpu().numpy())
    return np.concatenate(rows).astype(np.float64) if rows else np.zeros((0, encoder.config.hidden_size))


def probe_probabilities(document, encoder, tokenizer, texts):
    """(n, labels) probabilities as scikit-learn's LogisticRegression computes them on the pooled vectors:
    a sigmoid for two labels (one coefficient row), a softmax for more."""
    import numpy as np

    vectors = mean_pooled_vectors(encoder, tokenizer, texts, int(document["max_length"]))
    scores = vectors @ np.asarray(document["coef"], dtype=np.float64).T + np.asarray(document["intercept"], dtype=np.float64)
    if scores.shape[1] == 1:
        positive = 1 / (1 + np.exp(-scores[:, 0]))
        return np.stack([1 - positive, positive], axis=1)
    scores -= scores.max(axis=1, keepdims=True)
    exponentials = np.exp(scores)
    return exponentials / exponentials.sum(axis=1, keepdims=True)


def load_encoder(folder):
    """(encoder, tokenizer) of the pretrained model saved in ``folder``: safetensors only, no remote code."""
    from transformers import AutoModel, AutoTokenizer

    encoder = AutoModel.from_pretrained(folder, use_safetensors=True, trust_remote_code=False).eval()
    return encoder, AutoTokenizer.from_pretrained(folder, trust_remote_code=False)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Label sentences with the exported frozen-encoder + logistic-regression model.")
    parser.add_argument("texts", nargs="*", help="sentences to label")
    parser.add_argument("--file", help="a UTF-8 file with one sentence per line")
    parser.add_argument("--probabilities", action="store_true", help="add every label's probability (unrounded)")
    args = parser.parse_args(argv)
    texts = list(args.texts)
    if args.file:
        texts += [line for line in Path(args.file).read_text(encoding="utf-8").splitlines() if line.strip()]
    if not texts:
        parser.error("give sentences or --file")
    from transformers.utils import logging

    logging.set_verbosity_error()
    document = json.loads((HERE / "frozen_probe.json").read_text(encoding="utf-8"))
    encoder, tokenizer = load_encoder(HERE / "encoder")
    probabilities = probe_probabilities(document, encoder, tokenizer, texts)
    for text, row in zip(texts, probabilities):
        best = int(row.argmax())
        answer = {"text": text, "label": document["classes"][best], "probability": round(float(row[best]), 4)}
        if args.probabilities:
            answer["probabilities"] = dict(zip(document["classes"], map(float, row)))
        print(json.dumps(answer, ensure_ascii=False))


if __name__ == "__main__":
    main()
