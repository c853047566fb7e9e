"""Where a champion's clean errors sit on the test split, and how high its F1 could go at any threshold.

    python bench/misses.py --state-dir DIR [--run RUN_ID] [--model VERSION_DIR] [--also-test-in OTHER_STATE_DIR]
                           [--out bench/results/misses.json]

Reads the champion's test scores as the loop computed them (the latest ``evaluation_report`` of a loop's
state, or the one run ``--run`` stored) and the ``labeled_dataset``; writes, per category, recall
(malicious) or the false-alarm rate (benign) at the champion's calibrated threshold; how its missed
malicious texts and its false alarms spread over template groups; the false-alarm rate and recall on the
texts that show a surface cue (a URL, an e-mail address, markdown, a closing question mark, an agent tool's
name), and on English and other-language texts (read from the bundled data's group names); the recall at the
threshold that flags 5 % of these benign texts (two models at one false-alarm rate); and the test F1
at the calibrated threshold, with F1 and false-alarm-rate CIs that resample whole template groups, beside the
best F1 any threshold reaches on the same scores. ``--model`` scores that model (a registry version folder, at its own
calibrated threshold) on the state's test split instead: two champions trained on two versions of the
data compare on the same texts when both score the template groups that are in the test split of both data
versions (``--also-test-in`` the other's state: a generator change re-deals templates, so part of one
version's test split is in the other's training split). The best threshold is chosen on
test, so it is a ceiling of the model's ranking, never an operating point: it says whether a target is
out of reach of the threshold or of the model. Nothing here reads the sealed holdout (its scores are not
stored per text, and no one decides on it).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from adversarial_mlops.judging.evaluation import clean_report  # noqa: E402
from adversarial_mlops.judging.metrics import classification_metrics, recall_at_fpr  # noqa: E402
from adversarial_mlops.storage.atomic_io import atomic_write_text  # noqa: E402
from adversarial_mlops.storage.run_values import RunValueStore  # noqa: E402
from scripts.generate_dataset import SURFACE_CUES  # noqa: E402  (the cues the bundled data keeps in both classes)


def f1_at(labels: np.ndarray, flagged: np.ndarray) -> float:
    return classification_metrics(labels, flagged.astype(int))["f1"]


def best_threshold(labels: np.ndarray, scores: np.ndarray) -> dict:
    """The threshold with the highest F1 on these scores (ties: the higher threshold), with its FPR and recall."""
    best = None
    for threshold in np.unique(scores)[::-1]:
        flagged = scores >= threshold
        f1 = f1_at(labels, flagged)
        if best is None or f1 > best["f1"]:
            best = {"threshold": float(threshold), "f1": f1, "fpr": float(flagged[labels == 0].mean()),
                    "recall": float(flagged[labels == 1].mean())}
    return best


def by_category(frame: pd.DataFrame) -> dict:
    """Recall of each malicious category, false-alarm rate of each benign one, with texts and template groups."""
    rows = {}
    for (label, category), part in frame.groupby(["labels", "category"]):
        rate = part.flagged.mean()
        rows[category] = {"label": int(label), "texts": len(part), "groups": part.group.nunique(),
                          ("recall" if label == 1 else "fpr"): round(float(rate), 4)}
    return dict(sorted(rows.items(), key=lambda item: (-item[1]["label"], item[1].get("recall", 0),
                                                       -item[1].get("fpr", 0))))




# The bundled data names a template's group family-language-module-number ("benign_everyday-fr-multilingual-020");
# other data (and the bundled long documents, all English) carry no language in the group name.
BUNDLED_GROUP_LANGUAGE = re.compile(r"^[a-z_]+-([a-z]{2})-[a-z0-9_]+-\d+$")


def by_language(frame: pd.DataFrame) -> dict:
    """False-alarm rate and recall on English and on other-language texts, read from bundled group names."""
    language = frame.group.map(lambda group: (match := BUNDLED_GROUP_LANGUAGE.match(group)) and match.group(1))
    language = language.where(language.isna() | (language == "en"), "other").fillna("not named")
    return {name: flag_rates(part) for name, part in frame.groupby(language)}


def flag_rates(texts: pd.DataFrame) -> dict:
    """False-alarm rate on the benign ``texts`` and recall on the malicious ones, with their counts."""
    benign, malicious = texts[texts.labels == 0], texts[texts.labels == 1]
    return {"benign_texts": len(benign), "fpr": round(float(benign.flagged.mean()), 4) if len(benign) else None,
            "malicious_texts": len(malicious),
            "recall": round(float(malicious.flagged.mean()), 4) if len(malicious) else None}


def by_surface_cue(frame: pd.DataFrame) -> dict:
    """False-alarm rate on the benign texts that show each surface cue, recall on the malicious ones."""
    return {cue: flag_rates(frame[frame.text.str.contains(pattern, case=False, regex=True)])
            for cue, pattern in SURFACE_CUES.items()}


def error_spread(frame: pd.DataFrame, label: int) -> dict:
    """How the errors on one label's texts (missed malicious, or flagged benign) spread over template
    groups: whole situations wrong, or scattered texts."""
    texts = frame[frame.labels == label]
    wrong = texts[texts.flagged != bool(label)]
    per_group, sizes = wrong.group.value_counts(), texts.group.value_counts()
    share = per_group / sizes[per_group.index]
    return {"wrong": len(wrong), "texts": len(texts), "groups_with_an_error": len(per_group),
            "groups": int(texts.group.nunique()), "wrong_in_the_5_worst_groups": int(per_group.head(5).sum()),
            "groups_half_or_more_wrong": int((share >= 0.5).sum()),
            "worst_groups": {group: {"wrong": int(per_group[group]), "of": int(sizes[group])}
                             for group in per_group.head(10).index}}


def stored_value(state_dir: Path, run_id: str | None, asset: str):
    """An asset value a loop stored in ``state_dir`` (of run ``run_id``, else the latest), or exit saying so."""
    value = RunValueStore(state_dir / "assets").for_run(run_id, asset)
    if value is None:
        raise SystemExit(f"{state_dir} has no {asset}" + (f" from run {run_id}" if run_id else "")
                         + ": run a loop on it first")
    return value


def stored_scores(state_dir: Path, run_id: str | None) -> tuple[pd.DataFrame, float, dict]:
    """The test split with the champion's scores as the loop's evaluation stored them, and its threshold."""
    report_value = stored_value(state_dir, run_id, "evaluation_report")
    report, data = report_value.load(), stored_value(state_dir, run_id, "labeled_dataset").load()
    frame = pd.DataFrame(report["clean_scores"]).merge(data, left_on="ids", right_on="id", validate="one_to_one")
    source = {"run_id": report_value.run_id, "model_version": report["model_version"], "model_dir": None}
    return frame, float(report["operating_point"]["threshold"]), source


def rescored(state_dir: Path, run_id: str | None, model_dir: Path) -> tuple[pd.DataFrame, float, dict]:
    """The state's test split scored now by the model in ``model_dir``, at that model's own threshold."""
    from adversarial_mlops.models.modeling import TextClassifier

    data_value = stored_value(state_dir, run_id, "labeled_dataset")
    frame = data_value.load()
    frame = frame[frame.split == "test"].rename(columns={"label": "labels"}).reset_index(drop=True)
    classifier = TextClassifier.load(model_dir)
    frame["scores"] = classifier.predict_proba(frame.text.tolist())
    source = {"run_id": data_value.run_id, "model_version": model_dir.name, "model_dir": str(model_dir)}
    return frame, float(classifier.threshold), source


def test_groups(state_dir: Path) -> set[str]:
    """The template groups in a state's test split (its latest labeled_dataset)."""
    data = stored_value(state_dir, None, "labeled_dataset").load()
    return set(data.group[data.split == "test"])


def misses(state_dir: Path, run_id: str | None = None, model_dir: Path | None = None, *, seed: int = 0,
           n_resamples: int = 1000, also_test_in: Path | None = None) -> dict:
    frame, threshold, source = (stored_scores(state_dir, run_id) if model_dir is None
                                else rescored(state_dir, run_id, model_dir))
    if also_test_in is not None:  # two data versions split templates differently: keep what neither trained on
        frame = frame[frame.group.isin(test_groups(also_test_in))].reset_index(drop=True)
        source["only_groups_also_in_test_of"] = str(also_test_in)
    frame["flagged"] = frame.scores >= threshold
    labels, scores = frame.labels.to_numpy(), frame.scores.to_numpy()
    clustered = clean_report(labels, scores, seed=seed, n_resamples=n_resamples, groups=frame.group.tolist(),
                             threshold=threshold)
    return {"state_dir": str(state_dir), **source, "split": "test", "texts": len(frame),
            "groups": int(frame.group.nunique()), "threshold": threshold,
            "f1_at_threshold": clustered["f1"], "f1_ci": clustered["f1_ci"],
            "fpr_at_threshold": clustered["fpr"], "fpr_ci": clustered["fpr_ci"],
            "recall_at_threshold": clustered["recall"],
            "best_f1_any_threshold": best_threshold(labels, scores), "roc_auc": clustered.get("roc_auc"),
            "recall_at_5pct_fpr": recall_at_fpr(labels, scores, 0.05),  # two models at one false-alarm rate
            "by_category": by_category(frame), "by_surface_cue": by_surface_cue(frame), "by_language": by_language(frame),
            "missed_malicious": error_spread(frame, 1),
            "false_alarms": error_spread(frame, 0)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--state-dir", required=True, type=Path, help="a loop's state (its latest evaluation)")
    parser.add_argument("--run", help="the run whose evaluation to read (default: the latest)")
    parser.add_argument("--model", type=Path, help="score this model (a registry version folder) on the state's "
                        "test split instead of reading the stored scores")
    parser.add_argument("--also-test-in", type=Path, help="keep only the template groups that are in this other "
                        "state's test split too (a champion of another data version never trained on them)")
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "misses.json"))
    args = parser.parse_args(argv)
    result = misses(args.state_dir, args.run, args.model, also_test_in=args.also_test_in)
    atomic_write_text(Path(args.out), json.dumps(result, indent=2) + "\n")
    best, f1_ci, fpr_ci = result["best_f1_any_threshold"], result["f1_ci"], result["fpr_ci"]
    print(f"{result['model_version']} on test ({result['texts']} texts, {result['groups']} groups): F1 "
          f"{result['f1_at_threshold']:.3f} ({f1_ci['low']:.3f}-{f1_ci['high']:.3f}) at its threshold "
          f"{result['threshold']:.3f} (FPR {result['fpr_at_threshold']:.3f}, {fpr_ci['low']:.3f}-{fpr_ci['high']:.3f}); "
          "best F1 at any threshold "
          f"{best['f1']:.3f} at {best['threshold']:.3f} (FPR {best['fpr']:.3f}, recall {best['recall']:.3f})")
    for category, row in result["by_category"].items():
        rate = f"recall {row['recall']:.3f}" if row["label"] == 1 else f"FPR {row['fpr']:.3f}"
        print(f"  {category:<28} {rate}  ({row['texts']} texts, {row['groups']} groups)")
    at5 = result["recall_at_5pct_fpr"]
    print(f"  at 5 % FPR on these texts (threshold {at5['threshold']:.3f}): recall {at5['recall']:.3f}")
    rows = {**{f"with {cue}": row for cue, row in result["by_surface_cue"].items()},
            **{f"language {name}": row for name, row in result["by_language"].items()}}
    for what, row in rows.items():
        fpr = "-" if row["fpr"] is None else f"{row['fpr']:.3f}"
        recall = "-" if row["recall"] is None else f"{row['recall']:.3f}"
        print(f"  {what:<27} FPR {fpr} ({row['benign_texts']} benign), recall {recall} "
              f"({row['malicious_texts']} malicious)")
    for key, what in (("missed_malicious", "malicious texts missed"), ("false_alarms", "benign texts flagged")):
        spread = result[key]
        print(f"{what}: {spread['wrong']} of {spread['texts']}, in {spread['groups_with_an_error']} of "
              f"{spread['groups']} template groups; {spread['wrong_in_the_5_worst_groups']} in the 5 worst; "
              f"{spread['groups_half_or_more_wrong']} groups half or more wrong")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
