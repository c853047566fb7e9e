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


@pytest.mark.parametrize("fpr, passed", [(0.10, True), (0.1001, False), (None, True)])
def test_the_over_defence_set_counts_in_the_over_defence_budget(fpr, passed):
    block = None if fpr is None else {"rate": fpr, "low": 0.0, "high": 0.3, "n_groups": 13}
    data = report()
    data["over_defense"]["over_defense_set_fpr"] = block
    verdict = evaluate_gate(data, DEFAULTS)
    check = {c.name: c for c in verdict.checks}["over_defense_set_fpr"]
    assert verdict.passed is passed and check.passed is passed and check.limit == 0.10
    assert (fpr is None) == ("data.over_defense_categories" in check.reason)


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


def family_report(families: dict, overall=0.05, adaptive=None, clean_fpr=0.02):
    """A report whose by_family has {name: (rate, n_variants)}; ``adaptive`` a rate or None (off)."""
    by_family = {name: {"rate": rate, "low": rate / 2, "high": min(1.0, rate * 2), "n_variants": n, "n_groups": 9}
                 for name, (rate, n) in families.items()}
    if adaptive is not None:
        by_family["adaptive"] = {"rate": adaptive, "low": None, "high": None, "n_variants": 80, "n_groups": 20}
    base = report(evasion=overall)
    base["evasion"]["by_family"] = by_family
    base["clean"].update({"fpr": clean_fpr, "fpr_ci": {"low": 0.01, "high": 0.05}, "n_groups": 50})
    return base


def checks_of(verdict):
    return {c.name: c for c in verdict.checks}


def test_the_worst_family_fails_the_gate_although_the_pooled_rate_passes():
    verdict = evaluate_gate(family_report({"character": (0.26, 900), "spacing": (0.01, 600)}, overall=0.08), DEFAULTS)
    checks = checks_of(verdict)
    assert checks["evasion_rate"].passed and checks["evasion_rate"].value == 0.08
    worst = checks["worst_family_evasion"]
    assert not worst.passed and worst.value == 0.26 and "(character)" in worst.reason
    assert (worst.low, worst.high, worst.n_groups) == (0.13, 0.52, 9)  # the family's CI travels with it
    assert not verdict.passed


def test_a_family_with_too_few_measurable_variants_is_shown_not_judged():
    settings = QualityGateSettings(min_family_variants=30)
    checks = checks_of(evaluate_gate(family_report({"character": (0.5, 29), "spacing": (0.1, 30)}), settings))
    assert checks["worst_family_evasion"].passed and checks["worst_family_evasion"].value == 0.1


def test_the_adaptive_attack_has_its_own_limit_and_is_not_a_static_family():
    settings = QualityGateSettings(max_adaptive_evasion=0.3)
    checks = checks_of(evaluate_gate(family_report({"spacing": (0.1, 300)}, adaptive=0.31), settings))
    assert not checks["adaptive_evasion"].passed and checks["adaptive_evasion"].value == 0.31
    assert checks["worst_family_evasion"].value == 0.1  # adaptive judged apart, not as the worst family
    off = checks_of(evaluate_gate(family_report({"spacing": (0.1, 300)}), settings))["adaptive_evasion"]
    assert off.passed and off.value is None and "did not run" in off.reason


@pytest.mark.parametrize("fpr, passed", [(0.10, True), (0.1001, False)])
def test_clean_false_alarms_at_the_operating_point_are_judged_with_their_ci(fpr, passed):
    check = checks_of(evaluate_gate(family_report({}, clean_fpr=fpr), DEFAULTS))["clean_fpr"]
    assert check.passed is passed and check.limit == DEFAULTS.max_clean_fpr == 0.10
    assert (check.low, check.high, check.n_groups) == (0.01, 0.05, 50)


def test_the_gate_never_reads_the_holdout():
    base = family_report({"character": (0.1, 300)}, adaptive=0.1)
    with_holdout = {**base, "holdout": {"clean": {"f1": 0.0, "fpr": 1.0},
                                        "evasion": {"overall": {"rate": 1.0}, "by_family": {"x": {"rate": 1.0}}}}}
    assert evaluate_gate(with_holdout, DEFAULTS) == evaluate_gate(base, DEFAULTS)


def test_a_check_describes_value_ci_groups_and_rule():
    worst = checks_of(evaluate_gate(family_report({"character": (0.2, 900)}), DEFAULTS))["worst_family_evasion"]
    assert worst.describe() == "0.2000 (95% CI 0.1000–0.4000, 9 groups) <= 0.15"
