"""Two models on the texts neither trained on: a later data version's test split, kept to the template groups
an earlier state's model never trained or calibrated on.

    python bench/unseen_groups.py --state-dir NEW_STATE --other-state OLD_STATE --other-model OLD_VERSION_DIR
                                  [--other-threshold T] [--out bench/results/cross_version.json]

``NEW_STATE``'s champion is read as its latest evaluation scored it (``bench/misses.py``); the other model scores
the same texts now, at ``--other-threshold`` (default: its own calibrated one). Per slice (all, English, other
languages, read from the bundled group names): F1, FPR and recall at each model's threshold with F1 CIs that
resample template groups, ROC-AUC and recall at 5 % FPR (both models at one false-alarm rate).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from misses import stored_scores, stored_value  # noqa: E402

from adversarial_mlops.judging.evaluation import clean_report  # noqa: E402
from adversarial_mlops.judging.metrics import recall_at_fpr, roc_auc  # noqa: E402
from adversarial_mlops.storage.atomic_io import atomic_write_text  # noqa: E402

OTHER_LANGUAGES = ("de", "fr", "es", "pt", "ko", "ja")


def figures(frame, column: str, threshold: float) -> dict:
    labels, scores = frame.labels.to_numpy(), frame[column].to_numpy()
    report = clean_report(labels, scores, seed=0, n_resamples=1000, threshold=threshold, groups=frame.group.tolist())
    return {"threshold": threshold, "f1": report["f1"], "f1_ci": [report["f1_ci"]["low"], report["f1_ci"]["high"]],
            "fpr": report["fpr"], "recall": report["recall"], "roc_auc": roc_auc(labels, scores),
            "recall_at_5pct_fpr": recall_at_fpr(labels, scores, 0.05)["recall"]}


def compare(state_dir: Path, other_state: Path, other_model: Path, other_threshold: float | None) -> dict:
    from adversarial_mlops.models.modeling import TextClassifier

    frame, threshold, source = stored_scores(state_dir, None)
    other_data = stored_value(other_state, None, "labeled_dataset").load()
    seen = set(other_data.group[other_data.split.isin(["train", "validation"])])
    frame = frame[~frame.group.isin(seen)].reset_index(drop=True)
    classifier = TextClassifier.load(other_model)
    frame["other_scores"] = classifier.predict_proba(frame.text.tolist())
    other_threshold = classifier.threshold if other_threshold is None else other_threshold
    language = frame.group.str.split("-").str[1]
    slices = {"all": frame, "english": frame[language == "en"], "other_languages": frame[language.isin(OTHER_LANGUAGES)]}
    result = {"state_dir": str(state_dir), "model": source["model_version"], "other_state": str(other_state),
              "other_model": str(other_model)}
    for name, part in slices.items():
        result[name] = {"texts": len(part), "groups": int(part.group.nunique()), "benign": int((part.labels == 0).sum()),
                        "model": figures(part, "scores", threshold),
                        "other_model": figures(part, "other_scores", other_threshold)}
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--state-dir", required=True, type=Path)
    parser.add_argument("--other-state", required=True, type=Path)
    parser.add_argument("--other-model", required=True, type=Path, help="a registry version folder of --other-state")
    parser.add_argument("--other-threshold", type=float, help="default: the other model's calibrated threshold")
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "cross_version.json"))
    args = parser.parse_args(argv)
    result = compare(args.state_dir, args.other_state, args.other_model, args.other_threshold)
    atomic_write_text(Path(args.out), json.dumps(result, indent=2) + "\n")
    for name in ("all", "english", "other_languages"):
        row = result[name]
        print(f"{name}: {row['texts']} texts; " + "; ".join(
            f"{who} AUC {row[who]['roc_auc']:.3f} recall@5% {row[who]['recall_at_5pct_fpr']:.3f} F1 {row[who]['f1']:.3f}"
            for who in ("model", "other_model")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
