"""The quality gate: the one function that decides PASS or FAIL for an evaluation report.

It runs once per loop, when ``evaluation_report`` is built; the report carries the verdict
(``report["gate"]``), the Dagster asset check displays it and the retraining branch obeys it,
and the CLI and the API show the structured result. Nothing recomputes it. Thresholds come from
``quality_gate.*`` in the YAML config; every rate is over effective variants at the model's own
(calibrated) threshold, on the test split — never the sealed holdout:

* ``max_evasion_rate``: FAIL when the overall evasion rate of the static attacks is above it, or
  when the *worst attack family's* rate is (families with fewer than ``min_family_variants``
  measurable variants are shown, not judged: too few to estimate a rate);
* ``max_adaptive_evasion``: FAIL when the model-guided adaptive attack evades more often;
* ``min_f1_score``: FAIL when clean F1 is below it;
* ``min_f1_drop``: FAIL when clean F1 fell by at least this much since the champion's promotion;
* ``max_clean_fpr``: FAIL when more clean benign texts are flagged at the operating point;
* ``max_obfuscated_benign_fpr``: FAIL when benign texts put through the same obfuscations raise
  false alarms above this share (over-defence: "odd characters = attack"), or when the clean
  over-defence set (``data.over_defense_categories``: benign texts built around trigger words) does.

Point estimates are compared (as the plan states); each check carries its 95% CI (template
clusters) and how many groups it rests on, so a reader can see how close a call was.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Mapping

from adversarial_mlops.config import QualityGateSettings
from adversarial_mlops.judging.evaluation import ADAPTIVE


@dataclass(frozen=True)
class ThresholdCheck:
    name: str
    value: float | None
    limit: float
    rule: str  # human-readable condition that must hold to pass, e.g. "<= 0.15"
    passed: bool
    reason: str
    low: float | None = None  # 95% CI of value (None where the report has none)
    high: float | None = None
    n_groups: int | None = None  # template groups the CI resampled

    def describe(self) -> str:
        """e.g. ``0.1234 (95% CI 0.0800–0.1700, 32 groups) <= 0.15``; "n/a (...)" where not measured."""
        if self.value is None:
            return f"n/a ({self.rule}; {self.reason})"
        interval = ""
        if self.low is not None and self.high is not None:
            groups = f", {self.n_groups} groups" if self.n_groups else ""
            interval = f" (95% CI {self.low:.4f}–{self.high:.4f}{groups})"
        return f"{self.value:.4f}{interval} {self.rule}"


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
    """Compare an evaluation report (see ``evaluation.evaluate_model``) with the thresholds.

    Reads ``clean``, ``evasion``, ``over_defense`` and ``f1_drop``; never ``holdout``."""
    missing = [key for key in ("clean", "evasion") if key not in report]
    if missing:
        raise ValueError(f"evaluation report lacks {missing}; produce it with evaluation.evaluate_model")
    checks = (_check_evasion(report, thresholds), _check_worst_family(report, thresholds),
              _check_adaptive(report, thresholds), _check_f1(report, thresholds), _check_f1_drop(report, thresholds),
              _check_clean_fpr(report, thresholds), _check_over_defense(report, thresholds),
              _check_over_defense_set(report, thresholds))
    return GateVerdict(passed=all(c.passed for c in checks), checks=checks)


def _ci(block: Mapping) -> dict:
    return {"low": block.get("low"), "high": block.get("high"), "n_groups": block.get("n_groups")}


def _rate_at_most(name: str, block: Mapping | None, limit: float, key: str, what: str,
                  not_measured: tuple[bool, str]) -> ThresholdCheck:
    """``block`` (rate, low, high, n_groups) must have ``rate`` <= ``limit``; ``not_measured``
    (passed, reason) when it has no rate."""
    rate = None if block is None else block.get("rate")
    if not _is_number(rate):
        return ThresholdCheck(name, None, limit, f"<= {limit}", not_measured[0], not_measured[1])
    passed = rate <= limit
    return ThresholdCheck(name, float(rate), limit, f"<= {limit}", passed,
                          f"{what} {rate:.4f} {'<=' if passed else '>'} {key} {limit}", **_ci(block))


def _check_evasion(report: Mapping, thresholds: QualityGateSettings) -> ThresholdCheck:
    # No malicious text caught when clean: evasion cannot be measured, so fail safe.
    return _rate_at_most("evasion_rate", _static_overall(report), thresholds.max_evasion_rate, "max_evasion_rate",
                         "evasion rate (static attacks, all families)",
                         (False, "evasion rate not measurable: the model caught no malicious test text when clean"))


def _static_overall(report: Mapping) -> Mapping:
    """Overall evasion of the static attacks: the report's ``static_overall`` (without the
    adaptive attack, which has its own limit), else its ``overall``."""
    evasion = report["evasion"]
    return evasion.get("static_overall") or evasion["overall"]


def _check_worst_family(report: Mapping, thresholds: QualityGateSettings) -> ThresholdCheck:
    families = {name: block for name, block in report["evasion"].get("by_family", {}).items()
                if name != ADAPTIVE and _is_number(block.get("rate"))
                and block.get("n_variants", 0) >= thresholds.min_family_variants}
    if not families:
        return ThresholdCheck("worst_family_evasion", None, thresholds.max_evasion_rate,
                              f"<= {thresholds.max_evasion_rate}", True,
                              f"no attack family has {thresholds.min_family_variants}+ measurable variants")
    worst = max(families, key=lambda name: families[name]["rate"])
    return _rate_at_most("worst_family_evasion", families[worst], thresholds.max_evasion_rate, "max_evasion_rate",
                         f"evasion in the worst family ({worst})", (True, ""))


def _check_adaptive(report: Mapping, thresholds: QualityGateSettings) -> ThresholdCheck:
    block = report["evasion"].get("by_family", {}).get(ADAPTIVE)
    return _rate_at_most("adaptive_evasion", block, thresholds.max_adaptive_evasion, "max_adaptive_evasion",
                         "adaptive attack evasion", (True, "the adaptive attack did not run (attack.adaptive_sources 0)"))


def _check_f1(report: Mapping, thresholds: QualityGateSettings) -> ThresholdCheck:
    clean = report["clean"]
    f1 = float(clean["f1"])
    limit = thresholds.min_f1_score
    passed = f1 >= limit
    return ThresholdCheck("f1_score", f1, limit, f">= {limit}", passed,
                          f"clean F1 {f1:.4f} {'>=' if passed else '<'} min_f1_score {limit}",
                          **_ci({**clean.get("f1_ci", {}), "n_groups": clean.get("n_groups")}))


def _check_f1_drop(report: Mapping, thresholds: QualityGateSettings) -> ThresholdCheck:
    drop = report.get("f1_drop")
    limit = thresholds.min_f1_drop
    if not _is_number(drop):
        # A fresh baseline has no earlier F1 to fall from.
        return ThresholdCheck("f1_drop", None, limit, f"< {limit}", True, "no F1 recorded at promotion yet")
    passed = drop < limit
    return ThresholdCheck("f1_drop", float(drop), limit, f"< {limit}", passed,
                          f"F1 drop since promotion {drop:.4f} {'<' if passed else '>='} min_f1_drop {limit}")


def _check_clean_fpr(report: Mapping, thresholds: QualityGateSettings) -> ThresholdCheck:
    clean = report["clean"]
    block = {"rate": clean.get("fpr"), **clean.get("fpr_ci", {}), "n_groups": clean.get("n_groups")}
    return _rate_at_most("clean_fpr", block, thresholds.max_clean_fpr, "max_clean_fpr",
                         "false alarms on clean benign texts at the operating point",
                         (True, "no benign test texts were evaluated"))


def _check_over_defense_set(report: Mapping, thresholds: QualityGateSettings) -> ThresholdCheck:
    block = report.get("over_defense", {}).get("over_defense_set_fpr")
    return _rate_at_most("over_defense_set_fpr", block, thresholds.max_obfuscated_benign_fpr,
                         "max_obfuscated_benign_fpr", "false alarms on the over-defence set (benign texts built "
                         "around trigger words)", (True, "no over-defence set in the test split "
                                                         "(data.over_defense_categories)"))


def _check_over_defense(report: Mapping, thresholds: QualityGateSettings) -> ThresholdCheck:
    block = report.get("over_defense", {}).get("obfuscated_benign_fpr")
    return _rate_at_most("obfuscated_benign_fpr", block, thresholds.max_obfuscated_benign_fpr,
                         "max_obfuscated_benign_fpr", "false alarms on obfuscated benign texts",
                         (True, "no obfuscated benign texts were evaluated"))
