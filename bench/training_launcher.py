"""Benchmark: the run worker's peak RSS and wall time of one loop whose challenger trains inside the
worker (``training.launcher: in_process``) or in a Dagster Pipes training process (``pipes``).

The tiny test model on the tests' small dataset (``adversarial_mlops_tests.conftest``): a wiring and
memory check, not MiniLM's numbers. A baseline is trained once (not measured) and its state directory
copied, so both measured loops start from the same champion; each then runs one forced retrain loop
(challenger, A/B with the F1 floor off) in a fresh Python process: that process's
``getrusage(RUSAGE_SELF).ru_maxrss`` is the worker's peak (also sampled per step); the training
process reports its own peak (VmHWM) in challenger_model's metadata.

    python bench/training_launcher.py [--work-dir DIR] [--out bench/results/training_launcher.json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

LAUNCHERS = ("in_process", "pipes")
WHAT = ("one forced-retrain loop on the tiny model from the same baseline, challenger trained in the run worker "
        "(in_process) vs in a Dagster Pipes subprocess (pipes)")
MEASURED = {"quality_gate.min_f1_score": 0.0}  # the challenger reaches the A/B, the loop's usual peak


def measure(config: str, launcher: str) -> dict:
    """One forced-retrain loop in this process: wall time, this process's peak RSS (whole loop and per
    step, sampled every 0.1 s as in bench/loop.py) and the training process's own peak (its metadata)."""
    from dagster import AssetKey

    from adversarial_mlops.config import load_config
    from adversarial_mlops.dagster_defs.runs import prepare_instance, run_loop
    from loop import RssSampler, step_timings  # bench/loop.py

    sampler = RssSampler()
    sampler.start()
    started = time.perf_counter()
    summary = run_loop(config, {**MEASURED, "training.launcher": launcher}, force_retrain=True)
    seconds = time.perf_counter() - started
    sampler.stop()
    instance = prepare_instance(load_config(config))
    metadata = instance.get_latest_materialization_event(AssetKey("challenger_model")).asset_materialization.metadata
    return {"launcher": launcher, "status": summary.status, "outcome": summary.outcome(), "wall_s": round(seconds, 1),
            # what the brief measures: getrusage(RUSAGE_SELF).ru_maxrss of the run worker (KiB on Linux)
            "worker_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "worker_peak_rss_mb_per_step": {step: round(sampler.peak_between(start, end, "worker_rss_mb"))
                                            for step, (start, end) in step_timings(instance, summary.run_id).items()},
            "training_process_peak_rss_mb": getattr(metadata.get("training_peak_rss_mb"), "value", None),
            "training_seconds": metadata["training_seconds"].value}


def _python(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "ADVERSARIAL_MLOPS_CONFIG")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return subprocess.run([sys.executable, *args], env=env, cwd=ROOT, capture_output=True, text=True, check=True)


def _copy(source: Path, target: Path) -> Path:
    """A copy of a work dir whose config points at the copy's own state and data."""
    import yaml

    shutil.copytree(source, target)
    config = yaml.safe_load((target / "config.yaml").read_text())
    config["state_dir"] = str(target / "state")
    config["data"]["source"] = str(target / "data.csv")
    (target / "config.yaml").write_text(yaml.safe_dump(config))
    return target / "config.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work-dir", default=None)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "training_launcher.json"))
    parser.add_argument("--measure", nargs=2, metavar=("CONFIG", "LAUNCHER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(*args.measure)))
        return
    from adversarial_mlops_tests.conftest import write_loop_config

    work = Path(args.work_dir or tempfile.mkdtemp(prefix="training-launcher-"))
    base = work / "baseline"
    base.mkdir(parents=True)
    config = write_loop_config(base)
    _python("-c", "from adversarial_mlops.dagster_defs.runs import run_loop; "
                  f"run_loop({str(config)!r}, selection=['labeled_dataset', 'deployed_champion'])")
    results = []
    for launcher in LAUNCHERS:
        copy = _copy(base, work / launcher)
        results.append(json.loads(_python(str(Path(__file__)), "--measure", str(copy), launcher).stdout.splitlines()[-1]))
        print(json.dumps(results[-1]))
    record = {"what": WHAT, "when": time.strftime("%Y-%m-%d %H:%M:%S"), "cpu_count": os.cpu_count(),
              "load_average_at_end": os.getloadavg(), "loops": results}
    Path(args.out).write_text(json.dumps(record, indent=2) + "\n")


if __name__ == "__main__":
    main()
