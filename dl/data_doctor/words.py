"""A finding as a sentence, for the CLI (the pages use ``ui.data_doctor``; both read the same
``locales/<language>/data_doctor*.json`` files, so the words cannot drift apart)."""

from __future__ import annotations

import functools
import json
from pathlib import Path

from dl.data_doctor.findings import Diagnosis, Finding

LOCALES = Path(__file__).resolve().parents[2] / "locales"


@functools.cache
def _strings(language: str) -> dict[str, str]:
    strings: dict[str, str] = {}
    for file in sorted((LOCALES / language).glob("data_doctor*.json")):
        strings.update({f"{file.stem}.{name}": text for name, text in json.loads(file.read_text(encoding="utf-8")).items()})
    return strings


def sentence(finding: Finding, namespace: str = "data_doctor", language: str = "en") -> str:
    strings = _strings(language)
    template = strings.get(f"{namespace}.finding_{finding.code}") or strings.get(f"data_doctor.finding_{finding.code}")
    return template.format(**finding.values) if template else f"{finding.code} {finding.values}"


def report_lines(diagnosis: Diagnosis, namespace: str = "data_doctor", language: str = "en") -> list[str]:
    """One line a finding, worst first: "data doctor [warning] ...", with its examples."""
    lines = []
    for finding in diagnosis.findings:
        lines.append(f"data doctor [{finding.severity.label}] {sentence(finding, namespace, language)}")
        lines.extend(f"    e.g. {example}" for example in finding.examples)
    return lines
