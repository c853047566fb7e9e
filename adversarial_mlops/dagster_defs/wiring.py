"""Builds the loop's Definitions for a given config: assets, checks, job, resources, executor."""

from __future__ import annotations

import dagster as dg

from adversarial_mlops.config import PipelineConfig
from adversarial_mlops.models.registry import model_cache_dir

from . import assets, checks
from .execution import loop_executor
from .family_assets import family_asset_defs
from .io_manager import StateDirIOManager
from .resources import ModelRegistryResource, settings_resource
from .training_launch import default_training_client

LOOP_JOB = "adversarial_loop"


def build_definitions(config: PipelineConfig, *, training_pipes_client: dg.PipesClient | None = None
                      ) -> dg.Definitions:
    """Definitions whose state directory and default run settings come from ``config``.

    ``training_pipes_client``: what starts the training process of challengers and baselines (``training.launcher:
    pipes``); default a subprocess on the worker's machine. A team's own code location passes a
    client for a pod or a GPU host (docs/deploy.md)."""
    state_dir = config.resolved_state_dir()
    loop_job = dg.define_asset_job(LOOP_JOB, selection=dg.AssetSelection.groups(assets.GROUP),
                                   description="attack → evaluate → gate → (on FAIL) retrain → A/B → promote")
    return dg.Definitions(
        assets=[*dg.load_assets_from_modules([assets]), *family_asset_defs()],
        asset_checks=[checks.quality_gate, checks.challenger_f1_floor],
        jobs=[loop_job],
        resources={
            "settings": settings_resource(config),
            "registry": ModelRegistryResource(root=str(state_dir / "registry"), cache_dir=str(model_cache_dir(config.resolved_local_dir()))),
            "io_manager": StateDirIOManager(base_dir=str(state_dir / "assets")),
            "training_pipes_client": training_pipes_client or default_training_client(),
        },
        # In-process by default (torch and the model load once); `execution.executor: multiprocess`
        # runs the per-family steps side by side. Either way the orchestrating process holds the loop lock.
        executor=loop_executor(config),
    )


def loop_job(config: PipelineConfig) -> dg.JobDefinition:
    return build_definitions(config).resolve_job_def(LOOP_JOB)
