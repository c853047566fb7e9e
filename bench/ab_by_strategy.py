"""Where two models' false alarms differ: the A/B's benign texts per strategy, and clean benign test texts per category.

The A/B's rule pools obfuscated benign texts into one rate; when it blocks a challenger this says which
obfuscations (and which kinds of clean text) the extra false alarms come from. Both models of a bench
state's registry score the same texts the A/B builds (``attack_runner.build_ab_variants``: test texts the
gate did not attack, seed ``attack.ab_seed``), with the current code's views and each model's threshold.

    python bench/ab_by_strategy.py --state-dir /tmp/s23/state v0001 v0002 --out /tmp/ab_by_strategy.json \
        [--evasion-family encoding]   # also evasion per strategy on the A/B's malicious variants of a family

Two more readings of the same scores tell a general shift from a specific one: ``deciding_view`` (per
strategy, the share of each model's false alarms decided by each view: is it the raw text or a decoded
reading that fires?) and ``at_matched_clean_fpr`` (the challenger's rate per strategy at the threshold
that gives it the champion's false-alarm rate on the clean benign test texts: does a challenger that
is merely scaled differently explain the gap?). The matched threshold is read off test texts, so it is
a diagnosis, never a decision.

Reads the state; writes nothing into it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adversarial_mlops.config import STATE_DIR_ENV_VAR  # noqa: E402


def _rates(frame, by: str, columns: list[str]) -> dict:
    grouped = frame.groupby(by)
    return {str(key): {**{name: round(float(rows[name].mean()), 4) for name in columns}, "n": int(len(rows)),
                       "groups": int(rows["group"].nunique()) if "group" in rows else None}
            for key, rows in grouped}


def _view_shares(frame, version: str) -> dict:
    alarms = frame[frame[version] == 1]
    return {str(strategy): {**{str(view): round(float(share), 3)
                               for view, share in rows[f"{version}_view"].value_counts(normalize=True).items()},
                            "alarms": int(len(rows))}
            for strategy, rows in alarms.groupby("strategy")}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--state-dir", type=Path, required=True)
    parser.add_argument("champion")
    parser.add_argument("challenger")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--evasion-family", action="append", default=[],
                        help="also score the A/B's malicious variants of this attack family (e.g. encoding): "
                             "evasion per strategy at each model's threshold, over every variant (sources the "
                             "model misses when clean included, unlike the gate's rate); repeatable")
    args = parser.parse_args()
    os.environ[STATE_DIR_ENV_VAR] = str(args.state_dir)

    from adversarial_mlops import data
    from adversarial_mlops.config import load_config
    from adversarial_mlops.loop import lifecycle
    from adversarial_mlops.loop.attack_runner import build_ab_variants
    from adversarial_mlops.judging.decision import decide, threshold_for_fpr
    from adversarial_mlops.models.views import VIEW_NAMES
    from adversarial_mlops.storage.atomic_io import atomic_write_text

    config = load_config(None, {})
    splits = data.load_splits(config.data)
    test = lifecycle.split_frame(splits, "test")
    registry = lifecycle.open_registry(config)
    variants = build_ab_variants(splits, config.attack)
    benign = variants[variants["label"] == data.BENIGN].reset_index(drop=True)
    malicious = variants[(variants["label"] == data.MALICIOUS)
                         & variants["family"].isin(args.evasion_family)].reset_index(drop=True)
    group_of = dict(zip(test["id"], test["group"].astype(str)))
    benign = benign.assign(group=benign["source_id"].map(group_of))
    malicious = malicious.assign(group=malicious["source_id"].map(group_of))
    clean = test[test["label"] == data.BENIGN].reset_index(drop=True)
    thresholds, scores = {}, {}
    for version in (args.champion, args.challenger):
        classifier = lifecycle.load_classifier(registry.get(version), config)
        thresholds[version] = classifier.threshold
        evidence = classifier.score_with_evidence(benign["text"].tolist())
        scores[version] = (evidence, classifier.predict_proba(clean["text"].tolist()))
        benign[version] = decide(evidence[:, 0], classifier.threshold)
        benign[f"{version}_view"] = [VIEW_NAMES[int(code)] for code in evidence[:, 1]]
        clean[version] = decide(scores[version][1], classifier.threshold)
        if len(malicious):
            malicious[version] = 1 - decide(classifier.predict_proba(malicious["text"].tolist()), classifier.threshold)
        print(f"{version}: scored {len(benign)} benign variants and {len(clean)} clean benign texts", flush=True)
    columns = [args.champion, args.challenger]
    matched = threshold_for_fpr(scores[args.challenger][1], float(clean[args.champion].mean()))
    benign["challenger_at_matched"] = decide(scores[args.challenger][0][:, 0], matched)
    result = {"state_dir": str(args.state_dir), "thresholds": thresholds,
              "benign_variants_by_strategy": _rates(benign, "strategy", columns),
              "clean_benign_by_category": _rates(clean, "category", columns) if "category" in clean else None,
              "deciding_view": {version: _view_shares(benign, version) for version in columns},
              "at_matched_clean_fpr": {"challenger_threshold": matched,
                                       "clean_fpr": float(clean[args.champion].mean()),
                                       "by_strategy": _rates(benign, "strategy", ["challenger_at_matched"])},
              "malicious_evasion_by_strategy": _rates(malicious, "strategy", columns) if len(malicious) else None}
    atomic_write_text(args.out, json.dumps(result, indent=2) + "\n")
    for title, table in (("benign variants: false-alarm rate", result["benign_variants_by_strategy"]),
                         ("clean benign: false-alarm rate", result["clean_benign_by_category"] or {}),
                         ("malicious variants: evasion rate", result["malicious_evasion_by_strategy"] or {})):
        print(f"\n{title} {args.champion} -> {args.challenger}")
        for key, row in table.items():
            print(f"  {key:28s} {row[args.champion] * 100:5.1f} -> {row[args.challenger] * 100:5.1f} %  "
                  f"({row['n']} texts, {row['groups']} groups)")
    matched_rates = result["at_matched_clean_fpr"]["by_strategy"]
    print(f"\nchallenger at the champion's clean FPR (threshold {matched:.3f} vs {thresholds[args.challenger]:.3f}):")
    for key, row in matched_rates.items():
        views = result["deciding_view"][args.challenger].get(key, {})
        print(f"  {key:28s} {row['challenger_at_matched'] * 100:5.1f} %   challenger alarms by view: "
              + ", ".join(f"{view} {share:.2f}" for view, share in views.items() if view != "alarms"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
