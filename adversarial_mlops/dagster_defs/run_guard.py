"""Every run of the loop — whoever starts it — holds the state directory's loop lock for its life.

The run's executor (``execution.LoopExecutor``) enters ``hold_loop`` once per run, before any
step — or, for a run executed without it, the ``settings`` resource does (``join_loop``): the CLI,
``scripts/run_pipeline.py``, the REST API's worker, a launchpad run in the UI and ``dagster
asset materialize`` all go through it, so a second loop is refused ("a loop is already running
… started by …") instead of mixing its values with the first. Holding the lock, the run then
repairs what crashed runs left: runs whose process is gone are marked failed in the instance
(Dagster would show them running forever), and ``loop.recovery`` repairs the state directory.
"""

from __future__ import annotations

import logging
import os
import time
from contextlib import contextmanager
from typing import Iterator

from adversarial_mlops.config import PipelineConfig
from adversarial_mlops.loop.lifecycle import open_registry
from adversarial_mlops.loop.recovery import SCRATCH_DIR, abandon_orphaned_versions, recover_state
from adversarial_mlops.storage.locations import is_local
from adversarial_mlops.storage.crash_points import crash_point
from adversarial_mlops.storage.run_values import RunValueStore

from .launcher import (LAUNCHED_BY_TAG, PID_START_TAG, PID_TAG, STARTED_BY, LoopLock, process_alive,
                       process_tags)

# A run that never reached the lock (no pid tag) this long after it was created is not coming.
NEVER_STARTED_AFTER_S = 600.0
IN_FLIGHT = ("NOT_STARTED", "STARTING", "STARTED", "CANCELING")


def started_by(tags: dict) -> str:
    launched = tags.get(LAUNCHED_BY_TAG)
    if launched in STARTED_BY:
        return STARTED_BY[launched]
    if tags.get("dagster/from_ui") == "true":
        return "the Dagster UI"
    return "Dagster (the UI's launchpad or `dagster asset materialize`)"


@contextmanager
def hold_loop(instance, run, config: PipelineConfig, log: logging.Logger) -> Iterator[None]:
    """Hold the loop lock of ``config``'s state directory for ``run``; recover crashed runs first.
    Entered by the process that orchestrates the run (``execution.LoopExecutor``)."""
    state_dir = config.resolved_state_dir()
    lock = LoopLock(state_dir, instance)
    lock.acquire(run.run_id, mode="in-run", started_by=started_by(run.tags))
    try:
        instance.add_run_tags(run.run_id, process_tags(os.getpid()))
        crash_point("loop.lock_taken")
        started_at = _created_at(instance, run.run_id)
        for line in fail_dead_runs(instance, run.run_id, started_at):
            log.warning(line)
        registry, store = open_registry(config), RunValueStore(state_dir / "assets")
        shared_scratch = None if is_local(state_dir) else state_dir / SCRATCH_DIR
        for line in recover_state(config.resolved_local_dir(), registry, store, started_at=started_at,
                                  shared_scratch=shared_scratch):
            log.warning(f"recovery: {line}")
        yield
        # A challenger this run stored replaces the one an earlier killed run left waiting for
        # `--select champion_model`: that one can no longer be decided.
        for line in abandon_orphaned_versions(registry, store):
            log.warning(f"recovery: {line}")
    finally:
        lock.release(run.run_id)


@contextmanager
def join_loop(instance, run, config: PipelineConfig, log: logging.Logger) -> Iterator[None]:
    """For a run's ``settings`` resource: when the run's orchestrator holds the lock (our
    executor, in this process or — multiprocess — in the parent of this step's process), take
    part without touching it; a run executed without our executor (``dg.materialize``,
    ``execute_in_process``) holds it here, for as long as the resource lives."""
    holder = LoopLock(config.resolved_state_dir(), instance).holder()
    if holder is not None and holder.run_id == run.run_id:
        yield
        return
    with hold_loop(instance, run, config, log):
        yield


def _created_at(instance, run_id: str) -> float:
    record = instance.get_run_record_by_id(run_id)
    created = getattr(record, "create_timestamp", None)
    return created.timestamp() if created is not None else time.time()


def fail_dead_runs(instance, current_run_id: str, current_created_at: float) -> list[str]:
    """Mark failed the in-flight runs whose process is gone; the caller holds the loop lock."""
    from dagster import DagsterRunStatus, RunsFilter

    statuses = [DagsterRunStatus(status) for status in IN_FLIGHT]
    lines = []
    for record in instance.get_run_records(filters=RunsFilter(statuses=statuses)):
        run = record.dagster_run
        if run.run_id == current_run_id:
            continue
        reason = _dead_reason(run.tags, record.create_timestamp.timestamp(), current_created_at)
        if reason is None:
            continue
        instance.report_run_failed(run, f"marked failed by run {current_run_id}: {reason}")
        lines.append(f"run {run.run_id} marked failed: {reason}")
    return lines


def _dead_reason(tags: dict, created_at: float, current_created_at: float) -> str | None:
    pid = tags.get(PID_TAG)
    if pid:
        if process_alive(int(pid), tags.get(PID_START_TAG) or None):
            return None
        return f"its process {pid} is gone"
    if current_created_at - created_at > NEVER_STARTED_AFTER_S:
        return f"it never started its steps in the {NEVER_STARTED_AFTER_S:.0f} s after it was created"
    return None
