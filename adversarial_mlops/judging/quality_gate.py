"""The quality gate: the one function that decides PASS or FAIL for an evaluation report.

It runs once per loop, when ``evaluation_report`` is built; the report carries the verdict
(``report["gate"]``), the Dagster asset check displays it and the retraining branch obeys it,
and the CLI and the API show the structured result. Nothing recomputes it. Thresholds come from ``quality_gate.*`` in the YAML config:

* ``max_evasion_rate``: FAIL when the overall evasion rate is above it;
* ``min_f1_score``: FAIL when clean F1 is below it;
* ``min_f1_drop``: FAIL when clean F1 fell by at least this much since the champion's promotion;
* ``max_obfuscated_benign_fpr``: FAIL when benign texts put through the same obfuscations raise
  false alarms above this share (over-defence: "odd characters = attack").

Point estimates are compared (as the plan states); confidence intervals travel alongside so a
reader can see how close a call was.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Mapping

from adversarial_mlops.config import QualityGateSettings


@dataclass(frozen=True)
class ThresholdCheck:
    name: str
    value: float | None
    limit: float
    rule: str  # human-readable condition that must hold to pass, e.g. "<= 0.15"
    passed: bool
    reason: str


@dataclass(frozen=True)
class GateVerdict:
    passed: bool
    checks: tuple[ThresholdCheck, ...]

    @property
    def status(self) -> str:
        return "PASS" if self.passed else "FAIL"

    @property
    def failure_reasons(self) -> list[str]:
        return [c.reason for c in self.checks if not c.passed]

    def summary(self) -> str:
        parts = [f"{c.name}={_fmt(c.value)} ({c.rule}: {'ok' if c.passed else 'FAIL'})" for c in self.checks]
        return f"{self.status}: " + ", ".join(parts)

    def to_dict(self) -> dict:
        return {"status": self.status, "passed": self.passed, "checks": [asdict(c) for c in self.checks]}

    @classmethod
    def from_dict(cls, data: Mapping) -> "GateVerdict":
        """The verdict ``to_dict`` stored (in the evaluation report): read back, never recomputed."""
        checks = tuple(ThresholdCheck(**check) for check in data["checks"])
        if bool(data["passed"]) != all(check.passed for check in checks):
            raise ValueError(f"stored gate verdict is inconsistent: passed={data['passed']} but checks say "
                             f"{[check.passed for check in checks]}")
        return cls(passed=bool(data["passed"]), checks=checks)


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4f}"


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not math.isnan(value)


def evaluate_gate(report: Mapping, thresholds: QualityGateSettings) -> GateVerdict:
    """Compare an evaluation report (see ``evaluation.evaluate_model``) with the thresholds."""
    missing = [key for key in ("clean", "evasion") if key not in report]
    if missing:
        raise ValueError(f"evaluation report lacks {missing}; produce it with evaluation.evaluate_model")
    checks = (_check_evasion(report, thresholds), _check_f1(report, thresholds), _check_f1_drop(report, thresholds),
              _check_over_defense(report, thresholds))
    return GateVerdict(passed=all(c.passed for c in checks), checks=checks)


def _check_evasion(report: Mapping, thresholds: QualityGateSettings) -> ThresholdCheck:
    rate = report["evasion"]["overall"]["rate"]
    limit = thresholds.max_evasion_rate
    if not _is_number(rate):
        # No malicious text was caught when clean, so evasion cannot be measured: fail safe.
        return ThresholdCheck("evasion_rate", None, limit, f"<= {limit}", False,
                              "evasion rate not measurable: the model caught no malicious test text when clean")
    passed = rate <= limit
    return ThresholdCheck("evasion_rate", float(rate), limit, f"<= {limit}", passed,
                          f"evasion rate {rate:.4f} {'<=' if passed else '>'} max_evasion_rate {limit}")


def _check_f1(report: Mapping, thresholds: QualityGateSettings) -> ThresholdCheck:
    f1 = float(report["clean"]["f1"])
    limit = thresholds.min_f1_score
    passed = f1 >= limit
    return ThresholdCheck("f1_score", f1, limit, f">= {limit}", passed,
                          f"clean F1 {f1:.4f} {'>=' if passed else '<'} min_f1_score {limit}")


def _check_f1_drop(report: Mapping, thresholds: QualityGateSettings) -> ThresholdCheck:
    drop = report.get("f1_drop")
    limit = thresholds.min_f1_drop
    if not _is_number(drop):
        # A fresh baseline has no earlier F1 to fall from.
        return ThresholdCheck("f1_drop", None, limit, f"< {limit}", True, "no F1 recorded at promotion yet")
    passed = drop < limit
    return ThresholdCheck("f1_drop", float(drop), limit, f"< {limit}", passed,
                          f"F1 drop since promotion {drop:.4f} {'<' if passed else '>='} min_f1_drop {limit}")


def _check_over_defense(report: Mapping, thresholds: QualityGateSettings) -> ThresholdCheck:
    limit = thresholds.max_obfuscated_benign_fpr
    rate = report.get("over_defense", {}).get("obfuscated_benign_fpr", {}).get("rate")
    if not _is_number(rate):
        return ThresholdCheck("obfuscated_benign_fpr", None, limit, f"<= {limit}", True,
                              "no obfuscated benign texts were evaluated")
    passed = rate <= limit
    return ThresholdCheck("obfuscated_benign_fpr", float(rate), limit, f"<= {limit}", passed,
                          f"false alarms on obfuscated benign texts {rate:.4f} {'<=' if passed else '>'} "
                          f"max_obfuscated_benign_fpr {limit}")
