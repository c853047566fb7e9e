"""Dagster resources: the loop's settings (YAML + per-run overrides) and the model registry."""


from pathlib import Path
from typing import Dict, Optional

import dagster as dg
import yaml
from pydantic import Field

from adversarial_mlops.config import ConfigError, PipelineConfig, load_config
from adversarial_mlops.models.registry import ModelRegistry


class PipelineSettings(dg.ConfigurableResource):
    """Pipeline configuration: the YAML file, plus overrides a run may set from the launchpad or CLI.

    The YAML file is the one the code location was loaded with ($ADVERSARIAL_MLOPS_CONFIG, else
    config/pipeline.yaml); only per-run knobs are run config, so a partial launchpad config works.
    """

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
        if "state_dir" in overrides:
            # Stored values, registry and Dagster instance all live there: it is fixed per code location.
            raise ConfigError("state_dir cannot change per run; set ADVERSARIAL_MLOPS_HOME or state_dir in the "
                              "config file and restart")
        return load_config(None, overrides)


class ModelRegistryResource(dg.ConfigurableResource):
    """The model registry: immutable versions, champion pointer, history."""

    root: str

    def get(self) -> ModelRegistry:
        return ModelRegistry(Path(self.root))
