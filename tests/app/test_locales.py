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


CODE_FOLDERS = ["app_pages", "ui", "streamlit_app.py"]


def code_files(folder: str) -> list[Path]:
    target = ROOT / folder
    files = [target] if target.is_file() else sorted(target.rglob("*.py"))
    assert files, f"no Python files under {folder}: the scan would check nothing"
    return files


@pytest.mark.parametrize("folder", CODE_FOLDERS)
def test_every_literal_key_used_in_code_exists(folder):
    english = load("en")
    used = set()
    for file in code_files(folder):
        used |= set(re.findall(r"""\bt\(\s*["']([\w]+\.[\w]+)["']""", file.read_text(encoding="utf-8")))
    assert used, f"{folder} asks for no string at all: is the pattern still right?"
    assert sorted(key for key in used if key not in english) == []


@pytest.mark.parametrize("folder", CODE_FOLDERS)
def test_every_key_built_with_an_f_string_matches_some_string(folder):
    """``t(f"gradient_lab.verdict_{verdict}")``: at least one key fits the pattern (a renamed prefix fails)."""
    english = load("en")
    patterns = set()
    for file in code_files(folder):
        for double_quoted, single_quoted in re.findall(r"""\bt\(\s*f(?:"([^"]+)"|'([^']+)')""", file.read_text(encoding="utf-8")):
            patterns.add(double_quoted or single_quoted)
    unmatched = []
    for pattern in patterns:
        regex = re.compile("".join(r"\w+" if part.startswith("{") else re.escape(part) for part in re.split(r"(\{[^}]*\})", pattern)))
        if not any(regex.fullmatch(key) for key in english):
            unmatched.append(pattern)
    assert sorted(unmatched) == []


def test_the_scan_finds_keys_in_page_subfolders():
    """The scan reaches ui/<task>/ modules (a flat glob once missed every page's keys)."""
    nested = [file for file in code_files("ui") if file.parent != ROOT / "ui"]
    assert len(nested) >= 10


def test_cached_functions_do_not_translate():
    """A ``st.cache_data`` / ``st.cache_resource`` function that calls ``t()`` freezes the language of
    its first caller for everyone: translate outside and pass the text in."""
    import ast

    offenders = []
    for folder in CODE_FOLDERS:
        for file in code_files(folder):
            for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.FunctionDef):
                    continue
                cached = any("cache_data" in ast.unparse(decorator) or "cache_resource" in ast.unparse(decorator)
                             for decorator in node.decorator_list)
                calls_t = any(isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "t"
                              for call in ast.walk(node))
                if cached and calls_t:
                    offenders.append(f"{file.relative_to(ROOT)}:{node.name}")
    assert offenders == []
