"""Classification and evasion metrics with bootstrap confidence intervals.

Conventions: label 0 = benign, 1 = malicious (the positive class); ``scores`` are the
model's malicious probabilities. Pure numpy/scipy so it runs anywhere the gate runs.

Bootstrap resampling is vectorised: indices are drawn as an (n_resamples, n) matrix in
row chunks (bounded memory). Every function here draws its indices through the same
helpers, so a given seed gives the same resamples whether a statistic is computed by a
vectorised fast path or by the generic per-resample callback.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator, Mapping, NamedTuple, Sequence

import numpy as np
from scipy import stats

from adversarial_mlops.judging.decision import decide, threshold_for_fpr

# Cap on index-matrix elements per chunk (~32 MB of int64) so large samples stay cheap.
_MAX_CHUNK_ELEMENTS = 4_000_000


@dataclass(frozen=True)
class Interval:
    estimate: float
    low: float
    high: float

    def to_dict(self) -> dict[str, float]:
        return {"estimate": self.estimate, "low": self.low, "high": self.high}


NAN_INTERVAL = Interval(float("nan"), float("nan"), float("nan"))


# --------------------------------------------------------------------------- validation


def _binary_array(values, name: str) -> np.ndarray:
    array = np.asarray(values)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {array.shape}")
    if array.size and not np.isin(array, (0, 1)).all():
        bad = array[~np.isin(array, (0, 1))][:5]
        raise ValueError(f"{name} must contain only 0 (benign) and 1 (malicious); found {bad!r}")
    return array.astype(bool)


def _same_length(**arrays: np.ndarray) -> int:
    lengths = {name: len(array) for name, array in arrays.items()}
    if len(set(lengths.values())) != 1:
        raise ValueError(f"inputs must have equal lengths, got {lengths}")
    return next(iter(lengths.values()))


def _labels_and_preds(y_true, y_pred) -> tuple[np.ndarray, np.ndarray]:
    truth = _binary_array(y_true, "y_true")
    pred = _binary_array(y_pred, "y_pred")
    if _same_length(y_true=truth, y_pred=pred) == 0:
        raise ValueError("metrics need at least one item; got empty y_true/y_pred")
    return truth, pred


def _check_bootstrap_args(n_items: int, n_resamples: int, confidence: float) -> None:
    if int(n_items) != n_items or n_items < 1:
        raise ValueError(f"n_items must be a positive integer, got {n_items!r}")
    if int(n_resamples) != n_resamples or n_resamples < 1:
        raise ValueError(f"n_resamples must be a positive integer, got {n_resamples!r}")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be strictly between 0 and 1, got {confidence!r}")


# --------------------------------------------------------------------- point metrics


def _safe_ratio(numerator, denominator):
    """numerator / denominator with 0.0 where the denominator is 0 (zero_division=0)."""
    numerator = np.asarray(numerator, dtype=float)
    denominator = np.asarray(denominator, dtype=float)
    safe = np.where(denominator > 0, denominator, 1.0)
    return np.where(denominator > 0, numerator / safe, 0.0)


def _f1_from_counts(tp, fp, fn):
    # 2TP / (2TP + FP + FN) equals the harmonic mean of precision and recall, and is 0
    # exactly when precision or recall is 0, matching sklearn's zero_division=0.
    return _safe_ratio(2 * tp, 2 * tp + fp + fn)


def roc_auc(y_true, scores) -> float | None:
    """Area under the ROC curve (ties count half); None when only one class is present."""
    truth = _binary_array(y_true, "y_true")
    score_array = np.asarray(scores, dtype=float)
    _same_length(y_true=truth, scores=score_array)
    if not np.isfinite(score_array).all():
        raise ValueError("scores must be finite; found NaN or infinity")
    n_positive = int(truth.sum())
    n_negative = len(truth) - n_positive
    if n_positive == 0 or n_negative == 0:
        return None
    # Mann-Whitney U: AUC = P(score of a random malicious > score of a random benign).
    ranks = stats.rankdata(score_array)
    rank_sum = ranks[truth].sum()
    return float((rank_sum - n_positive * (n_positive + 1) / 2) / (n_positive * n_negative))


def classification_metrics(y_true, y_pred, scores=None) -> dict[str, float]:
    """Precision/recall/F1/accuracy/FPR for the malicious class, plus support counts.

    Ratios with a zero denominator are 0.0. ``roc_auc`` is None when no scores are given
    or only one class is present (it is never NaN).
    """
    truth, pred = _labels_and_preds(y_true, y_pred)
    tp = int((truth & pred).sum())
    fp = int((~truth & pred).sum())
    fn = int((truth & ~pred).sum())
    tn = int((~truth & ~pred).sum())
    return {
        "precision": float(_safe_ratio(tp, tp + fp)),
        "recall": float(_safe_ratio(tp, tp + fn)),
        "f1": float(_f1_from_counts(tp, fp, fn)),
        "accuracy": float((tp + tn) / len(truth)),
        "fpr": float(_safe_ratio(fp, fp + tn)),
        "roc_auc": None if scores is None else roc_auc(truth, scores),
        "n": len(truth),
        "n_malicious": tp + fn,
        "n_benign": fp + tn,
        "tp": tp,
        "fp": fp,
        "tn": tn,
        "fn": fn,
    }


def recall_at_fpr(y_true, scores, max_fpr: float) -> dict:
    """The best recall any threshold reaches with a false-positive rate at most ``max_fpr``
    (``decision.threshold_for_fpr``). None values when a class is missing."""
    truth = np.asarray(y_true).astype(bool)
    scores = np.asarray(scores, dtype=float)
    if truth.all() or not truth.any():
        return {"max_fpr": max_fpr, "threshold": None, "recall": None, "fpr": None}
    threshold = threshold_for_fpr(scores[~truth], max_fpr)
    flagged = decide(scores, threshold).astype(bool)
    return {"max_fpr": max_fpr, "threshold": threshold, "recall": float(flagged[truth].mean()),
            "fpr": float(flagged[~truth].mean())}


def pr_auc(y_true, scores) -> float | None:
    """Average precision of the malicious class (None with one class only)."""
    from sklearn.metrics import average_precision_score

    truth = np.asarray(y_true).astype(bool)
    if truth.all() or not truth.any():
        return None
    return float(average_precision_score(truth, np.asarray(scores, dtype=float)))


RANKING_FPRS = (0.01, 0.05)  # false-positive rates at which recall is read off a model's scores (what peers report)


def recall_at_fpr_key(max_fpr: float) -> str:
    """``recall_at_1pct_fpr`` for 0.01: the name reports give recall at that false-positive rate."""
    return f"recall_at_{max_fpr * 100:g}pct_fpr"


def _nan_if_none(value) -> float:
    return float("nan") if value is None else float(value)


def delta_ranking(y_true, scores_a, scores_b, *, groups=None, seed: int = 0, n_resamples: int = 1000) -> dict:
    """Paired Δ (b − a) of ROC-AUC and of recall at each rate of ``RANKING_FPRS``, both models'
    scores on the same resample each round (whole ``groups`` when given), as interval dicts.
    Threshold-free: read beside ΔF1, which compares each model at its own calibrated threshold."""
    truth = _binary_array(y_true, "y_true")
    a, b = np.asarray(scores_a, dtype=float), np.asarray(scores_b, dtype=float)
    _same_length(y_true=truth, scores_a=a, scores_b=b)

    def auc(scores: np.ndarray, rows: np.ndarray) -> float:
        return _nan_if_none(roc_auc(truth[rows], scores[rows]))

    def recall_at(max_fpr: float) -> Callable[[np.ndarray, np.ndarray], float]:
        return lambda scores, rows: _nan_if_none(recall_at_fpr(truth[rows], scores[rows], max_fpr)["recall"])

    measures = {"delta_roc_auc": auc,
                **{f"delta_{recall_at_fpr_key(max_fpr)}": recall_at(max_fpr) for max_fpr in RANKING_FPRS}}
    return {name: paired_bootstrap_delta(lambda rows, m=measure: m(a, rows), lambda rows, m=measure: m(b, rows),
                                         len(truth), groups=groups, n_resamples=n_resamples, seed=seed).to_dict()
            for name, measure in measures.items()}


# ------------------------------------------------------------------ bootstrap machinery


def _index_chunks(rng: np.random.Generator, n_items: int, n_resamples: int) -> Iterator[np.ndarray]:
    """Yield the (n_resamples, n_items) resample-index matrix a few rows at a time."""
    rows_per_chunk = max(1, _MAX_CHUNK_ELEMENTS // n_items)
    for start in range(0, n_resamples, rows_per_chunk):
        rows = min(rows_per_chunk, n_resamples - start)
        yield rng.integers(0, n_items, size=(rows, n_items))


def _percentile_interval(estimate: float, samples: np.ndarray, confidence: float) -> Interval:
    """Percentile interval; resamples where the statistic is undefined (NaN) are dropped."""
    finite = samples[np.isfinite(samples)]
    if not np.isfinite(estimate) or finite.size == 0:
        return Interval(float(estimate), float("nan"), float("nan"))
    tail = (1.0 - confidence) / 2.0 * 100.0
    low, high = np.percentile(finite, [tail, 100.0 - tail])
    return Interval(float(estimate), float(low), float(high))


class _GroupLayout(NamedTuple):
    """Item indices sorted by group, with each group's start and size in that order."""

    order: np.ndarray
    starts: np.ndarray
    sizes: np.ndarray


def _group_layout(groups, n_items: int) -> _GroupLayout:
    group_array = np.asarray(groups)
    if group_array.shape != (n_items,):
        raise ValueError(
            f"groups must have one id per item ({n_items}), got shape {group_array.shape}"
        )
    _, codes = np.unique(group_array, return_inverse=True)
    order = np.argsort(codes, kind="stable")
    sizes = np.bincount(codes)
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    return _GroupLayout(order, starts, sizes)


def _expand_groups(layout: _GroupLayout, drawn_groups: np.ndarray) -> np.ndarray:
    """Concatenate the item indices of the drawn groups (vectorised ragged ranges)."""
    sizes = layout.sizes[drawn_groups]
    ends = np.cumsum(sizes)
    # Each output position p of segment k maps to starts[k] + (p - segment_offset[k]).
    offsets = np.repeat(layout.starts[drawn_groups] - ends + sizes, sizes)
    return layout.order[offsets + np.arange(ends[-1])]


def _resampled_index_arrays(
    n_items: int, n_resamples: int, seed: int, groups
) -> Iterator[np.ndarray]:
    """One index array per resample: items i.i.d., or whole groups when ``groups`` is given."""
    rng = np.random.default_rng(seed)
    if groups is None:
        for chunk in _index_chunks(rng, n_items, n_resamples):
            yield from chunk
        return
    layout = _group_layout(groups, n_items)
    for chunk in _index_chunks(rng, len(layout.sizes), n_resamples):
        for drawn_groups in chunk:
            yield _expand_groups(layout, drawn_groups)


def bootstrap_interval(
    statistic: Callable[[np.ndarray], float],
    n_items: int,
    *,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
    groups=None,
) -> Interval:
    """Percentile bootstrap of ``statistic(indices)`` over item indices.

    With ``groups`` (one id per item) whole groups are resampled (cluster bootstrap), so
    items that are not independent (e.g. variants of one source text) do not make the
    interval look narrower than the evidence allows. The estimate is the statistic on
    all items in their original order.
    """
    _check_bootstrap_args(n_items, n_resamples, confidence)
    estimate = float(statistic(np.arange(n_items)))
    resamples = _resampled_index_arrays(n_items, n_resamples, seed, groups)
    samples = np.fromiter(
        (statistic(indices) for indices in resamples), dtype=float, count=n_resamples
    )
    return _percentile_interval(estimate, samples, confidence)


def paired_bootstrap_delta(
    stat_a: Callable[[np.ndarray], float],
    stat_b: Callable[[np.ndarray], float],
    n_items: int,
    *,
    groups=None,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> Interval:
    """Interval of ``stat_b - stat_a``, both evaluated on the same resample each round.

    Pairing cancels the item-difficulty noise shared by both models, so the interval is
    about the *difference*, not two independent intervals that happen to overlap.
    """
    _check_bootstrap_args(n_items, n_resamples, confidence)
    everything = np.arange(n_items)
    estimate = float(stat_b(everything)) - float(stat_a(everything))
    samples = np.fromiter(
        (
            float(stat_b(indices)) - float(stat_a(indices))
            for indices in _resampled_index_arrays(n_items, n_resamples, seed, groups)
        ),
        dtype=float,
        count=n_resamples,
    )
    return _percentile_interval(estimate, samples, confidence)


def _item_bootstrap_samples(
    per_resample: Callable[[np.ndarray], np.ndarray], n_items: int, n_resamples: int, seed: int
) -> np.ndarray:
    """Fast path: ``per_resample`` maps an index-matrix chunk to one value per row."""
    rng = np.random.default_rng(seed)
    chunks = _index_chunks(rng, n_items, n_resamples)
    return np.concatenate([per_resample(chunk) for chunk in chunks])


# ------------------------------------------------------------------------- F1 and FPR


def _f1_rows(truth: np.ndarray, pred: np.ndarray, index_matrix: np.ndarray) -> np.ndarray:
    resampled_truth = truth[index_matrix]
    resampled_pred = pred[index_matrix]
    tp = (resampled_truth & resampled_pred).sum(axis=1)
    fp = (~resampled_truth & resampled_pred).sum(axis=1)
    fn = (resampled_truth & ~resampled_pred).sum(axis=1)
    return _f1_from_counts(tp, fp, fn)


def _fpr_rows(truth: np.ndarray, pred: np.ndarray, index_matrix: np.ndarray) -> np.ndarray:
    resampled_benign = ~truth[index_matrix]
    false_positives = (resampled_benign & pred[index_matrix]).sum(axis=1)
    return _safe_ratio(false_positives, resampled_benign.sum(axis=1))


def f1_with_ci(y_true, y_pred, *, seed: int = 0, n_resamples: int = 1000) -> Interval:
    """F1 of the malicious class with a 95% percentile-bootstrap interval."""
    truth, pred = _labels_and_preds(y_true, y_pred)
    _check_bootstrap_args(len(truth), n_resamples, 0.95)
    estimate = float(_f1_rows(truth, pred, np.arange(len(truth))[None, :])[0])
    samples = _item_bootstrap_samples(
        lambda m: _f1_rows(truth, pred, m), len(truth), n_resamples, seed
    )
    return _percentile_interval(estimate, samples, 0.95)


def _paired_item_delta(row_metric, y_true, pred_a, pred_b, seed: int, n_resamples: int) -> Interval:
    truth, a = _labels_and_preds(y_true, pred_a)
    b = _binary_array(pred_b, "pred_b")
    _same_length(y_true=truth, pred_b=b)
    _check_bootstrap_args(len(truth), n_resamples, 0.95)
    everything = np.arange(len(truth))[None, :]
    estimate = float(row_metric(truth, b, everything)[0] - row_metric(truth, a, everything)[0])
    samples = _item_bootstrap_samples(
        lambda m: row_metric(truth, b, m) - row_metric(truth, a, m), len(truth), n_resamples, seed
    )
    return _percentile_interval(estimate, samples, 0.95)


def _paired_group_delta(metric, y_true, pred_a, pred_b, groups, seed: int, n_resamples: int) -> Interval:
    """``metric(tp, fp, fn, tn)`` of b minus a, resampling whole groups (both models on each draw)."""
    truth, a = _labels_and_preds(y_true, pred_a)
    b = _binary_array(pred_b, "pred_b")
    group_array = np.asarray(groups, dtype=object)
    _same_length(y_true=truth, pred_b=b, groups=group_array)
    _check_bootstrap_args(len(truth), n_resamples, 0.95)
    units, codes = np.unique(group_array.astype(str), return_inverse=True)

    def counts(pred: np.ndarray) -> list[np.ndarray]:
        cells = (truth & pred, ~truth & pred, truth & ~pred, ~truth & ~pred)  # tp, fp, fn, tn
        return [np.bincount(codes, weights=cell, minlength=len(units)) for cell in cells]

    per_a, per_b = counts(a), counts(b)
    estimate = float(metric(*(c.sum() for c in per_b)) - metric(*(c.sum() for c in per_a)))
    samples = np.concatenate([metric(*(w @ c for c in per_b)) - metric(*(w @ c for c in per_a))
                              for w in _source_weight_chunks(len(units), n_resamples, seed)])
    return _percentile_interval(estimate, samples, 0.95)


def _f1_of_counts(tp, fp, fn, tn):  # noqa: ARG001 - the four cells of a confusion matrix
    return _f1_from_counts(tp, fp, fn)


def _fpr_of_counts(tp, fp, fn, tn):  # noqa: ARG001
    return _safe_ratio(fp, fp + tn)


def delta_f1(y_true, pred_a, pred_b, *, seed: int = 0, n_resamples: int = 1000, groups=None) -> Interval:
    """F1(b) - F1(a) on the same items, paired bootstrap (positive = b is better); with
    ``groups`` whole groups (templates) are resampled."""
    if groups is not None:
        return _paired_group_delta(_f1_of_counts, y_true, pred_a, pred_b, groups, seed, n_resamples)
    return _paired_item_delta(_f1_rows, y_true, pred_a, pred_b, seed, n_resamples)


def delta_fpr(y_true, pred_a, pred_b, *, seed: int = 0, n_resamples: int = 1000, groups=None) -> Interval:
    """FPR(b) - FPR(a) on the same items, paired bootstrap (positive = b flags more benign); with
    ``groups`` whole groups (templates) are resampled."""
    if groups is not None:
        return _paired_group_delta(_fpr_of_counts, y_true, pred_a, pred_b, groups, seed, n_resamples)
    return _paired_item_delta(_fpr_rows, y_true, pred_a, pred_b, seed, n_resamples)


# ------------------------------------------------------------------------ evasion rate


class EvasionOutcomes(NamedTuple):
    """Per-variant flags; ``evaded`` is only ever True where ``eligible`` is."""

    eligible: np.ndarray  # the variant's source is caught when clean
    evaded: np.ndarray  # eligible and the variant is called benign


@dataclass(frozen=True)
class EvasionResult:
    """Evasion rate over eligible variants.

    When no variant is eligible (the model misses every source text even when clean),
    evasion is not measurable: ``rate`` is all-NaN and ``n_variants`` is 0. Callers
    should report "not measurable" rather than treat it as 0% evasion.
    """

    rate: Interval
    n_variants: int  # eligible variants
    n_evaded: int
    n_sources: int  # eligible source texts
    n_clusters: int = 0  # the units the CI resampled: template groups, or the sources themselves

    @property
    def measurable(self) -> bool:
        return self.n_variants > 0

    def to_dict(self) -> dict:
        return {
            "rate": self.rate.to_dict(),
            "n_variants": self.n_variants,
            "n_evaded": self.n_evaded,
            "n_sources": self.n_sources,
        }


def evasion_outcomes(
    clean_pred_by_source: Mapping[str, int], variant_source_ids, variant_preds
) -> EvasionOutcomes:
    """Which variants count toward evasion, and which of those evaded.

    Only variants whose source text the model catches when clean are eligible: a
    variant of a text the model already misses says nothing about the attack.
    """
    source_array = np.asarray(variant_source_ids, dtype=object)
    preds = _binary_array(variant_preds, "variant_preds")
    _same_length(variant_source_ids=source_array, variant_preds=preds)
    missing = sorted({s for s in source_array if s not in clean_pred_by_source})
    if missing:
        raise ValueError(
            f"no clean prediction for {len(missing)} source id(s), e.g. {missing[:5]}; "
            "clean_pred_by_source must cover every variant's source"
        )
    clean = _binary_array([clean_pred_by_source[s] for s in source_array], "clean predictions")
    return EvasionOutcomes(eligible=clean, evaded=clean & ~preds)


def _per_source_counts(source_array: np.ndarray, outcomes: EvasionOutcomes, sources: np.ndarray):
    """(eligible variants, evaded variants) per entry of ``sources``."""
    position = {source: i for i, source in enumerate(sources)}
    codes = np.fromiter(
        (position.get(s, -1) for s in source_array), dtype=np.int64, count=len(source_array)
    )
    kept = codes >= 0
    eligible = np.bincount(codes[kept], weights=outcomes.eligible[kept], minlength=len(sources))
    evaded = np.bincount(codes[kept], weights=outcomes.evaded[kept], minlength=len(sources))
    return eligible, evaded


def _source_weight_chunks(n_sources: int, n_resamples: int, seed: int) -> Iterator[np.ndarray]:
    """How many times each source is drawn in each resample (cluster bootstrap)."""
    rng = np.random.default_rng(seed)
    for chunk in _index_chunks(rng, n_sources, n_resamples):
        rows = chunk.shape[0]
        flat = chunk + (np.arange(rows) * n_sources)[:, None]
        yield np.bincount(flat.ravel(), minlength=rows * n_sources).reshape(rows, n_sources)


def _rates(weights: np.ndarray, eligible: np.ndarray, evaded: np.ndarray) -> np.ndarray:
    denominator = weights @ eligible
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, (weights @ evaded) / denominator, np.nan)


def _check_resamples(n_resamples: int) -> None:
    if int(n_resamples) != n_resamples or n_resamples < 1:
        raise ValueError(f"n_resamples must be a positive integer, got {n_resamples!r}")


def evasion_rate(
    source_ids: Sequence[str],
    variant_preds: Sequence[int],
    clean_pred_by_source: Mapping[str, int],
    *,
    seed: int = 0,
    n_resamples: int = 1000,
    clusters: Sequence[str] | None = None,
) -> EvasionResult:
    """Share of eligible variants the model calls benign, with a 95% cluster-bootstrap CI.

    Pass variants of MALICIOUS source texts only. Eligible = the variant's source has
    clean prediction 1. Resampling is over ``clusters`` (one id per variant, e.g. the source's
    template group), else over eligible sources: variants of one source — and sources written
    from one template — succeed or fail together far more than independent texts would.
    """
    _check_resamples(n_resamples)
    source_array = np.asarray(source_ids, dtype=object)
    outcomes = evasion_outcomes(clean_pred_by_source, source_array, variant_preds)
    n_variants = int(outcomes.eligible.sum())
    if n_variants == 0:
        return EvasionResult(rate=NAN_INTERVAL, n_variants=0, n_evaded=0, n_sources=0)
    cluster_array = source_array if clusters is None else np.asarray(clusters, dtype=object)
    _same_length(source_ids=source_array, clusters=cluster_array)
    units = np.array(sorted(set(cluster_array[outcomes.eligible]), key=str), dtype=object)
    eligible, evaded = _per_source_counts(cluster_array, outcomes, units)
    n_evaded = int(outcomes.evaded.sum())
    weight_chunks = _source_weight_chunks(len(units), n_resamples, seed)
    samples = np.concatenate([_rates(w, eligible, evaded) for w in weight_chunks])
    return EvasionResult(
        rate=_percentile_interval(n_evaded / n_variants, samples, 0.95),
        n_variants=n_variants,
        n_evaded=n_evaded,
        n_sources=len(set(source_array[outcomes.eligible])),
        n_clusters=len(units),
    )


def evasion_by_group(
    source_ids: Sequence[str],
    variant_preds: Sequence[int],
    clean_pred_by_source: Mapping[str, int],
    groups: Sequence[str],
    *,
    seed: int = 0,
    n_resamples: int = 1000,
    clusters: Sequence[str] | None = None,
) -> dict[str, EvasionResult]:
    """``evasion_rate`` per group (e.g. attack strategy), keys sorted; ``clusters`` as there.

    Groups with no eligible variant are included as not measurable (NaN rate).
    """
    source_array = np.asarray(source_ids, dtype=object)
    pred_array = np.asarray(variant_preds)
    group_array = np.asarray(groups, dtype=object)
    cluster_array = source_array if clusters is None else np.asarray(clusters, dtype=object)
    _same_length(source_ids=source_array, variant_preds=pred_array, groups=group_array, clusters=cluster_array)
    return {
        group: evasion_rate(
            source_array[group_array == group],
            pred_array[group_array == group],
            clean_pred_by_source,
            seed=seed,
            n_resamples=n_resamples,
            clusters=cluster_array[group_array == group],
        )
        for group in sorted(set(group_array))
    }


def delta_evasion(
    source_ids: Sequence[str],
    preds_a: Sequence[int],
    preds_b: Sequence[int],
    clean_a: Mapping[str, int],
    clean_b: Mapping[str, int],
    *,
    seed: int = 0,
    n_resamples: int = 1000,
    clusters: Sequence[str] | None = None,
) -> Interval:
    """evasion(b) - evasion(a) on the same variants (negative = b is harder to evade).

    Each model's eligibility uses its own clean predictions. Sources eligible for either
    model — or their ``clusters`` (one id per variant, e.g. the template group) — are
    resampled together for both models (paired cluster bootstrap); resamples where either
    rate is undefined are dropped. All-NaN when either model has no eligible variant.
    """
    _check_resamples(n_resamples)
    source_array = np.asarray(source_ids, dtype=object)
    outcomes_a = evasion_outcomes(clean_a, source_array, preds_a)
    outcomes_b = evasion_outcomes(clean_b, source_array, preds_b)
    if not outcomes_a.eligible.any() or not outcomes_b.eligible.any():
        return NAN_INTERVAL
    cluster_array = source_array if clusters is None else np.asarray(clusters, dtype=object)
    _same_length(source_ids=source_array, clusters=cluster_array)
    either = outcomes_a.eligible | outcomes_b.eligible
    sources = np.array(sorted(set(cluster_array[either]), key=str), dtype=object)
    eligible_a, evaded_a = _per_source_counts(cluster_array, outcomes_a, sources)
    eligible_b, evaded_b = _per_source_counts(cluster_array, outcomes_b, sources)
    estimate = evaded_b.sum() / eligible_b.sum() - evaded_a.sum() / eligible_a.sum()
    samples = np.concatenate(
        [
            _rates(w, eligible_b, evaded_b) - _rates(w, eligible_a, evaded_a)
            for w in _source_weight_chunks(len(sources), n_resamples, seed)
        ]
    )
    return _percentile_interval(float(estimate), samples, 0.95)


# ----------------------------------------------------------------------------- McNemar


def mcnemar_exact(correct_a: Sequence[bool], correct_b: Sequence[bool]) -> dict:
    """Exact McNemar test on paired correctness (two-sided binomial on discordant pairs)."""
    a = _binary_array(correct_a, "correct_a")
    b = _binary_array(correct_b, "correct_b")
    _same_length(correct_a=a, correct_b=b)
    a_only = int((a & ~b).sum())
    b_only = int((~a & b).sum())
    discordant = a_only + b_only
    # With no discordant pairs the models are indistinguishable on this sample.
    p_value = 1.0 if discordant == 0 else float(stats.binomtest(a_only, discordant, 0.5).pvalue)
    return {"a_only_correct": a_only, "b_only_correct": b_only, "p_value": min(1.0, p_value)}
