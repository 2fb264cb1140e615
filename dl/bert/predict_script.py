"""Label sentences with an exported fine-tuned BERT.

    pip install "torch>=2.4" "transformers>=5"
    python predict.py "What a wonderful film" "Boring and far too long"
    python predict.py --file sentences.txt          # one sentence per line

Prints one JSON line per sentence: text, label, probability. Loads model.safetensors only
(use_safetensors=True) and never remote code (trust_remote_code=False).
"""

import argparse
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv=None):
    parser = argparse.ArgumentParser(description="Label sentences with the exported model.")
    parser.add_argument("texts", nargs="*")
    parser.add_argument("--file", help="a UTF-8 file with one sentence per line")
    args = parser.parse_args(argv)
    texts = list(args.texts)
    if args.file:
        texts += [line for line in Path(args.file).read_text(encoding="utf-8").splitlines() if line.strip()]
    if not texts:
        parser.error("give sentences or --file")
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    model = AutoModelForSequenceClassification.from_pretrained(HERE, use_safetensors=True, trust_remote_code=False).eval()
    tokenizer = AutoTokenizer.from_pretrained(HERE, trust_remote_code=False)
    labels = json.loads((HERE / "labels.json").read_text(encoding="utf-8"))
    settings = json.loads((HERE / "meta.json").read_text()).get("config", {}) if (HERE / "meta.json").is_file() else {}
    with torch.no_grad():
        for start in range(0, len(texts), 64):
            batch = texts[start:start + 64]
            encoded = tokenizer(batch, truncation=True, max_length=int(settings.get("max_length", 128)), padding=True,
                                return_tensors="pt")
            for text, row in zip(batch, torch.softmax(model(**encoded).logits, dim=-1)):
                best = int(row.argmax())
                print(json.dumps({"text": text, "label": labels[best], "probability": round(float(row[best]), 4)},
                                 ensure_ascii=False))


if __name__ == "__main__":
    main()
