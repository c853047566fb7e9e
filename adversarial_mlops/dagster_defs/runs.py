"""Run the loop (or any asset selection) as a Dagster run in the instance the UI reads.

Used by ``scripts/run_pipeline.py``, the ``adversarial-mlops run`` command and the REST API.
The run summary is rebuilt from the run's event log, so it describes any run by id, whoever
launched it.
"""

from __future__ import annotations

import fcntl
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

from adversarial_mlops.storage.atomic_io import atomic_write_text
from adversarial_mlops.config import CONFIG_ENV_VAR, ConfigError, PipelineConfig, load_config

LOOP_ASSETS = ["labeled_dataset", "attack_variants", "deployed_champion", "evaluation_report", "failure_samples",
               "augmented_dataset", "challenger_model", "champion_model"]
DAGSTER_YAML = """\
# Written by adversarial_mlops on first use. Runs launched from the UI or API start at once
# (no daemon needed); telemetry stays off (no network here).
run_coordinator:
  module: dagster._core.run_coordinator
  class: DefaultRunCoordinator
telemetry:
  enabled: false
"""


def dagster_home(config: PipelineConfig) -> Path:
    """$DAGSTER_HOME if set, else <state_dir>/dagster_home — shared by CLI, API and `dagster dev`."""
    return Path(os.environ.get("DAGSTER_HOME") or config.resolved_state_dir() / "dagster_home").resolve()


def prepare_instance(config: PipelineConfig):
    """Open the Dagster instance, initialising its storage once under a lock.

    Several processes creating a fresh SQLite instance at the same moment corrupt it (two
    alembic heads), so the first one creates the schema while the others wait.
    """
    from dagster import DagsterInstance

    home = dagster_home(config)
    home.mkdir(parents=True, exist_ok=True)
    os.environ["DAGSTER_HOME"] = str(home)
    with open(home / ".init.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (home / "dagster.yaml").exists():
            atomic_write_text(home / "dagster.yaml", DAGSTER_YAML)
        instance = DagsterInstance.get()
        instance.get_runs(limit=1)  # touches run storage: creates the schema while we hold the lock
    return instance


def run_config_for(overrides: Mapping[str, object], force_retrain: bool) -> dict:
    # JSON is valid YAML, so PipelineSettings.load() parses these back to the same values.
    encoded = {key: json.dumps(value) for key, value in overrides.items()}
    return {"resources": {"settings": {"config": {"overrides": encoded, "force_retrain": force_retrain}}},
            "loggers": {"console": {"config": {"log_level": "INFO"}}}}


@dataclass
class RunSummary:
    run_id: str
    status: str  # Dagster run status: SUCCESS, FAILURE, STARTED, ...
    materialized: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    checks: dict = field(default_factory=dict)  # check name → {"passed": bool, "metadata": {...}}
    evaluation: dict | None = None
    decision: dict | None = None
    failure_message: str | None = None

    @property
    def gate(self) -> dict | None:
        return self.checks.get("quality_gate")

    @property
    def challenger_blocked(self) -> bool:
        floor = self.checks.get("challenger_f1_floor")
        return floor is not None and not floor["passed"]

    @property
    def loop_completed(self) -> bool:
        """Completed = the loop reached a decision: no retraining needed, promoted, or rejected."""
        if self.status == "SUCCESS":
            return True
        # A challenger stopped by the blocking F1-floor check is a rejection, not a crash.
        return (self.status == "FAILURE" and self.challenger_blocked
                and all(step.endswith("challenger_f1_floor") for step in self.failed))

    def outcome(self) -> str:
        if not self.loop_completed:
            return "loop failed"
        if self.challenger_blocked:
            return "challenger rejected: below the F1 floor"
        if self.decision is not None:
            return "challenger promoted" if self.decision["promoted"] else "challenger rejected by the A/B test"
        if "failure_samples" in self.skipped or ("evaluation_report" in self.materialized
                                                  and "failure_samples" not in self.materialized):
            return "no retraining needed"
        return "completed"

    def to_dict(self) -> dict:
        data = asdict(self)
        data.update(outcome=self.outcome(), loop_completed=self.loop_completed)
        return data


def summarize_run(instance, run_id: str, assets_dir: Path | None = None) -> RunSummary:
    run = instance.get_run_by_id(run_id)
    if run is None:
        raise KeyError(f"no Dagster run with id {run_id}")
    summary = RunSummary(run_id=run_id, status=run.status.value)
    for record in instance.all_logs(run_id):
        _absorb_event(summary, record)
    if assets_dir is not None:
        summary.evaluation = _stored_if(summary, assets_dir, "evaluation_report")
        summary.decision = _stored_if(summary, assets_dir, "champion_model")
    return summary


def _absorb_event(summary: RunSummary, record) -> None:
    event = record.dagster_event
    if event is None:
        return
    if event.is_step_materialization and event.asset_key is not None:
        summary.materialized.append(event.asset_key.to_user_string())
    elif event.is_step_skipped:
        summary.skipped.append(event.step_key)
    elif event.is_step_failure:
        summary.failed.append(event.step_key)
        summary.failure_message = event.step_failure_data.error.message.strip() if event.step_failure_data.error else None
    elif event.event_type_value == "ASSET_CHECK_EVALUATION":
        evaluation = event.asset_check_evaluation_data
        summary.checks[evaluation.check_name] = {
            "passed": evaluation.passed,
            "metadata": {k: getattr(v, "value", v) for k, v in evaluation.metadata.items()},
        }


def _stored_if(summary: RunSummary, assets_dir: Path, asset: str) -> dict | None:
    # Only values this run produced: an older stored value would describe another loop.
    path = assets_dir / f"{asset}.json"
    if asset in summary.materialized and path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    return None


def run_loop(config_path: str | None = None, overrides: Mapping[str, object] | None = None, *,
             force_retrain: bool = False, selection: Sequence[str] | None = None) -> RunSummary:
    """Run the loop (or ``selection``) in-process as one Dagster run; returns its summary."""
    from dagster import AssetKey

    from adversarial_mlops.dagster_defs.definitions import LOOP_JOB, build_definitions

    overrides = dict(overrides or {})
    if "state_dir" in overrides:
        raise ConfigError("state_dir cannot be set per run; set ADVERSARIAL_MLOPS_HOME or state_dir in the config file")
    config = load_config(config_path, overrides)  # fail fast on a bad override, before Dagster starts
    if config_path:
        # Dagster resources read the config file from here, as they do under `dagster dev`.
        os.environ[CONFIG_ENV_VAR] = str(Path(config_path).resolve())
    instance = prepare_instance(config)
    job = build_definitions().resolve_job_def(LOOP_JOB)
    result = job.execute_in_process(
        run_config=run_config_for(overrides, force_retrain), instance=instance, raise_on_error=False,
        asset_selection=[AssetKey(name) for name in selection] if selection else None,
    )
    return summarize_run(instance, result.run_id, config.resolved_state_dir() / "assets")
