"""Kill -9 the loop at random moments, again and again, and check what every next loop finds.

    python bench/kill_campaign.py --kills 50 --max-delay 75 --out bench/results/kill_campaign.json

Tiny model, one state directory. Each round starts a loop (retraining forced, F1 floor off so
the A/B and promotion run too), SIGKILLs its whole process group after a random delay, then
checks the registry: the champion's files verify, no version directory is half-written. Every
fifth round an operator rollback is made while a loop runs and must survive it. At the end one
loop runs to completion and the state must be clean: no run left STARTED, no lock, no temp
files, every registered version decided (promoted, rejected, superseded or abandoned), every
champion change in the history.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from adversarial_mlops.config import load_config  # noqa: E402
from adversarial_mlops.models.registry import ModelRegistry  # noqa: E402
from adversarial_mlops_tests.conftest import write_loop_config  # noqa: E402

LOOP_ARGS = ["--force-retrain", "--set", "quality_gate.min_f1_score=0"]


def start_loop(env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(PROJECT / "scripts" / "run_pipeline.py"), *LOOP_ARGS], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True, cwd=PROJECT)


def temporaries(state: Path) -> list[str]:
    return [str(p) for p in state.rglob(".*") if (p.name.endswith(".tmp") or ".tmp-" in p.name)
            and "dagster_home" not in p.parts]


def champion_changes_logged(registry: ModelRegistry) -> bool:
    pointer = json.loads(registry.champion_file.read_text())
    change = pointer.get("change")
    return change is None or any(e.get("change_id") == change["change_id"] for e in registry.history())


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kills", type=int, default=50, help="stop after this many loops were killed")
    parser.add_argument("--max-rounds", type=int, default=200)
    parser.add_argument("--max-delay", type=float, default=40.0, help="seconds after start, uniform")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default=str(PROJECT / "bench" / "results" / "kill_campaign.json"))
    args = parser.parse_args()
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="kill_campaign_"))
    config = write_loop_config(work)
    state = load_config(config).resolved_state_dir()
    env = {**os.environ, "ADVERSARIAL_MLOPS_CONFIG": str(config), "DAGSTER_HOME": str(work / "dagster_home"),
           "PYTHONUNBUFFERED": "1"}
    (work / "dagster_home").mkdir()
    registry = ModelRegistry(state / "registry")
    rounds, problems, rollbacks = [], [], {"tried": 0, "kept_after_next_loop": 0}
    started = time.time()
    for index in range(args.max_rounds):
        if sum(r["exit"] == -signal.SIGKILL for r in rounds) >= args.kills:
            break
        delay = rng.uniform(1.0, args.max_delay)
        loop = start_loop(env)
        rollback_to = None
        if index % 5 == 4 and len(registry.list_versions()) >= 2:
            time.sleep(min(delay, 3.0))
            current = registry.champion().version if registry.champion() else None
            choices = [v.version for v in registry.list_versions() if v.version != current]
            if current and choices:
                rollback_to = rng.choice(choices)
                registry.rollback(to_version=rollback_to, reason="kill campaign: operator rollback during a loop")
                rollbacks["tried"] += 1
        try:
            code = loop.wait(timeout=max(0.0, delay - (3.0 if rollback_to else 0.0)))
        except subprocess.TimeoutExpired:
            os.killpg(loop.pid, signal.SIGKILL)
            code = loop.wait()
        champion = registry.champion()
        record = {"round": index, "delay_s": round(delay, 1), "exit": code,
                  "champion": champion.version if champion else None, "versions": len(registry.list_versions())}
        if champion is not None:
            try:
                registry.verify(champion.version)
            except Exception as error:  # noqa: BLE001 - recorded as a finding
                problems.append(f"round {index}: champion {champion.version} does not verify: {error}")
        if rollback_to is not None:
            record["rollback_to"] = rollback_to
            # Kept unless the loop itself finished a promotion over it: it cannot (compare-and-swap).
            if champion is not None and champion.version == rollback_to:
                rollbacks["kept_after_next_loop"] += 1
            else:
                problems.append(f"round {index}: rollback to {rollback_to} was undone (champion {record['champion']})")
        rounds.append(record)
        print(json.dumps(record), flush=True)
    final = subprocess.run([sys.executable, str(PROJECT / "scripts" / "run_pipeline.py"), *LOOP_ARGS, "--json"],
                           env=env, capture_output=True, text=True, cwd=PROJECT)
    from dagster import DagsterInstance

    instance = DagsterInstance.from_config(str(work / "dagster_home"))
    statuses = [run.status.value for run in instance.get_runs(limit=1000)]
    checks = {
        "final_loop_exit": final.returncode,
        "runs_left_in_flight": sum(s not in ("SUCCESS", "FAILURE", "CANCELED") for s in statuses),
        "lock_left": (state / "pipeline.lock").exists(),
        "temp_files_left": temporaries(state),
        "undecided_versions": [v.version for v in registry.undecided_versions()],
        "champion_change_logged": champion_changes_logged(registry),
        "baselines_trained": sum(v.info.get("role") == "baseline" for v in registry.list_versions()),
        "champion_verifies": registry.champion() is not None,
    }
    if registry.champion() is not None:
        registry.verify(registry.champion().version)
    result = {"kills": sum(r["exit"] == -signal.SIGKILL for r in rounds), "rounds": len(rounds),
              "loops_completed_before_their_kill": sum(r["exit"] == 0 for r in rounds), "rollbacks": rollbacks,
              "problems": problems, "final_checks": checks, "runs": len(statuses),
              "history_events": {}, "seconds": round(time.time() - started), "state": str(work), "details": rounds}
    for entry in registry.history():
        result["history_events"][entry["event"]] = result["history_events"].get(entry["event"], 0) + 1
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "details"}, indent=2))
    ok = (not problems and checks["final_loop_exit"] == 0 and not checks["runs_left_in_flight"]
          and not checks["lock_left"] and not checks["temp_files_left"] and not checks["undecided_versions"]
          and checks["champion_change_logged"] and checks["baselines_trained"] == 1)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
