"""What a data check reports: ``Finding``s with a severity, the numbers behind them, a few examples
and, where one exists, the code of a fix the page can apply in one click."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any


class Severity(IntEnum):
    """Ordered so that the worst finding sorts first."""

    PROBLEM = 0  # training as set up will give a misleading or useless model
    WARNING = 1  # the model will be worse than it could be, or the score will flatter it
    NOTE = 2  # worth knowing; nothing to change

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Finding:
    """One observation about the data.

    ``code`` names the sentence (``data_doctor.finding_<code>``) and ``values`` fill it; ``examples``
    are a few offending items (texts, file names, ids) shown under it; ``fix`` names a one-click cure
    (``data_doctor.fix_<fix>``) or is empty when the user has to act.
    """

    code: str
    severity: Severity
    values: dict[str, Any] = field(default_factory=dict)
    examples: tuple[str, ...] = ()
    fix: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "severity": self.severity.label, "values": dict(self.values),
                "examples": list(self.examples), "fix": self.fix}


@dataclass
class Diagnosis:
    """All findings on one data set, worst first; ``seconds``: how long the checks took."""

    findings: list[Finding]
    seconds: float = 0.0

    def __post_init__(self) -> None:
        self.findings = sorted(self.findings, key=lambda finding: finding.severity)

    def codes(self) -> list[str]:
        return [finding.code for finding in self.findings]

    def get(self, code: str) -> Finding | None:
        return next((finding for finding in self.findings if finding.code == code), None)

    def fixes(self) -> list[str]:
        """The distinct fix codes, in the order of the findings that offer them."""
        return list(dict.fromkeys(finding.fix for finding in self.findings if finding.fix))

    @property
    def healthy(self) -> bool:
        return all(finding.severity == Severity.NOTE for finding in self.findings)

    def to_json(self) -> dict[str, Any]:
        return {"findings": [finding.to_json() for finding in self.findings], "seconds": round(self.seconds, 3)}
