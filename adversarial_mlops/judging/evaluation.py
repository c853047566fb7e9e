"""Evaluate one model on the clean test split and on adversarial variants of its malicious texts.

The report is a plain JSON-serialisable dict; the quality gate reads it, Dagster shows it.
Not-measurable numbers are ``None`` (never NaN, which JSON cannot carry).
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from adversarial_mlops.attacks import strategy_families, strategy_names
from adversarial_mlops.attacks.adaptive import ADAPTIVE
from adversarial_mlops.attacks.encoding import RAW_SUFFIX, EncodingStrategy
from adversarial_mlops.judging.decision import DECISION_THRESHOLD, decide
from adversarial_mlops.storage.jsonable import json_safe
from adversarial_mlops.models.memory import release_free_heap
from adversarial_mlops.models.modeling import SCORING_CHUNK_CHARS, text_chunks
from adversarial_mlops.data import BENIGN, MALICIOUS
from adversarial_mlops.judging.metrics import (EvasionResult, bootstrap_interval, classification_metrics, evasion_by_group,
                                               evasion_rate, f1_with_ci, pr_auc, recall_at_fpr,
                                               recall_at_fpr_key, RANKING_FPRS)

PredictProba = Callable[[Sequence[str]], np.ndarray]
ModelInputs = Callable[[Sequence[str]], list]  # texts -> what the model reads (token ids after its defence)
EFFECTIVE = "effective"  # variant column: the model's input differs from its source's
CLUSTER = "cluster"  # variant column: the source's template group, the unit every CI resamples
ENCODING = EncodingStrategy.family


def mark_effective(model_inputs: ModelInputs, test: pd.DataFrame, variants: pd.DataFrame) -> np.ndarray:
    """True where the model reads a variant differently from its source text.

    A variant whose input is identical to its source's (random case for an uncased tokenizer,
    invisible characters the tokenizer drops, edits past the model's window, or anything the
    input defence undoes) tests nothing: counting it would pool the source's own outcome into an
    evasion rate. Rows of the adaptive attack are attack outcomes (a failed attack keeps its
    source text), so they always count.
    """
    if variants.empty:
        return np.zeros(0, dtype=bool)
    source_text = dict(zip(test["id"], test["text"]))
    missing = sorted(set(variants["source_id"]) - set(source_text))
    if missing:
        raise ValueError(f"{len(missing)} variant sources are not in the test texts (e.g. {missing[0]!r})")
    unique_sources = sorted(set(variants["source_id"]))
    source_inputs = dict(zip(unique_sources, model_inputs([source_text[s] for s in unique_sources])))
    texts, sources = variants["text"].tolist(), variants["source_id"].tolist()
    changed = np.zeros(len(variants), dtype=bool)
    for start, stop in text_chunks(texts, SCORING_CHUNK_CHARS):  # token tuples of a chunk at a time (memory)
        changed[start:stop] = [tuple(ids) != tuple(source_inputs[source])
                               for ids, source in zip(model_inputs(texts[start:stop]), sources[start:stop])]
    return changed | (variants["strategy"] == ADAPTIVE).to_numpy()


def with_effective(classifier, texts: pd.DataFrame, variants: pd.DataFrame) -> pd.DataFrame:
    """``variants`` with the ``effective`` column for ``classifier`` (a ``modeling.TextClassifier``)."""
    return variants.assign(**{EFFECTIVE: mark_effective(classifier.model_inputs, texts, variants)})


def effective_rows(variants: pd.DataFrame) -> np.ndarray:
    """The rows that count toward rates: the ``effective`` column, or every row without one."""
    if EFFECTIVE in variants:
        return variants[EFFECTIVE].to_numpy(dtype=bool)
    return np.ones(len(variants), dtype=bool)


def evasion_to_dict(result: EvasionResult) -> dict:
    return json_safe({"rate": result.rate.estimate, "low": result.rate.low, "high": result.rate.high,
                      "n_variants": result.n_variants, "n_evaded": result.n_evaded, "n_sources": result.n_sources,
                      "n_groups": result.n_clusters})


def with_clusters(test: pd.DataFrame, variants: pd.DataFrame) -> pd.DataFrame:
    """``variants`` with the template group of each source (test's ``group`` column), so CIs resample
    whole templates: texts written from one template fail together. Without groups: the source."""
    if variants.empty or "group" not in test:
        return variants
    group_of = dict(zip(test["id"], test["group"].astype(str)))
    return variants.assign(**{CLUSTER: variants["source_id"].map(group_of).fillna(variants["source_id"])})


def _clusters(frame: pd.DataFrame) -> np.ndarray | None:
    return frame[CLUSTER].to_numpy(dtype=object) if CLUSTER in frame else None


def operating_point_report(y_true: np.ndarray, scores: np.ndarray, threshold: float = DECISION_THRESHOLD,
                           target_fpr: float | None = None) -> dict:
    """Where the detector works: its threshold (calibrated on validation to ``target_fpr``; None =
    the fixed default) with the FPR and recall it reaches on these texts, ROC-AUC, PR-AUC, and the
    recall it would reach at 1 % and 5 % FPR (what peers report)."""
    at_threshold = classification_metrics(y_true, decide(scores, threshold), scores)
    return json_safe({"threshold": threshold, "target_fpr": target_fpr, "fpr": at_threshold["fpr"],
                      "recall": at_threshold["recall"], "roc_auc": at_threshold["roc_auc"],
                      "pr_auc": pr_auc(y_true, scores),
                      **{recall_at_fpr_key(max_fpr): recall_at_fpr(y_true, scores, max_fpr) for max_fpr in RANKING_FPRS}})


def clean_report(y_true: np.ndarray, scores: np.ndarray, *, seed: int, n_resamples: int,
                 groups: Sequence[str] | None = None, threshold: float = DECISION_THRESHOLD) -> dict:
    """Clean metrics at ``threshold``; with ``groups`` (template per text) the F1 and FPR CIs
    resample whole templates."""
    y_pred = decide(scores, threshold)
    metrics = classification_metrics(y_true, y_pred, scores)
    if groups is None:
        metrics["f1_ci"] = f1_with_ci(y_true, y_pred, seed=seed, n_resamples=n_resamples).to_dict()
    else:
        truth, pred = np.asarray(y_true), np.asarray(y_pred)
        metrics["f1_ci"] = bootstrap_interval(lambda i: classification_metrics(truth[i], pred[i])["f1"], len(truth),
                                              groups=list(groups), seed=seed, n_resamples=n_resamples).to_dict()
        metrics["fpr_ci"] = bootstrap_interval(lambda i: classification_metrics(truth[i], pred[i])["fpr"], len(truth),
                                               groups=list(groups), seed=seed, n_resamples=n_resamples).to_dict()
        metrics["n_groups"] = len(set(groups))
    metrics["n"] = len(y_true)
    return json_safe(metrics)


@functools.lru_cache(maxsize=None)  # the registry is fixed once discovered; reports look names up per row
def families_of(strategy: str) -> frozenset[str]:
    """Families a variant's strategy belongs to; a composite belongs to "composite" and to each
    part's family (the membership that keeps it out of training). A strategy the registry does not
    know — the model-guided "adaptive" attack — is a family of its own."""
    return strategy_families(strategy) if strategy in _registered() else frozenset({strategy})


def _registered() -> frozenset[str]:
    return frozenset(strategy_names())


def _evasion_on(mask: np.ndarray, sources: np.ndarray, preds: np.ndarray, clean_pred_by_source: Mapping[str, int],
                *, seed: int, n_resamples: int, clusters: np.ndarray | None = None) -> dict:
    return evasion_to_dict(evasion_rate(sources[mask], preds[mask], clean_pred_by_source, seed=seed,
                                        n_resamples=n_resamples, clusters=None if clusters is None else clusters[mask]))


def evasion_by_family(variants: pd.DataFrame, preds: np.ndarray, clean_pred_by_source: Mapping[str, int], *,
                      seed: int, n_resamples: int, keep: np.ndarray | None = None) -> dict:
    """Evasion per attack family with cluster-bootstrap CIs, over the rows ``keep`` selects (default all).

    Composites count in every family they belong to, so families overlap; "overall" does not.
    """
    families = [families_of(name) for name in variants["strategy"]]
    keep = np.ones(len(variants), dtype=bool) if keep is None else keep
    sources = variants["source_id"].to_numpy(dtype=object)
    found = sorted(set().union(*(f for f, k in zip(families, keep) if k))) if keep.any() else []
    return {family: _evasion_on(keep & np.array([family in f for f in families], dtype=bool), sources, preds,
                                clean_pred_by_source, seed=seed, n_resamples=n_resamples,
                                clusters=_clusters(variants)) for family in found}


def evasion_report(variants: pd.DataFrame, variant_scores: np.ndarray, clean_pred_by_source: Mapping[str, int], *,
                   seed: int, n_resamples: int, threshold: float = DECISION_THRESHOLD) -> dict:
    """Evasion overall, per strategy and per family, over effective variants only (``mark_effective``).
    ``static_overall``: the same without the adaptive attack's rows (the gate judges those apart).

    Per strategy: ``generated`` variants, ``effective`` ones (the model reads them differently from
    their source), ``n_variants`` (effective and of a source the model catches when clean) and
    ``evaded``; ``rate`` = evaded / n_variants, None when nothing is measurable.
    """
    keep = effective_rows(variants)
    counted = variants[keep].reset_index(drop=True)
    preds = decide(variant_scores, threshold)[keep]
    sources = counted["source_id"].tolist()
    overall = evasion_rate(sources, preds, clean_pred_by_source, seed=seed, n_resamples=n_resamples,
                           clusters=_clusters(counted))
    by_strategy = evasion_by_group(sources, preds, clean_pred_by_source, counted["strategy"].tolist(), seed=seed,
                                   n_resamples=n_resamples, clusters=_clusters(counted))
    generated = variants["strategy"].value_counts()
    effective = counted["strategy"].value_counts()
    strategies = {}
    for name in sorted(generated.index):
        entry = evasion_to_dict(by_strategy[name]) if name in by_strategy else _not_measurable()
        strategies[name] = {**entry, "generated": int(generated[name]), "effective": int(effective.get(name, 0)),
                            "evaded": entry["n_evaded"]}
    static = (counted["strategy"] != ADAPTIVE).to_numpy()
    clusters = _clusters(counted)
    static_overall = (evasion_rate(np.asarray(sources, dtype=object)[static], preds[static], clean_pred_by_source,
                                   seed=seed, n_resamples=n_resamples,
                                   clusters=None if clusters is None else clusters[static])
                      if not static.all() else overall)
    return {"overall": {**evasion_to_dict(overall), "generated": int(len(variants)), "effective": int(keep.sum())},
            "static_overall": evasion_to_dict(static_overall),
            "by_strategy": strategies,
            "by_family": evasion_by_family(counted, preds, clean_pred_by_source, seed=seed, n_resamples=n_resamples)}


def _not_measurable() -> dict:
    return {"rate": None, "low": None, "high": None, "n_variants": 0, "n_evaded": 0, "n_sources": 0}


def generalization_report(variants: pd.DataFrame, variant_scores: np.ndarray, clean_pred_by_source: Mapping[str, int],
                          excluded_families: Sequence[str], *, seed: int, n_resamples: int,
                          threshold: float = DECISION_THRESHOLD) -> dict:
    """Evasion on the attack families the model never saw in training next to the ones it saw.

    Unseen: variants of strategies held out of training (any of their families excluded); seen:
    every other registered strategy. The adaptive attack edits words with any transformation, so
    it belongs to neither side. A gap (unseen − seen) well above 0 means the model memorised the
    obfuscations it was shown rather than learning what an injection is.
    """
    excluded = set(excluded_families)
    preds = decide(variant_scores, threshold)
    sources = variants["source_id"].to_numpy(dtype=object)
    names = variants["strategy"].tolist()
    registered = np.array([name in _registered() for name in names], dtype=bool)
    unseen = registered & np.array([bool(families_of(name) & excluded) for name in names], dtype=bool)
    seen = registered & ~unseen
    kwargs = {"seed": seed, "n_resamples": n_resamples}
    unseen_rate = _evasion_on(unseen, sources, preds, clean_pred_by_source, clusters=_clusters(variants), **kwargs)
    seen_rate = _evasion_on(seen, sources, preds, clean_pred_by_source, clusters=_clusters(variants), **kwargs)
    by_unseen = evasion_by_family(variants, preds, clean_pred_by_source, keep=unseen, **kwargs)
    by_seen = evasion_by_family(variants, preds, clean_pred_by_source, keep=seen, **kwargs)
    gap = None if unseen_rate["rate"] is None or seen_rate["rate"] is None else unseen_rate["rate"] - seen_rate["rate"]
    return {"excluded_families": sorted(excluded),
            "unseen_strategies": sorted({n for n, u in zip(names, unseen) if u}),
            "unseen": unseen_rate, "seen": seen_rate, "unseen_minus_seen": gap,
            "unseen_by_family": {f: v for f, v in by_unseen.items() if f in excluded},
            "seen_by_family": {f: v for f, v in by_seen.items() if f not in excluded}}


def false_alarm_rate(preds: np.ndarray, sources: Sequence[str], *, seed: int, n_resamples: int) -> dict:
    """Share of benign texts flagged, with a 95% CI resampling whole ``sources`` (template groups
    where known, else source texts); ``n_groups`` says how many it rests on."""
    if len(preds) == 0:
        return {"rate": None, "low": None, "high": None, "n": 0, "n_groups": 0}
    interval = bootstrap_interval(lambda index: float(preds[index].mean()), len(preds), groups=list(sources),
                                  seed=seed, n_resamples=n_resamples)
    return json_safe({"rate": interval.estimate, "low": interval.low, "high": interval.high, "n": len(preds),
                      "n_groups": len(set(sources))})


def encoding_probes(benign_variants: pd.DataFrame) -> np.ndarray:
    """Encoded benign texts: shown per strategy, never pooled (an encoded text is not plainly benign)."""
    return np.array([ENCODING in families_of(name) for name in benign_variants["strategy"]], dtype=bool)


def pooled_benign_rows(benign_variants: pd.DataFrame) -> np.ndarray:
    """The obfuscated benign texts the over-defence rate pools: effective ones, no encoding probes."""
    return effective_rows(benign_variants) & ~encoding_probes(benign_variants)


def over_defense_report(test: pd.DataFrame, clean_scores: np.ndarray, benign_variants: pd.DataFrame,
                        variant_scores: np.ndarray, *, seed: int, n_resamples: int,
                        threshold: float = DECISION_THRESHOLD, over_defense_categories: Sequence[str] = ()) -> dict:
    """False alarms on obfuscated benign texts (overall, per strategy), on clean benign categories,
    and on the over-defence set: clean benign texts of ``over_defense_categories`` (benign texts
    built around trigger words, NotInject-style), its own line with a template-cluster CI.

    Only effective obfuscations count (``mark_effective``): a no-op one is the clean text again.
    Encoded benign texts (encoding probes) are shown per strategy and as ``encoding_wrapper_effect``
    but never pooled: an encoded text is not plainly benign to a reader.
    """
    keep = effective_rows(benign_variants)
    flagged = decide(variant_scores, threshold)
    probe = encoding_probes(benign_variants)
    units = (benign_variants[CLUSTER] if CLUSTER in benign_variants else benign_variants["source_id"]).to_numpy(
        dtype=object)
    probes = set(benign_variants["strategy"][probe])
    by_strategy = {}
    for name in sorted(benign_variants["strategy"].unique()):
        mask = keep & (benign_variants["strategy"] == name).to_numpy()
        by_strategy[name] = {**false_alarm_rate(flagged[mask], units[mask].tolist(), seed=seed,
                                                n_resamples=n_resamples),
                             "generated": int((benign_variants["strategy"] == name).sum()), "effective": int(mask.sum()),
                             "pooled": name not in probes}
    pooled = pooled_benign_rows(benign_variants)
    benign = (test["label"] == BENIGN).to_numpy()
    categories = test["category"] if "category" in test else pd.Series("benign", index=test.index)
    clean_preds = decide(clean_scores, threshold)
    by_category = {name: {"fpr": float(clean_preds[benign & (categories == name).to_numpy()].mean()),
                          "n": int((benign & (categories == name).to_numpy()).sum())}
                   for name in sorted(categories[benign].unique())}
    in_set = benign & categories.isin(list(over_defense_categories)).to_numpy()
    set_units = (test["group"] if "group" in test else test["id"]).astype(str).to_numpy()
    over_defense_set = (false_alarm_rate(clean_preds[in_set], set_units[in_set].tolist(), seed=seed,
                                         n_resamples=n_resamples) if in_set.any() else None)
    return {"obfuscated_benign_fpr": false_alarm_rate(flagged[pooled], units[pooled].tolist(), seed=seed,
                                                      n_resamples=n_resamples),
            "over_defense_set_fpr": over_defense_set and {**over_defense_set,
                                                          "categories": list(over_defense_categories)},
            "obfuscated_benign_fpr_by_strategy": by_strategy, "clean_fpr_by_category": by_category,
            "encoding_wrapper_effect": encoding_wrapper_effect(by_strategy)}


def encoding_wrapper_effect(by_strategy: Mapping[str, Mapping]) -> dict:
    """Per encoding: false alarms on benign texts with the "decode and follow" wrapper, encoded
    raw (no instruction text), and the difference — what the wrapper alone triggers."""
    effect = {}
    for name, block in by_strategy.items():
        raw = by_strategy.get(name + RAW_SUFFIX)
        if raw is None or block["rate"] is None or raw["rate"] is None:
            continue
        effect[name] = {"wrapped_fpr": block["rate"], "raw_fpr": raw["rate"],
                        "wrapper_effect": block["rate"] - raw["rate"], "n": block["n"]}
    return effect


def evaluate_model(predict_proba: PredictProba, test: pd.DataFrame, variants: pd.DataFrame, *,
                   f1_at_promotion: float | None, benign_variants: pd.DataFrame | None = None, seed: int = 0,
                   n_resamples: int = 1000, excluded_families: Sequence[str] = (),
                   threshold: float = DECISION_THRESHOLD, target_fpr: float | None = None,
                   over_defense_categories: Sequence[str] = ()) -> dict:
    """Clean metrics on ``test`` (id, text, label[, category]); evasion on ``variants`` of its malicious
    texts; false alarms on ``benign_variants`` (obfuscated benign test texts). ``excluded_families``:
    the families the model was trained without (``loop.lifecycle.excluded_families``); when given,
    ``generalization`` puts evasion on them next to the seen ones, else it is None. Every label is
    decided at ``threshold``, the model's operating point (calibrated to ``target_fpr``)."""
    clean_scores = predict_proba(test["text"].tolist())
    clean = clean_report(test["label"].to_numpy(), clean_scores, seed=seed, n_resamples=n_resamples,
                         groups=test["group"].astype(str).tolist() if "group" in test else None, threshold=threshold)
    clean_pred_by_source = dict(zip(test["id"], decide(clean_scores, threshold).tolist()))
    variants = with_clusters(test, variants)
    benign_variants = with_clusters(test, benign_variants) if benign_variants is not None else None
    variant_scores = predict_proba(variants["text"].tolist())
    evasion = evasion_report(variants, variant_scores, clean_pred_by_source, seed=seed, n_resamples=n_resamples,
                             threshold=threshold)
    keep = effective_rows(variants)
    generalization = (generalization_report(variants[keep].reset_index(drop=True), variant_scores[keep],
                                            clean_pred_by_source, excluded_families, seed=seed,
                                            n_resamples=n_resamples, threshold=threshold)
                      if excluded_families else None)
    benign_variants = benign_variants if benign_variants is not None else variants.iloc[0:0]
    over_defense = over_defense_report(test, clean_scores, benign_variants,
                                       predict_proba(benign_variants["text"].tolist()), seed=seed,
                                       n_resamples=n_resamples, threshold=threshold,
                                       over_defense_categories=over_defense_categories)
    f1_drop = None if f1_at_promotion is None else float(f1_at_promotion) - clean["f1"]
    return {"clean": clean, "operating_point": operating_point_report(test["label"].to_numpy(), clean_scores, threshold,
                                                                            target_fpr),
            "evasion": evasion, "over_defense": over_defense, "f1_at_promotion": f1_at_promotion,
            "f1_drop": f1_drop, "n_test": int(len(test)), "n_variants": int(len(variants)),
            "n_benign_variants": int(len(benign_variants)), "generalization": generalization,
            "clean_scores": clean_scores_record(test, clean_scores)}


def clean_scores_record(test: pd.DataFrame, scores: np.ndarray) -> dict:
    """Per clean test text: id, label and score, for the ROC curve, score histograms and confusion
    matrix of the reports (read by nothing that decides)."""
    return json_safe({"ids": test["id"].astype(str).tolist(), "labels": test["label"].astype(int).tolist(),
                      "scores": np.asarray(scores, dtype=float).tolist()})


def comparison_reading(classifier):
    """The same weights read the other way, to show what the deployed input defence buys: without
    decoded views for a model with views, else with input normalisation switched over."""
    if getattr(classifier, "views", False):
        return dataclasses.replace(classifier, views=False)
    return classifier.with_normalization(not classifier.normalize_inputs)


def normalization_comparison(classifier, test: pd.DataFrame, variants: pd.DataFrame, deployed: dict, *,
                             seed: int, n_resamples: int) -> dict:
    """Evasion with and without the input-normalisation defence, same weights, same variants.

    ``classifier`` is a ``modeling.TextClassifier``; ``deployed`` the report it produced as deployed.
    """
    toggled = comparison_reading(classifier)
    variants = with_clusters(test, variants).assign(**{EFFECTIVE: mark_effective(toggled.model_inputs, test, variants)})
    clean_scores = toggled.predict_proba(test["text"].tolist())
    clean_pred_by_source = dict(zip(test["id"], decide(clean_scores, toggled.threshold).tolist()))
    other = evasion_report(variants, toggled.predict_proba(variants["text"].tolist()), clean_pred_by_source,
                           seed=seed, n_resamples=n_resamples, threshold=toggled.threshold)
    with_it, without_it = (deployed["evasion"], other) if classifier.normalize_inputs else (other, deployed["evasion"])
    return {"deployed_with_normalization": classifier.normalize_inputs,
            "with_normalization": with_it["overall"], "without_normalization": without_it["overall"],
            "with_normalization_by_strategy": {k: v["rate"] for k, v in with_it["by_strategy"].items()},
            "without_normalization_by_strategy": {k: v["rate"] for k, v in without_it["by_strategy"].items()}}


class EvidenceMemo:
    """``predict_proba`` of a classifier with decoded views that remembers, per text scored, its
    score and the view that decided it (``score_with_evidence``: the same scoring pass), so the
    evaluation can say which view raised each false alarm without scoring anything twice."""

    def __init__(self, classifier):
        self.classifier = classifier
        self.seen: dict[str, tuple[float, int]] = {}

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        rows = self.classifier.score_with_evidence(texts)
        self.seen.update((text, (float(row[0]), int(row[1]))) for text, row in zip(texts, rows))
        return rows[:, 0] if len(rows) else np.zeros(0)


def false_alarms_by_view(texts: Sequence[str], plain_flags: np.ndarray, seen: dict, threshold: float) -> dict:
    """Benign ``texts`` flagged with views, counted by the view that decided (``VIEW_NAMES``), and
    how many of them the text read as it is (``plain_flags``) would not have flagged."""
    from adversarial_mlops.models.views import VIEW_NAMES

    by_view = {name: 0 for name in VIEW_NAMES}
    added = 0
    for text, plain_flag in zip(texts, plain_flags):
        score, view = seen[text]
        if score >= threshold:
            by_view[VIEW_NAMES[view]] += 1
            added += int(not plain_flag)
    return {"texts": len(texts), "flagged": sum(by_view.values()), "by_deciding_view": by_view,
            "flagged_only_with_views": added}


def views_comparison(classifier, test: pd.DataFrame, variants: pd.DataFrame, benign_variants: pd.DataFrame,
                     deployed: dict, *, seed: int, n_resamples: int, seen: dict | None = None) -> dict:
    """What the decoded views buy and cost, same weights and variants: evasion per strategy, clean
    false alarms and false alarms on obfuscated benign texts, with views (as deployed) and without.
    Without views each text is read as it is, in windows; the threshold stays the deployed one.
    ``seen`` (``EvidenceMemo.seen`` of the deployed scoring): false alarms by deciding view."""
    plain = comparison_reading(classifier)
    deployed_pooled = pooled_benign_rows(benign_variants)  # as the deployed rate pools them (views on)
    variants = with_clusters(test, variants).assign(**{EFFECTIVE: mark_effective(plain.model_inputs, test, variants)})
    clean_scores = plain.predict_proba(test["text"].tolist())
    clean_pred_by_source = dict(zip(test["id"], decide(clean_scores, plain.threshold).tolist()))
    evasion = evasion_report(variants, plain.predict_proba(variants["text"].tolist()), clean_pred_by_source,
                             seed=seed, n_resamples=n_resamples, threshold=plain.threshold)
    benign_variants = with_clusters(test, benign_variants).assign(
        **{EFFECTIVE: mark_effective(plain.model_inputs, test, benign_variants)})
    plain_variant_scores = plain.predict_proba(benign_variants["text"].tolist())
    over_defense = over_defense_report(test, clean_scores, benign_variants, plain_variant_scores, seed=seed,
                                       n_resamples=n_resamples, threshold=plain.threshold)
    benign = (test["label"] == BENIGN).to_numpy()

    def side(evasion_block: dict, over: dict, clean_fpr: float) -> dict:
        return {"evasion": evasion_block["overall"],
                "evasion_by_strategy": {k: v["rate"] for k, v in evasion_block["by_strategy"].items()},
                "clean_fpr": clean_fpr, "obfuscated_benign_fpr": over["obfuscated_benign_fpr"],
                "obfuscated_benign_fpr_by_strategy": {k: v["rate"] for k, v in
                                                      over["obfuscated_benign_fpr_by_strategy"].items()}}

    plain_flags = decide(clean_scores, plain.threshold)
    plain_fpr = float(plain_flags[benign].mean()) if benign.any() else None
    result = {"with_views": side(deployed["evasion"], deployed["over_defense"], deployed["clean"].get("fpr")),
              "without_views": side(evasion, over_defense, plain_fpr)}
    if seen is not None:
        plain_variant_flags = decide(plain_variant_scores[deployed_pooled], plain.threshold)
        result["false_alarms_by_view"] = {
            "clean_benign": false_alarms_by_view(test["text"][benign].tolist(), plain_flags[benign], seen,
                                                 classifier.threshold),
            "obfuscated_benign": false_alarms_by_view(benign_variants["text"][deployed_pooled].tolist(),
                                                      plain_variant_flags,
                                                      seen, classifier.threshold)}
    return result


def adaptive_targets(texts: pd.DataFrame, *, n_sources: int, seed: int, block: int = 0) -> pd.DataFrame:
    """The malicious texts the adaptive attack starts from, sorted by id: the ``block``-th run of
    ``n_sources`` texts in a seeded order (block 0: a seeded sample of ``n_sources``). Consecutive
    blocks share no text until the texts run out, then the order starts over."""
    malicious = texts[texts["label"] == MALICIOUS].sort_values("id")
    if len(malicious) <= n_sources:
        return malicious
    # RandomState.permutation's first n is exactly what DataFrame.sample(n, random_state=seed) draws.
    order = np.random.RandomState(seed).permutation(len(malicious))
    start = (block * n_sources) % len(malicious)
    chosen = np.concatenate([order, order])[start:start + n_sources]
    return malicious.iloc[chosen].sort_values("id")


def adaptive_variants(predict_proba: PredictProba, test: pd.DataFrame, *, n_sources: int, query_budget: int,
                      seed: int, threshold: float = DECISION_THRESHOLD, block: int = 0) -> tuple[pd.DataFrame, dict]:
    """Run the model-guided adaptive attack on malicious test texts; one variant row per source.

    A failed attack contributes the unchanged text (still caught), so the evasion rate over these
    rows is the attack's success rate on texts the model catches when clean. ``block`` picks which
    run of texts (``adaptive_targets``) and moves the search's seed with it.
    """
    from adversarial_mlops.attacks.adaptive import AdaptiveAttackSettings, adaptive_attack, summarize

    malicious = adaptive_targets(test, n_sources=n_sources, seed=seed, block=block)
    settings = AdaptiveAttackSettings(query_budget=query_budget, threshold=threshold, seed=seed + block)
    results = adaptive_attack(list(zip(malicious["id"], malicious["text"])), predict_proba, settings)
    rows = pd.DataFrame({"source_id": [r.source_id for r in results], "strategy": ADAPTIVE,
                         "text": [r.adversarial if r.success else r.original for r in results]})
    return rows, json_safe(summarize(results, threshold=threshold))


def evaluate_classifier(classifier, test: pd.DataFrame, variants: pd.DataFrame, benign_variants: pd.DataFrame, *,
                        f1_at_promotion: float | None, adaptive_sources: int, adaptive_query_budget: int,
                        adaptive_seed: int, seed: int, n_resamples: int, excluded_families: Sequence[str] = (),
                        over_defense_categories: Sequence[str] = ()) -> dict:
    """The whole evaluation of a ``modeling.TextClassifier``: static variants plus the adaptive
    attack against it, over-defence, evasion with and without input normalisation, and — for a
    model trained without ``excluded_families`` — evasion on those unseen families next to the seen."""
    release_free_heap()  # start from the live set, not what earlier steps of this process left behind
    adaptive_summary = None
    if adaptive_sources:
        adaptive, adaptive_summary = adaptive_variants(classifier.predict_proba, test, n_sources=adaptive_sources,
                                                       query_budget=adaptive_query_budget, seed=adaptive_seed,
                                                       threshold=classifier.threshold)
        variants = pd.concat([variants, adaptive], ignore_index=True)
    variants = with_effective(classifier, test, variants)
    benign_variants = with_effective(classifier, test, benign_variants)
    has_views = getattr(classifier, "views", False)
    memo = EvidenceMemo(classifier) if has_views else None
    report = evaluate_model(memo.predict_proba if memo else classifier.predict_proba, test, variants,
                            benign_variants=benign_variants,
                            f1_at_promotion=f1_at_promotion, seed=seed, n_resamples=n_resamples,
                            excluded_families=excluded_families, threshold=classifier.threshold,
                            target_fpr=classifier.target_fpr, over_defense_categories=over_defense_categories)
    report["adaptive_attack"] = adaptive_summary
    # With decoded views the folded view is the normalisation: compare with and without views then.
    report["views_defense"] = (views_comparison(classifier, test, variants, benign_variants, report, seed=seed,
                                                n_resamples=n_resamples, seen=memo.seen) if has_views else None)
    report["normalization_defense"] = (None if has_views else
                                       normalization_comparison(classifier, test, variants, report, seed=seed,
                                                                n_resamples=n_resamples))
    release_free_heap()  # thousands of differently padded batches fragment the heap (memory.py)
    return report
