"""Champion/challenger A/B on paired predictions, and the promotion decision.

Both models see the same clean test texts and the same fresh adversarial sets (a seed never
used for training): obfuscated malicious texts (evasion) and obfuscated benign texts
(over-defence). A challenger is promoted only when all of these hold:

1. its clean F1 reaches the absolute floor (``quality_gate.min_f1_score``);
2. it is *significantly* more robust on at least one side: the paired-bootstrap 95% CI of
   Δevasion, or of Δ(false alarms on obfuscated benign texts), lies below 0;
3. neither side gets worse beyond ``promotion.max_evasion_increase`` /
   ``promotion.max_fpr_increase`` (point estimates);
4. clean F1 does not fall beyond ``promotion.max_f1_decrease`` (point estimate), and McNemar's
   exact test does not find the challenger significantly worse on clean texts;
5. the clean benign false-positive rate does not rise beyond ``promotion.max_fpr_increase``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Mapping, Sequence

import numpy as np

from adversarial_mlops.config import PromotionSettings
from adversarial_mlops.storage.jsonable import json_safe
from adversarial_mlops.judging.metrics import (NAN_INTERVAL, Interval, classification_metrics, delta_evasion, delta_f1,
                                      delta_fpr, mcnemar_exact, paired_bootstrap_delta)


@dataclass(frozen=True)
class PairedPredictions:
    """One model's predictions on the shared A/B inputs."""

    clean: np.ndarray  # labels predicted for the clean test texts
    variants: np.ndarray  # labels predicted for the A/B adversarial variants of malicious texts
    benign_variants: np.ndarray  # labels predicted for the A/B obfuscated benign texts

    def clean_by_source(self, test_ids: Sequence[str]) -> dict[str, int]:
        return dict(zip(test_ids, self.clean.tolist()))


@dataclass
class PromotionDecision:
    promote: bool
    reasons: list[str]
    statistics: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)


def compare_models(y_true: np.ndarray, test_ids: Sequence[str], variant_sources: Sequence[str],
                   benign_sources: Sequence[str], champion: PairedPredictions, challenger: PairedPredictions, *,
                   settings: PromotionSettings, f1_floor: float, seed: int,
                   group_of: Mapping[str, str] | None = None) -> PromotionDecision:
    """``group_of`` (test id → template group): every paired CI then resamples whole templates."""
    stats = ab_statistics(y_true, test_ids, variant_sources, benign_sources, champion, challenger,
                          settings=settings, seed=seed, group_of=group_of)
    reasons, promote = [], True
    for passed, reason in _criteria(stats, settings, f1_floor):
        reasons.append(("ok: " if passed else "blocked: ") + reason)
        promote &= passed
    return PromotionDecision(promote=promote, reasons=reasons, statistics=stats)


def delta_false_alarms(preds_a: np.ndarray, preds_b: np.ndarray, sources: Sequence[str], *, seed: int,
                       n_resamples: int) -> Interval:
    """Δ share of benign texts flagged (b − a), paired, resampling whole source texts."""
    if len(preds_a) == 0:
        return NAN_INTERVAL
    a, b = np.asarray(preds_a, dtype=float), np.asarray(preds_b, dtype=float)
    return paired_bootstrap_delta(lambda i: a[i].mean(), lambda i: b[i].mean(), len(a), groups=list(sources),
                                  n_resamples=n_resamples, seed=seed)


def ab_statistics(y_true: np.ndarray, test_ids: Sequence[str], variant_sources: Sequence[str],
                  benign_sources: Sequence[str], champion: PairedPredictions, challenger: PairedPredictions, *,
                  settings: PromotionSettings, seed: int, group_of: Mapping[str, str] | None = None) -> dict:
    n = settings.bootstrap_resamples
    champion_clean = champion.clean_by_source(test_ids)
    challenger_clean = challenger.clean_by_source(test_ids)

    def clusters(ids: Sequence[str]) -> list[str] | None:
        return None if group_of is None else [group_of[i] for i in ids]

    evasion = delta_evasion(variant_sources, champion.variants, challenger.variants, champion_clean,
                            challenger_clean, seed=seed, n_resamples=n, clusters=clusters(variant_sources))
    groups = clusters(test_ids)
    return json_safe({
        "champion_clean": classification_metrics(y_true, champion.clean),
        "challenger_clean": classification_metrics(y_true, challenger.clean),
        "delta_f1": delta_f1(y_true, champion.clean, challenger.clean, seed=seed, n_resamples=n, groups=groups).to_dict(),
        "delta_fpr": delta_fpr(y_true, champion.clean, challenger.clean, seed=seed, n_resamples=n,
                               groups=groups).to_dict(),
        "delta_evasion": evasion.to_dict(),
        "delta_obfuscated_benign_fpr": delta_false_alarms(champion.benign_variants, challenger.benign_variants,
                                                          clusters(benign_sources) or benign_sources, seed=seed,
                                                          n_resamples=n).to_dict(),
        "resampled_unit": "template group" if group_of is not None else "text",
        "n_groups": None if groups is None else len(set(groups)),
        "champion_obfuscated_benign_fpr": float(np.mean(champion.benign_variants)) if len(benign_sources) else None,
        "challenger_obfuscated_benign_fpr": float(np.mean(challenger.benign_variants)) if len(benign_sources) else None,
        "mcnemar": mcnemar_exact(champion.clean == y_true, challenger.clean == y_true),
        "n_clean": int(len(y_true)),
        "n_variants": int(len(variant_sources)),
        "n_benign_variants": int(len(benign_sources)),
    })


def meets_f1_floor(f1: float, floor: float) -> tuple[bool, str]:
    """The absolute clean-F1 floor no promoted model may be below (one rule, used twice)."""
    passed = f1 >= floor
    return passed, f"challenger clean F1 {f1:.4f} {'>=' if passed else '<'} floor {floor}"


def _significantly_lower(delta: Mapping) -> bool:
    return delta["high"] is not None and delta["high"] < 0


def _criteria(stats: Mapping, settings: PromotionSettings, f1_floor: float) -> list[tuple[bool, str]]:
    d_ev, d_obf = stats["delta_evasion"], stats["delta_obfuscated_benign_fpr"]
    d_f1, d_fpr, mcnemar = stats["delta_f1"], stats["delta_fpr"], stats["mcnemar"]
    challenger_worse = mcnemar["a_only_correct"] > mcnemar["b_only_correct"]
    significantly_worse = challenger_worse and mcnemar["p_value"] < settings.alpha
    return [
        meets_f1_floor(stats["challenger_clean"]["f1"], f1_floor),
        (_significantly_lower(d_ev) or _significantly_lower(d_obf),
         f"more robust on at least one side: Δevasion {_interval(d_ev)}, Δobfuscated-benign false alarms "
         f"{_interval(d_obf)}; one 95% CI must lie below 0"),
        (_no_rise(d_ev, settings.max_evasion_increase),
         f"Δevasion {_fmt(d_ev['estimate'])} vs tolerance +{settings.max_evasion_increase}"),
        (_no_rise(d_obf, settings.max_fpr_increase),
         f"Δobfuscated-benign false alarms {_fmt(d_obf['estimate'])} vs tolerance +{settings.max_fpr_increase}"),
        (d_f1["estimate"] >= -settings.max_f1_decrease,
         f"ΔF1 {d_f1['estimate']:+.4f} (95% CI {d_f1['low']:+.4f} to {d_f1['high']:+.4f}) vs tolerance "
         f"-{settings.max_f1_decrease}"),
        (not significantly_worse,
         f"McNemar exact p={mcnemar['p_value']:.4g} (champion-only correct {mcnemar['a_only_correct']}, "
         f"challenger-only correct {mcnemar['b_only_correct']})"),
        (d_fpr["estimate"] <= settings.max_fpr_increase,
         f"Δclean FPR {d_fpr['estimate']:+.4f} vs tolerance +{settings.max_fpr_increase}"),
    ]


def _no_rise(delta: Mapping, tolerance: float) -> bool:
    # Not measurable (no eligible variants) cannot show a rise.
    return delta["estimate"] is None or delta["estimate"] <= tolerance


def _interval(delta: Mapping) -> str:
    return f"{_fmt(delta['estimate'])} (95% CI {_fmt(delta['low'])} to {_fmt(delta['high'])})"


def _fmt(value) -> str:
    return "n/a" if value is None or value != value else f"{value:+.4f}"
