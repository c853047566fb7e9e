"""Evaluate one model on the clean test split and on adversarial variants of its malicious texts.

The report is a plain JSON-serialisable dict; the quality gate reads it, Dagster shows it.
Not-measurable numbers are ``None`` (never NaN, which JSON cannot carry).
"""

from __future__ import annotations

from typing import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from adversarial_mlops.jsonable import json_safe
from adversarial_mlops.metrics import EvasionResult, classification_metrics, evasion_by_group, evasion_rate, f1_with_ci

PredictProba = Callable[[Sequence[str]], np.ndarray]
THRESHOLD = 0.5


def evasion_to_dict(result: EvasionResult) -> dict:
    return json_safe({"rate": result.rate.estimate, "low": result.rate.low, "high": result.rate.high,
                      "n_variants": result.n_variants, "n_evaded": result.n_evaded, "n_sources": result.n_sources})


def clean_report(y_true: np.ndarray, scores: np.ndarray, *, seed: int, n_resamples: int) -> dict:
    y_pred = (scores >= THRESHOLD).astype(np.int64)
    metrics = classification_metrics(y_true, y_pred, scores)
    metrics["f1_ci"] = f1_with_ci(y_true, y_pred, seed=seed, n_resamples=n_resamples).to_dict()
    metrics["n"] = len(y_true)
    return json_safe(metrics)


def evasion_report(variants: pd.DataFrame, variant_scores: np.ndarray, clean_pred_by_source: Mapping[str, int], *,
                   seed: int, n_resamples: int) -> dict:
    preds = (variant_scores >= THRESHOLD).astype(np.int64)
    sources = variants["source_id"].tolist()
    overall = evasion_rate(sources, preds, clean_pred_by_source, seed=seed, n_resamples=n_resamples)
    by_strategy = evasion_by_group(sources, preds, clean_pred_by_source, variants["strategy"].tolist(), seed=seed)
    return {"overall": evasion_to_dict(overall),
            "by_strategy": {name: evasion_to_dict(result) for name, result in sorted(by_strategy.items())}}


def evaluate_model(predict_proba: PredictProba, test: pd.DataFrame, variants: pd.DataFrame, *,
                   f1_at_promotion: float | None, seed: int = 0, n_resamples: int = 1000) -> dict:
    """Clean metrics on ``test`` (columns id, text, label) and evasion on ``variants`` of its texts."""
    clean_scores = predict_proba(test["text"].tolist())
    clean = clean_report(test["label"].to_numpy(), clean_scores, seed=seed, n_resamples=n_resamples)
    clean_pred_by_source = dict(zip(test["id"], (clean_scores >= THRESHOLD).astype(int).tolist()))
    variant_scores = predict_proba(variants["text"].tolist())
    evasion = evasion_report(variants, variant_scores, clean_pred_by_source, seed=seed, n_resamples=n_resamples)
    f1_drop = None if f1_at_promotion is None else float(f1_at_promotion) - clean["f1"]
    return {"clean": clean, "evasion": evasion, "f1_at_promotion": f1_at_promotion, "f1_drop": f1_drop,
            "n_test": int(len(test)), "n_variants": int(len(variants))}
