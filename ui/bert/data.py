"""BERT labeling, data step: the text page's built-in sets, an uploaded table, or sentences typed
into an editable table; then class counts and the tokenizer's view of one sentence."""

from __future__ import annotations

import streamlit as st

from dl.bert.config import BUILTIN_MODEL
from dl.data.errors import DataError
from dl.text import data as text_data
from dl.text.data import TextDataset
from ui.errors import show_data_error
from ui.i18n import note_text, t
from ui.projects import remember_data
from ui.text.data import builtin_texts, uploaded_texts

TYPED, UPLOAD = "typed", "upload"
# Eight of each label: with fewer, the held-out fifth leaves five or six sentences to learn from and
# what the model learns depends on which ones the split took (measured: 8 sentences taught one of two
# label orders to call "a dull, tedious mess" positive).
ENGLISH_EXAMPLES = [
    "A moving, beautifully acted film.", "I loved every minute of it.", "Funny, warm and wonderfully written.",
    "A brilliant cast at the top of its game.", "An absolute joy from start to finish.", "Smart, gripping and full of heart.",
    "The best thing I have watched in years.", "A charming story, superbly told.",
    "Dull, predictable and far too long.", "I wanted my two hours back.", "The plot makes no sense at all.",
    "Badly acted and badly written.", "A tedious, lifeless bore.", "Awful dialogue and a silly ending.",
    "The worst script I have read in ages.", "A messy, stupid waste of a good cast.",
]
CHINESE_EXAMPLES = [
    "这部电影太感人了，演员演得真好。", "每一分钟我都很喜欢。", "幽默、温暖，写得很棒。", "演员阵容出色，发挥极佳。",
    "从头到尾都是享受。", "聪明、紧凑，又很有温度。", "这是我几年来看过最好的作品。", "故事迷人，讲得非常好。",
    "沉闷、老套，而且太长了。", "真想要回我的两个小时。", "情节完全说不通。", "演得很差，写得也很差。",
    "冗长乏味，毫无生气。", "台词糟糕，结尾也很傻。", "好久没见过这么烂的剧本了。", "一团糟，白白浪费了好演员。",
]
ENGLISH_TO_LABEL = "\n".join(ENGLISH_EXAMPLES[::8])  # the Label tab's first text: the first of each label
LABELS = {"en": ("positive", "negative"), "zh": ("正面", "负面")}


def example_rows(language: str, model: str) -> list[dict[str, str]]:
    """Sixteen typed sentences, eight of each label, labels in the page's language.

    The built-in MiniLM reads English only (two thirds of a Chinese sentence's word pieces are
    [UNK] to it, and fine-tuning stays near chance), so it always gets the English sentences; a
    Hugging Face model chosen on the Chinese page gets the Chinese ones."""
    texts = CHINESE_EXAMPLES if language == "zh" and model != BUILTIN_MODEL else ENGLISH_EXAMPLES
    positive, negative = LABELS.get(language, LABELS["en"])
    return [{"sentence": text, "label": positive if index < len(texts) // 2 else negative} for index, text in enumerate(texts)]


@st.cache_resource(show_spinner=False, max_entries=2)
def tokenizer_for(model: str):
    from dl.bert.backbone import load_tokenizer

    return load_tokenizer(model)


def choose_sentences(language: str, model: str) -> TextDataset | None:
    sources = [TYPED, *text_data.builtin_names(), UPLOAD]
    labels = {name: t(f"bert_labeling.source_{name}") for name in sources}
    source = st.radio(t("bert_labeling.source"), sources, key="bert_source", format_func=labels.get)
    if source == UPLOAD:
        return uploaded_texts("bert")
    if source != TYPED:
        dataset = builtin_texts(source)
        st.caption(t(f"text_classification.citation_{source}"))
        remember_data("bert", dataset.fingerprint(), builtin=source)
        return dataset
    st.caption(t("bert_labeling.typed_help"))
    if language != "en" and model == BUILTIN_MODEL:
        st.caption(t("bert_labeling.typed_english_why"))
    rows = st.data_editor(example_rows(language, model), num_rows="dynamic", width="stretch",
                          key=f"bert_typed_{model == BUILTIN_MODEL}",  # the other model's sentences are another table
                          column_config={"sentence": st.column_config.TextColumn(t("bert_labeling.sentence"), width="large"),
                                         "label": st.column_config.TextColumn(t("bert_labeling.label"))})
    texts = [str(row.get("sentence") or "") for row in rows]
    row_labels = [str(row.get("label") or "").strip() for row in rows]
    try:
        return text_data.build_dataset(texts, row_labels, t("bert_labeling.typed_source"),
                                       skipped=sum(1 for text, label in zip(texts, row_labels, strict=True) if not label or not text.strip()))
    except DataError as error:
        show_data_error(error)
        return None


def show_sentences(dataset: TextDataset, model: str) -> None:
    """Counts, notes, and the tokenizer's word pieces for one sentence (its [UNK] share is the doctor's)."""
    counts = dataset.class_counts()
    cells = st.columns(3)
    cells[0].metric(t("bert_labeling.sentences"), f"{len(dataset.texts):,}")
    cells[1].metric(t("bert_labeling.labels"), dataset.num_classes)
    smallest = min(counts, key=counts.get)
    cells[2].metric(t("bert_labeling.smallest_label"), f"{counts[smallest]:,}", help=smallest)
    st.caption(t("bert_labeling.per_label_line", counts=" · ".join(f"{name} {count:,}" for name, count in counts.items())))
    for note in dataset.notes:
        st.info(note_text(note))
    try:
        tokenizer = tokenizer_for(model)
    except DataError as error:
        show_data_error(error)
        return
    sample = dataset.texts[0]
    encoded = tokenizer(sample, add_special_tokens=True)["input_ids"]
    with st.expander(t("bert_labeling.tokenizer_view"), expanded=False):
        st.markdown(f"**{sample[:200]}**")
        st.code(" · ".join(f"{piece} ({index})" for piece, index in zip(tokenizer.convert_ids_to_tokens(encoded), encoded, strict=True)),
                language=None)
