"""The decision rule and the operating point: calibration to a target false-positive rate."""

import numpy as np
import pytest

from adversarial_mlops.judging.decision import calibrate_threshold, decide, label_names, threshold_for_fpr

# Five benign scores and three malicious ones.
Y = [0, 0, 0, 0, 0, 1, 1, 1]
SCORES = [0.1, 0.2, 0.3, 0.4, 0.9, 0.35, 0.95, 0.99]


def test_one_false_alarm_in_five_is_a_twenty_percent_budget():
    point = calibrate_threshold(Y, SCORES, target_fpr=0.2)
    # One benign score (0.9) may be flagged: the threshold sits just above the next one, 0.4.
    assert point["threshold"] == np.nextafter(0.4, 1.0)
    assert (point["validation_fpr"], point["validation_recall"]) == (0.2, 2 / 3)
    assert (point["n_benign"], point["n_malicious"], point["target_fpr"]) == (5, 3, 0.2)


def test_a_budget_below_one_text_allows_no_false_alarm():
    point = calibrate_threshold(Y, SCORES, target_fpr=0.1)  # 0.1 x 5 = 0.5 texts: none
    assert point["threshold"] == np.nextafter(0.9, 1.0)
    assert (point["validation_fpr"], point["validation_recall"]) == (0.0, 2 / 3)
    assert decide(SCORES, point["threshold"]).tolist() == [0, 0, 0, 0, 0, 0, 1, 1]


def test_ties_can_only_lower_the_false_positive_rate():
    assert threshold_for_fpr([0.7, 0.7, 0.7, 0.1], 0.25) == np.nextafter(0.7, 1.0)


def test_saturated_scores_keep_the_threshold_at_one_and_record_the_real_rate():
    point = calibrate_threshold([0, 0, 0, 1], [1.0, 1.0, 0.2, 1.0], target_fpr=0.1)
    assert point["threshold"] == 1.0 and point["validation_fpr"] == pytest.approx(2 / 3)


def test_calibration_needs_both_classes_and_a_real_target():
    with pytest.raises(ValueError, match="one class only"):
        calibrate_threshold([0, 0], [0.1, 0.2], target_fpr=0.02)
    with pytest.raises(ValueError, match="target_fpr"):
        calibrate_threshold(Y, SCORES, target_fpr=0.0)


def clustered_validation():
    """95 benign texts in 19 template groups scoring 0.05-0.5, and one benign template (5 texts) at 0.8:
    5 % of texts, and the one group a 10 % budget must sit above when a resampling draws it three times."""
    low = np.linspace(0.05, 0.5, 95)
    scores = np.concatenate([low, np.full(5, 0.8), [0.9, 0.95, 0.99]])
    groups = [f"low-{i // 5}" for i in range(95)] + ["high"] * 5 + ["m1", "m2", "m3"]
    return [0] * 100 + [1] * 3, scores, groups


def test_confidence_resamples_whole_templates():
    labels, scores, groups = clustered_validation()
    plain = calibrate_threshold(labels, scores, target_fpr=0.1)
    by_text = calibrate_threshold(labels, scores, target_fpr=0.1, confidence=0.95)
    by_template = calibrate_threshold(labels, scores, target_fpr=0.1, confidence=0.95, groups=groups)
    # Texts resampled one by one rarely hold more than 10 of the 5 high texts' copies (about 1 %):
    # the threshold stays below them. Drawn as a template (1 of 20), it comes three times in ~8 %
    # of resamplings, more than 5 %: the bound sits above 0.8, where new templates of its kind stay unflagged.
    assert plain["threshold"] < 0.8 and by_text["threshold"] < 0.8
    assert by_template["threshold"] > 0.8 and by_template["validation_fpr"] == 0.0
    assert by_template["plain_threshold"] == plain["threshold"]
    assert (by_template["confidence"], by_template["n_benign_groups"]) == (0.95, 20)


def test_confidence_never_loosens_the_plain_threshold():
    for seed in range(5):
        point = calibrate_threshold(Y, SCORES, target_fpr=0.2, confidence=0.6, seed=seed)
        assert point["threshold"] >= point["plain_threshold"] and point["validation_fpr"] <= 0.2


def test_confidence_is_a_probability_above_a_half():
    for confidence in (0.5, 1.0, 0.2):
        with pytest.raises(ValueError, match="confidence"):
            calibrate_threshold(Y, SCORES, target_fpr=0.2, confidence=confidence)


def test_labels_follow_the_given_threshold():
    assert label_names([0.6, 0.9], threshold=0.8) == ["benign", "malicious"]
    assert label_names([0.6, 0.9]) == ["malicious", "malicious"]  # the uncalibrated default, 0.5
