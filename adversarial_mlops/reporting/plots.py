"""The loop's plots as PNG bytes: evasion per family with CI bars, ROC curve with the operating
point, score histograms benign vs malicious, the confusion matrix.

matplotlib's object API with its Agg canvas: no display, no pyplot state shared between threads.
Labels are decided with ``judging.decision.decide`` at the model's threshold, as everywhere else.
"""

from __future__ import annotations

import io
from typing import Mapping, NamedTuple, Sequence

import numpy as np

from adversarial_mlops.judging.decision import decide

from .formatting import measured

DPI = 90
COLORS = ("#4c72b0", "#dd8452", "#55a868", "#c44e52")


def _figure(width: float = 6.0, height: float = 3.6):
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    return figure, figure.add_subplot()


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    # No timestamp or software tag: the same numbers give the same bytes.
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def evasion_by_family(series: Mapping[str, Mapping[str, Mapping]]) -> bytes | None:
    """Grouped bars: per attack family, each series' evasion rate (%) with its 95% CI as error bars.

    ``series``: name (e.g. "champion v0001") → family → {"rate", "low", "high"}; a family a series
    could not measure gets no bar. None when nothing was measured.
    """
    families = sorted({family for rows in series.values() for family, row in rows.items() if measured(row.get("rate"))})
    if not families:
        return None
    figure, axes = _figure(max(6.0, 0.9 * len(families) + 2))
    width = 0.8 / len(series)
    positions = np.arange(len(families))
    for index, (name, rows) in enumerate(series.items()):
        rates, low, high = _bars(rows, families)
        axes.bar(positions + (index - (len(series) - 1) / 2) * width, rates, width, yerr=[low, high], capsize=3,
                 label=name, color=COLORS[index % len(COLORS)])
    axes.set_xticks(positions, families, rotation=30, ha="right")
    axes.set_ylabel("evasion (%), 95% CI")
    axes.set_ylim(0, 105)
    axes.set_title("Evasion per attack family")
    axes.legend()
    return _png(figure)


def _bars(rows: Mapping[str, Mapping], families: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rates in percent (NaN where not measured) and the distances down and up to the CI bounds."""
    def value(family: str, key: str) -> float:
        entry = rows.get(family) or {}
        return 100 * float(entry[key]) if measured(entry.get(key)) else np.nan

    rates = np.array([value(f, "rate") for f in families])
    low = np.array([value(f, "low") for f in families])
    high = np.array([value(f, "high") for f in families])
    return rates, np.nan_to_num(np.clip(rates - low, 0, None)), np.nan_to_num(np.clip(high - rates, 0, None))


def _both_classes(labels: np.ndarray) -> bool:
    return bool(np.any(labels == 1) and np.any(labels == 0))


def roc_curve(labels: Sequence[int], scores: Sequence[float], threshold: float) -> bytes | None:
    """The ROC curve of the clean test scores with the operating point (FPR, recall at ``threshold``)."""
    from sklearn.metrics import roc_auc_score
    from sklearn.metrics import roc_curve as sklearn_roc

    labels, scores = np.asarray(labels), np.asarray(scores, dtype=float)
    if not _both_classes(labels):
        return None
    fpr, tpr, _ = sklearn_roc(labels, scores)
    flagged = decide(scores, threshold).astype(bool)
    point_fpr, point_tpr = flagged[labels == 0].mean(), flagged[labels == 1].mean()
    figure, axes = _figure(4.8, 4.2)
    axes.plot(fpr, tpr, color=COLORS[0], label=f"ROC (AUC {roc_auc_score(labels, scores):.3f})")
    axes.plot([0, 1], [0, 1], color="#999999", linestyle=":", linewidth=1)
    axes.scatter([point_fpr], [point_tpr], color=COLORS[3], zorder=3,
                 label=f"operating point (threshold {threshold:.3f}): FPR {point_fpr:.1%}, recall {point_tpr:.1%}")
    axes.set_xlabel("false-positive rate")
    axes.set_ylabel("recall (true-positive rate)")
    axes.set_title("ROC curve, clean test texts")
    axes.legend(loc="lower right", fontsize="small")
    return _png(figure)


def score_histograms(labels: Sequence[int], scores: Sequence[float], threshold: float) -> bytes | None:
    """Score distributions of benign and malicious clean test texts, with the threshold."""
    labels, scores = np.asarray(labels), np.asarray(scores, dtype=float)
    if not len(scores):
        return None
    figure, axes = _figure()
    bins = np.linspace(0, 1, 26)
    for label, name, color in ((0, "benign", COLORS[0]), (1, "malicious", COLORS[3])):
        axes.hist(scores[labels == label], bins=bins, alpha=0.6, color=color,
                  label=f"{name} ({int((labels == label).sum())})")
    axes.axvline(threshold, color="black", linestyle="--", linewidth=1, label=f"threshold {threshold:.3f}")
    axes.set_xlabel("score (malicious probability)")
    axes.set_ylabel("texts")
    axes.set_title("Scores, clean test texts")
    axes.legend(fontsize="small")
    return _png(figure)


def confusion_matrix(labels: Sequence[int], scores: Sequence[float], threshold: float) -> bytes | None:
    """Counts of true vs predicted labels at ``threshold`` on the clean test texts."""
    labels, scores = np.asarray(labels), np.asarray(scores, dtype=float)
    if not len(scores):
        return None
    predicted = decide(scores, threshold)
    counts = np.array([[int(((labels == t) & (predicted == p)).sum()) for p in (0, 1)] for t in (0, 1)])
    figure, axes = _figure(4.0, 3.6)
    axes.imshow(counts, cmap="Blues")
    for t in (0, 1):
        for p in (0, 1):
            axes.text(p, t, str(counts[t, p]), ha="center", va="center",
                      color="white" if counts[t, p] > counts.max() / 2 else "black", fontsize=14)
    axes.set_xticks([0, 1], ["benign", "malicious"])
    axes.set_yticks([0, 1], ["benign", "malicious"])
    axes.set_xlabel("predicted")
    axes.set_ylabel("true")
    axes.set_title(f"Confusion matrix at threshold {threshold:.3f}")
    return _png(figure)


class Plot(NamedTuple):
    name: str  # file stem beside the report, e.g. "roc_curve"
    title: str
    png: bytes


def evaluation_plots(report: Mapping) -> list[Plot]:
    """The evaluation report's plots: evasion per family with CIs, and — from the per-text clean
    test scores (``report["clean_scores"]``) — ROC curve, score histograms and confusion matrix."""
    version = report.get("model_version", "model")
    plots = [Plot("evasion_by_family", f"Evasion per attack family, {version} (95% CI)",
                  evasion_by_family({version: report["evasion"]["by_family"]}))]
    scores = report.get("clean_scores")
    if scores:
        threshold = report["operating_point"]["threshold"]
        labels, values = scores["labels"], scores["scores"]
        plots += [Plot("roc_curve", "ROC curve with the operating point", roc_curve(labels, values, threshold)),
                  Plot("score_histograms", "Scores: benign vs malicious", score_histograms(labels, values, threshold)),
                  Plot("confusion_matrix", "Confusion matrix at the operating point",
                       confusion_matrix(labels, values, threshold))]
    return [plot for plot in plots if plot.png is not None]


def ab_plots(result: Mapping) -> list[Plot]:
    """Champion vs challenger evasion per family on the A/B set, each with its own 95% CI."""
    table = (result.get("statistics") or {}).get("evasion_by_family") or {}

    def side(model: str) -> dict:
        return {family: {"rate": row[model], **{k: (row.get(f"{model}_ci") or {}).get(k) for k in ("low", "high")}}
                for family, row in table.items()}

    png = evasion_by_family({f"champion {result['previous_champion']}": side("champion"),
                             f"challenger {result['challenger_version']}": side("challenger")})
    return [] if png is None else [Plot("ab_evasion_by_family", "A/B: evasion per family, champion vs challenger "
                                        "(95% CI)", png)]
