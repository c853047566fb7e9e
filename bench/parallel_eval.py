"""Benchmark: the evaluation half of a loop, in-process vs multiprocess, on one state.

Trains (or reuses) a baseline champion once, then runs the selection `labeled_dataset,
attack_variants, deployed_champion, evaluation_report` (with their per-family attack and
scoring steps) alternately with ``execution.executor: in_process`` and ``multiprocess``,
``--rounds`` times each, on the same champion. Reports wall time per run, the per-step spans of the
family steps and of evaluation_report, the ratio multiprocess / in-process (median of the rounds),
and checks that every run's evaluation report is the same, byte for byte.

    python bench/parallel_eval.py [--state-dir DIR] [--rounds 1] [--max-concurrent 2] [--set key=value ...]
        [--out bench/results/parallel_eval.json]

Run it on a quiet machine: nothing else may use the cores while it measures.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from adversarial_mlops.config import STATE_DIR_ENV_VAR, parse_override  # noqa: E402

SELECTION = ["labeled_dataset", "attack_variants", "deployed_champion", "evaluation_report"]


def step_spans(instance, run_id: str) -> dict[str, float]:
    from loop import step_timings

    return {step: round(end - start, 1) for step, (start, end) in step_timings(instance, run_id).items()}


def one_run(executor: str, overrides: dict, max_concurrent: int) -> tuple[dict, float, object]:
    from adversarial_mlops.dagster_defs.runs import run_loop

    started = time.time()
    summary = run_loop(None, {**overrides, "execution.executor": executor, "execution.max_concurrent": max_concurrent},
                       selection=SELECTION)
    seconds = time.time() - started
    if summary.status != "SUCCESS":
        raise SystemExit(f"{executor} run {summary.run_id} failed: {summary.failure_message}")
    return summary.evaluation, seconds, summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--state-dir", help="default: a fresh temporary directory (a baseline is trained first)")
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "parallel_eval.json"))
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--max-concurrent", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    args = parser.parse_args()
    state = Path(args.state_dir or tempfile.mkdtemp(prefix="adversarial-mlops-parallel-"))
    os.environ[STATE_DIR_ENV_VAR] = str(state)
    os.environ.pop("DAGSTER_HOME", None)
    overrides = dict(parse_override(o) for o in args.overrides)

    from adversarial_mlops.config import load_config
    from adversarial_mlops.dagster_defs.runs import prepare_instance

    # Warm-up: trains the baseline (or finds it) and fills the OS file cache; not measured.
    warm_report, warm_seconds, _ = one_run("in_process", overrides, args.max_concurrent)
    reference = json.dumps(warm_report, sort_keys=True, default=str)
    instance = prepare_instance(load_config(None, overrides))
    runs = []
    for round_number in range(1, args.rounds + 1):
        for executor in ("in_process", "multiprocess"):
            report, seconds, summary = one_run(executor, overrides, args.max_concurrent)
            runs.append({"round": round_number, "executor": executor, "seconds": round(seconds, 1),
                         "run_id": summary.run_id, "same_report": json.dumps(report, sort_keys=True, default=str)
                         == reference, "steps": step_spans(instance, summary.run_id)})
            print(f"round {round_number} {executor}: {seconds:.1f} s, same report: {runs[-1]['same_report']}",
                  flush=True)
    median = {executor: statistics.median(r["seconds"] for r in runs if r["executor"] == executor)
              for executor in ("in_process", "multiprocess")}
    config = load_config(None, overrides)
    result = {
        "what": "wall time of the evaluation half of a loop (selection: " + ", ".join(SELECTION)
                + " + their per-family steps), same champion, same state",
        "machine": {"cpus": os.cpu_count()}, "base_model": config.model.base_model,
        "max_concurrent": args.max_concurrent, "rounds": args.rounds, "state_dir": str(state),
        "warm_up_seconds": round(warm_seconds, 1), "model_version": warm_report["model_version"],
        "n_variants": warm_report["n_variants"], "n_test": warm_report["n_test"],
        "median_seconds": median, "multiprocess_over_in_process": round(median["multiprocess"] / median["in_process"], 3),
        "all_reports_identical": all(r["same_report"] for r in runs), "runs": runs,
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: result[k] for k in ("median_seconds", "multiprocess_over_in_process",
                                             "all_reports_identical")}, indent=2))
    return 0 if result["all_reports_identical"] else 1


if __name__ == "__main__":
    sys.exit(main())
