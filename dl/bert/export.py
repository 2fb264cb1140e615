"""The fine-tuned model folder as a zip: safetensors weights, tokenizer, labels, metrics card, predict.py."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from dl.bert.train import TrainedLabeler

PREDICT_SCRIPT = Path(__file__).with_name("predict_script.py")
SKIPPED = ("last_used",)


def model_card(trained: TrainedLabeler) -> str:
    metrics, config = trained.metrics, trained.config
    baselines = metrics["baselines"]
    facts = trained.meta.get("model_facts", {})
    return f"""# Sentence labeler (fine-tuned {config.model})

{facts.get('parameters', 0):,} parameters, {facts.get('layers', '?')} layers, hidden size {facts.get('hidden_size', '?')}.
Labels: {', '.join(trained.class_names)}. Held-out sentences: {metrics['test_size']:,}.

| model | accuracy |
|---|---|
| fine-tuned (this model) | {metrics['accuracy']:.4f} |
| frozen embeddings + logistic regression | {baselines['frozen_logistic_regression']['accuracy']:.4f} |
| nearest class centroid (no training) | {baselines['nearest_centroid']['accuracy']:.4f} |

Fine-tuning: {config.epochs} epochs, learning rate {config.learning_rate:g}, batch {config.batch_size}, max length
{config.max_length}, warm-up {config.warmup_steps} steps, weight decay {config.weight_decay:g}, gradient clipping
{config.max_grad_norm:g}; {strategy_line(trained)}.

    pip install "torch>=2.4" "transformers>=5"
    python predict.py "first sentence" "second sentence"
"""


def strategy_line(trained: TrainedLabeler) -> str:
    metrics = trained.metrics
    if metrics.get("strategy") == "top_layers":
        return (f"only the top {metrics['trainable_layers']} layers and the head trained, on the frozen lower layers' "
                f"outputs for {metrics.get('cached_sentences', 0):,} sentences computed once")
    return "every weight trained"


def export_zip(trained: TrainedLabeler) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(trained.path.iterdir()):
            if path.is_file() and path.name not in SKIPPED:
                archive.write(path, path.name)
        archive.writestr("README.md", model_card(trained))
        archive.writestr("predict.py", PREDICT_SCRIPT.read_text())
    return buffer.getvalue()
