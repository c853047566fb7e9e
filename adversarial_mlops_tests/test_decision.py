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


def test_labels_follow_the_given_threshold():
    assert label_names([0.6, 0.9], threshold=0.8) == ["benign", "malicious"]
    assert label_names([0.6, 0.9]) == ["malicious", "malicious"]  # the uncalibrated default, 0.5
