"""Crash safety and one-loop-at-a-time, through real processes on the tiny model.

Kills are real SIGKILLs at exact places (``storage.crash_points``); the loops that follow must
find a consistent registry, history, instance and state directory, and finish.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import FEW_ATTACKS, write_loop_config

from adversarial_mlops.config import load_config
from adversarial_mlops.loop.recovery import remove_debris
from adversarial_mlops.models.registry import ModelRegistry
from adversarial_mlops.storage.crash_points import CRASH_AT_ENV_VAR

PROJECT = Path(__file__).resolve().parent.parent
RETRAIN = ["--force-retrain"]  # retrain whatever the gate says of the tiny model


def _env(config: Path, crash_at: str | None = None) -> dict:
    env = {**os.environ, "ADVERSARIAL_MLOPS_CONFIG": str(config),
           "DAGSTER_HOME": str(config.parent / "dagster_home"), "PYTHONUNBUFFERED": "1"}
    env.pop(CRASH_AT_ENV_VAR, None)
    if crash_at:
        env[CRASH_AT_ENV_VAR] = crash_at
    return env


def _loop(config: Path, *args: str, crash_at: str | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(PROJECT / "scripts" / "run_pipeline.py"), *args],
                          env=_env(config, crash_at), capture_output=True, text=True, timeout=timeout, cwd=PROJECT)


def _instance(config: Path):
    from dagster import DagsterInstance

    return DagsterInstance.from_config(str(config.parent / "dagster_home"))


def _temporaries(state: Path) -> list[Path]:
    return [p for p in state.rglob(".*") if p.name.endswith(".tmp") or ".tmp-" in p.name]


@pytest.fixture
def config(tmp_path) -> Path:
    path = write_loop_config(tmp_path, attack=FEW_ATTACKS)
    (tmp_path / "dagster_home").mkdir()
    return path


def test_kills_at_the_crash_points_leave_a_state_the_next_loops_recover(config):
    state = load_config(config).resolved_state_dir()
    registry = ModelRegistry(state / "registry")

    # 1. Killed between registering the baseline and promoting it.
    killed = _loop(config, crash_at="lifecycle.baseline_registered")
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    assert [v.version for v in registry.list_versions()] == ["v0001"] and registry.champion() is None
    assert (state / "pipeline.lock").exists()  # the dead run's lock, left behind

    # 2. The next loop reuses that baseline (no second one) and is killed after swapping the
    #    champion pointer, before the history line.
    killed = _loop(config, crash_at="registry.champion_swapped")
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    assert [v.version for v in registry.list_versions()] == ["v0001"]
    assert registry.champion().version == "v0001"
    assert not [e for e in registry.history() if e["event"] == "promote"]  # the line the crash cut off

    # 3. Retraining, the run killed once its training process registered the challenger and
    #    reported it (before the value is stored and the A/B runs).
    killed = _loop(config, *RETRAIN, crash_at="pipes.challenger_reported")
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    assert [v.version for v in registry.list_versions()] == ["v0001", "v0002"]
    promotions = [e for e in registry.history() if e["event"] == "promote"]
    assert [e["version"] for e in promotions] == ["v0001"] and promotions[0]["recovered"]  # repaired by run 3
    assert "trained by an earlier run that stopped before promoting it" in promotions[0]["reason"]

    # 4. A loop with no kill: it completes, and what the kills left is repaired.
    (state / "registry" / "versions" / ".v0009.tmp-debris").mkdir()  # as a kill mid model save leaves
    old = time.time() - 3600
    os.utime(state / "registry" / "versions" / ".v0009.tmp-debris", (old, old))
    done = _loop(config, *RETRAIN, "--json")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    summary = json.loads(done.stdout)
    assert summary["loop_completed"] and [v.version for v in registry.list_versions()][-1] == "v0003"
    events = {(e["event"], e["version"]) for e in registry.history()}
    assert ("abandoned", "v0002") in events
    assert ("promote", "v0003") in events or ("reject", "v0003") in events
    assert not registry.undecided_versions()  # every version has its decision or its fate
    assert not (state / "pipeline.lock").exists() and not _temporaries(state)
    instance = _instance(config)
    statuses = {run.run_id: run.status.value for run in instance.get_runs()}
    # The three killed runs are marked failed (Dagster alone would show them STARTED forever).
    assert len(statuses) == 4 and set(statuses.values()) <= {"SUCCESS", "FAILURE"}, statuses
    killed_runs = [run for run in instance.get_runs() if run.run_id != summary["run_id"]]
    assert all(run.status.value == "FAILURE" for run in killed_runs)


def test_a_second_loop_is_refused_by_every_face_while_one_runs(config):
    from adversarial_mlops.dagster_defs.launcher import LoopAlreadyRunning, LoopLauncher
    from adversarial_mlops.dagster_defs.runs import prepare_instance

    state = load_config(config).resolved_state_dir()
    # Every attack strategy: a loop long enough for the three refusals below to happen while it runs.
    first = subprocess.Popen([sys.executable, str(PROJECT / "scripts" / "run_pipeline.py"), *RETRAIN,
                              "--set", "attack.strategies=all"],
                             env=_env(config), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=PROJECT)
    try:
        lock = state / "pipeline.lock"
        deadline = time.time() + 300
        while not (lock.exists() and json.loads(lock.read_text() or "{}").get("mode") == "in-run"):
            assert first.poll() is None and time.time() < deadline, "the first loop never took the lock"
            time.sleep(0.2)
        holder = json.loads(lock.read_text())
        assert holder["pid"] == first.pid and "adversarial-mlops run" in holder["started_by"]

        second = _loop(config, timeout=120)  # the CLI / script
        assert second.returncode == 2 and "a loop is already running" in second.stderr
        assert holder["run_id"] in second.stderr and "started by adversarial-mlops run" in second.stderr

        loaded = load_config(config)  # the REST API's launcher (its 409)
        with pytest.raises(LoopAlreadyRunning, match=holder["run_id"]):
            LoopLauncher(loaded, prepare_instance(loaded)).launch()

        # Dagster's own CLI skips every pre-check: the run itself takes the lock, and is refused.
        dagster = subprocess.run([sys.executable, "-m", "dagster", "asset", "materialize", "-m",
                                  "adversarial_mlops.dagster_defs.definitions", "--select", "*champion_model"],
                                 env=_env(config), capture_output=True, text=True, timeout=300, cwd=PROJECT)
        assert dagster.returncode != 0 and "a loop is already running" in dagster.stdout + dagster.stderr

        output, _ = first.communicate(timeout=600)
        assert first.returncode == 0, output[-3000:]
    finally:
        if first.poll() is None:
            first.kill()
    # The first loop was not disturbed: one baseline, its own challenger, its lock released.
    registry = ModelRegistry(state / "registry")
    versions = registry.list_versions()
    assert [v.info["role"] for v in versions] == ["baseline", "challenger"]
    assert versions[1].info["parent"] == "v0001" and not (state / "pipeline.lock").exists()

    # An operator's rollback while the next loop trains is kept: that loop's decision is superseded.
    before = registry.champion().version
    other = "v0001" if before == "v0002" else "v0002"
    # (F1 floor off: the tiny model's challenger must reach the A/B for the decision to be superseded.)
    second_loop = subprocess.Popen([sys.executable, str(PROJECT / "scripts" / "run_pipeline.py"), *RETRAIN,
                                    "--set", "quality_gate.min_f1_score=0"],
                                   env=_env(config), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                   cwd=PROJECT)
    try:
        deadline = time.time() + 300
        while not _stored_by_running_loop(state, "deployed_champion"):
            assert second_loop.poll() is None and time.time() < deadline, second_loop.stdout.read()[-3000:]
            time.sleep(0.2)
        rollback = subprocess.run([sys.executable, "-m", "adversarial_mlops.cli", "models", "rollback", "--to", other],
                                  env=_env(config), capture_output=True, text=True, timeout=120, cwd=PROJECT)
        assert rollback.returncode == 0, rollback.stderr
        output, _ = second_loop.communicate(timeout=600)
    finally:
        if second_loop.poll() is None:
            second_loop.kill()
    assert second_loop.returncode == 1 and f"judged against champion {before}" in output, output[-3000:]
    assert registry.champion().version == other  # the rollback was not undone
    last = registry.history()[-1]
    assert (last["event"], last["version"]) == ("superseded", "v0003"), last


def _stored_by_running_loop(state: Path, asset: str) -> bool:
    try:
        run_id = json.loads((state / "pipeline.lock").read_text())["run_id"]
    except (OSError, ValueError, KeyError):
        return False
    return (state / "assets" / "runs" / run_id / f"{asset}.json").exists()


@pytest.mark.parametrize("point", ["registry.version_built", "assets.value_written"])
def test_a_kill_mid_write_leaves_only_debris_that_recovery_removes(tmp_path, point):
    from adversarial_mlops.storage.run_values import RunValueStore

    RunValueStore(tmp_path / "assets").write("run-1", "report", {"n": 1})
    script = f"""
from pathlib import Path
from adversarial_mlops.models.registry import ModelRegistry
from adversarial_mlops.storage.run_values import RunValueStore
root = Path({str(tmp_path)!r})
ModelRegistry(root / "registry").register(lambda d: (d / "w.bin").write_bytes(b"x"), metrics={{}}, info={{}})
RunValueStore(root / "assets").write("run-2", "report", {{"n": 2}})
"""
    killed = subprocess.run([sys.executable, "-c", script], env=_env(tmp_path / "unused.yaml", point),
                            capture_output=True, text=True, timeout=120, cwd=PROJECT)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    registry = ModelRegistry(tmp_path / "registry")
    store = RunValueStore(tmp_path / "assets")
    if point == "registry.version_built":
        assert registry.list_versions() == [] and _temporaries(tmp_path)  # nothing published, debris left
    else:
        assert [v.version for v in registry.list_versions()] == ["v0001"]
        assert store.latest("report").load() == {"n": 1}  # stored, but the pointer never moved: still run 1
    removed = remove_debris(tmp_path, started_before=time.time() + 1)
    assert not _temporaries(tmp_path) and (removed or point == "assets.value_written")
