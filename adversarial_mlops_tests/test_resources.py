"""The run's settings resource: the whole config comes from the run config, validated once."""

import pytest

from adversarial_mlops.config import ConfigError, PipelineConfig, build_config
from adversarial_mlops.dagster_defs.resources import pipeline_sections, resolve_run_settings, settings_run_config


def _at(state_dir) -> dict:
    """The code location's state_dir and local_dir, as settings_resource passes them."""
    return {"state_dir": str(state_dir), "local_dir": None}


def test_the_run_config_reproduces_the_launchers_config_exactly(tmp_path):
    config = build_config({"state_dir": str(tmp_path), "quality_gate": {"max_evasion_rate": 0.07},
                           "training": {"epochs": 2}})
    resolved = resolve_run_settings(settings_run_config(config, force_retrain=True)["config"], _at(tmp_path))
    assert resolved.config == config and resolved.force_retrain is True


def test_launchpad_overrides_apply_on_top_and_are_validated(tmp_path):
    run_config = {"pipeline": pipeline_sections(PipelineConfig()), "overrides": {"training.epochs": "4"},
                  "force_retrain": False}
    assert resolve_run_settings(run_config, _at(tmp_path)).config.training.epochs == 4
    with pytest.raises(ConfigError, match="training.epochs"):
        resolve_run_settings({**run_config, "overrides": {"training.epochs": "0"}}, _at(tmp_path))


@pytest.mark.parametrize("key", ["state_dir", "local_dir"])
@pytest.mark.parametrize("where", ["pipeline", "overrides"])
def test_state_dir_cannot_change_per_run(tmp_path, where, key):
    run_config = {"pipeline": pipeline_sections(PipelineConfig()), "overrides": {}, "force_retrain": False}
    if where == "pipeline":
        run_config["pipeline"] = {**run_config["pipeline"], key: "/elsewhere"}
    else:
        run_config["overrides"] = {key: "/elsewhere"}
    with pytest.raises(ConfigError, match="state_dir cannot change per run"):
        resolve_run_settings(run_config, _at(tmp_path))


def test_module_names_that_match_nothing_in_the_base_model_fail_at_run_start(tmp_path):
    # Whatever face started the run (UI launchpad, `dagster asset materialize`, CLI): refused before any
    # asset runs, not when training reaches peft minutes later.
    run_config = {"pipeline": pipeline_sections(build_config({"model": {"base_model": "tiny"}})),
                  "overrides": {"training.extra_trainable_modules": "[word_embeddings, nope]"}, "force_retrain": False}
    with pytest.raises(ConfigError, match=r"training.extra_trainable_modules: 'nope' matches no module of tiny .*query"):
        resolve_run_settings(run_config, _at(tmp_path))
    run_config["overrides"] = {"training.target_modules": "[query, value]"}
    assert resolve_run_settings(run_config, _at(tmp_path)).config.training.target_modules == ["query", "value"]
