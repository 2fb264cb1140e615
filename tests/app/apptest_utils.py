"""Helpers for AppTest page tests. Import as ``from apptest_utils import open_page, APP, TIMEOUT``
(a plain module, not conftest: several conftest modules share that name)."""

import base64
import json
import re
import time
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "streamlit_app.py")
TIMEOUT = 120  # anything that imports TensorFlow needs far more than AppTest's 3 s default


def open_page(page: str, language: str = "en") -> AppTest:
    """Run the app on ``app_pages/<page>.py`` in ``language`` and return the AppTest after that run."""
    app = AppTest.from_file(APP, default_timeout=TIMEOUT)
    app.query_params["lang"] = language
    app.run()
    if page != "home":
        app.switch_page(f"app_pages/{page}.py").run()
    return app


def chart_specs(app) -> list[dict]:
    """The page's plotly figures, decoded (plotly may write non-ASCII text as \\uXXXX escapes)."""
    return [json.loads(chart.proto.spec) for chart in app.get("plotly_chart")]


def plotly_array(value) -> np.ndarray:
    """A trace's data array: a plain list, or plotly's typed array ({"dtype", "bdata", "shape"})."""
    if isinstance(value, dict) and "bdata" in value:
        flat = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        shape = [int(size) for size in str(value.get("shape", len(flat))).split(",")]
        return flat.reshape(shape).astype(np.float64 if flat.dtype.kind == "f" else np.int64)
    return np.asarray(value)


def run_until(app, condition, seconds: float = 240) -> None:
    """Rerun the page until ``condition(app)``: a job's fragment does not tick inside AppTest."""
    deadline = time.time() + seconds
    while not condition(app):
        assert time.time() < deadline, "timed out waiting for the page"
        assert not app.exception, app.exception
        time.sleep(1.0)
        app.run()


def show_tab(app: AppTest, index: int, page: str = "concepts") -> AppTest:
    """Open tab ``index`` of a page's lazy tabs (``ui.tabs.lazy_tabs``) and rerun.

    AppTest cannot click a tab; the tabs' widget state holds the selected label, so set that, and
    the URL parameter the tabs are bound to (a browser's address follows a click; AppTest's does
    not, and a stale one would win). Only the open tab (and a training page's Data tab) has
    content afterwards.
    """
    label = app.tabs[index].label
    app.session_state[f"{page}_tab"] = label
    app.query_params[f"{page}_tab"] = label
    return app.run()


# --- English left on a Chinese page (issue 24.6) -------------------------------------------------
# Names that stay as they are in Chinese text: models, libraries, data sets, file types, units and
# the usual abbreviations of the field. Anything else in Latin letters on a 简体中文 page is a leak,
# unless it comes from the user's data (``data_texts``: the texts, labels and titles shown).
ALLOWED_ENGLISH = {word.lower() for word in """
    adam adamw apache auc bert cased chinese cnn cpu csv dense dropout efficientnet embedding f1 fasttext
    flatten gib gpu grad-cam grouplens harper hugging face idf imagenet jpeg jpg json keras kessler konstan
    lite lstm mae mib minilm mlp mnist movielens multilingual ndcg png predict.py pytorch relu rmse rmsprop
    rnn scattertext sgd sigmoid sklearn snownlp softmax streamlit tanh tensorflow tf-idf tiis torch
    transformers tsv uncased unk xlsx zip base all acm gelu mf mse lr lrs hub id ids nan inf
    acm datasets history context tfidf bias n-gram gram l2 l1 batchnorm he xavier glorot bfloat float
    mit apache-2.0 jieba numpy kib mb gb kb ms pip install python avgpool bilstm db bert-base bert-base-chinese
    bert-base-multilingual-cased elu leaky linear hinge huber adagrad nesterov rosenbrock beale lasso xor gan vae
    svm kaiming simplernn gradienttape micrograd logit momentum scikit-learn sin round scale vs pi zi zj dot
    efficientnet-lite clipnorm clipvalue rgb rgba webp bmp gif tiff fold-in biased neural litert
""".split()}
FILE_NAME = re.compile(r"[\w.-]+\.(json|py|md|keras|csv|tsv|zip|txt|safetensors|png|jpg|npz)", re.I)
SKIPPED_FIELDS = {"query_param_key", "language", "icon", "id", "key", "form_id", "type", "format", "url", "default",
                  "value", "data", "theme", "element_id", "fragment_id", "arrow_data", "styler", "spec", "file_name",
                  "mime", "placeholder_html", "page"}
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'’.\-]*[A-Za-z0-9]")
NOT_PROSE = re.compile(r"`[^`]*`|https?://\S+|^    .*$|“[^”]*”|\b[0-9a-f]{16,}\b|\b\w+_\w+\b|--[\w-]+", re.M)  # code,
# links, indented code, quoted examples and titles, hashes, identifiers such as text_classification, options


def shown_strings(app) -> list[str]:
    """Every string the page shows: labels, help, markdown, options, metrics, table column names, and
    the titles, axes, legends and notes of its charts (table cells are data, left out)."""
    from google.protobuf.message import Message

    found: list[str] = []

    def strings_of(message: Message) -> None:
        for field, value in message.ListFields():
            if field.name in SKIPPED_FIELDS:
                continue
            values = value if field.is_repeated else [value]
            if field.type == field.TYPE_STRING:
                found.extend(values)
            elif field.type == field.TYPE_MESSAGE:
                for item in values:
                    strings_of(item)

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if isinstance(proto, Message):
            if node.type == "plotly_chart":
                found.extend(_chart_strings(json.loads(proto.spec)))
            elif node.type in ("arrow_data_frame", "dataframe", "table"):
                found.extend(_column_titles(node))
            elif node.type == "html":  # words between tags only: no style rules, no attributes
                found.append(re.sub(r"<style.*?</style>|<[^>]*>", " ", proto.body, flags=re.S))
            elif node.type != "code":  # code blocks show data (a text's tokens) or commands
                strings_of(proto)
        for child in (getattr(node, "children", None) or {}).values():
            walk(child)

    walk(app._tree)
    return found


def _column_titles(node) -> list[str]:
    """A table's shown column titles: a column_config label where one is given, else the column's name."""
    config = json.loads(getattr(node.proto, "columns", "") or "{}")
    return [str((config.get(str(column)) or {}).get("label") or column) for column in node.value.columns]


def _chart_strings(spec: dict) -> list[str]:
    def text(title) -> str:
        return (title.get("text") or "") if isinstance(title, dict) else str(title or "")

    layout = spec.get("layout", {})
    found = [trace["name"] for trace in spec.get("data", []) if isinstance(trace.get("name"), str)]
    found += [text(value["title"]) for value in layout.values() if isinstance(value, dict) and value.get("title")]
    found += [text(layout.get("title"))] + [note.get("text", "") for note in layout.get("annotations", [])]
    return found


def english_on_page(app, data_texts: list[str] = ()) -> list[str]:
    """Latin-letter words on the page that are neither allowed names nor words of the shown data."""
    data_words = {word.lower() for text in data_texts for word in LATIN_WORD.findall(str(text))}
    leaks = []
    for shown in shown_strings(app):
        if shown in ("🌐 Language / 语言", "English"):  # the language picker names both languages on purpose
            continue
        for word in LATIN_WORD.findall(NOT_PROSE.sub(" ", FILE_NAME.sub(" ", shown))):
            lowered = word.lower()
            if lowered not in ALLOWED_ENGLISH and lowered not in data_words and not re.search(r"\d", lowered):  # a digit: a name
                leaks.append(f"{word}  ← {shown[:90]}")
    return sorted(set(leaks))
