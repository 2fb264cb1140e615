"""Text datasets: the three built-in sets, uploaded tables in several formats and encodings,
de-duplication, and a DataError naming the problem for every bad table."""

import io
import json

import numpy as np
import pytest

from dl.data import DataError
from dl.text.data import TextDataset, build_dataset, load_builtin, read_text_file
from dl.text.tokens import EMPTY, prepare_text, tokens


def test_builtin_sets_ship_offline_and_are_deduplicated():
    rotten = load_builtin("rotten_tomatoes")
    assert rotten.class_names == ["fresh", "rotten"] and 12_000 < len(rotten.texts) < 12_808 and not rotten.chinese
    foods = load_builtin("fine_foods")
    assert foods.class_names == ["great", "other"] and 4_900 < len(foods.texts) <= 5_000
    assert not any("<br" in text for text in foods.texts[:500])
    chinese = load_builtin("chinese_reviews")
    assert chinese.chinese and chinese.class_names == ["negative", "positive"]
    assert 17_000 < len(chinese.texts) < 17_500 and chinese.duplicates > 17_000 and chinese.conflicts > 0
    assert len(set(chinese.texts)) == len(chinese.texts)


def test_duplicates_and_conflicting_labels_are_removed_and_counted():
    dataset = build_dataset(["good", "good", "bad", "meh", "meh", "fine", "awful"],
                            ["pos", "pos", "neg", "pos", "neg", "pos", "neg"], "tiny")
    assert dataset.texts == ["good", "bad", "fine", "awful"] and dataset.duplicates == 2 and dataset.conflicts == 1
    assert any("duplicate" in note for note in dataset.notes) and any("two different labels" in note for note in dataset.notes)


def table_rows(count=12):
    return [{"评论": f"第{index}条 {'很好看' if index % 2 else '太难看'} review {index}", "星级": "5" if index % 2 else "1",
             "id": str(index)} for index in range(count)]


@pytest.mark.parametrize("name, encode", [
    ("reviews.csv", lambda rows: ("评论,星级,id\n" + "".join(f"{r['评论']},{r['星级']},{r['id']}\n" for r in rows)).encode("gbk")),
    ("reviews.tsv", lambda rows: ("评论\t星级\tid\n" + "".join(f"{r['评论']}\t{r['星级']}\t{r['id']}\n" for r in rows)).encode("utf-16")),
    ("reviews.jsonl", lambda rows: "\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode()),
    ("reviews.xlsx", None),
])
def test_uploaded_tables_in_any_format_with_guessed_columns(name, encode):
    rows = table_rows()
    if encode is None:
        import pandas as pd

        buffer = io.BytesIO()
        pd.DataFrame(rows).to_excel(buffer, index=False)
        content = buffer.getvalue()
    else:
        content = encode(rows)
    dataset = read_text_file(content, name)
    assert dataset.class_names == ["1", "5"] and len(dataset.texts) == 12 and dataset.chinese


@pytest.mark.parametrize("content, message", [
    (b"", "is empty"),
    (b"text\nonly one column\n", "needs a text column and a label column"),
    (b"text,label\na,x\nb,x\nc,x\n", "one class"),
    (b"text,label\na,x\nb,x\nc,y\n", "only 1 distinct text"),
    (b'{"text": "a", "label": 1}\nnot json\n', "line 2 is not a JSON object"),
    (b"\x00\x01binary\x00" * 100, "could not be read|binary"),
])
def test_bad_tables_raise_data_errors_that_name_the_problem(content, message):
    name = "bad.jsonl" if b'{"text"' in content else "bad.csv"
    with pytest.raises(DataError, match=message):
        read_text_file(content, name)


def test_named_columns_must_exist():
    with pytest.raises(DataError, match="no column 'review'"):
        read_text_file(b"text,label\na,x\nb,x\nc,y\nd,y\n", "t.csv", text_column="review")


def test_tokens_split_chinese_into_characters_and_drop_punctuation():
    assert prepare_text("Great movie，好看！") == "great movie 好 看"
    assert tokens("Not GOOD... at all!") == ["not", "good", "at", "all"]
    assert prepare_text("！！👍") == EMPTY  # nothing left: one placeholder token, never an empty text


def test_notes_carry_a_code_and_count_in_both_languages():
    """'1 texts' in English and English on the Chinese page (issue 24.6): a note is a code plus values."""
    from pathlib import Path

    from dl.notes import ENGLISH

    dataset = build_dataset(["same", "same", "kept", "other", "solo", "solo", "twin"], ["a", "a", "a", "b", "a", "b", "b"],
                            "t.csv", skipped=1)
    by_code = {note.code: note for note in dataset.notes}
    assert by_code.keys() == {"text_duplicates_removed", "text_conflicts_removed_one", "rows_skipped_one"}
    assert by_code["text_duplicates_removed"].startswith("2 exact duplicate texts were removed")  # a repeat under another label too
    assert by_code["text_conflicts_removed_one"] == "1 text carried two different labels and was left out."
    assert by_code["rows_skipped_one"] == "1 row without a text or a label was skipped."
    locales = Path(__file__).resolve().parents[2] / "locales"
    for language in ("en", "zh"):
        strings = json.loads((locales / language / "notes.json").read_text(encoding="utf-8"))
        assert strings.keys() == ENGLISH.keys(), language
    assert json.loads((locales / "en" / "notes.json").read_text(encoding="utf-8")) == ENGLISH


def test_one_rule_says_what_is_chinese_for_a_text_and_for_a_set():
    """``mostly_chinese`` serves both the text page (a set read by character) and the data doctor
    (each text, for the mixed-languages finding): over 30 % of the letters CJK."""
    from dl.text.data import mostly_chinese

    assert mostly_chinese("这部电影很好看，Tom Hanks 演得好")  # English names inside a Chinese review
    assert not mostly_chinese("A great film, 好")  # one character in an English sentence
    assert not mostly_chinese("2024 ... !!!")  # no letters at all
    mixed = TextDataset(["这部电影很好看"] * 3 + ["A great film"] * 7, np.array([0, 1] * 5), ["a", "b"], "mixed")
    assert mixed.chinese is False  # the set's sample: 21 CJK characters of 91 letters
