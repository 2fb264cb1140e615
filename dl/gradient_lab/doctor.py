"""The gradient doctor: read a recorded run, say what is wrong with the gradient flow, rank the cures.

The diagnosis is a list of ``Finding``s (a code plus the measured numbers behind it) and a ranked
list of ``Fix``es (a code plus the configuration changes that apply it). Words are not produced here:
the page turns codes and numbers into English or Chinese sentences from its locale files, so the
same diagnosis reads the same in both languages and in tests. ``apply_fix`` returns the new
configuration; fixes stack because each is just a set of field changes.

Rules, in the order they are checked:
- exploding: NaN/Inf appeared, or some kernel's gradient norm exceeded ``EXPLODING_NORM``, or the
  input end received over ``EXPLODING_RATIO`` times the output end's gradient;
- vanishing: the input end received under ``VANISHING_RATIO`` of the output end's gradient;
- supporting evidence: saturated sigmoid/tanh units, the activation's slope bound, dead ReLUs, and
  updates that are too large or too small relative to the weights.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from dl.gradient_lab.config import SATURATING, GradientLabConfig, canonical_config
from dl.gradient_lab.records import GradientRun

VANISHING_RATIO = 1e-3  # the threshold: the first layer gets < 1/1000 of the last layer's gradient
EXPLODING_RATIO = 1e3  # the mirror image: the first layer gets > 1000 times the last layer's gradient

EXPLODING_NORM = 1e3  # cross-entropy on standardised inputs gives kernel gradients of order 1; 1000 is runaway
SATURATED_SHARE = 0.5  # a layer counts as saturated when most of its outputs sit in the flat tails
DEAD_SHARE = 0.5  # a layer counts as dying when most of its ReLU units never fire on the probe rows
LARGE_UPDATE_RATIO = 0.1  # a step that changes a weight matrix by >10% of its size is erratic (rule of thumb 1e-3)
SMALL_UPDATE_RATIO = 1e-6  # a layer whose weights move by less than a millionth per step is not learning
SLOPE_BOUND = {"sigmoid": 0.25, "tanh": 1.0}  # largest derivative of each saturating activation
CLIP_THRESHOLD = 1.0  # the usual global-norm clip (the BERT recipe uses 1.0 too)

VANISHING, EXPLODING, HEALTHY = "vanishing", "exploding", "healthy"


@dataclass(frozen=True)
class Finding:
    """One observation: ``code`` (a locale key suffix) and the numbers that go into its sentence."""

    code: str
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Fix:
    """One cure: ``code`` (a locale key suffix) and the configuration fields it changes."""

    code: str
    changes: dict[str, Any]


@dataclass
class Diagnosis:
    """``verdict``: "vanishing", "exploding" or "healthy"; findings first to last by importance."""

    verdict: str
    findings: list[Finding]
    fixes: list[Fix]


def diagnose(run: GradientRun) -> Diagnosis:
    """Diagnose a recorded run (see the module docstring for the rules)."""
    config = run.lab_config
    findings: list[Finding] = []
    ratio = run.typical_flow_ratio()
    max_norm = _finite_max(run.gradient_norms)  # what the optimizer applied, after any clipping
    max_raw_norm = _finite_max(run.raw_gradient_norms)
    where = "time" if config.mode == "recurrent" else "layers"

    if run.nonfinite:
        findings.append(Finding("nonfinite", {key: run.nonfinite[key] for key in ("step", "epoch", "batch", "what")}
                                | {"layers": ", ".join(run.nonfinite.get("layers", [])[:6])}))
    masked = np.where(np.isfinite(run.raw_gradient_norms), run.raw_gradient_norms, -1.0)
    layer = run.layer_names[int(np.unravel_index(masked.argmax(), masked.shape)[1])] if masked.size else "?"
    if max_norm > EXPLODING_NORM:
        findings.append(Finding("huge_gradients", {"norm": max_raw_norm, "layer": layer}))
    if ratio is not None and ratio > EXPLODING_RATIO:
        findings.append(Finding(f"growing_{where}", {"ratio": ratio}))
    exploding = bool(findings)
    contained = not exploding and max_raw_norm > EXPLODING_NORM and config.clipping != "none"
    vanishing = not exploding and ratio is not None and ratio < VANISHING_RATIO
    if vanishing:
        findings.append(Finding(f"vanishing_{where}", {"ratio": ratio, "steps": config.sequence_length,
                                                       "depth": config.depth}))
    if contained:  # clipping held the updates down: the raw explosion is under control, not a failure
        findings.append(Finding("clipping_contains", {"norm": max_raw_norm, "layer": layer,
                                                      "threshold": config.clip_threshold}))
    findings.extend(_activation_findings(run, config, vanishing))
    findings.extend(_update_findings(run))
    verdict = EXPLODING if exploding else VANISHING if vanishing else HEALTHY
    if verdict == HEALTHY and all(finding.code == "clipping_contains" for finding in findings):
        findings.append(Finding("healthy", {"ratio": ratio if ratio is not None else math.nan, "norm": max_norm}))
    fixes = _rank_fixes(config, verdict, findings)
    return Diagnosis(verdict=verdict, findings=findings, fixes=fixes)


def _finite_max(values: np.ndarray) -> float:
    finite = values[np.isfinite(values)]
    return float(finite.max()) if finite.size else math.inf


def _activation_findings(run: GradientRun, config: GradientLabConfig, vanishing: bool) -> list[Finding]:
    findings = []
    snapshot = run.snapshots[-1] if run.snapshots else None
    if snapshot is None:
        return findings
    layers = [name for name, stats in snapshot["activations"].items()
              if stats.get("saturated_fraction", 0) > SATURATED_SHARE]
    if layers:
        findings.append(Finding("saturated", {"activation": config.activation, "layers": _layer_span(layers)}))
    dead = [name for name, stats in snapshot["activations"].items() if stats.get("dead_fraction", 0) > DEAD_SHARE]
    if dead:
        findings.append(Finding("dead_units", {"layers": _layer_span(dead), "count": len(dead)}))
    if vanishing and config.activation in SATURATING and config.mode == "dense" and not config.batch_norm:
        bound = SLOPE_BOUND[config.activation]
        findings.append(Finding("slope_bound", {"activation": config.activation, "bound": bound,
                                                "layers": config.depth - 1,
                                                "product": bound ** (config.depth - 1)}))
    return findings


def _update_findings(run: GradientRun) -> list[Finding]:
    ratios = run.update_ratios[np.isfinite(run.update_ratios).all(axis=1)]
    if not len(ratios):
        return []
    typical = np.median(ratios, axis=0)
    findings = []
    if float(typical.max()) > LARGE_UPDATE_RATIO:
        findings.append(Finding("large_updates", {"ratio": float(typical.max()),
                                                  "layer": run.layer_names[int(typical.argmax())]}))
    if float(typical[0]) < SMALL_UPDATE_RATIO:
        findings.append(Finding("frozen_first_layer", {"ratio": float(typical[0]), "layer": run.layer_names[0]}))
    return findings


def _layer_span(names: list[str]) -> str:
    """['activation_3', ..., 'activation_19'] -> '3–19' (or the names when they are not numbered)."""
    numbers = [int(name.rsplit("_", 1)[1]) for name in names if name.rsplit("_", 1)[-1].isdigit()]
    if len(numbers) != len(names):
        return ", ".join(names)
    return f"{min(numbers)}–{max(numbers)}" if len(numbers) > 1 else str(numbers[0])


def recommended_stddev(config: GradientLabConfig) -> float:
    """He (ReLU family) or Glorot-normal (saturating) standard deviation for a hidden layer of this width."""
    fan_in = config.width
    return math.sqrt(2.0 / fan_in) if config.activation not in SATURATING else math.sqrt(2.0 / (fan_in + fan_in))


def _rank_fixes(config: GradientLabConfig, verdict: str, findings: list[Finding]) -> list[Fix]:
    codes = {finding.code for finding in findings}
    good_init = "glorot" if config.activation in SATURATING else "he"
    candidates: list[Fix] = []
    if verdict == EXPLODING:
        if config.initializer == "random_normal" and config.init_stddev > 2 * recommended_stddev(config):
            candidates.append(Fix(f"{good_init}_init", {"initializer": good_init}))
        candidates.append(Fix("clip_global_norm", {"clipping": "global_norm", "clip_threshold": CLIP_THRESHOLD}))
        if config.mode == "recurrent" and config.recurrent_cell == "simple_rnn":
            candidates.append(Fix("lstm", {"recurrent_cell": "lstm"}))
        candidates.append(Fix("lower_learning_rate", {"learning_rate": _lower(config.learning_rate)}))
        if config.mode == "dense":
            candidates.append(Fix("batch_norm", {"batch_norm": True}))
    elif verdict == VANISHING:
        if config.mode == "recurrent":
            if config.recurrent_cell == "simple_rnn":
                candidates.append(Fix("lstm", {"recurrent_cell": "lstm"}))
            candidates.append(Fix("shorter_sequence", {"sequence_length": max(10, config.sequence_length // 2)}))
        else:
            if config.activation in SATURATING:
                candidates.append(Fix("batch_norm", {"batch_norm": True}))
                candidates.append(Fix("relu_he", {"activation": "relu", "initializer": "he"}))
            else:
                candidates.append(Fix("batch_norm", {"batch_norm": True}))
                candidates.append(Fix("he_init", {"initializer": "he"}))
            candidates.append(Fix("residual", {"residual": True}))
    if "dead_units" in codes:
        candidates.append(Fix("leaky_relu", {"activation": "leaky_relu"}))
    if "large_updates" in codes:
        candidates.append(Fix("lower_learning_rate", {"learning_rate": _lower(config.learning_rate)}))
    ranked: list[Fix] = []
    for fix in candidates:
        already = all(getattr(config, name) == value for name, value in fix.changes.items())
        if not already and fix.code not in {chosen.code for chosen in ranked}:
            ranked.append(fix)
    return ranked


def _lower(learning_rate: float) -> float:
    """A tenth of the learning rate, rounded to two significant digits so it reads well in the table."""
    return float(f"{learning_rate / 10:.2g}")


def apply_fix(config: GradientLabConfig, fix: Fix) -> GradientLabConfig:
    """The configuration with ``fix``'s changes applied (everything else, seed included, unchanged)."""
    return canonical_config(replace(config, **fix.changes))
