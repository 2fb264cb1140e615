"""Fine-tune a BERT sentence labeler with transformers' Trainer (or load it from the model store).

One job: a stratified split of the labelled sentences, ``Trainer`` with AdamW, warm-up, weight decay
and gradient clipping (mixed precision when a GPU is there; several GPUs under ``torchrun``), a
callback that reports every step and stops at the next one after Cancel, then accuracy, macro F1
and the confusion matrix on the held-out sentences beside three baselines on the same split (frozen
sentence embeddings + logistic regression, nearest class centroid, the majority label). On unequal
labels the cross-entropy weighs each label by n / (labels x count) (``config.class_weights``), so the
model cannot win by ignoring the small ones. Weights are stored as safetensors and loaded back with
``use_safetensors=True``. The fitted frozen-encoder + logistic-regression baseline is kept beside them
as numbers (``frozen_probe.json``, ``dl.bert.probe``): a model of its own, with its own export.

``config.strategy`` "top_layers" (the default from 1,000 sentences) trains only the top layers and the
head on the frozen lower layers' outputs, computed once (``dl.bert.top_layers``): the job first reads
every sentence through the frozen layers (its own progress bar), then trains; the baselines' sentence
vectors come from those stored outputs too. The saved folder is the same whole model either way.
"""

from __future__ import annotations

import dataclasses
import json
import math
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from dl.bert.attention import SentenceAttention, sentence_attention
from dl.bert.config import BertConfig
from dl.bert.probe import PROBE_FILE, FrozenProbe, load_probe, probe_document
from dl.data.errors import DataError
from dl.data.splits import split_indices
from dl.data_doctor.labels import balanced_class_weights, class_weights_wanted, needs_class_weights
from dl.jobs import JobCancelled, ProgressReporter
from dl.limits import LIMITS
from dl.metrics import classification_metrics, macro_f1
from dl.store import ModelStore
from dl.task import Fitted, Resume, stored_meta, task_key, train_or_load
from dl.text.data import TextDataset

TASK = "bert"
LABELS_FILE = "labels.json"
PREDICT_BATCH = 64
BASELINE_SENTENCES = 2_000  # top_layers: training sentences the frozen-encoder baselines are fitted on (at most)


@dataclass
class TrainedLabeler:
    """A fine-tuned model, its tokenizer and what the Results, Label and Export tabs need."""

    model: Any
    tokenizer: Any
    class_names: list[str]
    config: BertConfig
    metrics: dict[str, Any]
    history: list[dict[str, float]]
    test_indices: np.ndarray
    path: Path
    from_cache: bool
    meta: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    _probe: FrozenProbe | None = field(default=None, repr=False)
    _pretrained: Any = field(default=None, repr=False)

    def predict(self, texts: list[str]) -> np.ndarray:
        return predict_probabilities(self.model, self.tokenizer, texts, self.config.max_length)

    @property
    def has_baseline(self) -> bool:
        """Whether the frozen-encoder + logistic-regression baseline was kept (models stored before it was have none)."""
        return (self.path / PROBE_FILE).is_file()

    @property
    def baseline(self) -> FrozenProbe:
        """The frozen-encoder baseline fitted on the same split (DataError for a model stored before it was kept);
        read once, its pretrained encoder loaded on first use."""
        if self._probe is None:
            self._probe = load_probe(self.path)
        return self._probe

    def predict_baseline(self, texts: list[str]) -> np.ndarray:
        """(n, labels) probabilities from the frozen-encoder baseline (the pretrained encoder, not the fine-tuned one)."""
        return self.baseline.probabilities(texts)

    def pretrained_encoder(self) -> Any:
        """The encoder before fine-tuning (the baseline's, when it is kept and already loaded): what the attention
        view compares the fine-tuned heads with. Loaded once per trained model."""
        if self._pretrained is None:
            if self._probe is not None and self._probe._encoder is not None:
                self._pretrained = self._probe._encoder[0]
            else:
                from dl.bert.backbone import load_encoder

                self._pretrained = load_encoder(self.config.model)
        return self._pretrained

    def attention(self, text: str) -> SentenceAttention:
        """``text``'s attention in every head, fine-tuned and pretrained (``dl.bert.attention``)."""
        return sentence_attention(self.model, self.pretrained_encoder(), self.tokenizer, text, self.config.max_length)


def working_set(dataset: TextDataset, config: BertConfig) -> TextDataset:
    return dataset.subset(config.resolved(len(dataset.texts)).max_sentences, config.seed)


def class_weights_for(config: BertConfig, labels: np.ndarray, num_classes: int) -> list[float] | None:
    """Each label's weight in the loss (sklearn's "balanced": n / (labels x count) over ``labels``, the
    sentences used; the split is stratified, so the training part has the same shares), or None for a
    plain loss: ``on``, or ``auto`` when the doctor's imbalance threshold is met
    (``dl.data_doctor.labels.needs_class_weights``: the same decision the doctor shows)."""
    if not class_weights_wanted(config.class_weights, labels, num_classes):
        return None
    weights = balanced_class_weights(labels, num_classes)
    return [weights[label] for label in range(num_classes)]


def model_key(config: BertConfig, dataset: TextDataset) -> str:
    return task_key(TASK, config, dataset.fingerprint())


def stored_labeler(store: ModelStore, config: BertConfig, dataset: TextDataset, resume: Resume | None = None):
    return stored_meta(store, TASK, config, dataset.fingerprint(), resume)


def train_labeler(config: BertConfig, dataset: TextDataset, reporter: ProgressReporter, store: ModelStore,
                  resume: Resume | None = None) -> TrainedLabeler:
    """Fine-tune ``config`` on ``dataset`` (or load it from ``store``); see the module docstring.

    ``resume``: go on fine-tuning that stored run's model (its saved weights; the optimizer starts afresh,
    its state is not kept beside the model) for ``resume.epochs`` more epochs. The frozen-encoder baselines
    and probe are the stored run's: they measure the pretrained encoder, which resuming does not change.
    """
    config.validate()
    working = working_set(dataset, config)
    chosen = config.resolved(len(dataset.texts))  # the strategy and sample size this run uses
    if resume is not None:
        chosen = dataclasses.replace(chosen, epochs=resume.epochs, warmup_steps=0)  # no warm-up: the weights are trained

    kept_probe: dict[str, Any] = {}  # fit() puts the frozen-encoder baseline here; save() writes it beside the model

    def fit(reporter: ProgressReporter) -> Fitted[tuple[Any, Any]]:
        reporter.say("loading_transformers")
        import torch
        import transformers

        from dl.bert import top_layers
        from dl.bert.backbone import describe, load_classifier, load_tokenizer, unknown_share
        from dl.bert.baselines import frozen_baselines

        transformers.set_seed(config.seed)
        if resume is not None:
            model, tokenizer = load_folder(resume.entry.path)
            model.train()
        else:
            tokenizer = load_tokenizer(config.model)
            model = load_classifier(config.model, working.class_names)
        train, validation, test = split_indices(working.labels, config.test_split, config.validation_split, config.seed)
        texts = working.texts
        lengths = [len(ids) for ids in tokenizer(texts, add_special_tokens=True)["input_ids"]]
        truncated = sum(length > config.max_length for length in lengths)
        test_texts = [texts[index] for index in test]
        weights = class_weights_for(config, working.labels, working.num_classes)
        if chosen.strategy == "top_layers" and top_layers.supports(model):
            history, seconds, probabilities, baselines, probe, timing = _train_top_layers(
                chosen, model, tokenizer, working, train, validation, test, reporter, weights)
        else:
            # the baselines use the pretrained encoder as loaded: score them before fine-tuning changes it
            if resume is None:
                baselines, probe = frozen_baselines(model.base_model, tokenizer, config.max_length, [texts[index] for index in train],
                                                    working.labels[train], test_texts, working.labels[test], working.num_classes)
            history, seconds = _fine_tune(chosen if resume else config, model, tokenizer, working, train, validation, reporter,
                                          weights)
            reporter.check_cancelled()  # Cancel stopped the Trainer at the next step: never store that model
            reporter.say("evaluating")
            probabilities = predict_probabilities(model, tokenizer, test_texts, config.max_length)
            timing = {"strategy": "full"}
        metrics = classification_metrics(working.labels[test], probabilities, working.num_classes)
        metrics["macro_f1"] = macro_f1(metrics)
        metrics.update(fit_seconds=round(seconds, 2), train_sentences=int(len(train)), epochs_run=len(history), **timing)
        if resume is not None:  # the pretrained encoder's baselines and probe: the stored run's
            metrics["baselines"] = resume.entry.meta["metrics"]["baselines"]
            kept_probe["document"] = json.loads((resume.entry.path / PROBE_FILE).read_text(encoding="utf-8"))
        else:
            metrics["baselines"] = baselines
            kept_probe["document"] = probe_document(probe, list(working.class_names), config.model, config.max_length)
        # unequal labels: the page and the CLI lead with macro F1, which a majority-label model fails
        metrics["imbalanced"] = bool(needs_class_weights(working.labels, working.num_classes))
        metrics["class_weights"] = weights
        facts = describe(model)
        extra = {"class_names": list(working.class_names), "test_indices": [int(index) for index in test],
                 "truncated": int(truncated), "unknown_share": unknown_share(tokenizer, texts[:500]),
                 "model_facts": facts.__dict__, "device": "cuda" if torch.cuda.is_available() else "cpu"}
        return Fitted((model, tokenizer), metrics, history, extra)

    def save(model: tuple[Any, Any], folder: Path) -> None:
        network, tokenizer = model
        network.save_pretrained(folder, safe_serialization=True)
        tokenizer.save_pretrained(folder)
        (folder / LABELS_FILE).write_text(json.dumps(list(working.class_names), ensure_ascii=False))
        (folder / PROBE_FILE).write_text(json.dumps(kept_probe["document"], ensure_ascii=False), encoding="utf-8")

    result = train_or_load(TASK, config, dataset.fingerprint(), fit, save, load_folder, reporter, store,
                           {**working.summary(), "source": dataset.source}, resume=resume)
    model, tokenizer = result.model
    meta = result.meta
    return TrainedLabeler(model, tokenizer, list(meta["class_names"]), chosen, meta["metrics"], meta["history"],
                          np.asarray(meta["test_indices"], dtype=np.int64), result.path, result.from_cache, meta, result.notes)


def _train_top_layers(config: BertConfig, model: Any, tokenizer: Any, working: TextDataset, train: np.ndarray,
                      validation: np.ndarray, test: np.ndarray, reporter: ProgressReporter,
                      class_weights: list[float] | None) -> tuple[list[dict[str, float]], float, np.ndarray, dict, Any, dict]:
    """The "top_layers" strategy: the frozen layers once over every sentence (a progress bar of its own),
    the baselines on the pretrained model's vectors from those outputs, then the top layers and the head.
    Returns (history, training seconds, test probabilities, baselines, the fitted probe, timing for the metrics)."""
    from dl.bert import top_layers
    from dl.bert.baselines import baselines_from_vectors

    frozen = top_layers.frozen_layer_count(model, config.trainable_layers)
    top_layers.freeze_bottom(model, frozen)
    started = time.perf_counter()
    batches = math.ceil(len(working.texts) / top_layers.CACHE_BATCH)
    reporter.start_training(1, batches)  # the bar fills once while the sentences go through the frozen layers
    reporter.say("reading_frozen_layers")
    states = top_layers.lower_layer_states(
        model, tokenizer, working.texts, config.max_length, frozen,
        progress=lambda done, total: reporter.end_batch(math.ceil(done / top_layers.CACHE_BATCH)))
    reporter.say("")
    cache_seconds = time.perf_counter() - started
    started = time.perf_counter()
    # the linear probe levels off by ~2,000 sentences; more would cost a third of the caching again
    probe_rows = train if len(train) <= BASELINE_SENTENCES else \
        np.sort(np.random.default_rng(config.seed).choice(train, BASELINE_SENTENCES, replace=False))
    baselines, probe = baselines_from_vectors(top_layers.mean_pooled(model, states, probe_rows, frozen), working.labels[probe_rows],
                                       top_layers.mean_pooled(model, states, test, frozen), working.labels[test],
                                       working.num_classes)
    baseline_seconds = time.perf_counter() - started
    history, seconds = top_layers.train_top_layers(config, model, states, working.labels, train, validation, frozen,
                                                   reporter, class_weights)
    reporter.check_cancelled()  # Cancel stopped the loop at the next step: never store that model
    reporter.say("evaluating")
    probabilities = top_layers.probabilities_from_states(model, states, test, frozen)
    for parameter in model.parameters():
        parameter.requires_grad_(True)  # the saved model is an ordinary one (attribution needs gradients)
    timing = {"strategy": "top_layers", "trainable_layers": int(config.trainable_layers), "frozen_layers": int(frozen),
              "cached_sentences": len(states), "cache_seconds": round(cache_seconds, 2), "baseline_seconds": round(baseline_seconds, 2),
              "cache_mb": round(sum(state.numel() * state.element_size() for state in states) / 2**20, 1),
              "cache_float16": bool(states) and str(states[0].dtype) == "torch.float16"}
    return history, seconds, probabilities, baselines, probe, timing


def _fine_tune(config: BertConfig, model: Any, tokenizer: Any, working: TextDataset, train: np.ndarray,
               validation: np.ndarray, reporter: ProgressReporter,
               class_weights: list[float] | None = None) -> tuple[list[dict[str, float]], float]:
    """``Trainer.train`` with a progress callback; returns one history row per epoch and the seconds.
    ``class_weights``: each label's weight in the cross-entropy (None: all 1)."""
    import torch
    from transformers import DataCollatorWithPadding, PrinterCallback, Trainer, TrainerCallback, TrainingArguments

    def encode(rows: np.ndarray) -> list[dict[str, Any]]:
        encoded = tokenizer([working.texts[index] for index in rows], truncation=True, max_length=config.max_length)
        return [{"input_ids": ids, "attention_mask": mask, "labels": int(working.labels[index])}
                for ids, mask, index in zip(encoded["input_ids"], encoded["attention_mask"], rows, strict=True)]

    steps_per_epoch = math.ceil(len(train) / config.batch_size)
    # warm-up is at most a tenth of all updates: ten warm-up steps on a few-shot set would be the whole run
    warmup_steps = min(config.warmup_steps, steps_per_epoch * config.epochs // 10)
    history: list[dict[str, float]] = []
    losses: list[float] = []

    class ReportProgress(TrainerCallback):
        def on_train_begin(self, args, state, control, **kwargs):
            reporter.start_training(config.epochs, steps_per_epoch)

        def on_train_end(self, args, state, control, **kwargs):
            reporter.end_training()

        def on_epoch_begin(self, args, state, control, **kwargs):
            reporter.start_epoch(int(round(state.epoch or 0)) + 1)
            losses.clear()

        def on_log(self, args, state, control, logs=None, **kwargs):
            if logs and "loss" in logs:
                losses.append(float(logs["loss"]))

        def on_step_end(self, args, state, control, **kwargs):
            step = (state.global_step - 1) % steps_per_epoch + 1  # 1-based step within the current epoch
            try:
                reporter.end_batch(step, losses[-1] if losses else None)
            except JobCancelled:
                control.should_training_stop = True  # Trainer stops after this step; the job raises afterwards

        def on_epoch_end(self, args, state, control, **kwargs):
            if not len(validation) and losses:
                history.append({"epoch": len(history) + 1, "loss": float(np.mean(losses))})
                reporter.end_epoch(len(history), history[-1])

        def on_evaluate(self, args, state, control, metrics=None, **kwargs):
            row = {"epoch": len(history) + 1, "loss": float(np.mean(losses)) if losses else float("nan"),
                   "val_loss": float(metrics.get("eval_loss", float("nan"))),
                   "val_accuracy": float(metrics.get("eval_accuracy", float("nan"))),
                   "val_macro_f1": float(metrics.get("eval_macro_f1", float("nan")))}
            history.append(row)
            reporter.end_epoch(row["epoch"], row)

    def accuracy(prediction) -> dict[str, float]:
        from sklearn.metrics import f1_score

        predicted = np.argmax(prediction.predictions, axis=1)
        return {"accuracy": float(np.mean(predicted == prediction.label_ids)),
                "macro_f1": float(f1_score(prediction.label_ids, predicted, labels=list(range(working.num_classes)),
                                           average="macro", zero_division=0))}

    class WeightedTrainer(Trainer):
        """Trainer whose cross-entropy weighs each label by ``class_weights``."""

        def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
            if class_weights is None:
                return super().compute_loss(model, inputs, return_outputs, num_items_in_batch)
            labels = inputs.pop("labels")
            outputs = model(**inputs)
            weight = torch.tensor(class_weights, dtype=outputs.logits.dtype, device=outputs.logits.device)
            loss = torch.nn.functional.cross_entropy(outputs.logits, labels, weight=weight)
            return (loss, outputs) if return_outputs else loss

    gpu = torch.cuda.is_available()
    with tempfile.TemporaryDirectory(prefix="bert-trainer-") as scratch:
        arguments = TrainingArguments(
            output_dir=scratch, num_train_epochs=config.epochs, learning_rate=config.learning_rate,
            per_device_train_batch_size=config.batch_size, per_device_eval_batch_size=PREDICT_BATCH,
            weight_decay=config.weight_decay, max_grad_norm=config.max_grad_norm, warmup_steps=warmup_steps,
            eval_strategy="epoch" if len(validation) else "no", save_strategy="no", logging_strategy="steps",
            logging_steps=1, report_to=[], seed=config.seed, use_cpu=not gpu, fp16=gpu, disable_tqdm=True,
            dataloader_num_workers=0,
        )
        trainer = WeightedTrainer(model=model, args=arguments, train_dataset=encode(train),
                                  eval_dataset=encode(validation) if len(validation) else None,
                                  data_collator=DataCollatorWithPadding(tokenizer), compute_metrics=accuracy,
                                  callbacks=[ReportProgress()])
        trainer.remove_callback(PrinterCallback)  # our callback reports; the default one prints every step
        started = time.perf_counter()
        trainer.train()
        seconds = time.perf_counter() - started
    model.eval()
    return history, seconds


def predict_probabilities(model: Any, tokenizer: Any, texts: list[str], max_length: int,
                          batch_size: int = PREDICT_BATCH, progress=None) -> np.ndarray:
    """(n, labels) probabilities; ``progress(done, total)`` after each batch. Texts are cut at
    ``LIMITS.text_chars`` first: the tokenizer splits a whole text before it truncates the pieces."""
    import torch

    rows = []
    model.eval()
    with torch.no_grad():
        for start in range(0, len(texts), batch_size):
            batch = tokenizer([text[:LIMITS.text_chars] for text in texts[start:start + batch_size]], truncation=True,
                              max_length=max_length, padding=True,
                              return_tensors="pt").to(model.device)
            rows.append(torch.softmax(model(**batch).logits, dim=-1).float().cpu().numpy())
            if progress is not None:
                progress(min(len(texts), start + batch_size), len(texts))
    return np.concatenate(rows) if rows else np.zeros((0, model.config.num_labels), np.float32)


def load_folder(folder: Path) -> tuple[Any, Any]:
    """(model, tokenizer) of a store entry or an unzipped export: safetensors only, no remote code."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    folder = Path(folder)
    model = AutoModelForSequenceClassification.from_pretrained(folder, use_safetensors=True, trust_remote_code=False)
    return model.eval(), AutoTokenizer.from_pretrained(folder, trust_remote_code=False)


def load_labeler_folder(path: Path | str) -> tuple[Any, Any, list[str], int]:
    """(model, tokenizer, labels, max length) from a model folder; DataError if it is not one."""
    folder = Path(path)
    folder = folder if folder.is_dir() else folder.parent
    if not (folder / LABELS_FILE).is_file() or not any(folder.glob("*.safetensors")):
        raise DataError(f"{path} is not a fine-tuned BERT folder (it needs safetensors weights and {LABELS_FILE}).")
    try:
        labels = json.loads((folder / LABELS_FILE).read_text())
        meta = json.loads((folder / "meta.json").read_text()) if (folder / "meta.json").is_file() else {}
        max_length = int(meta.get("config", {}).get("max_length", 128))
        model, tokenizer = load_folder(folder)
    except Exception as error:  # noqa: BLE001 - e.g. SafetensorError for a broken weights file: not a usable folder
        raise DataError(f"{folder} could not be loaded ({type(error).__name__}: {str(error)[:200]}).",
                        "model_folder_unloadable", name=str(folder), reason=f"{type(error).__name__}: {str(error)[:200]}") from None
    if not isinstance(labels, list):
        raise DataError(f"{folder / LABELS_FILE} is not a list of labels.")
    return model, tokenizer, [str(label) for label in labels], max_length
