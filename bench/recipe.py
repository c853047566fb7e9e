"""Benchmark: which training recipe generalises — baselines trained side by side, judged as the loop judges.

Each ``--recipe NAME [key=value ...]`` trains a baseline on the configured data with those config
overrides (on top of ``--set``, which every recipe shares), through the loop's own
``train_and_register`` (early stopping and threshold calibration on validation), and evaluates it
with the loop's own ``evaluate_version``: clean metrics on the test split at the calibrated
operating point with template-cluster CIs, false alarms per benign category, obfuscated benign
texts, static and adaptive evasion, and the sealed holdout (reported). The first recipe is the
reference: every other one gets paired, template-clustered deltas of clean F1 and FPR against it
on the test split.

``--reuse NAME=STATE_DIR`` scores the champion (else the newest version) of an existing state
directory — or of a ``--work-dir`` folder of an earlier run, ``WORK_DIR/NAME``, or one registry version folder,
``STATE_DIR/registry/versions/v0001`` (a loop's baseline after it promoted a challenger) — as recipe NAME instead
of training it (e.g. the baseline ``bench/loop.py`` left), after checking that it was trained with
exactly that recipe's data/model/training/defense settings.

    python bench/recipe.py --recipe current --recipe pooler training.extra_trainable_modules=[pooler] \\
        [--reuse current=DIR] [--set attack.adaptive_sources=50] [--work-dir DIR] [--out FILE]

``--recalibrate`` with ``--set model.target_fpr=X`` moves every model's threshold to another
validation target first (the operating point is part of a recipe).

Pick a recipe on validation and test figures; the holdout only confirms (it is sealed for the loop's
decisions, and a default chosen on it would no longer be an unseen check).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from loop import stored_version  # noqa: E402  (bench/loop.py: --baseline-from reads a model the same way)


def parse_reuse(items: list[str]) -> dict[str, Path]:
    pairs = {}
    for item in items:
        name, sep, path = item.partition("=")
        if not sep:
            raise SystemExit(f"--reuse {item!r}: write NAME=STATE_DIR, e.g. --reuse current=/tmp/loop_state")
        pairs[name] = Path(path)
    return pairs


def obtain_version(name: str, config, splits, work_dir: Path, reuse: Path | None, recalibrate: bool = False):
    """The recipe's model: the champion of ``reuse`` (checked to match the recipe; with
    ``recalibrate`` its calibration target may differ) or a new baseline."""
    from adversarial_mlops import data
    from adversarial_mlops.loop import lifecycle
    from adversarial_mlops.models.registry import ModelRegistry

    if reuse is not None:
        version = stored_version(reuse, newest_if_no_champion=True)
        # With --recalibrate the stored threshold is replaced: its target need not match.
        if version is None or not lifecycle.trained_with(version, config, any_target_fpr=recalibrate):
            raise SystemExit(f"--reuse {name}={reuse}: that model was not trained with recipe {name}'s settings; "
                             f"drop --reuse to train it")
        return version, None
    registry = ModelRegistry(work_dir / name / "registry")
    started = time.perf_counter()
    train = data.training_columns(lifecycle.split_frame(splits, "train"))
    version = lifecycle.train_and_register(registry, config, splits, train, role=lifecycle.BASELINE, parent=None,
                                           progress=lambda line: print(f"[{name}] {line}", flush=True))
    return version, round(time.perf_counter() - started, 1)


def recalibrated(version, config, validation, work_dir: Path, recalibrate: bool):
    """None (the model as registered), or with ``--recalibrate`` a copy of it calibrated to
    ``config.model.target_fpr`` (at ``target_fpr_confidence``) on validation, as training calibrates (``lifecycle.calibrate``)."""
    import shutil

    from adversarial_mlops.loop import lifecycle

    if not recalibrate:
        return None
    copy = work_dir / f"recalibrated_{config.model.target_fpr}"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(version.local_path(), copy)
    return lifecycle.calibrate(lifecycle.load_classifier(version, config), copy, validation, config)


def summary(report: dict) -> dict:
    """The figures a recipe is judged on, from one evaluation report (test or holdout block)."""
    clean, point, over = report["clean"], report["operating_point"], report["over_defense"]
    row = {"f1": clean["f1"], "f1_ci": [clean["f1_ci"]["low"], clean["f1_ci"]["high"]],
           "fpr": clean["fpr"], "fpr_ci": [clean["fpr_ci"]["low"], clean["fpr_ci"]["high"]],
           "recall": clean["recall"], "roc_auc": clean["roc_auc"], "threshold": point["threshold"],
           "recall_at_1pct_fpr": point["recall_at_1pct_fpr"]["recall"],
           "recall_at_5pct_fpr": point["recall_at_5pct_fpr"]["recall"],
           "fpr_by_category": {name: block["fpr"] for name, block in over["clean_fpr_by_category"].items()},
           "obfuscated_benign_fpr": over["obfuscated_benign_fpr"]["rate"],
           "obfuscated_benign_fpr_by_strategy": {name: block["rate"] for name, block
                                                 in over["obfuscated_benign_fpr_by_strategy"].items() if block["pooled"]},
           "static_evasion": report["evasion"]["static_overall"]["rate"],
           "worst_family_evasion": max(((name, block["rate"]) for name, block in report["evasion"]["by_family"].items()
                                        if block.get("rate") is not None), key=lambda pair: pair[1], default=None)}
    if report.get("adaptive_attack"):
        row["adaptive_evasion"] = report["adaptive_attack"]["success_rate"]
    return row


def paired_deltas(reference: tuple, other: tuple, frame, seed: int, n_resamples: int) -> dict:
    """Other minus reference on the same texts, each at its own operating point ((scores, threshold)
    per model); CIs resample whole templates."""
    import numpy as np

    from adversarial_mlops.judging.decision import decide
    from adversarial_mlops.judging.metrics import delta_f1, delta_fpr

    truth = frame["label"].to_numpy()
    groups = frame["group"].astype(str).tolist()
    preds = [decide(np.asarray(scores), threshold) for scores, threshold in (reference, other)]
    return {name: metric(truth, *preds, seed=seed, n_resamples=n_resamples, groups=groups).to_dict()
            for name, metric in (("f1", delta_f1), ("fpr", delta_fpr))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipe", nargs="+", action="append", required=True, metavar="NAME [KEY=VALUE]",
                        help="a recipe: its name, then config overrides; the first is the reference")
    parser.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE", help="overrides every recipe shares")
    parser.add_argument("--reuse", nargs="*", default=[], metavar="NAME=STATE_DIR")
    parser.add_argument("--recalibrate", action="store_true",
                        help="re-calibrate every model's threshold on validation to this run's model.target_fpr "
                             "(a copy of the model in the work dir; the original keeps its threshold)")
    parser.add_argument("--work-dir", default=None, help="where new models are kept (default: a temporary folder)")
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "recipe.json"))
    args = parser.parse_args()
    reuse = parse_reuse(args.reuse)

    from adversarial_mlops import data
    from adversarial_mlops.config import load_config
    from adversarial_mlops.loop import lifecycle
    from adversarial_mlops.loop.attack_runner import build_attack_variants
    from adversarial_mlops.storage.atomic_io import atomic_write_text

    work_dir = Path(args.work_dir or tempfile.mkdtemp(prefix="recipe_"))
    overrides = {name: [*args.set, *items] for name, *items in args.recipe}
    runs, clean_scores = {}, {}
    for name, items in overrides.items():
        config = load_config(None, items)
        splits = data.load_splits(config.data)
        version, train_seconds = obtain_version(name, config, splits, work_dir, reuse.get(name), args.recalibrate)
        print(f"[{name}] evaluating {version.version} ({version.path})", flush=True)
        started = time.perf_counter()
        test, holdout = (lifecycle.split_frame(splits, split) for split in ("test", "holdout"))
        classifier = recalibrated(version, config, lifecycle.split_frame(splits, "validation"), work_dir / name,
                                  args.recalibrate)
        report = lifecycle.evaluate_version(version, config, test, build_attack_variants(splits, config.attack),
                                            f1_at_promotion=None, holdout=holdout, classifier=classifier)
        training = version.info.get("training", {})
        runs[name] = {"overrides": items, "model": str(version.path), "training_seconds": train_seconds,
                      "epochs_run": training.get("epochs_run"),
                      "validation_f1_by_epoch": [row["validation_f1"] for row in training.get("history", [])],
                      "evaluation_seconds": round(time.perf_counter() - started, 1),
                      "test": summary(report), "holdout": summary(report["holdout"])}
        clean_scores[name] = _in_order(report["clean_scores"], test)
        reference = next(iter(runs))
        if name != reference:
            runs[name]["delta_vs_reference_test"] = paired_deltas(
                (clean_scores[reference], runs[reference]["test"]["threshold"]),
                (clean_scores[name], runs[name]["test"]["threshold"]), test, config.seed,
                config.promotion.bootstrap_resamples)
        print(f"[{name}] test {json.dumps(runs[name]['test'])}", flush=True)
        # After every recipe, through the project's atomic write: a long run keeps what it finished.
        result = {"what": "baselines per training recipe, evaluated by the loop's evaluate_version; deltas vs the first",
                  "reference": reference, "work_dir": str(work_dir), "recipes": runs}
        atomic_write_text(Path(args.out), json.dumps(result, indent=2) + "\n")
    print(json.dumps({name: {k: run["test"][k] for k in ("f1", "fpr", "roc_auc")} for name, run in runs.items()}))
    return 0


def _in_order(record: dict, test) -> list[float]:
    """The report's clean scores in ``test``'s row order (every recipe reads the same split)."""
    by_id = dict(zip(record["ids"], record["scores"]))
    return [by_id[str(i)] for i in test["id"]]


if __name__ == "__main__":
    sys.exit(main())
