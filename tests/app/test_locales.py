"""Every string exists in both languages, and every key the code asks for exists."""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ROOT / "locales"


def load(language):
    strings = {}
    for file in sorted((LOCALES / language).glob("*.json")):
        for name, text in json.loads(file.read_text(encoding="utf-8")).items():
            strings[f"{file.stem}.{name}"] = text
    return strings


def test_both_languages_have_the_same_files_and_keys():
    english, chinese = load("en"), load("zh")
    assert sorted(p.name for p in (LOCALES / "en").glob("*.json")) == sorted(p.name for p in (LOCALES / "zh").glob("*.json"))
    assert sorted(set(english) - set(chinese)) == [], "missing in zh"
    assert sorted(set(chinese) - set(english)) == [], "missing in en"


def test_no_empty_strings_and_same_placeholders():
    english, chinese = load("en"), load("zh")
    placeholder = re.compile(r"\{(\w+)")
    for key, text in english.items():
        assert text.strip() and chinese[key].strip(), key
        assert sorted(set(placeholder.findall(text))) == sorted(set(placeholder.findall(chinese[key]))), key


def test_chinese_strings_are_translated():
    english, chinese = load("en"), load("zh")
    has_cjk = re.compile(r"[\u4e00-\u9fff]")
    untranslated = [key for key, text in chinese.items() if len(english[key]) > 25 and not has_cjk.search(text)]
    assert untranslated == []


@pytest.mark.parametrize("folder", ["pages", "ui", "streamlit_app.py"])
def test_every_literal_key_used_in_code_exists(folder):
    english = load("en")
    target = ROOT / folder
    files = [target] if target.is_file() else sorted(target.rglob("*.py"))
    used = set()
    for file in files:
        used |= set(re.findall(r"""\bt\(\s*["']([\w]+\.[\w]+)["']""", file.read_text(encoding="utf-8")))
    assert sorted(key for key in used if key not in english) == []
