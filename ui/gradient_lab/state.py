"""What the gradient lab remembers between reruns, declared once.

It lives in ``page_state("gradient_lab")`` (a session key no widget can take), so it cannot collide
with the form's widget keys (``gl_<config field>``); a misspelt field is an AttributeError, not a
silently new session key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ui.training import page_state

PAGE = "gradient_lab"


@dataclass
class RunRecord:
    """One run in the session's runs table."""

    run: Any  # a dl.gradient_lab.trainer.GradientRun
    label: str  # "#3 + Use He initialisation": its number and the change that led to it
    from_cache: bool = False  # loaded from the model store instead of trained


@dataclass
class LabState:
    runs: dict[str, RunRecord] = field(default_factory=dict)  # run id (store key or steps-<key>) -> record
    next_label: str | None = None  # names the next run: a preset, a doctor's fix, or step-by-step
    preset: str | None = None  # the preset that filled the form, until the user trains it
    before: str | None = None  # the run a doctor's fix is compared against
    autostart: bool = False  # a doctor's fix was chosen: train it on this rerun without a press
    trainer: tuple[str, Any] | None = None  # (store key, GradientTrainer) of step-by-step training


def lab_state() -> LabState:
    """This session's gradient lab state (created on first use)."""
    return page_state(PAGE).setdefault("lab", LabState())
