"""BERT labeling, data step: the text page's built-in sets, an uploaded table, or sentences typed
into an editable table; then class counts and the tokenizer's view of one sentence."""

from __future__ import annotations

import streamlit as st

from dl.data.errors import DataError
from dl.text import data as text_data
from dl.text.data import TextDataset
from ui.errors import show_data_error
from ui.i18n import t
from ui.text.data import builtin_texts, uploaded_texts

TYPED, UPLOAD = "typed", "upload"
EXAMPLES = {
    "en": [("A moving, beautifully acted film.", "positive"), ("I loved every minute of it.", "positive"),
           ("Funny, warm and wonderfully written.", "positive"), ("A brilliant cast at the top of its game.", "positive"),
           ("Dull, predictable and far too long.", "negative"), ("I wanted my two hours back.", "negative"),
           ("The plot makes no sense at all.", "negative"), ("Badly acted and badly written.", "negative")],
    "zh": [("这部电影太感人了，演员演得真好。", "正面"), ("每一分钟我都很喜欢。", "正面"), ("幽默、温暖，写得很棒。", "正面"),
           ("演员阵容出色，发挥极佳。", "正面"), ("沉闷、老套，而且太长了。", "负面"), ("真想要回我的两个小时。", "负面"),
           ("情节完全说不通。", "负面"), ("演得很差，写得也很差。", "负面")],
}


@st.cache_resource(show_spinner=False, max_entries=2)
def tokenizer_for(model: str):
    from dl.bert.backbone import load_tokenizer

    return load_tokenizer(model)


def choose_sentences(language: str) -> TextDataset | None:
    sources = [TYPED, *text_data.builtin_names(), UPLOAD]
    labels = {name: t(f"bert_labeling.source_{name}") for name in sources}
    source = st.radio(t("bert_labeling.source"), sources, key="bert_source", format_func=labels.get)
    if source == UPLOAD:
        return uploaded_texts("bert")
    if source != TYPED:
        dataset = builtin_texts(source)
        st.caption(dataset.citation)
        return dataset
    st.caption(t("bert_labeling.typed_help"))
    rows = st.data_editor([{"sentence": text, "label": label} for text, label in EXAMPLES.get(language, EXAMPLES["en"])],
                          num_rows="dynamic", width="stretch", key="bert_typed",
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
    """Counts, notes, and the tokenizer's word pieces for one sentence (with the [UNK] share)."""
    counts = dataset.class_counts()
    cells = st.columns(3)
    cells[0].metric(t("bert_labeling.sentences"), f"{len(dataset.texts):,}")
    cells[1].metric(t("bert_labeling.labels"), dataset.num_classes)
    cells[2].metric(t("bert_labeling.per_label"), " · ".join(f"{name} {count:,}" for name, count in counts.items())[:60])
    for note in dataset.notes:
        st.info(note)
    try:
        tokenizer = tokenizer_for(model)
    except DataError as error:
        show_data_error(error)
        return
    from dl.bert.backbone import unknown_share

    sample = dataset.texts[0]
    encoded = tokenizer(sample, add_special_tokens=True)["input_ids"]
    with st.expander(t("bert_labeling.tokenizer_view"), expanded=False):
        st.markdown(f"**{sample[:200]}**")
        st.code(" · ".join(f"{piece} ({index})" for piece, index in zip(tokenizer.convert_ids_to_tokens(encoded), encoded, strict=True)),
                language=None)
    share = unknown_share(tokenizer, dataset.texts[:300])
    if share > 0.05:
        st.warning(t("bert_labeling.many_unknown", share=share * 100))
    else:
        st.caption(t("bert_labeling.unknown_share", share=share * 100))
