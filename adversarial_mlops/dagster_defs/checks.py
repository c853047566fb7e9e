"""Asset checks: the quality gate on the evaluation, and the F1 floor on the challenger."""


import dagster as dg

from adversarial_mlops.judging.promotion import meets_f1_floor
from adversarial_mlops.judging.quality_gate import GateVerdict, evaluate_gate

from .assets import challenger_model, evaluation_report
from .resources import ModelRegistryResource, PipelineSettings


def gate_metadata(verdict: GateVerdict) -> dict:
    metadata = {"verdict": verdict.status}
    for check in verdict.checks:
        metadata[f"{check.name}.value"] = check.value
        metadata[f"{check.name}.limit"] = check.limit
        metadata[f"{check.name}.verdict"] = f"{'PASS' if check.passed else 'FAIL'} ({check.rule})"
    return metadata


@dg.asset_check(asset=evaluation_report, description="Quality gate: evasion ≤ max, F1 ≥ min, F1 drop < min_f1_drop. "
                "A FAIL (a warning, so the run stays green) is what sends the loop into retraining.")
def quality_gate(settings: PipelineSettings, evaluation_report: dict) -> dg.AssetCheckResult:
    verdict = evaluate_gate(evaluation_report, settings.load().quality_gate)
    return dg.AssetCheckResult(passed=verdict.passed, severity=dg.AssetCheckSeverity.WARN,
                               metadata=gate_metadata(verdict), description=verdict.summary())


@dg.asset_check(asset=challenger_model, blocking=True,
                description="Blocks promotion of a challenger whose clean F1 is below quality_gate.min_f1_score.")
def challenger_f1_floor(settings: PipelineSettings, registry: ModelRegistryResource,
                        challenger_model: dict) -> dg.AssetCheckResult:
    floor = settings.load().quality_gate.min_f1_score
    passed, reason = meets_f1_floor(challenger_model["clean_f1"], floor)
    if not passed:
        registry.get().record("reject", version=challenger_model["version"], details={"reasons": [reason]})
    return dg.AssetCheckResult(passed=passed, severity=dg.AssetCheckSeverity.ERROR, description=reason,
                               metadata={"clean_f1": challenger_model["clean_f1"], "floor": floor})
