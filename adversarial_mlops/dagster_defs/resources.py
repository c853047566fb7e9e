"""Dagster resources: the loop's settings (YAML + per-run overrides) and the model registry."""

from __future__ import annotations

from pathlib import Path
from typing import Dict, Optional

import dagster as dg
import yaml
from pydantic import Field

from adversarial_mlops.config import ConfigError, PipelineConfig, load_config
from adversarial_mlops.registry import ModelRegistry


class PipelineSettings(dg.ConfigurableResource):
    """Pipeline configuration: the YAML file, plus overrides a run may set from the launchpad or CLI."""

    config_path: Optional[str] = Field(None, description="YAML config file; empty → defaults / $ADVERSARIAL_MLOPS_CONFIG")
    state_dir: str = Field(description="State directory this code location was started with (set at load time)")
    force_retrain: bool = Field(False, description="Retrain even when the quality gate passes")
    max_evasion_rate: Optional[float] = Field(None, description="Overrides quality_gate.max_evasion_rate")
    min_f1_score: Optional[float] = Field(None, description="Overrides quality_gate.min_f1_score")
    min_f1_drop: Optional[float] = Field(None, description="Overrides quality_gate.min_f1_drop")
    overrides: Dict[str, str] = Field(default_factory=dict,
                                      description="Any config key, dotted (training.epochs: '2'); values are YAML")

    def load(self) -> PipelineConfig:
        overrides = {key: yaml.safe_load(value) for key, value in self.overrides.items()}
        for key in ("max_evasion_rate", "min_f1_score", "min_f1_drop"):
            if getattr(self, key) is not None:
                overrides[f"quality_gate.{key}"] = getattr(self, key)
        config = load_config(self.config_path, overrides)
        if config.resolved_state_dir() != Path(self.state_dir):
            raise ConfigError(
                f"this run's configuration points at state_dir {config.resolved_state_dir()}, but the Dagster "
                f"code location was started with {self.state_dir}; restart it with that config "
                "(ADVERSARIAL_MLOPS_CONFIG / ADVERSARIAL_MLOPS_HOME) instead of changing state_dir per run"
            )
        return config


class ModelRegistryResource(dg.ConfigurableResource):
    """The model registry: immutable versions, champion pointer, history."""

    root: str

    def get(self) -> ModelRegistry:
        return ModelRegistry(Path(self.root))
