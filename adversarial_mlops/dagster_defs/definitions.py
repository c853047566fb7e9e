"""Dagster entry point: ``dagster dev`` (workspace.yaml) and ``dagster asset materialize -m`` load ``defs``.

Manual trigger only: no schedules, no sensors.
"""

from __future__ import annotations

import dagster as dg

from adversarial_mlops.config import load_config

from . import assets, checks
from .io_manager import StateDirIOManager
from .resources import ModelRegistryResource, PipelineSettings

LOOP_JOB = "adversarial_loop"


def build_definitions() -> dg.Definitions:
    """Definitions for the config file named by $ADVERSARIAL_MLOPS_CONFIG (else config/pipeline.yaml)."""
    # Validate the YAML at load time: a typo should stop code loading, not a run an hour later.
    config = load_config(None)
    state_dir = config.resolved_state_dir()
    loop_assets = dg.load_assets_from_modules([assets])
    loop_job = dg.define_asset_job(LOOP_JOB, selection=dg.AssetSelection.groups(assets.GROUP),
                                   description="attack → evaluate → gate → (on FAIL) retrain → A/B → promote")
    return dg.Definitions(
        assets=loop_assets,
        asset_checks=[checks.quality_gate, checks.challenger_f1_floor],
        jobs=[loop_job],
        resources={
            "settings": PipelineSettings(),
            "registry": ModelRegistryResource(root=str(state_dir / "registry")),
            "io_manager": StateDirIOManager(base_dir=str(state_dir / "assets")),
        },
        # One process for the whole loop: torch/peft load once instead of once per step.
        executor=dg.in_process_executor,
    )


defs = build_definitions()
