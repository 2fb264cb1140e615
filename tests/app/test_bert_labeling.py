"""AppTest: the BERT labeling page. Fine-tune the built-in MiniLM on the sixteen typed example
sentences with the page's few-shot defaults, then label eight new sentences: clearly positive ones
must come out positive and clearly negative ones negative (an untrained head, which leans to one
label, fails this), with an attribution view and two downloads (the fine-tuned model and the
frozen-encoder baseline); in both languages. An unknown model id
offline and a one-label table each show an error box, never a traceback."""

from __future__ import annotations

import numpy as np
import pytest
from apptest_utils import chart_specs, english_on_page, open_page, plotly_array, run_until, show_tab

from ui.bert.data import ENGLISH_EXAMPLES

PAGE = "bert_labeling"
RESULTS, INSIDE, LABEL, EXPORT = 1, 2, 3, 4  # tab positions; only the open tab (and Data) runs
TEXT = {"en": {"title": "BERT sentence labeling", "trained": "held-out accuracy", "labels": ("positive", "negative")},
        "zh": {"title": "BERT 句子标注", "trained": "留出集准确率", "labels": ("正面", "负面")}}
# New sentences, none of them among those the model is fine-tuned on.
POSITIVE = ["I loved it, a wonderful film.", "A delightful, beautifully made movie.", "Great acting and a brilliant story.",
            "One of the best films I have seen this year."]
NEGATIVE = ["Boring and badly written.", "A dull, tedious mess.", "Terrible acting and a stupid plot.", "The worst film I have seen this year."]


def attention_charts(app) -> tuple[np.ndarray, list, list]:
    """The Inside tab's layer x head change map, and the arcs (x, y of every trace) after and before fine-tuning."""
    specs = chart_specs(app)
    change = next(plotly_array(spec["data"][0]["z"]) for spec in specs if spec["data"] and spec["data"][0]["type"] == "heatmap")
    arcs = [[(list(plotly_array(trace["x"])), list(plotly_array(trace["y"]))) for trace in spec["data"]]
            for spec in specs if spec["data"] and spec["data"][0]["type"] == "scatter"]
    return change, arcs[0], arcs[1]


def right_labels(table, positive: str, negative: str) -> tuple[int, int]:
    """How many of POSITIVE and of NEGATIVE got their label (the table's rows are in typed order)."""
    labels = list(table.iloc[:, 1])
    return (sum(label == positive for label in labels[:len(POSITIVE)]),
            sum(label == negative for label in labels[len(POSITIVE):]))


@pytest.mark.parametrize("language", ["en", "zh"])
def test_fine_tune_on_typed_sentences_and_label(language):
    app = open_page(PAGE, language)
    assert not app.exception and TEXT[language]["title"] in app.title[0].value
    assert [metric.value for metric in app.metric][:3] == ["16", "2", "8"]  # the editable table: eight sentences of each label
    assert all(len(metric.value) <= 12 for metric in app.metric)  # a metric cut with '…' hid label counts (issue 24.12)
    if language == "zh":  # the offline MiniLM reads English: English examples, and the page says why
        assert any("只认识英文" in caption.value for caption in app.caption)
    assert app.slider(key="bert_epochs_few_shot").value == 10  # the few-shot default: enough updates to learn from sixteen
    app.button(key="bert_train").click().run()
    run_until(app, lambda page: any(TEXT[language]["trained"] in box.value for box in page.success))
    assert not app.exception
    caution = {"en": "Only 4 held-out examples", "zh": "只有 4 个留出样本"}[language]  # a '100 %' on 4 sentences is no headline
    assert any(caution in box.value for box in app.warning), [box.value for box in app.warning]
    if language == "zh":  # no English but names and the (English) example sentences (issue 24.6)
        for tab in range(len(app.tabs)):
            assert english_on_page(show_tab(app, tab, PAGE), ENGLISH_EXAMPLES) == [], app.tabs[tab].label
    show_tab(app, RESULTS, PAGE)
    comparison = next(table.value for table in app.dataframe if len(table.value) == 4)  # + the majority label
    assert comparison.iloc[:, 1].between(0, 100).all() and comparison.iloc[3, 1] == 50.0  # accuracy first, in percent

    show_tab(app, INSIDE, PAGE)  # attention: which heads fine-tuning moved, one head before and after (issue 25.3)
    change, tuned_arcs, pretrained_arcs = attention_charts(app)
    assert change.shape == (6, 12) and change.max() > 0, change  # MiniLM-L6: 6 layers of 12 heads; fine-tuning moved some
    assert tuned_arcs != pretrained_arcs  # the chosen head (the most moved) draws differently before and after
    layer, head = np.unravel_index(change.argmax(), change.shape)
    assert (app.selectbox(key="bert_inside_layer").value, app.selectbox(key="bert_inside_head").value) == (layer, head)
    app.selectbox(key="bert_inside_head").set_value((head + 1) % 12).run()
    assert attention_charts(app)[1] != tuned_arcs  # another head, other arcs

    show_tab(app, LABEL, PAGE)
    app.text_area(key="bert_predict_input").set_value("\n".join(POSITIVE + NEGATIVE)).run()
    labelled = next(table.value for table in app.dataframe if len(table.value) == 8 and table.value.shape[1] == 3)
    assert list(labelled.iloc[:, 0]) == POSITIVE + NEGATIVE
    right_positive, right_negative = right_labels(labelled, *TEXT[language]["labels"])
    assert right_positive >= 3 and right_negative >= 3, labelled  # most of each side right: a one-label head fails
    assert any("<span" in element.proto.body for element in app.get("html"))  # word-piece attributions
    # two models to take away: the fine-tuned folder and the frozen-encoder + logistic-regression baseline
    downloads = show_tab(app, EXPORT, PAGE).get("download_button")
    baseline_label = {"en": "Download the baseline", "zh": "下载基线模型"}[language]
    assert len(downloads) == 2 and sum(baseline_label in button.label for button in downloads) == 1, [b.label for b in downloads]
    baseline_title = {"en": "frozen minilm + logistic-regression baseline", "zh": "冻结的 minilm + 逻辑回归基线"}[language]
    assert any(baseline_title in header.value for header in app.subheader), [header.value for header in app.subheader]


def test_unknown_model_id_offline_says_so():
    app = open_page(PAGE, "en")
    app.radio(key="bert_model_kind").set_value("online").run()
    app.text_input(key="bert_model_id").set_value("no-such-user/no-such-model-xyz").run()
    assert not app.exception
    errors = " ".join(box.value for box in app.error)
    assert "could not be loaded" in errors and "minilm" in errors


def test_one_label_table_shows_an_error_box():
    app = open_page(PAGE, "en")
    app.radio(key="bert_source").set_value("upload").run()
    app.file_uploader(key="bert_file").set_value(("one.csv", b"text,label\n" + b"".join(b"sentence %d,same\n" % i for i in range(9)),
                                                  "text/csv")).run()
    assert not app.exception and any("one class" in box.value for box in app.error)


def test_few_shot_settings_do_not_follow_the_user_to_a_large_set():
    """Sixteen typed sentences train 10 epochs of 2; after switching to Rotten Tomatoes the settings
    are that set's defaults (3 epochs of 16), not a 20-minute few-shot run over 600 reviews."""
    app = open_page(PAGE, "en")
    assert app.slider(key="bert_epochs_few_shot").value == 10 and app.select_slider(key="bert_batch_few_shot").value == 2
    app.radio(key="bert_source").set_value("rotten_tomatoes").run()
    assert not app.exception
    assert app.slider(key="bert_epochs").value == 3 and app.select_slider(key="bert_batch").value == 16


def test_data_doctor_on_an_uploaded_table_and_its_fixes():
    """40 positive and 8 negative reviews, one typed twice: the doctor says the labels are unequal
    (class weights on by "auto"), that a review repeats, and that MiniLM reads the texts (the
    unknown-piece share, now the doctor's); dropping the copy changes the sentences fine-tuning
    uses, and with class weights turned off its fix turns them back on."""
    texts = [f"Review {index}: a warm and {word} film." for index, word in
             enumerate(["lovely", "moving", "charming", "superb", "bright"] * 8)]
    texts += [f"Review {index}: a {word} and tedious film." for index, word in enumerate(["dull", "boring"] * 4, start=40)]
    labels = ["positive"] * 40 + ["negative"] * 8
    rows = [*zip(texts, labels, strict=True), ("Great movie!", "positive"), ("great movie", "positive")]
    table = "text,label\n" + "".join(f"{text},{label}\n" for text, label in rows)
    app = open_page(PAGE, "en")
    app.radio(key="bert_source").set_value("upload").run()
    app.file_uploader(key="bert_file").set_value(("reviews.csv", table.encode(), "text/csv")).run()
    assert not app.exception and app.metric[0].value == "50"

    def doctor() -> str:
        return " ".join(block.value for block in app.markdown)

    assert "Class weights are on" in doctor() and "repeat another text" in doctor()
    assert "The tokenizer of minilm reads these texts: 0.0% unknown" in doctor()
    app.button(key="bert_fix_drop_near_duplicates").click().run()
    assert app.metric[0].value == "49" and "repeat another text" not in doctor()
    assert any("Keep one of each repeated text" in box.value and "49 examples left" in box.value for box in app.info)

    app.radio(key="bert_class_weights").set_value("off").run()
    assert "The classes are unbalanced" in doctor() and "Class weights are on" not in doctor()
    app.button(key="bert_fix_class_weights").click().run()
    assert app.radio(key="bert_class_weights").value == "on" and "Class weights are on" in doctor()


def results_page(metrics: dict, kept: bool) -> None:
    """The Results tab alone, for a model with these metrics (no training: the numbers are set)."""
    from pathlib import Path
    from types import SimpleNamespace

    from ui.bert.results import render_results_tab

    render_results_tab(SimpleNamespace(metrics=metrics, meta={}, history=[], class_names=["positive", "negative"],
                                       has_baseline=kept, path=Path(".")))


@pytest.mark.parametrize(("language", "imbalanced", "kept"), [("en", False, True), ("zh", True, False)])
def test_results_say_first_when_the_frozen_baseline_beat_fine_tuning(language, imbalanced, kept):
    """The frozen encoder + logistic regression scored better on the headline metric (accuracy; macro F1 on
    unequal labels): the tab's first element says so in the page's language, then where to export it
    (or, for a model stored before the baseline was kept, to train again); no such line when fine-tuning won."""
    from streamlit.testing.v1 import AppTest

    def metrics(probe_accuracy: float, probe_f1: float) -> dict:
        return {"accuracy": 0.80, "macro_f1": 0.60, "imbalanced": imbalanced, "test_size": 100, "fit_seconds": 9,
                "confusion_matrix": [[40, 10], [10, 40]],
                "baselines": {"frozen_logistic_regression": {"accuracy": probe_accuracy, "macro_f1": probe_f1},
                              "nearest_centroid": {"accuracy": 0.7, "macro_f1": 0.6}, "majority": {"accuracy": 0.5, "macro_f1": 0.33}}}

    won = metrics(0.79, 0.75) if imbalanced else metrics(0.85, 0.50)  # ahead on the headline metric only
    app = AppTest.from_function(results_page, args=(won, kept), default_timeout=60)
    app.session_state["language"] = language
    app.query_params["lang"] = language
    app.run()
    assert not app.exception
    first = app.main.children[0]
    expected = {("en", True): ["The simple baseline did better", "85.0%", "80.0%", "Export tab"],
                ("zh", False): ["简单基线更好", "0.750", "0.600", "重新训练"]}[language, kept]
    assert first.type == "warning" and all(words in first.value for words in expected), first.value
    lost = metrics(0.80, 0.60)  # level, or behind: nothing to say
    app = AppTest.from_function(results_page, args=(lost, kept), default_timeout=60)
    app.query_params["lang"] = language
    app.run()
    assert not app.exception and not app.warning
