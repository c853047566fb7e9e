"""Run the loop (or any asset selection) as a Dagster run in the instance the UI reads
(``instance.prepare_instance``: SQLite, or PostgreSQL when ADVERSARIAL_MLOPS_DAGSTER_PG_URL is set).

Used by ``scripts/run_pipeline.py``, the ``adversarial-mlops run`` command and the REST API.
The run summary is rebuilt from the run's event log, so it describes any run by id, whoever
launched it.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Mapping, Sequence

from adversarial_mlops.config import ConfigError, PipelineConfig, load_config
from adversarial_mlops.storage.run_values import RunValueStore

from adversarial_mlops.errors import NotFoundError

from .checks import GATE_VERDICT_KEY
from .execution import executor_run_config
from .family_assets import FAMILIES, SCORES_PREFIX, VARIANTS_PREFIX
from .instance import prepare_instance
from .launcher import LAUNCHED_BY_TAG, LoopAlreadyRunning, LoopLock, process_tags
from .resources import settings_run_config
from .wiring import LOOP_JOB
from .worker import reconstructable_loop_job


def run_config_for(config: PipelineConfig, *, force_retrain: bool = False) -> dict:
    """The run config of a loop run that uses exactly ``config`` (resolved once, by the launcher)."""
    return {"resources": {"settings": settings_run_config(config, force_retrain=force_retrain)},
            "execution": executor_run_config(config.execution),
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
        """The quality gate's structured verdict (``GateVerdict.to_dict``) as the check recorded it."""
        check = self.checks.get("quality_gate")
        return None if check is None else check["metadata"].get(GATE_VERDICT_KEY)

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


class UnknownRunError(NotFoundError):
    """No run with that id in the Dagster instance."""


def root_cause(error) -> str | None:
    """The failing code's own error — its class and message, with the "Fix:" our errors carry —
    rather than Dagster's wrapper ("Error occurred while executing op ...") around it."""
    if error is None:
        return None
    while error.cause is not None:
        error = error.cause
    return error.message.strip()


def summarize_run(instance, run_id: str, assets_dir: Path) -> RunSummary:
    """What run ``run_id`` did, from its event log, with the reports it stored."""
    run = instance.get_run_by_id(run_id)
    if run is None:
        raise UnknownRunError(f"no loop run with id {run_id!r}; list runs with `GET /pipeline/runs` or the UI")
    summary = RunSummary(run_id=run_id, status=run.status.value)
    for record in instance.all_logs(run_id):
        _absorb_event(summary, record)
    summary.evaluation = stored_value_of_run(assets_dir, run_id, "evaluation_report")
    summary.decision = stored_value_of_run(assets_dir, run_id, "champion_model")
    return summary


def recent_loop_runs(instance, limit: int) -> list[str]:
    """Ids of the latest loop runs, most recent first, whoever launched them."""
    from dagster import RunsFilter

    return [run.run_id for run in instance.get_runs(filters=RunsFilter(job_name=LOOP_JOB), limit=limit)]


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
        summary.failure_message = root_cause(event.step_failure_data.error)
    elif event.event_type_value == "ASSET_CHECK_EVALUATION":
        evaluation = event.asset_check_evaluation_data
        summary.checks[evaluation.check_name] = {
            "passed": evaluation.passed,
            "metadata": {k: getattr(v, "value", v) for k, v in evaluation.metadata.items()},
        }


def stored_value_of_run(assets_dir: Path, run_id: str, asset: str) -> dict | None:
    """The value run ``run_id`` stored for ``asset`` (kept per run), or None if it stored none."""
    stored = RunValueStore(assets_dir).of_run(run_id, asset)
    return None if stored is None else stored.load()


# The per-family steps belong to the asset they feed: selecting it selects them.
FAMILY_STEPS_OF = MappingProxyType({"attack_variants": VARIANTS_PREFIX, "evaluation_report": SCORES_PREFIX,
                                    "failure_samples": SCORES_PREFIX})


def expand_selection(selection: Sequence[str]) -> list[str]:
    """``selection`` plus the per-family steps of the assets in it (``family_assets``): selecting
    ``evaluation_report`` re-scores the variants with today's champion instead of reading scores
    a run of another champion stored."""
    prefixes = {FAMILY_STEPS_OF[name] for name in selection if name in FAMILY_STEPS_OF}
    added = [f"{prefix}/{family}" for prefix in (VARIANTS_PREFIX, SCORES_PREFIX) if prefix in prefixes
             for family in FAMILIES]
    return list(dict.fromkeys([*selection, *added]))


def run_loop(config_path: str | None = None, overrides: Mapping[str, object] | None = None, *,
             force_retrain: bool = False, selection: Sequence[str] | None = None) -> RunSummary:
    """Run the loop (or ``selection``) in-process as one Dagster run; returns its summary.

    The config is resolved here, once (file + overrides), and travels to every asset in the run config.
    """
    from dagster import AssetKey, execute_job

    overrides = dict(overrides or {})
    if any(key.split(".")[0] in ("state_dir", "local_dir") for key in overrides):
        raise ConfigError("state_dir and local_dir cannot be set per run; set ADVERSARIAL_MLOPS_HOME or state_dir "
                          "(local_dir) in the config file")
    config = load_config(config_path, overrides)  # fail fast on a bad override, before Dagster starts
    problem = config.process_local_state_problem()
    if problem:
        raise ConfigError(problem)
    instance = prepare_instance(config)
    # Refused before a run is created when a loop holds the lock; the run itself takes the lock
    # (run_guard), so a loop starting between this check and that one is refused there.
    holder = LoopLock(config.resolved_state_dir(), instance).holder()
    if holder is not None:
        raise LoopAlreadyRunning(holder)
    # A reconstructable job: the multiprocess executor rebuilds it in each step's process.
    result = execute_job(
        reconstructable_loop_job(str(config.resolved_state_dir()), config.local_dir), instance,
        run_config=run_config_for(config, force_retrain=force_retrain), raise_on_error=False,
        asset_selection=[AssetKey.from_user_string(name) for name in expand_selection(selection)] if selection else None,
        tags={LAUNCHED_BY_TAG: "cli", **process_tags(os.getpid())},
    )
    return summarize_run(instance, result.run_id, config.resolved_state_dir() / "assets")
