"""Benchmark: the evaluation half of a loop at this checkout vs a baseline git revision, side by side.

Trains (or finds) a champion in one state directory (not measured), then runs the selection
`labeled_dataset, attack_variants, deployed_champion, evaluation_report` (with the per-family
attack and scoring steps, in-process) alternately with the baseline revision's code and this
checkout's, ``--rounds`` times each, on the same champion and data. Each run is a fresh Python
process whose first import path is its checkout. Reports wall time per run and per step, the
median ratio this / baseline, and whether the two evaluation reports agree: the same gate verdict
and every number within ``--atol`` (exact equality is not expected when a change regroups the
model's batches: padding to another width moves fp32 scores by ~1e-7).

    python bench/evaluation_half.py --baseline REV [--state-dir DIR] [--rounds 1] [--set key=value ...]
        [--out bench/results/evaluation_half.json]

Run it on a quiet machine: nothing else may use the cores while it measures.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SELECTION = ["labeled_dataset", "attack_variants", "deployed_champion", "evaluation_report"]
WARM_UP = ["labeled_dataset", "deployed_champion"]  # trains or finds the champion; reads the model files once

# Runs in the child process: the evaluation half with the code of the checkout first on sys.path.
CHILD = r"""
import json, sys, time
sys.path[:0] = [{root!r}, {root!r} + "/bench"]
import adversarial_mlops
assert adversarial_mlops.__file__.startswith({root!r}), adversarial_mlops.__file__
from adversarial_mlops.config import load_config
from adversarial_mlops.dagster_defs.runs import prepare_instance, run_loop
from loop import step_timings
overrides = json.loads({overrides!r})
started = time.time()
summary = run_loop(None, overrides, selection={selection!r})
seconds = time.time() - started
instance = prepare_instance(load_config(None, overrides))
steps = {{step: round(end - start, 1) for step, (start, end) in step_timings(instance, summary.run_id).items()}}
print("RESULT " + json.dumps({{"status": summary.status, "run_id": summary.run_id, "seconds": round(seconds, 1),
                              "steps": steps, "evaluation": summary.evaluation, "gate": summary.gate}}, default=str))
"""


def checkout(revision: str, into: Path) -> Path:
    """The tracked files of ``revision`` under ``into`` (``git archive``: nothing is added to the repository)."""
    into.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def run_half(root: Path, state: Path, overrides: dict, selection: list[str] = SELECTION) -> dict:
    env = {**os.environ, "ADVERSARIAL_MLOPS_HOME": str(state)}
    env.pop("DAGSTER_HOME", None)
    code = CHILD.format(root=str(root), overrides=json.dumps(overrides), selection=selection)
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=root, capture_output=True, text=True)
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    if done.returncode or not lines:
        raise SystemExit(f"the evaluation half at {root} failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
    result = json.loads(lines[-1][len("RESULT "):])
    if result["status"] != "SUCCESS":
        raise SystemExit(f"run {result['run_id']} at {root} ended {result['status']}")
    return result


def differences(a, b, atol: float, path: str = "") -> list[str]:
    """Where two JSON values differ: a number by more than ``atol``, anything else at all."""
    if isinstance(a, dict) and isinstance(b, dict):
        return [d for key in sorted(set(a) | set(b)) for d in differences(a.get(key), b.get(key), atol, f"{path}.{key}")]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in differences(x, y, atol, f"{path}[{i}]")]
    numbers = (int, float)
    if isinstance(a, numbers) and isinstance(b, numbers) and not isinstance(a, bool) and not isinstance(b, bool):
        same = (math.isnan(a) and math.isnan(b)) or abs(a - b) <= atol
        return [] if same else [f"{path}: {a} vs {b}"]
    return [] if a == b else [f"{path}: {str(a)[:80]} vs {str(b)[:80]}"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", required=True, help="git revision to compare with (e.g. HEAD~1)")
    parser.add_argument("--state-dir", help="default: a fresh temporary directory (a baseline model is trained first)")
    parser.add_argument("--out", default=str(HERE / "results" / "evaluation_half.json"))
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--atol", type=float, default=1e-4)
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from adversarial_mlops.config import parse_override

    overrides = dict(parse_override(o) for o in args.overrides)
    overrides["execution.executor"] = "in_process"
    state = Path(args.state_dir or tempfile.mkdtemp(prefix="adversarial-mlops-half-"))
    revision = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", args.baseline], check=True,
                              capture_output=True, text=True).stdout.strip()
    current = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], check=True,
                             capture_output=True, text=True).stdout.strip()
    dirty = bool(subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
                                check=True, capture_output=True, text=True).stdout.strip())
    with tempfile.TemporaryDirectory(prefix="baseline-checkout-") as scratch:
        sides = {"baseline": checkout(revision, Path(scratch) / revision), "this": ROOT}
        started = time.time()
        run_half(sides["this"], state, overrides, WARM_UP)
        warm_seconds = time.time() - started
        runs = []
        for round_number in range(1, args.rounds + 1):
            for side in ("baseline", "this"):
                result = run_half(sides[side], state, overrides)
                runs.append({"round": round_number, "side": side, "seconds": result["seconds"],
                             "run_id": result["run_id"], "steps": result["steps"],
                             "compared": {"evaluation": result["evaluation"], "gate": result["gate"]}})
                print(f"round {round_number} {side}: {result['seconds']:.1f} s", flush=True)
    reference = runs[0]["compared"]
    disagreements = {f"{r['side']} round {r['round']}": differences(reference, r["compared"], args.atol)[:20]
                     for r in runs[1:]}
    median = {side: statistics.median(r["seconds"] for r in runs if r["side"] == side) for side in ("baseline", "this")}
    result = {
        "what": "wall time of the evaluation half of a loop (selection: " + ", ".join(SELECTION)
                + " + their per-family steps, in-process), this checkout vs a baseline revision, same champion and state",
        "machine": {"cpus": os.cpu_count()}, "baseline_revision": revision,
        "this_revision": current + ("+uncommitted changes" if dirty else ""), "rounds": args.rounds,
        "overrides": overrides, "state_dir": str(state), "warm_up_seconds": round(warm_seconds, 1),
        "model_version": reference["evaluation"]["model_version"], "n_variants": reference["evaluation"]["n_variants"],
        "n_test": reference["evaluation"]["n_test"], "median_seconds": median,
        "this_over_baseline": round(median["this"] / median["baseline"], 3),
        "gate_passed": {f"{r['side']} round {r['round']}": (r["compared"]["gate"] or {}).get("passed") for r in runs},
        "same_gate_verdict": len({str((r["compared"]["gate"] or {}).get("passed")) for r in runs}) == 1,
        "atol": args.atol, "reports_agree": not any(disagreements.values()), "disagreements": disagreements,
        "runs": [{k: v for k, v in r.items() if k != "compared"} for r in runs],
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: result[k] for k in ("median_seconds", "this_over_baseline", "same_gate_verdict",
                                             "reports_agree")}, indent=2))
    return 0 if result["reports_agree"] and result["same_gate_verdict"] else 1


if __name__ == "__main__":
    sys.exit(main())
