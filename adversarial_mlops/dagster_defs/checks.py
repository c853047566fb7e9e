"""Asset checks: the quality gate on the evaluation, and the F1 floor on the challenger."""


import dagster as dg

from adversarial_mlops.judging.promotion import meets_f1_floor
from adversarial_mlops.judging.quality_gate import GateVerdict
from adversarial_mlops.reporting.html_report import LoopReport, write_loop_report
from adversarial_mlops.reporting.markdown import gate_markdown
from adversarial_mlops.reporting.plots import evaluation_plots

from .assets import Settings, challenger_model, evaluation_report
from .resources import ModelRegistryResource

GATE_VERDICT_KEY = "verdict"  # the check's metadata entry holding the structured verdict


def gate_metadata(verdict: GateVerdict) -> dict:
    """The structured verdict (what the CLI and the API read back), a table of threshold / value /
    CI / limit / verdict for people, and per threshold one line with the exact numbers."""
    metadata = {GATE_VERDICT_KEY: dg.MetadataValue.json(verdict.to_dict()), "status": verdict.status,
                "table": dg.MetadataValue.md(gate_markdown(verdict.to_dict()))}
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
                additional_ins={"evaluation_report": dg.AssetIn("evaluation_report")},
                description="Blocks promotion of a challenger whose clean F1 is below quality_gate.min_f1_score.")
def challenger_f1_floor(context: dg.AssetCheckExecutionContext, settings: Settings, registry: ModelRegistryResource,
                        challenger_model: dict, evaluation_report: dict) -> dg.AssetCheckResult:
    floor = settings.config.quality_gate.min_f1_score
    passed, reason = meets_f1_floor(challenger_model["clean_f1"], floor)
    metadata = {"clean_f1": dg.MetadataValue.float(round(challenger_model["clean_f1"], 3)), "floor": floor}
    if not passed:
        models = registry.get()
        # Recorded against the champion it was trained to replace: the next loop mines past it (mining_round).
        champion = models.get(challenger_model["version"]).info.get("parent")
        models.record("reject", version=challenger_model["version"], champion=champion, details={"reasons": [reason]})
        # The loop ends here: its report says so (evaluation_report is read for that report only).
        outcome = f"KEPT the champion: challenger {challenger_model['version']} rejected before the A/B — {reason}"
        path = write_loop_report(settings.config.resolved_state_dir(),
                                 LoopReport(context.run.run_id, evaluation_report, outcome, history=models.history()),
                                 evaluation_plots(evaluation_report))
        metadata["report"] = dg.MetadataValue.path(str(path))
    return dg.AssetCheckResult(passed=passed, severity=dg.AssetCheckSeverity.ERROR, description=reason,
                               metadata=metadata)
