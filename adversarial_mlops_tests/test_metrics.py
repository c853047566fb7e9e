import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adversarial_mlops.judging.metrics import (
    EvasionResult,
    Interval,
    bootstrap_interval,
    classification_metrics,
    delta_evasion,
    delta_f1,
    delta_ranking,
    delta_fpr,
    evasion_by_group,
    evasion_outcomes,
    evasion_rate,
    f1_with_ci,
    mcnemar_exact,
    paired_bootstrap_delta,
)

# y_true/y_pred worked by hand: TP=3 (0,1,7), FN=1 (2), FP=1 (4), TN=3 (3,5,6).
Y_TRUE = [1, 1, 1, 0, 0, 0, 0, 1]
Y_PRED = [1, 1, 0, 0, 1, 0, 0, 1]

# Evasion fixture: s1 caught clean, 2 of its 3 variants evade; s2 caught, none evade;
# s3 missed when clean, so its variants do not count even though both "evade".
CLEAN = {"s1": 1, "s2": 1, "s3": 0}
SOURCES = ["s1", "s1", "s1", "s2", "s2", "s3", "s3"]
PREDS = [0, 1, 0, 1, 1, 0, 0]
STRATEGIES = ["a", "b", "a", "a", "b", "a", "b"]


def noisy_predictions(n, accuracy, seed):
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 2, n)
    flip = rng.random(n) > accuracy
    return truth, np.where(flip, 1 - truth, truth)


# --------------------------------------------------------------- classification


def test_classification_metrics_hand_computed():
    m = classification_metrics(Y_TRUE, Y_PRED)
    assert m["precision"] == pytest.approx(3 / 4)
    assert m["recall"] == pytest.approx(3 / 4)
    assert m["f1"] == pytest.approx(3 / 4)
    assert m["accuracy"] == pytest.approx(6 / 8)
    assert m["fpr"] == pytest.approx(1 / 4)
    assert (m["tp"], m["fp"], m["tn"], m["fn"]) == (3, 1, 3, 1)
    assert (m["n"], m["n_malicious"], m["n_benign"]) == (8, 4, 4)
    assert m["roc_auc"] is None


def test_f1_differs_from_precision_recall_when_they_differ():
    m = classification_metrics([1, 1, 1, 1, 0], [1, 0, 0, 0, 1])
    precision, recall = 1 / 2, 1 / 4
    assert m["f1"] == pytest.approx(2 * precision * recall / (precision + recall))


def test_zero_division_gives_zero():
    m = classification_metrics([1, 1, 0], [0, 0, 0])
    assert m["precision"] == 0.0 and m["recall"] == 0.0 and m["f1"] == 0.0
    only_malicious = classification_metrics([1, 1], [1, 0])
    assert only_malicious["fpr"] == 0.0


def test_roc_auc_hand_computed_and_ties():
    # Pairs (pos, neg): (0.35>0.1) yes, (0.35>0.4) no, (0.8>0.1) yes, (0.8>0.4) yes → 3/4.
    m = classification_metrics([0, 0, 1, 1], [0, 1, 0, 1], scores=[0.1, 0.4, 0.35, 0.8])
    assert m["roc_auc"] == pytest.approx(0.75)
    tied = classification_metrics([0, 1], [0, 1], scores=[0.5, 0.5])
    assert tied["roc_auc"] == pytest.approx(0.5)


def test_roc_auc_none_with_one_class_and_rejects_nan():
    assert classification_metrics([1, 1], [1, 0], scores=[0.9, 0.2])["roc_auc"] is None
    with pytest.raises(ValueError, match="finite"):
        classification_metrics([0, 1], [0, 1], scores=[0.1, float("nan")])


@pytest.mark.parametrize(
    "y_true, y_pred, message",
    [([1, 0], [1], "equal lengths"), ([2, 0], [1, 0], "only 0"), ([], [], "at least one")],
)
def test_classification_metrics_rejects_bad_input(y_true, y_pred, message):
    with pytest.raises(ValueError, match=message):
        classification_metrics(y_true, y_pred)


# -------------------------------------------------------------------- bootstrap


def test_interval_to_dict():
    assert Interval(0.5, 0.4, 0.6).to_dict() == {"estimate": 0.5, "low": 0.4, "high": 0.6}


def test_f1_ci_contains_estimate_and_narrows_with_more_data():
    small = f1_with_ci(*noisy_predictions(100, 0.8, seed=1), seed=0)
    large = f1_with_ci(*noisy_predictions(3000, 0.8, seed=1), seed=0)
    for interval in (small, large):
        assert interval.low <= interval.estimate <= interval.high
    assert (large.high - large.low) < (small.high - small.low) / 2


def test_f1_ci_matches_generic_bootstrap_and_seed_is_reproducible():
    truth, pred = noisy_predictions(300, 0.85, seed=2)
    fast = f1_with_ci(truth, pred, seed=7, n_resamples=200)
    generic = bootstrap_interval(
        lambda idx: classification_metrics(truth[idx], pred[idx])["f1"], len(truth), n_resamples=200, seed=7
    )
    assert fast == generic
    assert f1_with_ci(truth, pred, seed=7, n_resamples=200) == fast
    assert f1_with_ci(truth, pred, seed=8, n_resamples=200) != fast


def test_bootstrap_interval_estimate_is_full_sample_statistic():
    values = np.array([1.0, 2.0, 3.0, 10.0])
    interval = bootstrap_interval(lambda idx: values[idx].mean(), 4, n_resamples=500)
    assert interval.estimate == pytest.approx(4.0)
    assert values.min() <= interval.low <= interval.high <= values.max()


def test_cluster_bootstrap_resamples_whole_groups():
    groups = np.repeat(np.arange(10), 5)  # 10 groups of 5 items
    seen = []

    def statistic(indices):
        seen.append(indices)
        return 0.0

    bootstrap_interval(statistic, len(groups), n_resamples=50, groups=groups)
    for indices in seen[1:]:  # seen[0] is the full-sample estimate
        counts = np.bincount(groups[indices], minlength=10)
        assert len(indices) == 50 and np.all(counts % 5 == 0)
        # Whole groups means each drawn group contributes exactly its own members.
        assert sorted(indices[:5] % 5) == [0, 1, 2, 3, 4]


def test_cluster_bootstrap_is_wider_for_correlated_items():
    # Outcome is shared within each group, so 200 items carry only 20 independent draws.
    groups = np.repeat(np.arange(20), 10)
    outcome = np.repeat(np.arange(20) % 2, 10).astype(float)
    iid = bootstrap_interval(lambda idx: outcome[idx].mean(), 200, seed=0)
    clustered = bootstrap_interval(lambda idx: outcome[idx].mean(), 200, seed=0, groups=groups)
    assert (clustered.high - clustered.low) > 2 * (iid.high - iid.low)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"n_items": 0}, "n_items"),
        ({"n_items": 5, "n_resamples": 0}, "n_resamples"),
        ({"n_items": 5, "confidence": 1.0}, "confidence"),
        ({"n_items": 5, "groups": [1, 2]}, "groups"),
    ],
)
def test_bootstrap_interval_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        bootstrap_interval(lambda idx: 0.0, **kwargs)


# ----------------------------------------------------------------------- evasion


def test_evasion_outcomes_eligibility():
    outcomes = evasion_outcomes(CLEAN, SOURCES, PREDS)
    assert outcomes.eligible.tolist() == [True] * 5 + [False] * 2
    assert outcomes.evaded.tolist() == [True, False, True, False, False, False, False]


def test_evasion_rate_excludes_sources_missed_when_clean():
    result = evasion_rate(SOURCES, PREDS, CLEAN)
    assert (result.n_variants, result.n_evaded, result.n_sources) == (5, 2, 2)
    assert result.rate.estimate == pytest.approx(2 / 5)
    assert result.rate.low <= result.rate.estimate <= result.rate.high
    assert result.measurable
    assert result.to_dict()["rate"]["estimate"] == pytest.approx(0.4)


def test_evasion_rate_ci_matches_generic_cluster_bootstrap():
    rng = np.random.default_rng(5)
    sources = [f"s{i}" for i in rng.integers(0, 40, 400)]
    preds = rng.integers(0, 2, 400)
    clean = {f"s{i}": int(i % 5 != 0) for i in range(40)}
    result = evasion_rate(sources, preds, clean, seed=3, n_resamples=300)

    outcomes = evasion_outcomes(clean, sources, preds)
    keep = outcomes.eligible
    evaded = outcomes.evaded[keep].astype(float)
    generic = bootstrap_interval(
        lambda idx: evaded[idx].mean(), int(keep.sum()), n_resamples=300, seed=3, groups=np.asarray(sources)[keep]
    )
    assert result.rate.estimate == pytest.approx(generic.estimate)
    assert result.rate.low == pytest.approx(generic.low)
    assert result.rate.high == pytest.approx(generic.high)


def test_evasion_rate_not_measurable_when_nothing_caught_clean():
    result = evasion_rate(["s3", "s3"], [0, 1], CLEAN)
    assert result.n_variants == 0 and result.n_sources == 0 and not result.measurable
    assert all(math.isnan(v) for v in result.rate.to_dict().values())


def test_evasion_rate_rejects_unknown_source():
    with pytest.raises(ValueError, match="no clean prediction"):
        evasion_rate(["s1", "zz"], [0, 0], CLEAN)


def test_evasion_by_group_hand_computed():
    by_group = evasion_by_group(SOURCES, PREDS, CLEAN, STRATEGIES)
    assert list(by_group) == ["a", "b"]
    # a: s1 variants [0, 0] + s2 variant [1] → 2/3; b: s1 [1] + s2 [1] → 0/2.
    assert by_group["a"].rate.estimate == pytest.approx(2 / 3)
    assert (by_group["a"].n_variants, by_group["a"].n_evaded) == (3, 2)
    assert by_group["b"].rate.estimate == 0.0
    assert isinstance(by_group["b"], EvasionResult) and by_group["b"].n_variants == 2


def test_evasion_by_group_keeps_unmeasurable_groups():
    by_group = evasion_by_group(["s1", "s3"], [0, 0], CLEAN, ["x", "y"])
    assert by_group["x"].rate.estimate == 1.0
    assert not by_group["y"].measurable


# ---------------------------------------------------------------- paired tests


def test_mcnemar_hand_computed():
    # 8 pairs only A got right, 2 only B, 5 both right, 5 both wrong.
    a = [True] * 8 + [False] * 2 + [True] * 5 + [False] * 5
    b = [False] * 8 + [True] * 2 + [True] * 5 + [False] * 5
    result = mcnemar_exact(a, b)
    assert result["a_only_correct"] == 8 and result["b_only_correct"] == 2
    # Two-sided exact: 2 * P(X <= 2 | n=10, p=0.5) = 2 * (1 + 10 + 45) / 1024.
    assert result["p_value"] == pytest.approx(112 / 1024)


def test_mcnemar_no_discordant_pairs():
    assert mcnemar_exact([True, False], [True, False]) == {"a_only_correct": 0, "b_only_correct": 0, "p_value": 1.0}


def test_paired_deltas_are_exactly_zero_for_identical_models():
    truth, pred = noisy_predictions(500, 0.8, seed=4)
    zero = Interval(0.0, 0.0, 0.0)
    assert delta_f1(truth, pred, pred) == zero
    assert delta_fpr(truth, pred, pred) == zero
    assert delta_evasion(SOURCES, PREDS, PREDS, CLEAN, CLEAN) == zero
    stat = lambda idx: float(pred[idx].mean())  # noqa: E731
    assert paired_bootstrap_delta(stat, stat, len(pred)) == zero


def test_delta_f1_and_fpr_sign_and_estimate():
    truth, weak = noisy_predictions(1000, 0.7, seed=6)
    strong = truth.copy()  # perfect model
    delta = delta_f1(truth, weak, strong, seed=1)
    expected = 1.0 - classification_metrics(truth, weak)["f1"]
    assert delta.estimate == pytest.approx(expected)
    assert 0 < delta.low <= delta.estimate <= delta.high
    fpr_delta = delta_fpr(truth, weak, strong)
    assert fpr_delta.estimate == pytest.approx(-classification_metrics(truth, weak)["fpr"])
    assert fpr_delta.high < 0


def test_paired_delta_matches_fast_path():
    truth, a = noisy_predictions(200, 0.8, seed=8)
    _, b = noisy_predictions(200, 0.9, seed=9)
    f1 = lambda pred: lambda idx: classification_metrics(truth[idx], pred[idx])["f1"]  # noqa: E731
    generic = paired_bootstrap_delta(f1(a), f1(b), len(truth), n_resamples=200, seed=2)
    fast = delta_f1(truth, a, b, seed=2, n_resamples=200)
    assert fast.to_dict() == pytest.approx(generic.to_dict())


def test_delta_evasion_uses_each_models_own_eligibility():
    clean_b = {"s1": 1, "s2": 1, "s3": 1}
    preds_b = [1, 1, 1, 1, 1, 0, 1]  # b catches s3 clean, and one of its variants evades
    delta = delta_evasion(SOURCES, PREDS, preds_b, CLEAN, clean_b, seed=0)
    assert delta.estimate == pytest.approx(1 / 7 - 2 / 5)
    assert delta.low <= delta.estimate <= delta.high


def test_delta_evasion_not_measurable_when_a_model_has_no_eligible_variants():
    nothing_caught = {"s1": 0, "s2": 0, "s3": 0}
    delta = delta_evasion(SOURCES, PREDS, PREDS, CLEAN, nothing_caught)
    assert math.isnan(delta.estimate)


@settings(max_examples=40, deadline=None)
@given(
    data=st.lists(st.tuples(st.integers(0, 1), st.integers(0, 1)), min_size=1, max_size=60),
    seed=st.integers(0, 2**16),
)
def test_f1_interval_is_bounded_and_reproducible(data, seed):
    truth, pred = (list(column) for column in zip(*data))
    interval = f1_with_ci(truth, pred, seed=seed, n_resamples=50)
    assert 0.0 <= interval.low <= interval.high <= 1.0
    assert interval == f1_with_ci(truth, pred, seed=seed, n_resamples=50)


def test_recall_at_fpr_picks_the_threshold_just_above_the_last_allowed_false_alarm():
    from adversarial_mlops.judging.metrics import recall_at_fpr

    # 10 benign scores 0.0..0.9; 4 malicious. At most 10 % FPR = 1 false alarm: the threshold sits
    # just above the 2nd highest benign score (0.8), so 0.9 is the one false alarm.
    y = [0] * 10 + [1] * 4
    scores = [i / 10 for i in range(10)] + [0.95, 0.85, 0.81, 0.5]
    point = recall_at_fpr(y, scores, 0.10)
    assert point["fpr"] == 0.1 and point["recall"] == 0.75 and 0.8 < point["threshold"] <= 0.81
    strict = recall_at_fpr(y, scores, 0.05)  # no false alarm allowed: above 0.9
    assert strict["fpr"] == 0.0 and strict["recall"] == 0.25
    assert recall_at_fpr([1, 1], [0.2, 0.9], 0.01)["recall"] is None  # no benign text: not measurable


def test_ties_at_the_cut_only_lower_the_false_positive_rate():
    from adversarial_mlops.judging.metrics import recall_at_fpr

    point = recall_at_fpr([0, 0, 0, 0, 1], [0.7, 0.7, 0.7, 0.1, 0.7], 0.5)  # 2 allowed, 3 tied at 0.7
    assert point["fpr"] == 0.0 and point["recall"] == 0.0 and point["threshold"] > 0.7


def test_pr_auc_is_average_precision():
    from adversarial_mlops.judging.metrics import pr_auc

    # Ranking: m (0.9), b (0.8), m (0.7): precision at each malicious hit 1/1 and 2/3 → AP = (1 + 2/3) / 2.
    assert pr_auc([1, 0, 1], [0.9, 0.8, 0.7]) == pytest.approx((1 + 2 / 3) / 2)
    assert pr_auc([1, 1], [0.1, 0.2]) is None


def test_delta_ranking_by_hand():
    # a: one benign text (0.4) outranks one malicious text (0.3): ROC-AUC 3/4, and with no false alarm
    # allowed it catches 1 of 2. b orders every pair right: AUC 1, recall 1.
    y = [1, 1, 0, 0]
    a, b = [0.9, 0.3, 0.4, 0.1], [0.9, 0.8, 0.2, 0.1]
    delta = delta_ranking(y, a, b, groups=["g1", "g2", "g1", "g2"], n_resamples=200, seed=0)
    assert delta["delta_roc_auc"]["estimate"] == pytest.approx(0.25)
    assert delta["delta_recall_at_1pct_fpr"]["estimate"] == pytest.approx(0.5)
    assert delta["delta_recall_at_5pct_fpr"]["estimate"] == pytest.approx(0.5)
    assert delta["delta_roc_auc"]["low"] >= 0.0  # b never orders a pair worse than a on any resample
    with pytest.raises(ValueError, match="equal lengths"):
        delta_ranking(y, a, b[:3])
