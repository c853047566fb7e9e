"""Benchmark: what each calibration target would give — the operating point sweep.

For every model version in a state directory (e.g. the one ``bench/loop.py`` left), score the
stored validation, test and holdout splits once (the serving path), calibrate the threshold on
validation to each target false-positive rate at each confidence exactly as training does
(``judging.decision.calibrate_threshold``, template groups resampled whole; ``none`` = the plain
validation quantile), and report F1, recall and FPR on test and holdout with CIs that resample
template groups, plus the benign validation templates that score highest (what a tight budget
must sit above).

    python bench/operating_point.py --state-dir DIR [--targets 0.02 0.05 0.1] [--confidences none 0.9]
                                    [--models NAME=MODEL_DIR ...] [--out FILE]

``--state-dir`` gives the splits (its stored ``labeled_dataset``); ``--models`` scores other model
directories on them, e.g. the baselines ``bench/recipe.py`` trained.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SPLITS = ("validation", "test", "holdout")


def sweep(model_dir: Path, splits, targets: list[float], confidences: list[float | None]) -> dict:
    from adversarial_mlops.judging.decision import calibrate_threshold
    from adversarial_mlops.models.modeling import TextClassifier

    classifier = TextClassifier.load(model_dir)
    frames = {name: splits[splits["split"] == name] for name in SPLITS}
    scores = {name: classifier.predict_proba(frame["text"].tolist()) for name, frame in frames.items()}
    labels = {name: frame["label"].to_numpy() for name, frame in frames.items()}
    groups = {name: frame["group"].astype(str).to_numpy() for name, frame in frames.items()}
    rows = {}
    for target in targets:
        for confidence in confidences:
            point = calibrate_threshold(labels["validation"], scores["validation"], target,
                                        groups=groups["validation"], confidence=confidence)
            row = {key: point[key] for key in ("threshold", "plain_threshold", "validation_fpr", "validation_recall")}
            for name in ("test", "holdout"):
                row[name] = measured(labels[name], scores[name], groups[name], point["threshold"])
            rows[f"{target}@{confidence or 'none'}"] = row
    benign = frames["validation"].assign(score=scores["validation"])[labels["validation"] == 0]
    top = benign.groupby("group")["score"].agg(["max", "median", "size"]).sort_values("median", ascending=False)
    return {"by_target": rows, "top_benign_validation_templates": top.head(5).round(4).reset_index().to_dict("records")}


def measured(labels, scores, groups, threshold: float) -> dict:
    """F1, recall and FPR at ``threshold``, with F1 and FPR CIs that resample template groups."""
    from adversarial_mlops.judging.evaluation import clean_report

    report = clean_report(labels, scores, seed=0, n_resamples=1000, threshold=threshold, groups=list(groups))
    return {"f1": report["f1"], "f1_ci": [report["f1_ci"]["low"], report["f1_ci"]["high"]],
            "recall": report["recall"], "fpr": report["fpr"], "fpr_ci": [report["fpr_ci"]["low"], report["fpr_ci"]["high"]]}


def confidence_arg(text: str) -> float | None:
    return None if text.lower() in ("none", "null") else float(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--state-dir", required=True)
    parser.add_argument("--models", nargs="*", default=None, metavar="NAME=MODEL_DIR",
                        help="score these model directories (e.g. bench/recipe.py's) instead of the state's registry")
    parser.add_argument("--targets", type=float, nargs="+", default=[0.02, 0.05, 0.10, 0.15])
    parser.add_argument("--confidences", type=confidence_arg, nargs="+", default=[None, 0.9],
                        help="model.target_fpr_confidence values to calibrate at (none = the plain validation quantile)")
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "operating_point.json"))
    args = parser.parse_args()
    import pandas as pd

    state = Path(args.state_dir)
    from adversarial_mlops.storage.run_values import RunValueStore

    splits = RunValueStore(state / "assets").latest("labeled_dataset").load()
    if args.models is None:
        models = {p.name: p for p in sorted((state / "registry" / "versions").iterdir()) if p.is_dir()}
    else:
        models = {name: Path(path) for name, _, path in (item.partition("=") for item in args.models)}
    result = {"state_dir": str(state), "versions": {name: sweep(path, splits, args.targets, args.confidences)
                                                    for name, path in models.items()}}
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    for version, block in result["versions"].items():
        for target, row in block["by_target"].items():
            print(f"{version} target@confidence {target}: threshold {row['threshold']:.4f}, test F1 {row['test']['f1']:.3f} "
                  f"recall {row['test']['recall']:.3f} FPR {row['test']['fpr']:.3f}; holdout F1 "
                  f"{row['holdout']['f1']:.3f} FPR {row['holdout']['fpr']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
