"""Dagster resources: the run's settings (resolved once per run) and the model registry."""

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import dagster as dg
import yaml

from adversarial_mlops.config import ConfigError, PipelineConfig, build_config, config_to_dict
from adversarial_mlops.models.modeling import check_trainable_modules
from adversarial_mlops.models.registry import ModelRegistry

from .run_guard import join_loop

STATE_DIR_FIXED = ("state_dir cannot change per run (nor local_dir): stored values, the registry and the Dagster "
                   "instance live there. Set ADVERSARIAL_MLOPS_HOME or state_dir (local_dir) in the config file "
                   "and restart")
LOCATION_KEYS = ("state_dir", "local_dir")  # fixed by the code location, never by a run


@dataclass(frozen=True)
class RunSettings:
    """What every asset and check of one run reads: its one resolved config and the retrain switch."""

    config: PipelineConfig
    force_retrain: bool = False


def pipeline_sections(config: PipelineConfig) -> dict:
    """``config`` as the run config's ``pipeline`` mapping: every section except state_dir and local_dir."""
    sections = config_to_dict(config)
    for key in LOCATION_KEYS:
        sections.pop(key)
    return sections


def settings_run_config(config: PipelineConfig, *, force_retrain: bool = False) -> dict:
    """The ``settings`` resource's run config that makes a run use exactly ``config``."""
    return {"config": {"pipeline": pipeline_sections(config), "overrides": {}, "force_retrain": force_retrain}}


def settings_resource(config: PipelineConfig) -> dg.ResourceDefinition:
    """The ``settings`` resource of a code location loaded with ``config``.

    Its run config holds every section as resolved when the run was launched (the CLI and the
    API send the whole config); the default is ``config`` itself, so a launchpad run with no run
    config uses the YAML the code location loaded. ``overrides`` takes a few dotted keys for a
    launchpad edit. The resource function runs once per run process (once per step process with
    the multiprocess executor): the config is validated and resolved there, before any asset, and
    every asset and check of that process receives the same object. The loop lock is held by the
    run's executor; a run executed without it holds the lock here (``run_guard.join_loop``), so
    every face that starts a run obeys one-loop-at-a-time.
    """
    location = {"state_dir": str(config.resolved_state_dir()), "local_dir": config.local_dir}

    @dg.resource(config_schema={
        "pipeline": dg.Field(dg.Permissive(), default_value=pipeline_sections(config),
                             description="every config section except state_dir and local_dir, resolved"),
        "overrides": dg.Field(dg.Map(str, str), default_value={},
                              description="dotted config keys on top of `pipeline` (training.epochs: '2'); YAML values"),
        "force_retrain": dg.Field(bool, default_value=False, description="retrain even when the quality gate passes"),
    }, description="The run's resolved configuration")
    def settings(context: dg.InitResourceContext) -> Iterator[RunSettings]:
        resolved = resolve_run_settings(context.resource_config, location)
        if context.instance is None or context.dagster_run is None:  # built outside a run (build_resources)
            yield resolved
            return
        with join_loop(context.instance, context.dagster_run, resolved.config, context.log):
            yield resolved

    return settings


def resolve_run_settings(resource_config: dict, location: dict[str, str]) -> RunSettings:
    """The run's config: its sections and overrides, at the code location's ``state_dir`` and ``local_dir``."""
    pipeline = dict(resource_config["pipeline"])
    overrides = {key: yaml.safe_load(value) for key, value in resource_config["overrides"].items()}
    if any(key in pipeline for key in LOCATION_KEYS) or any(key.split(".")[0] in LOCATION_KEYS for key in overrides):
        raise ConfigError(STATE_DIR_FIXED)
    config = build_config({**pipeline, **location}, overrides, origin="the run config")
    problem = config.process_local_state_problem()
    if problem:
        raise ConfigError(problem)
    # At run start, before any asset: a wrong module name would otherwise fail once training starts.
    check_trainable_modules(config.model, config.training.target_modules, config.training.extra_trainable_modules)
    return RunSettings(config=config, force_retrain=bool(resource_config["force_retrain"]))


class ModelRegistryResource(dg.ConfigurableResource):
    """The model registry: immutable versions, champion pointer, history."""

    root: str
    cache_dir: str  # this host's copies of the versions it loads, when root is an object store

    def get(self) -> ModelRegistry:
        return ModelRegistry(self.root, cache_dir=Path(self.cache_dir))
