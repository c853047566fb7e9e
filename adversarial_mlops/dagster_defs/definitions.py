"""Dagster entry point: ``dagster dev`` (workspace.yaml) and ``dagster asset materialize -m`` load ``defs``.

The code location reads its config file once, here ($ADVERSARIAL_MLOPS_CONFIG if the user set
it, else config/pipeline.yaml): it fixes the state directory and the default run settings.
Runs launched by the CLI and the API carry their whole resolved config in the run config.
Manual trigger only: no schedules, no sensors.
"""

from __future__ import annotations

from adversarial_mlops.config import load_config

from .wiring import LOOP_JOB, build_definitions

__all__ = ("LOOP_JOB", "defs")

# Validated at load time: a typo in the YAML stops code loading, not a run an hour later.
defs = build_definitions(load_config(None))
