"""Evaluate one model on the clean test split and on adversarial variants of its malicious texts.

The report is a plain JSON-serialisable dict; the quality gate reads it, Dagster shows it.
Not-measurable numbers are ``None`` (never NaN, which JSON cannot carry).
"""

from __future__ import annotations

from typing import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from adversarial_mlops.jsonable import json_safe
from adversarial_mlops.data import BENIGN, MALICIOUS
from adversarial_mlops.metrics import (EvasionResult, bootstrap_interval, classification_metrics, evasion_by_group,
                                      evasion_rate, f1_with_ci)

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


def false_alarm_rate(preds: np.ndarray, sources: Sequence[str], *, seed: int, n_resamples: int) -> dict:
    """Share of benign texts flagged, with a 95% CI resampling whole source texts."""
    if len(preds) == 0:
        return {"rate": None, "low": None, "high": None, "n": 0}
    interval = bootstrap_interval(lambda index: float(preds[index].mean()), len(preds), groups=list(sources),
                                  seed=seed, n_resamples=n_resamples)
    return json_safe({"rate": interval.estimate, "low": interval.low, "high": interval.high, "n": len(preds)})


def over_defense_report(test: pd.DataFrame, clean_scores: np.ndarray, benign_variants: pd.DataFrame,
                        variant_scores: np.ndarray, *, seed: int, n_resamples: int) -> dict:
    """False alarms on obfuscated benign texts (overall, per strategy) and on clean benign categories."""
    preds = (variant_scores >= THRESHOLD).astype(np.int64)
    sources = benign_variants["source_id"].tolist()
    by_strategy = {}
    for name in sorted(benign_variants["strategy"].unique()):
        mask = (benign_variants["strategy"] == name).to_numpy()
        by_strategy[name] = false_alarm_rate(preds[mask], np.asarray(sources)[mask], seed=seed, n_resamples=n_resamples)
    benign = (test["label"] == BENIGN).to_numpy()
    categories = test["category"] if "category" in test else pd.Series("benign", index=test.index)
    clean_preds = (clean_scores >= THRESHOLD).astype(np.int64)
    by_category = {name: {"fpr": float(clean_preds[benign & (categories == name).to_numpy()].mean()),
                          "n": int((benign & (categories == name).to_numpy()).sum())}
                   for name in sorted(categories[benign].unique())}
    return {"obfuscated_benign_fpr": false_alarm_rate(preds, sources, seed=seed, n_resamples=n_resamples),
            "obfuscated_benign_fpr_by_strategy": by_strategy, "clean_fpr_by_category": by_category}


def evaluate_model(predict_proba: PredictProba, test: pd.DataFrame, variants: pd.DataFrame, *,
                   f1_at_promotion: float | None, benign_variants: pd.DataFrame | None = None, seed: int = 0,
                   n_resamples: int = 1000) -> dict:
    """Clean metrics on ``test`` (id, text, label[, category]); evasion on ``variants`` of its malicious
    texts; false alarms on ``benign_variants`` (obfuscated benign test texts)."""
    clean_scores = predict_proba(test["text"].tolist())
    clean = clean_report(test["label"].to_numpy(), clean_scores, seed=seed, n_resamples=n_resamples)
    clean_pred_by_source = dict(zip(test["id"], (clean_scores >= THRESHOLD).astype(int).tolist()))
    variant_scores = predict_proba(variants["text"].tolist())
    evasion = evasion_report(variants, variant_scores, clean_pred_by_source, seed=seed, n_resamples=n_resamples)
    benign_variants = benign_variants if benign_variants is not None else variants.iloc[0:0]
    over_defense = over_defense_report(test, clean_scores, benign_variants,
                                       predict_proba(benign_variants["text"].tolist()), seed=seed,
                                       n_resamples=n_resamples)
    f1_drop = None if f1_at_promotion is None else float(f1_at_promotion) - clean["f1"]
    return {"clean": clean, "evasion": evasion, "over_defense": over_defense, "f1_at_promotion": f1_at_promotion,
            "f1_drop": f1_drop, "n_test": int(len(test)), "n_variants": int(len(variants)),
            "n_benign_variants": int(len(benign_variants))}


def normalization_comparison(classifier, test: pd.DataFrame, variants: pd.DataFrame, deployed: dict, *,
                             seed: int, n_resamples: int) -> dict:
    """Evasion with and without the input-normalisation defence, same weights, same variants.

    ``classifier`` is a ``modeling.TextClassifier``; ``deployed`` the report it produced as deployed.
    """
    toggled = classifier.with_normalization(not classifier.normalize_inputs)
    clean_scores = toggled.predict_proba(test["text"].tolist())
    clean_pred_by_source = dict(zip(test["id"], (clean_scores >= THRESHOLD).astype(int).tolist()))
    other = evasion_report(variants, toggled.predict_proba(variants["text"].tolist()), clean_pred_by_source,
                           seed=seed, n_resamples=n_resamples)
    with_it, without_it = (deployed["evasion"], other) if classifier.normalize_inputs else (other, deployed["evasion"])
    return {"deployed_with_normalization": classifier.normalize_inputs,
            "with_normalization": with_it["overall"], "without_normalization": without_it["overall"],
            "with_normalization_by_strategy": {k: v["rate"] for k, v in with_it["by_strategy"].items()},
            "without_normalization_by_strategy": {k: v["rate"] for k, v in without_it["by_strategy"].items()}}


ADAPTIVE = "adaptive"


def adaptive_variants(predict_proba: PredictProba, test: pd.DataFrame, *, n_sources: int, query_budget: int,
                      seed: int) -> tuple[pd.DataFrame, dict]:
    """Run the model-guided adaptive attack on malicious test texts; one variant row per source.

    A failed attack contributes the unchanged text (still caught), so the evasion rate over these
    rows is the attack's success rate on texts the model catches when clean.
    """
    from adversarial_mlops.adaptive_attack import AdaptiveAttackSettings, adaptive_attack, summarize

    malicious = test[test["label"] == MALICIOUS].sort_values("id")
    if len(malicious) > n_sources:
        malicious = malicious.sample(n=n_sources, random_state=seed).sort_values("id")
    settings = AdaptiveAttackSettings(query_budget=query_budget, threshold=THRESHOLD, seed=seed)
    results = adaptive_attack(list(zip(malicious["id"], malicious["text"])), predict_proba, settings)
    rows = pd.DataFrame({"source_id": [r.source_id for r in results], "strategy": ADAPTIVE,
                         "text": [r.adversarial if r.success else r.original for r in results]})
    return rows, json_safe(summarize(results, threshold=THRESHOLD))


def evaluate_classifier(classifier, test: pd.DataFrame, variants: pd.DataFrame, benign_variants: pd.DataFrame, *,
                        f1_at_promotion: float | None, adaptive_sources: int, adaptive_query_budget: int,
                        adaptive_seed: int, seed: int, n_resamples: int) -> dict:
    """The whole evaluation of a ``modeling.TextClassifier``: static variants plus the adaptive
    attack against it, over-defence, and evasion with and without input normalisation."""
    adaptive_summary = None
    if adaptive_sources:
        adaptive, adaptive_summary = adaptive_variants(classifier.predict_proba, test, n_sources=adaptive_sources,
                                                       query_budget=adaptive_query_budget, seed=adaptive_seed)
        variants = pd.concat([variants, adaptive], ignore_index=True)
    report = evaluate_model(classifier.predict_proba, test, variants, benign_variants=benign_variants,
                            f1_at_promotion=f1_at_promotion, seed=seed, n_resamples=n_resamples)
    report["adaptive_attack"] = adaptive_summary
    report["normalization_defense"] = normalization_comparison(classifier, test, variants, report, seed=seed,
                                                               n_resamples=n_resamples)
    return report
