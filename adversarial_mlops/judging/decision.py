"""The decision rule, in one place: a text whose malicious score reaches the threshold is flagged.

Evaluation, failure mining, the A/B test, training's early stopping, the adaptive attack's
success rule and ``/predict`` all call ``decide``; nothing else compares a score with a number.

Each trained model carries its own threshold, calibrated on the validation split to
``model.target_fpr`` (``calibrate_threshold``) and stored in the model's directory; every
consumer reads it from the loaded model (``TextClassifier.threshold``). ``DECISION_THRESHOLD`` is
the threshold of an uncalibrated model (``model.target_fpr: null``, or one trained before
calibration existed) and of training's early stopping, which runs before any calibration.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from adversarial_mlops.data import LABEL_NAMES

DECISION_THRESHOLD = 0.5


def decide(scores: Sequence[float] | np.ndarray, threshold: float = DECISION_THRESHOLD) -> np.ndarray:
    """Labels (1 = malicious, 0 = benign) for malicious-class scores."""
    return (np.asarray(scores, dtype=float) >= threshold).astype(np.int64)


def label_names(scores: Sequence[float] | np.ndarray, threshold: float = DECISION_THRESHOLD) -> list[str]:
    """``decide`` as the names the API answers with."""
    return [LABEL_NAMES[int(label)] for label in decide(scores, threshold)]


def threshold_for_fpr(benign_scores: Sequence[float] | np.ndarray, max_fpr: float) -> float:
    """The lowest threshold at which at most ``max_fpr`` of ``benign_scores`` are flagged.

    It sits just above the benign score that would be one false alarm too many, so ties can
    only lower the false-positive rate. When every benign text may be flagged: the lowest score.
    """
    ranked = np.sort(np.asarray(benign_scores, dtype=float))[::-1]
    if len(ranked) == 0:
        raise ValueError("threshold_for_fpr needs at least one benign score")
    allowed = int(np.floor(max_fpr * len(ranked) + 1e-9))  # false alarms within budget
    if allowed >= len(ranked):
        return float(ranked[-1])
    return float(np.nextafter(ranked[allowed], np.inf))


def calibrate_threshold(y_true: Sequence[int] | np.ndarray, scores: Sequence[float] | np.ndarray,
                        target_fpr: float, *, groups: Sequence | None = None, confidence: float | None = None,
                        seed: int = 0, n_resamples: int = 1000) -> dict:
    """The operating point of a model: the threshold whose false-positive rate on these
    (validation) texts is at most ``target_fpr``, with the FPR and recall it reaches there.

    ``confidence`` (None = the plain empirical threshold) makes the target a bound that holds on
    new texts of the same kind, not only on these: the threshold is the ``confidence`` quantile of
    the thresholds that meet the target on bootstrap resamplings of the benign texts — whole
    ``groups`` (template groups) at a time, because false alarms come in whole templates and a
    validation split holds ~150 of them. It is never below the plain threshold.

    Scores saturate at 1.0 in floating point; when more than the budget of benign texts score
    1.0 no threshold within [0, 1] meets the target, and the threshold stays at 1.0 with its
    real (higher) FPR recorded — never a threshold above 1 that would flag nothing.
    """
    if not 0.0 < target_fpr < 1.0:
        raise ValueError(f"target_fpr must be in (0, 1), got {target_fpr}")
    if confidence is not None and not 0.5 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0.5, 1) or None, got {confidence}")
    truth = np.asarray(y_true).astype(bool)
    scores = np.asarray(scores, dtype=float)
    if truth.all() or not truth.any():
        raise ValueError("calibrating a threshold needs benign and malicious texts; the validation split "
                         "holds one class only. Fix: change data.validation_fraction or data.split_seed")
    benign = scores[~truth]
    benign_groups = None if groups is None else np.asarray(groups, dtype=object)[~truth]
    plain = min(threshold_for_fpr(benign, target_fpr), 1.0)
    threshold = plain if confidence is None else max(
        plain, _confident_threshold(benign, benign_groups, target_fpr, confidence, seed, n_resamples))
    flagged = decide(scores, threshold).astype(bool)
    return {"threshold": threshold, "target_fpr": float(target_fpr), "confidence": confidence,
            "plain_threshold": plain, "validation_fpr": float(flagged[~truth].mean()),
            "validation_recall": float(flagged[truth].mean()), "n_benign": int((~truth).sum()),
            "n_malicious": int(truth.sum()),
            "n_benign_groups": int(len(set(benign_groups))) if benign_groups is not None else int((~truth).sum())}


def _confident_threshold(benign: np.ndarray, groups: np.ndarray | None, target_fpr: float, confidence: float,
                         seed: int, n_resamples: int) -> float:
    """The ``confidence`` quantile of the per-resample thresholds (the upper end of a two-sided
    percentile interval at level 2 * confidence - 1)."""
    from adversarial_mlops.judging.metrics import bootstrap_interval  # metrics imports this module

    interval = bootstrap_interval(lambda rows: min(threshold_for_fpr(benign[rows], target_fpr), 1.0), len(benign),
                                  n_resamples=n_resamples, confidence=2.0 * confidence - 1.0, seed=seed,
                                  groups=groups)
    return float(interval.high)
