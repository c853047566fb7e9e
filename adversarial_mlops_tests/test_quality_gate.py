import pytest

from adversarial_mlops.config import QualityGateSettings
from adversarial_mlops.judging.quality_gate import evaluate_gate


def report(evasion=0.10, f1=0.90, drop=0.0, benign_fpr=0.02):
    return {"clean": {"f1": f1}, "evasion": {"overall": {"rate": evasion, "low": None, "high": None}},
            "f1_drop": drop, "over_defense": {"obfuscated_benign_fpr": {"rate": benign_fpr}}}


DEFAULTS = QualityGateSettings()


def test_defaults_match_the_users_plan():
    assert (DEFAULTS.max_evasion_rate, DEFAULTS.min_f1_score, DEFAULTS.min_f1_drop) == (0.15, 0.85, 0.05)


def test_passes_when_every_threshold_holds():
    verdict = evaluate_gate(report(), DEFAULTS)
    assert verdict.passed and verdict.status == "PASS" and verdict.failure_reasons == []


@pytest.mark.parametrize("evasion, passed", [(0.15, True), (0.1501, False), (0.0, True), (1.0, False)])
def test_evasion_edge_is_inclusive(evasion, passed):
    verdict = evaluate_gate(report(evasion=evasion), DEFAULTS)
    assert verdict.passed is passed
    check = {c.name: c for c in verdict.checks}["evasion_rate"]
    assert check.value == evasion and check.limit == 0.15


@pytest.mark.parametrize("f1, passed", [(0.85, True), (0.8499, False), (1.0, True)])
def test_f1_floor_edge_is_inclusive(f1, passed):
    assert evaluate_gate(report(f1=f1), DEFAULTS).passed is passed


@pytest.mark.parametrize("drop, passed", [(0.0499, True), (0.05, False), (0.2, False), (-0.03, True), (None, True)])
def test_f1_drop_of_five_points_fails(drop, passed):
    assert evaluate_gate(report(drop=drop), DEFAULTS).passed is passed


@pytest.mark.parametrize("fpr, passed", [(0.10, True), (0.1001, False), (None, True)])
def test_over_defense_budget(fpr, passed):
    assert evaluate_gate(report(benign_fpr=fpr), DEFAULTS).passed is passed


def test_unmeasurable_evasion_fails_safe():
    verdict = evaluate_gate(report(evasion=None), DEFAULTS)
    assert not verdict.passed
    assert "not measurable" in verdict.failure_reasons[0]


def test_every_failure_is_reported_with_its_numbers():
    verdict = evaluate_gate(report(evasion=0.4, f1=0.5, drop=0.3, benign_fpr=0.5), DEFAULTS)
    assert len(verdict.failure_reasons) == 4
    assert "0.4000" in verdict.summary() and "FAIL" in verdict.summary()
    assert verdict.to_dict()["status"] == "FAIL"


def test_custom_thresholds_are_obeyed():
    strict = QualityGateSettings(max_evasion_rate=0.05)
    assert not evaluate_gate(report(evasion=0.10), strict).passed


def test_malformed_report_is_refused():
    with pytest.raises(ValueError, match="evaluate_model"):
        evaluate_gate({"clean": {"f1": 1.0}}, DEFAULTS)
