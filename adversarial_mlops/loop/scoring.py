"""Score one attack family's variants with the deployed model, apart from the evaluation.

The evaluation and the failure mining read these scores back (``known_scores``) instead of
scoring the variants themselves, so the costly part — the model over every variant — splits
into one step per family that an executor can run side by side. A step scores each distinct
text once under every reading the evaluation asks for: as deployed (with the model's decoded
views), and for the gate's own variants also the comparison reading (without views, or with
input normalisation toggled; ``judging.evaluation.comparison_reading``).

The numbers cannot depend on how the steps were scheduled: each family's table is a pure
function of its variants and the weights, and ``known_scores`` merges the tables in family
order.
"""

from __future__ import annotations

from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from adversarial_mlops.errors import InvalidInputError
from adversarial_mlops.judging.evaluation import comparison_reading
from adversarial_mlops.loop.attack_runner import BENIGN_EVALUATION, EVALUATION
from adversarial_mlops.models.modeling import TextClassifier

SCORE_COLUMNS = ("family", "model_version", "reading", "text", "score", "view", "window")
DEPLOYED = "deployed"
COMPARISON = "comparison"
# The variants views_comparison / normalization_comparison score a second time.
COMPARED_PURPOSES = frozenset({EVALUATION, BENIGN_EVALUATION})


class StaleScoresError(InvalidInputError):
    """Per-family scores of another model than the one being evaluated."""


def score_family(classifier: TextClassifier, variants: pd.DataFrame, *, family: str, model_version: str) -> pd.DataFrame:
    """Score, view and window of every distinct text of ``variants`` (one family's rows of the
    attack table, all purposes) as deployed, and of the gate's variants in the comparison reading."""
    readings = [(DEPLOYED, classifier, sorted(set(variants["text"])))]
    compared = variants[variants["purpose"].isin(COMPARED_PURPOSES)]
    readings.append((COMPARISON, comparison_reading(classifier), sorted(set(compared["text"]))))
    blocks = []
    for name, reader, texts in readings:
        rows = reader.score_with_evidence(texts) if texts else np.zeros((0, 3))
        blocks.append(pd.DataFrame({"family": family, "model_version": model_version, "reading": name, "text": texts,
                                    "score": rows[:, 0].astype(float), "view": rows[:, 1].astype(int),
                                    "window": rows[:, 2].astype(int)}, columns=list(SCORE_COLUMNS)))
    return pd.concat(blocks, ignore_index=True)


def known_scores(classifier: TextClassifier, tables: Iterable[pd.DataFrame], *,
                 model_version: str) -> dict[tuple, dict[str, tuple[float, int, int]]]:
    """``TextClassifier.known_scores`` from per-family tables of ``model_version``: reading → text →
    (score, view, window). Tables are merged in family order, so the result does not depend on
    which step finished first."""
    keys = {DEPLOYED: classifier.reading(), COMPARISON: comparison_reading(classifier).reading()}
    frames = [table for table in tables if len(table)]
    known: dict[tuple, dict[str, tuple[float, int, int]]] = {key: {} for key in keys.values()}
    if not frames:
        return known
    merged = pd.concat(frames, ignore_index=True).sort_values(["family", "reading", "text"], kind="mergesort")
    stale = merged[merged["model_version"] != model_version]
    if len(stale):
        raise StaleScoresError(f"per-family scores of model {stale['model_version'].iloc[0]} were given for the "
                               f"evaluation of {model_version}; re-run the family_scores assets with the current "
                               f"champion (materialize the whole loop)")
    for reading, text, score, view, window in zip(merged["reading"], merged["text"], merged["score"],
                                                  merged["view"], merged["window"]):
        known[keys[reading]][text] = (float(score), int(view), int(window))
    return known


def scored_classifier(classifier: TextClassifier, tables: Mapping[str, pd.DataFrame] | Iterable[pd.DataFrame], *,
                      model_version: str) -> TextClassifier:
    """``classifier`` answering from the per-family tables and scoring only what they lack."""
    frames = tables.values() if isinstance(tables, Mapping) else tables
    return classifier.with_known_scores(known_scores(classifier, frames, model_version=model_version))
