"""The decision rule, in one place: a text whose malicious score reaches the threshold is flagged.

Evaluation, failure mining, the A/B test, training's early stopping, the adaptive attack's
success rule and ``/predict`` all call ``decide``; nothing else compares a score with a number.
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
