"""The tables a reviewer reads at a glance, built from the stored reports (no model, no Dagster).

Inputs are the plain dicts of ``judging.evaluation`` (the report), ``judging.quality_gate``
(``GateVerdict.to_dict``), ``judging.promotion`` (the A/B statistics and reasons) and the model
registry's history entries.
"""

from __future__ import annotations

from typing import Mapping, Sequence

from adversarial_mlops.judging.metrics import RANKING_FPRS, recall_at_fpr_key

from .formatting import NOT_MEASURED, Table, count, delta_with_ci, measured, pct, rate_with_ci, ratio

F1_CHECKS = frozenset({"f1_score", "f1_drop"})  # gate checks on F1 (3 decimals); the others are rates (%)
MAX_REASON_CHARS = 140


def strategy_table(evasion: Mapping) -> Table:
    """Per attack strategy: variants generated, effective (read differently from their source),
    counted (source caught when clean), evaded, and the rate with its 95% CI; the overall row last."""
    rows = [(name, count(row["generated"]), count(row["effective"]), count(row["n_variants"]),
             count(row["evaded"]), rate_with_ci(row), count(row.get("n_groups")) if row.get("n_groups") else "")
            for name, row in sorted(evasion["by_strategy"].items())]
    overall = evasion["overall"]
    rows.append(("overall", count(overall.get("generated")), count(overall.get("effective")),
                 count(overall["n_variants"]), count(overall["n_evaded"]), rate_with_ci(overall),
                 count(overall.get("n_groups"))))
    return Table.of(["strategy", "generated", "effective", "counted", "evaded", "evasion (95% CI)", "groups"], rows,
                    numeric=["generated", "effective", "counted", "evaded", "groups"])


def family_table(by_family: Mapping) -> Table:
    """Per attack family (composites count in each family they use): counted, evaded, rate with CI."""
    rows = [(name, count(row["n_variants"]), count(row["n_evaded"]), rate_with_ci(row), count(row.get("n_groups")))
            for name, row in sorted(by_family.items())]
    return Table.of(["family", "counted", "evaded", "evasion (95% CI)", "groups"], rows,
                    numeric=["counted", "evaded", "groups"])


def operating_point_table(report: Mapping) -> Table:
    """Where the detector works: its threshold and the clean test metrics there, with CIs."""
    point, clean = report["operating_point"], report["clean"]
    target = point.get("target_fpr")
    f1_ci = clean.get("f1_ci") or {}
    fpr_ci = clean.get("fpr_ci") or {}
    rows = [("threshold", ratio(point["threshold"]),
             f"calibrated on validation to {pct(target)} FPR" if measured(target) else "fixed default (uncalibrated)"),
            ("clean F1", ratio(clean["f1"]), _interval_note(f1_ci, ratio)),
            ("clean FPR", pct(clean["fpr"]), _interval_note(fpr_ci, pct)),
            ("precision", ratio(clean.get("precision")), ""), ("recall", pct(point.get("recall")), ""),
            ("ROC-AUC", ratio(point.get("roc_auc")), ""), ("PR-AUC", ratio(point.get("pr_auc")), ""),
            ("recall at 1% FPR", pct((point.get("recall_at_1pct_fpr") or {}).get("recall")), ""),
            ("recall at 5% FPR", pct((point.get("recall_at_5pct_fpr") or {}).get("recall")), ""),
            ("test texts", count(report.get("n_test", clean.get("n"))),
             f"{clean['n_groups']} template groups" if clean.get("n_groups") else "")]
    return Table.of(["measure", "value", "note"], rows, numeric=["value"])


def _interval_note(interval: Mapping, fmt) -> str:
    if not (measured(interval.get("low")) and measured(interval.get("high"))):
        return ""
    return f"95% CI {fmt(interval['low'])} to {fmt(interval['high'])}"


def over_defense_table(over_defense: Mapping) -> Table:
    """False alarms on benign texts: obfuscated ones, the over-defence set, and clean FPR per category."""
    rows = [("obfuscated benign texts (pooled)", count(over_defense["obfuscated_benign_fpr"].get("n")),
             rate_with_ci(over_defense["obfuscated_benign_fpr"]))]
    trigger_set = over_defense.get("over_defense_set_fpr")
    if trigger_set:
        rows.append((f"over-defence set ({', '.join(trigger_set.get('categories', []))})", count(trigger_set["n"]),
                     rate_with_ci(trigger_set)))
    rows += [(f"clean: {category}", count(row["n"]), pct(row["fpr"]))
             for category, row in sorted((over_defense.get("clean_fpr_by_category") or {}).items())]
    return Table.of(["benign texts", "n", "false alarms (95% CI)"], rows, numeric=["n"])


def gate_table(verdict: Mapping) -> Table:
    """The quality gate (``GateVerdict.to_dict``): one row per threshold with value, CI, limit, verdict."""
    rows = []
    for check in verdict["checks"]:
        fmt = ratio if check["name"] in F1_CHECKS else pct
        interval = (f"{fmt(check['low'])} to {fmt(check['high'])}"
                    if measured(check.get("low")) and measured(check.get("high")) else "")
        if interval and check.get("n_groups"):
            interval += f" ({check['n_groups']} groups)"
        rule = check["rule"].split()[0]  # "<= 0.15" → "<="
        rows.append((check["name"], fmt(check["value"]), interval, f"{rule} {fmt(check['limit'])}",
                     ("PASS" if check["passed"] else "FAIL") + ("" if measured(check["value"]) else
                                                                     f" ({check['reason']})")))
    return Table.of(["threshold", "value", "95% CI", "limit", "verdict"], rows, numeric=["value"])


def ab_table(statistics: Mapping, champion: str, challenger: str) -> Table:
    """Champion vs challenger on the A/B set: clean F1 and FPR, over-defence, evasion overall and per
    family, false alarms on benign texts per encoding, each with the paired Δ (challenger − champion)
    and its 95% CI."""
    a, b = statistics["champion_clean"], statistics["challenger_clean"]
    d_f1 = statistics["delta_f1"]
    rows = [("clean F1", ratio(a["f1"]), ratio(b["f1"]), _ratio_delta(d_f1), count(statistics.get("n_clean"))),
            ("clean FPR", pct(a["fpr"]), pct(b["fpr"]), delta_with_ci(statistics["delta_fpr"]),
             count(statistics.get("n_clean"))),
            ("obfuscated-benign false alarms", pct(statistics.get("champion_obfuscated_benign_fpr")),
             pct(statistics.get("challenger_obfuscated_benign_fpr")),
             delta_with_ci(statistics["delta_obfuscated_benign_fpr"]), count(statistics.get("n_benign_variants"))),
            ("evasion, all families", pct(statistics.get("champion_evasion")),
             pct(statistics.get("challenger_evasion")), delta_with_ci(statistics["delta_evasion"]),
             count(statistics.get("n_variants")))]
    rows += _ranking_rows(statistics.get("ranking"), statistics.get("n_clean"))
    rows += [(f"evasion: {family}", pct(row["champion"]), pct(row["challenger"]), delta_with_ci(row["delta"]),
              count(row["n_variants"])) for family, row in sorted(statistics.get("evasion_by_family", {}).items())]
    rows += [(f"false alarms, benign in {name} (reported, not decided on)", pct(row["champion"]),
              pct(row["challenger"]), delta_with_ci(row["delta"]), count(row["n"]))
             for name, row in sorted((statistics.get("encoding_probes") or {}).items())]
    return Table.of(["measure", f"champion {champion}", f"challenger {challenger}", "Δ (95% CI)", "n"], rows,
                    numeric=[f"champion {champion}", f"challenger {challenger}", "n"])


def _ranking_rows(ranking: Mapping | None, n_clean) -> list[tuple]:
    """Clean ROC-AUC and recall at 1 % / 5 % FPR, whatever each model's threshold (reported, not decided on)."""
    if not ranking:
        return []
    a, b = ranking["champion"], ranking["challenger"]
    rows = [("clean ROC-AUC (reported, not decided on)", ratio(a["roc_auc"]), ratio(b["roc_auc"]),
             _ratio_delta(ranking["delta_roc_auc"]), count(n_clean))]
    for max_fpr in RANKING_FPRS:
        key = recall_at_fpr_key(max_fpr)
        if key in a and key in b and f"delta_{key}" in ranking:
            rows.append((f"clean recall at {max_fpr * 100:g}% FPR (reported, not decided on)", pct(a[key]["recall"]),
                         pct(b[key]["recall"]), delta_with_ci(ranking[f"delta_{key}"]), count(n_clean)))
    return rows


def _ratio_delta(delta: Mapping) -> str:
    if not measured(delta.get("estimate")):
        return NOT_MEASURED
    return f"{delta['estimate']:+.3f} ({delta['low']:+.3f} to {delta['high']:+.3f})"


def decision_line(result: Mapping) -> str:
    """The A/B outcome (the ``champion_model`` value) in one line: who is champion, and why."""
    challenger, previous = result["challenger_version"], result["previous_champion"]
    blocked = [reason.removeprefix("blocked: ") for reason in result["reasons"] if reason.startswith("blocked: ")]
    if result["promoted"]:
        return (f"PROMOTED {challenger} over {previous}: significantly more robust, no loss beyond tolerances "
                f"(champion now {result['champion_version']})")
    why = "; ".join(_shorten(reason) for reason in blocked) or _shorten("; ".join(result["reasons"]))
    return f"KEPT {previous}: challenger {challenger} not promoted — {why}"


def _shorten(text: str, limit: int = MAX_REASON_CHARS) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def history_table(entries: Sequence[Mapping], limit: int = 10) -> Table:
    """The registry's latest ``limit`` events, newest first: when, what, which version, why."""
    rows = []
    for entry in list(entries)[-limit:][::-1]:
        details = entry.get("details") or {}
        reasons = [r for r in details.get("reasons", []) if r.startswith("blocked")] or details.get("reasons", [])
        why = entry.get("reason") or "; ".join(reasons)
        rows.append((str(entry.get("at", ""))[:19].replace("T", " "), entry.get("event", "?"),
                     entry.get("version", ""), entry.get("previous") or entry.get("champion") or "",
                     _shorten(why or "")))
    return Table.of(["at (UTC)", "event", "version", "previous / champion", "reason"], rows)


def versions_table(versions: Sequence, champion: str | None) -> Table:
    """Registered versions (``ModelVersion``), oldest first; * marks the champion."""
    rows = []
    for version in versions:
        point = version.metrics.get("operating_point") or {}
        rows.append(("*" if version.version == champion else "", version.version, version.info.get("role", "?"),
                     version.info.get("parent") or "", ratio(version.metrics.get("clean_f1")),
                     ratio(point.get("threshold")), ", ".join(version.info.get("excluded_families") or []),
                     version.created_at[:19].replace("T", " ")))
    return Table.of(["", "version", "role", "parent", "clean F1", "threshold", "held out", "created (UTC)"], rows,
                    numeric=["clean F1", "threshold"])
