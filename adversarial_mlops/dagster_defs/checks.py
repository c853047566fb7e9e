"""Asset checks: the quality gate on the evaluation, and the F1 floor on the challenger."""


import dagster as dg

from adversarial_mlops.judging.promotion import meets_f1_floor
from adversarial_mlops.judging.quality_gate import GateVerdict

from .assets import Settings, challenger_model, evaluation_report
from .resources import ModelRegistryResource

GATE_VERDICT_KEY = "verdict"  # the check's metadata entry holding the structured verdict


def gate_metadata(verdict: GateVerdict) -> dict:
    """The structured verdict (what the CLI and the API read back) plus, per threshold, one line:
    value, 95% CI and the template groups it rests on, the limit, the verdict."""
    metadata = {GATE_VERDICT_KEY: dg.MetadataValue.json(verdict.to_dict()), "status": verdict.status}
    for check in verdict.checks:
        metadata[check.name] = f"{check.describe()}: {'PASS' if check.passed else 'FAIL'}"
    return metadata


@dg.asset_check(asset=evaluation_report, description="Quality gate: evasion overall and in the worst family ≤ "
                "max_evasion_rate, adaptive evasion ≤ max_adaptive_evasion, F1 ≥ min, F1 drop < min_f1_drop, clean "
                "FPR ≤ max_clean_fpr, obfuscated-benign false alarms ≤ max. A FAIL (a warning, so the run stays "
                "green) is what sends the loop into retraining.")
def quality_gate(evaluation_report: dict) -> dg.AssetCheckResult:
    # The verdict was computed once, with the run's thresholds, when the report was built.
    verdict = GateVerdict.from_dict(evaluation_report["gate"])
    return dg.AssetCheckResult(passed=verdict.passed, severity=dg.AssetCheckSeverity.WARN,
                               metadata=gate_metadata(verdict), description=verdict.summary())


@dg.asset_check(asset=challenger_model, blocking=True,
                description="Blocks promotion of a challenger whose clean F1 is below quality_gate.min_f1_score.")
def challenger_f1_floor(settings: Settings, registry: ModelRegistryResource,
                        challenger_model: dict) -> dg.AssetCheckResult:
    floor = settings.config.quality_gate.min_f1_score
    passed, reason = meets_f1_floor(challenger_model["clean_f1"], floor)
    if not passed:
        registry.get().record("reject", version=challenger_model["version"], details={"reasons": [reason]})
    return dg.AssetCheckResult(passed=passed, severity=dg.AssetCheckSeverity.ERROR, description=reason,
                               metadata={"clean_f1": challenger_model["clean_f1"], "floor": floor})
