"""Champion/challenger A/B on paired predictions, and the promotion decision.

Both models see the same clean test texts, the same fresh adversarial sets (test texts the gate's
variants did not use, a seed never used for training) — obfuscated malicious texts (evasion) and
obfuscated benign texts (over-defence) — and the model-guided adaptive attack run against each
of them on the same source texts. Every Δ is challenger − champion with a paired 95% bootstrap CI
that resamples whole template groups. A challenger is promoted only when all of these hold:

1. its clean F1 reaches the absolute floor (``quality_gate.min_f1_score``);
2. it is *significantly* more robust somewhere: the CI of Δevasion (overall, in one attack family
   or under the adaptive attack) or of Δ(false alarms on obfuscated benign texts) lies below 0;
3. non-inferiority everywhere else: in *every* attack family and under the adaptive attack, the
   upper CI bound of Δevasion is at most ``promotion.max_evasion_increase`` (under the adaptive
   attack ``promotion.max_adaptive_evasion_increase``, sized to what its noisier per-text searches
   can resolve) — a pooled gain never hides a family that got worse; the same bound for
   over-defence and clean false alarms with ``promotion.max_fpr_increase``;
4. clean F1 does not fall beyond ``promotion.max_f1_decrease`` (point estimate), and McNemar's
   exact test does not find the challenger significantly worse on clean texts.

The decision records the per-family table (``evasion_by_family``) it was made on, and beside it
the same per attack strategy (``evasion_by_strategy``, reported, not decided on): a family that
blocks a challenger is named with the strategies that moved it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Mapping, Sequence

import numpy as np

from adversarial_mlops.config import PromotionSettings
from adversarial_mlops.judging.decision import DECISION_THRESHOLD
from adversarial_mlops.judging.evaluation import ADAPTIVE, operating_point_report
from adversarial_mlops.storage.jsonable import json_safe
from adversarial_mlops.judging.metrics import (NAN_INTERVAL, Interval, classification_metrics, delta_evasion, delta_f1,
                                               delta_fpr, delta_ranking, evasion_outcomes, evasion_rate, mcnemar_exact,
                                               paired_bootstrap_delta)


@dataclass(frozen=True)
class ABSet:
    """What both models are shown, row for row; ``PairedPredictions`` follow the same order."""

    y_true: np.ndarray  # clean test labels
    test_ids: Sequence[str]
    variant_sources: Sequence[str]  # malicious A/B variants: source id per row
    variant_families: Sequence[frozenset]  # ... and the attack families each belongs to
    benign_sources: Sequence[str]  # obfuscated benign texts: source id per row
    adaptive_sources: Sequence[str] = ()  # a row per (attack seed, source) the adaptive attack ran on, against each model
    group_of: Mapping[str, str] | None = None  # test id -> template group: CIs resample whole templates
    variant_strategies: Sequence[str] = ()  # malicious A/B variants: the strategy that made each (or none known)

    def clusters(self, ids: Sequence[str]) -> list[str]:
        return list(ids) if self.group_of is None else [self.group_of[i] for i in ids]


@dataclass(frozen=True)
class PairedPredictions:
    """One model's labels on an ``ABSet``."""

    clean: np.ndarray  # labels predicted for the clean test texts
    variants: np.ndarray  # labels predicted for the A/B adversarial variants of malicious texts
    benign_variants: np.ndarray  # labels predicted for the A/B obfuscated benign texts
    adaptive: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # its adaptive attack's outputs
    clean_scores: np.ndarray | None = None  # its scores for the clean test texts (``clean`` = scores >= threshold)
    threshold: float = DECISION_THRESHOLD  # the model's own calibrated threshold

    def clean_by_source(self, test_ids: Sequence[str]) -> dict[str, int]:
        return dict(zip(test_ids, self.clean.tolist()))


@dataclass
class PromotionDecision:
    promote: bool
    reasons: list[str]
    statistics: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)


def compare_models(ab: ABSet, champion: PairedPredictions, challenger: PairedPredictions, *,
                   settings: PromotionSettings, f1_floor: float, seed: int) -> PromotionDecision:
    stats = ab_statistics(ab, champion, challenger, settings=settings, seed=seed)
    reasons, promote = [], True
    for passed, reason in _criteria(stats, settings, f1_floor):
        reasons.append(("ok: " if passed else "blocked: ") + reason)
        promote &= passed
    return PromotionDecision(promote=promote, reasons=reasons, statistics=stats)


def delta_false_alarms(preds_a: np.ndarray, preds_b: np.ndarray, sources: Sequence[str], *, seed: int,
                       n_resamples: int) -> Interval:
    """Δ share of benign texts flagged (b − a), paired, resampling whole ``sources`` (template groups)."""
    if len(preds_a) == 0:
        return NAN_INTERVAL
    a, b = np.asarray(preds_a, dtype=float), np.asarray(preds_b, dtype=float)
    return paired_bootstrap_delta(lambda i: a[i].mean(), lambda i: b[i].mean(), len(a), groups=list(sources),
                                  n_resamples=n_resamples, seed=seed)


def encoding_probe_deltas(strategies: Sequence[str], clusters: Sequence[str], champion_preds: np.ndarray,
                          challenger_preds: np.ndarray, *, seed: int, n_resamples: int) -> dict:
    """Per encoding strategy: the share of benign texts so encoded that each model flags, and the
    paired Δ (challenger − champion) resampling whole ``clusters``. Reported beside the A/B, never
    pooled into its over-defence rule (an encoded text is not plainly benign to a reader) — but a
    challenger that learned "any encoded blob is an attack" shows here."""
    strategies = np.asarray(strategies, dtype=object)
    a, b = np.asarray(champion_preds, dtype=float), np.asarray(challenger_preds, dtype=float)
    clusters = np.asarray(clusters, dtype=object)
    table = {}
    for name in sorted(set(strategies.tolist())):
        rows = strategies == name
        delta = delta_false_alarms(a[rows], b[rows], clusters[rows].tolist(), seed=seed, n_resamples=n_resamples)
        table[name] = {"champion": float(a[rows].mean()), "challenger": float(b[rows].mean()),
                       "delta": delta.to_dict(), "n": int(rows.sum()), "n_groups": len(set(clusters[rows]))}
    return json_safe(table)


def _rate(sources: Sequence[str], preds: np.ndarray, clean: Mapping[str, int]) -> float | None:
    outcomes = evasion_outcomes(clean, sources, preds)
    return float(outcomes.evaded.sum() / outcomes.eligible.sum()) if outcomes.eligible.any() else None


def _evasion_row(ab: ABSet, sources: Sequence[str], champion_preds: np.ndarray, challenger_preds: np.ndarray,
                 clean: tuple[Mapping, Mapping], *, seed: int, n_resamples: int) -> dict:
    """Champion and challenger evasion on these rows, and their paired Δ by template. Each model's
    own 95% CI (``champion_ci``, ``challenger_ci``) is for the record and the plots; the rules read Δ."""
    champion_clean, challenger_clean = clean
    if len(sources) == 0:
        return {"champion": None, "challenger": None, "delta": NAN_INTERVAL.to_dict(), "n_variants": 0, "n_groups": 0,
                "champion_ci": None, "challenger_ci": None}
    clusters = ab.clusters(sources)
    delta = delta_evasion(sources, champion_preds, challenger_preds, champion_clean, challenger_clean, seed=seed,
                          n_resamples=n_resamples, clusters=clusters)
    intervals = {f"{name}_ci": _own_interval(sources, preds, clean_by_source, clusters, seed=seed,
                                             n_resamples=n_resamples)
                 for name, preds, clean_by_source in (("champion", champion_preds, champion_clean),
                                                      ("challenger", challenger_preds, challenger_clean))}
    return {"champion": _rate(sources, champion_preds, champion_clean),
            "challenger": _rate(sources, challenger_preds, challenger_clean), "delta": delta.to_dict(),
            "n_variants": len(sources), "n_groups": len(set(clusters)), **intervals}


def _own_interval(sources: Sequence[str], preds: np.ndarray, clean: Mapping[str, int], clusters: Sequence[str], *,
                  seed: int, n_resamples: int) -> dict | None:
    """One model's evasion 95% CI on these rows (template-cluster bootstrap); None when not measurable."""
    result = evasion_rate(sources, preds, clean, seed=seed, n_resamples=n_resamples, clusters=clusters)
    return {"low": result.rate.low, "high": result.rate.high} if result.measurable else None


def evasion_by_family(ab: ABSet, champion: PairedPredictions, challenger: PairedPredictions, *, seed: int,
                      n_resamples: int) -> dict:
    """The per-family table the decision rests on: each static attack family (composites count in
    each family they use) and the adaptive attack, with both models' rates and the paired Δ."""
    clean = (champion.clean_by_source(ab.test_ids), challenger.clean_by_source(ab.test_ids))
    sources = np.asarray(ab.variant_sources, dtype=object)
    table = {}
    for family in sorted(set().union(*ab.variant_families)) if len(ab.variant_families) else []:
        mask = np.array([family in families for families in ab.variant_families], dtype=bool)
        table[family] = _evasion_row(ab, sources[mask].tolist(), champion.variants[mask], challenger.variants[mask],
                                     clean, seed=seed, n_resamples=n_resamples)
    if len(ab.adaptive_sources):
        table[ADAPTIVE] = _evasion_row(ab, list(ab.adaptive_sources), champion.adaptive, challenger.adaptive, clean,
                                       seed=seed, n_resamples=n_resamples)
    return table


def evasion_by_strategy(ab: ABSet, champion: PairedPredictions, challenger: PairedPredictions, *, seed: int,
                        n_resamples: int) -> dict:
    """Both models' evasion per attack strategy and the paired Δ by template, with the families the
    strategy counts in. Reported beside the per-family table, never decided on (one strategy's CI is
    too wide to judge): it says which strategies moved a family. Empty without ``variant_strategies``."""
    if not len(ab.variant_strategies):
        return {}
    clean = (champion.clean_by_source(ab.test_ids), challenger.clean_by_source(ab.test_ids))
    sources = np.asarray(ab.variant_sources, dtype=object)
    strategies = np.asarray(ab.variant_strategies, dtype=object)
    table = {}
    for name in sorted(set(strategies.tolist())):
        mask = strategies == name
        rows, clusters = sources[mask].tolist(), ab.clusters(sources[mask].tolist())
        delta = delta_evasion(rows, champion.variants[mask], challenger.variants[mask], *clean, seed=seed,
                              n_resamples=n_resamples, clusters=clusters)
        table[name] = {"families": sorted(ab.variant_families[int(np.flatnonzero(mask)[0])]),
                       "champion": _rate(rows, champion.variants[mask], clean[0]),
                       "challenger": _rate(rows, challenger.variants[mask], clean[1]),
                       "delta": delta.to_dict(), "n_variants": len(rows), "n_groups": len(set(clusters))}
    return table


def ab_statistics(ab: ABSet, champion: PairedPredictions, challenger: PairedPredictions, *,
                  settings: PromotionSettings, seed: int) -> dict:
    n = settings.bootstrap_resamples
    y_true = np.asarray(ab.y_true)
    overall = _evasion_row(ab, list(ab.variant_sources), champion.variants, challenger.variants,
                           (champion.clean_by_source(ab.test_ids), challenger.clean_by_source(ab.test_ids)),
                           seed=seed, n_resamples=n)
    groups = ab.clusters(ab.test_ids)
    benign_groups = ab.clusters(ab.benign_sources)
    has_benign = len(ab.benign_sources) > 0
    return json_safe({
        "champion_clean": classification_metrics(y_true, champion.clean, champion.clean_scores),
        "challenger_clean": classification_metrics(y_true, challenger.clean, challenger.clean_scores),
        "ranking": ranking_comparison(y_true, champion, challenger, groups, seed=seed, n_resamples=n),
        "delta_f1": delta_f1(y_true, champion.clean, challenger.clean, seed=seed, n_resamples=n, groups=groups).to_dict(),
        "delta_fpr": delta_fpr(y_true, champion.clean, challenger.clean, seed=seed, n_resamples=n,
                               groups=groups).to_dict(),
        "delta_evasion": overall["delta"],
        "champion_evasion": overall["champion"], "challenger_evasion": overall["challenger"],
        "evasion_by_family": evasion_by_family(ab, champion, challenger, seed=seed, n_resamples=n),
        "evasion_by_strategy": evasion_by_strategy(ab, champion, challenger, seed=seed, n_resamples=n),
        "delta_obfuscated_benign_fpr": delta_false_alarms(champion.benign_variants, challenger.benign_variants,
                                                          benign_groups, seed=seed, n_resamples=n).to_dict(),
        "resampled_unit": "template group" if ab.group_of is not None else "text",
        "n_groups": len(set(groups)),
        "champion_obfuscated_benign_fpr": float(np.mean(champion.benign_variants)) if has_benign else None,
        "challenger_obfuscated_benign_fpr": float(np.mean(challenger.benign_variants)) if has_benign else None,
        "mcnemar": mcnemar_exact(champion.clean == y_true, challenger.clean == y_true),
        "n_clean": int(len(y_true)),
        "n_variants": int(len(ab.variant_sources)),
        "n_benign_variants": int(len(ab.benign_sources)),
        "n_adaptive_sources": int(len(set(ab.adaptive_sources))),
        "n_adaptive_rows": int(len(ab.adaptive_sources)),  # texts x attack seeds
    })


def ranking_comparison(y_true: np.ndarray, champion: PairedPredictions, challenger: PairedPredictions,
                       groups: Sequence[str], *, seed: int, n_resamples: int) -> dict | None:
    """Each model's operating point on the clean texts (its threshold with the FPR and recall there,
    ROC-AUC, PR-AUC, recall at 1 % and 5 % FPR) and the paired Δ of the threshold-free measures.
    ΔF1 compares each model at its own calibrated threshold; this says whether a change in F1 comes
    from the model ordering texts worse or from its threshold sitting at another FPR. Reported, not
    decided on. None without both models' scores."""
    if champion.clean_scores is None or challenger.clean_scores is None:
        return None
    return {"champion": operating_point_report(y_true, champion.clean_scores, champion.threshold),
            "challenger": operating_point_report(y_true, challenger.clean_scores, challenger.threshold),
            **delta_ranking(y_true, champion.clean_scores, challenger.clean_scores, groups=groups, seed=seed,
                            n_resamples=n_resamples)}


def meets_f1_floor(f1: float, floor: float) -> tuple[bool, str]:
    """The absolute clean-F1 floor no promoted model may be below (one rule, used twice)."""
    passed = f1 >= floor
    return passed, f"challenger clean F1 {f1:.4f} {'>=' if passed else '<'} floor {floor}"


def _significantly_lower(delta: Mapping) -> bool:
    return delta["high"] is not None and delta["high"] < 0


def _within(delta: Mapping, tolerance: float) -> bool:
    """Non-inferior: the upper 95% bound of Δ is within ``tolerance``. Not measurable (no eligible
    variant for either model) cannot show a rise."""
    return delta["high"] is None or delta["high"] <= tolerance


def _criteria(stats: Mapping, settings: PromotionSettings, f1_floor: float) -> list[tuple[bool, str]]:
    d_ev, d_obf = stats["delta_evasion"], stats["delta_obfuscated_benign_fpr"]
    d_f1, d_fpr, mcnemar = stats["delta_f1"], stats["delta_fpr"], stats["mcnemar"]
    families = stats["evasion_by_family"]
    challenger_worse = mcnemar["a_only_correct"] > mcnemar["b_only_correct"]
    significantly_worse = challenger_worse and mcnemar["p_value"] < settings.alpha
    gains = [name for name, row in families.items() if _significantly_lower(row["delta"])]
    if _significantly_lower(d_ev):
        gains.append("overall evasion")
    if _significantly_lower(d_obf):
        gains.append("obfuscated-benign false alarms")
    margin = {name: settings.max_adaptive_evasion_increase if name == ADAPTIVE else settings.max_evasion_increase
              for name in families}
    worse = [f"{name} {_interval(row['delta'])}{_moved_by(name, stats.get('evasion_by_strategy') or {})}"
             for name, row in families.items() if not _within(row["delta"], margin[name])]
    too_few = [f"{name} (±{_half_width(row['delta']):.3f}, {row['n_variants']} variants)" for name, row in families.items()
               if _half_width(row["delta"]) > margin[name]]
    return [
        meets_f1_floor(stats["challenger_clean"]["f1"], f1_floor),
        (bool(gains), f"significantly more robust somewhere (a 95% CI below 0): "
                      f"{', '.join(gains) if gains else 'nowhere'}; Δevasion {_interval(d_ev)}, Δobfuscated-benign "
                      f"false alarms {_interval(d_obf)}"),
        (not worse and _within(d_ev, settings.max_evasion_increase),
         f"Δevasion upper 95% bound within +{settings.max_evasion_increase} overall ({_interval(d_ev)}) and in "
         f"every one of {len(families)} families incl. adaptive (+{settings.max_adaptive_evasion_increase} there)"
         + (f"; worse in: {'; '.join(worse)}" if worse else "")
         + (f"; a 95% CI wider than the margin (too few texts: an equal challenger cannot show it; raise "
            f"attack.ab_adaptive_sources or attack.max_eval_sources) in: {'; '.join(too_few)}" if too_few else "")),
        (_within(d_obf, settings.max_fpr_increase),
         f"Δobfuscated-benign false alarms {_interval(d_obf)}, upper bound vs tolerance +{settings.max_fpr_increase}"),
        (d_f1["estimate"] >= -settings.max_f1_decrease,
         f"ΔF1 {d_f1['estimate']:+.4f} (95% CI {d_f1['low']:+.4f} to {d_f1['high']:+.4f}) vs tolerance "
         f"-{settings.max_f1_decrease}"),
        (not significantly_worse,
         f"McNemar exact p={mcnemar['p_value']:.4g} (champion-only correct {mcnemar['a_only_correct']}, "
         f"challenger-only correct {mcnemar['b_only_correct']})"),
        (_within(d_fpr, settings.max_fpr_increase),
         f"Δclean FPR {_interval(d_fpr)}, upper bound vs tolerance +{settings.max_fpr_increase}"),
    ]


def _moved_by(family: str, by_strategy: Mapping[str, Mapping], top: int = 3) -> str:
    """The strategies of ``family`` whose evasion rose most (point Δ > 0), for a blocked rule's reason."""
    risen = sorted(((row["delta"]["estimate"], name, row["n_variants"]) for name, row in by_strategy.items()
                    if family in row["families"] and row["delta"]["estimate"] is not None
                    and row["delta"]["estimate"] == row["delta"]["estimate"] and row["delta"]["estimate"] > 0),
                   reverse=True)[:top]
    if not risen:
        return ""
    return " [by strategy: " + ", ".join(f"{name} {estimate:+.4f} ({n} variants)" for estimate, name, n in risen) + "]"


def _half_width(delta: Mapping) -> float:
    """Half the width of a Δ's 95% CI (0 when not measured): how small a change it can resolve."""
    low, high = delta.get("low"), delta.get("high")
    return 0.0 if low is None or high is None or low != low or high != high else (high - low) / 2


def _interval(delta: Mapping) -> str:
    return f"{_fmt(delta['estimate'])} (95% CI {_fmt(delta['low'])} to {_fmt(delta['high'])})"


def _fmt(value) -> str:
    return "n/a" if value is None or value != value else f"{value:+.4f}"
