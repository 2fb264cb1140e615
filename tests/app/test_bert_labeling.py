"""AppTest: the BERT labeling page. Fine-tune the built-in MiniLM on eight typed sentences for one
epoch, label two new sentences with an attribution view, download the model; an unknown model id
offline and a one-label table each show an error box, never a traceback."""

from __future__ import annotations

import pytest
from apptest_utils import open_page, run_until, show_tab

PAGE = "bert_labeling"
RESULTS, LABEL, EXPORT = 1, 2, 3  # tab positions; only the open tab (and Data) runs
TEXT = {"en": {"title": "BERT sentence labeling", "trained": "held-out accuracy"},
        "zh": {"title": "BERT 句子标注", "trained": "留出集准确率"}}


@pytest.mark.parametrize("language", ["en", "zh"])
def test_fine_tune_on_typed_sentences_and_label(language):
    app = open_page(PAGE, language)
    assert not app.exception and TEXT[language]["title"] in app.title[0].value
    assert [metric.value for metric in app.metric][:2] == ["8", "2"]  # the editable table's eight sentences, two labels
    app.slider(key="bert_epochs").set_value(1).run()
    app.button(key="bert_train").click().run()
    run_until(app, lambda page: any(TEXT[language]["trained"] in box.value for box in page.success))
    assert not app.exception
    show_tab(app, RESULTS, PAGE)
    comparison = next(table.value for table in app.dataframe if len(table.value) == 3)
    assert comparison.iloc[:, 1].between(0, 1).all()

    show_tab(app, LABEL, PAGE)
    app.text_area(key="bert_predict_input").set_value("I loved it, a wonderful film.\nBoring and badly written.").run()
    labelled = next(table.value for table in app.dataframe if len(table.value) == 2 and table.value.shape[1] == 3)
    assert labelled.iloc[:, 2].between(0.5, 1.0).all()
    assert any("<span" in element.proto.body for element in app.get("html"))  # word-piece attributions
    assert show_tab(app, EXPORT, PAGE).get("download_button")


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
