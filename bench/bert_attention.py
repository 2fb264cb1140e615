"""BERT attention view (issue 25.3): time to compute one typed sentence's attention in every layer and head
of the fine-tuned model and of the pretrained encoder, and to build the page's figures, after both are loaded.

The timing does not depend on the weights' values, so the classifier is MiniLM with a fresh two-label head
(what fine-tuning starts from). Prints JSON: median and slowest milliseconds over 20 Rotten Tomatoes
sentences, the median's word pieces, and peak RSS.
    python bench/bert_attention.py
"""

import json
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from dl.bert.attention import sentence_attention  # noqa: E402
from dl.bert.backbone import load_classifier, load_encoder, load_tokenizer  # noqa: E402
from dl.text.data import load_builtin  # noqa: E402
from ui.bert.inside import arcs_figure, change_figure  # noqa: E402

SENTENCES = 20


def main() -> None:
    tuned, encoder, tokenizer = load_classifier("minilm", ["negative", "positive"]), load_encoder("minilm"), load_tokenizer("minilm")
    texts = load_builtin("rotten_tomatoes").texts[:SENTENCES]
    sentence_attention(tuned, encoder, tokenizer, texts[0], 64)  # warm-up: the first eager pass allocates
    timings, pieces = [], []
    for text in texts:
        started = time.perf_counter()
        attention = sentence_attention(tuned, encoder, tokenizer, text, 64)
        layer, head = attention.most_changed_head()
        change_figure(attention)
        arcs_figure(attention.pieces, attention.tuned[layer, head], "after")
        arcs_figure(attention.pieces, attention.pretrained[layer, head], "before")
        timings.append(1000 * (time.perf_counter() - started))
        pieces.append(len(attention.pieces))
    order = sorted(range(SENTENCES), key=timings.__getitem__)
    print(json.dumps({
        "benchmark": "bert_attention", "sentences": SENTENCES, "cpu_cores": os.cpu_count(),
        "median_ms": round(timings[order[SENTENCES // 2]], 1), "slowest_ms": round(max(timings), 1),
        "median_word_pieces": pieces[order[SENTENCES // 2]], "most_word_pieces": max(pieces),
        "load_average": round(os.getloadavg()[0], 1),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }, indent=2))


if __name__ == "__main__":
    main()
