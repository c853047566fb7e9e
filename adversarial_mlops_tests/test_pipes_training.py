"""challenger_model trains in another process through Dagster Pipes (``training.launcher: pipes``).

One loop on the tiny model (module-scoped state); then the step alone, re-run so the training
process fails in each way it can: its own error, a SIGKILL after it registered, and the run
worker killed under it. Real processes throughout: the default ``PipesSubprocessClient``.
"""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import FEW_ATTACKS, write_loop_config

from adversarial_mlops.attacks import strategy_families
from adversarial_mlops.config import build_config, config_to_dict, load_config
from adversarial_mlops.dagster_defs.launcher import process_alive
from adversarial_mlops.dagster_defs.runs import prepare_instance, run_loop
from adversarial_mlops.loop.lifecycle import BASELINE, reusable_baseline
from adversarial_mlops.models.registry import ModelRegistry
from adversarial_mlops.storage.crash_points import CRASH_AT_ENV_VAR
from adversarial_mlops.storage.run_values import RunValueStore

PROJECT = Path(__file__).resolve().parent.parent
# A forced retrain whose challenger the F1 floor stops before the A/B: the loop reaches
# challenger_model and skips the costliest step after it.
RETRAIN_UP_TO_THE_CHALLENGER = {"quality_gate.min_f1_score": 0.999}
SUMMARY_KEYS = {"version", "clean_f1", "quantization", "precision", "best_epoch", "training_seconds", "excluded_families"}


@pytest.fixture(scope="module")
def looped(tmp_path_factory):
    """A loop that trained its challenger through Pipes: (config path, run summary)."""
    directory = tmp_path_factory.mktemp("pipes")
    config = write_loop_config(directory, attack=FEW_ATTACKS)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ADVERSARIAL_MLOPS_CONFIG", str(config))
        patch.setenv("DAGSTER_HOME", str(directory / "dagster_home"))
        summary = run_loop(None, RETRAIN_UP_TO_THE_CHALLENGER, force_retrain=True)
        yield config, summary


def _state(config: Path) -> Path:
    return load_config(config).resolved_state_dir()


def _registry(config: Path) -> ModelRegistry:
    return ModelRegistry(_state(config) / "registry")


def _a_family_in_the_stored_training_data(config: Path) -> tuple[str, str]:
    """(strategy, family) of the commonest strategy in the loop's stored augmented_dataset."""
    stored = RunValueStore(_state(config) / "assets").latest("augmented_dataset").load()
    strategy = stored["strategy"].dropna().value_counts().index[0]
    return strategy, sorted(strategy_families(strategy))[0]


def test_the_challenger_is_trained_in_another_process_whose_log_reaches_the_event_log(looped):
    from dagster import AssetKey

    config, summary = looped
    assert "challenger_model" in summary.materialized, summary.failure_message
    instance = prepare_instance(load_config(config))
    event = instance.get_latest_materialization_event(AssetKey("challenger_model"))
    metadata = dict(event.asset_materialization.metadata)
    assert event.run_id == summary.run_id and metadata["launcher"].value == "pipes (PipesSubprocessClient)"
    pid = metadata["training_pid"].value
    assert pid != os.getpid()  # run_loop executes the run in this process: the training did not
    assert metadata["training_peak_rss_mb"].value > 0  # its own peak memory, to size the machine that trains

    value = RunValueStore(_state(config) / "assets").of_run(summary.run_id, "challenger_model").load()
    assert set(value) == SUMMARY_KEYS  # what downstream reads is unchanged
    version = _registry(config).get(value["version"])
    assert version.info["role"] == "challenger" and version.info["parent"] == "v0001"
    assert metadata["epochs"].value == version.info["training"]["history"]

    lines = [entry.user_message for entry in instance.all_logs(summary.run_id)
             if entry.step_key == "challenger_model" and entry.dagster_event is None]
    started = [line for line in lines if line.startswith(f"training process pid {pid} on ")]
    assert len(started) == 1 and "PR_SET_PDEATHSIG" in started[0], lines
    epochs = [line for line in lines if re.match(r"epoch \d+/\d+: loss ", line)]
    assert len(epochs) == version.info["training"]["epochs_run"], lines


def test_the_baseline_trains_in_a_training_process_too(looped):
    # On an empty registry deployed_champion trains the baseline where challengers train: its
    # memory leaves with that process instead of staying in the run worker for the whole loop.
    from dagster import AssetKey

    config, summary = looped
    instance = prepare_instance(load_config(config))
    event = instance.get_latest_materialization_event(AssetKey("deployed_champion"))
    metadata = dict(event.asset_materialization.metadata)
    assert event.run_id == summary.run_id and metadata["launcher"].value == "pipes (PipesSubprocessClient)"
    pid = metadata["training_pid"].value
    assert pid != os.getpid() and metadata["training_peak_rss_mb"].value > 0
    assert metadata["version"].value == "v0001" and metadata["trained_now"].value is True
    baseline = _registry(config).get("v0001")
    assert baseline.info["role"] == BASELINE and baseline.info["parent"] is None
    assert _registry(config).history()[0]["event"] == "promote"
    lines = [entry.user_message for entry in instance.all_logs(summary.run_id)
             if entry.step_key == "deployed_champion" and entry.dagster_event is None]
    assert sum(line.startswith(f"training process pid {pid} on ") for line in lines) == 1, lines
    epochs = [line for line in lines if re.match(r"epoch \d+/\d+: loss ", line)]
    assert len(epochs) == baseline.info["training"]["epochs_run"], lines


def test_a_reported_version_of_another_role_or_parent_is_refused():
    from adversarial_mlops.dagster_defs.training_launch import TrainingProcessError, check_registered
    from adversarial_mlops.loop.lifecycle import CHALLENGER
    from adversarial_mlops.models.registry import ModelVersion

    def version(role, parent):
        return ModelVersion("v0002", Path("."), "now", metrics={}, info={"role": role, "parent": parent})

    check_registered(version(BASELINE, None), BASELINE, None)
    check_registered(version(CHALLENGER, "v0001"), CHALLENGER, "v0001")
    for reported, asked in (((CHALLENGER, "v0001"), (BASELINE, None)), ((BASELINE, None), (CHALLENGER, "v0001")),
                            ((CHALLENGER, "v0003"), (CHALLENGER, "v0001"))):
        with pytest.raises(TrainingProcessError, match="same path"):
            check_registered(version(*reported), *asked)


def test_an_error_in_the_training_process_fails_the_step_with_that_error(looped):
    config, _ = looped
    # Hold out a family the stored training data has: the domain's leakage guard refuses it, in the
    # training process (the run worker launches without looking at the rows).
    strategy, family = _a_family_in_the_stored_training_data(config)
    before = [v.version for v in _registry(config).list_versions()]

    summary = run_loop(None, {"augmentation.exclude_families": [family]}, selection=["challenger_model"])

    assert summary.failed == ["challenger_model"]
    message = summary.failure_message
    assert re.search(r"TrainingProcessError: the training process failed: [\w.]*LeakageError: \d+ row", message), message
    assert f"held-out families ['{family}']" in message and strategy in message
    assert "External execution process failed" not in message  # the child's words, not the exit code
    assert [v.version for v in _registry(config).list_versions()] == before



def test_a_client_passed_to_build_definitions_is_the_one_that_starts_the_training(looped):
    import dagster as dg

    from adversarial_mlops.dagster_defs.runs import run_config_for, summarize_run
    from adversarial_mlops.dagster_defs.training_launch import TRAINING_MODULE
    from adversarial_mlops.dagster_defs.wiring import LOOP_JOB, build_definitions

    class TeamClient(dg.PipesSubprocessClient):
        def run(self, *, context, extras=None, command=None):
            return super().run(context=context, extras=extras, command=[sys.executable, "-m", TRAINING_MODULE])

    config, _ = looped
    # The held-out family check fails in the training process at once: no training is paid for.
    family = _a_family_in_the_stored_training_data(config)[1]
    loaded = load_config(config, {"augmentation.exclude_families": [family]})
    instance = prepare_instance(loaded)
    job = build_definitions(loaded, training_pipes_client=TeamClient()).resolve_job_def(LOOP_JOB)
    result = job.execute_in_process(run_config=run_config_for(loaded), instance=instance, raise_on_error=False,
                                    asset_selection=[dg.AssetKey("challenger_model")])
    lines = [entry.user_message for entry in instance.all_logs(result.run_id) if entry.dagster_event is None]
    assert any("training in a process started by TeamClient" in line for line in lines), lines
    assert any(line.startswith("training process pid ") for line in lines)
    summary = summarize_run(instance, result.run_id, _state(config) / "assets")
    assert re.search(r"the training process failed: [\w.]*LeakageError: ", summary.failure_message)

def test_a_training_process_killed_after_registering_fails_the_step_and_its_version_is_abandoned(
        looped, monkeypatch):
    config, _ = looped
    registry = _registry(config)
    before = {v.version for v in registry.list_versions()}
    # The training process inherits this environment and SIGKILLs itself once its version is
    # published, as the out-of-memory killer would; this process never reaches that point.
    monkeypatch.setenv(CRASH_AT_ENV_VAR, "lifecycle.challenger_registered")

    summary = run_loop(None, {}, selection=["challenger_model"])

    assert summary.failed == ["challenger_model"] and summary.status == "FAILURE"
    assert "the training process was killed by SIGKILL" in summary.failure_message
    assert "out-of-memory killer" in summary.failure_message
    [new] = [v for v in registry.list_versions() if v.version not in before]
    registry.verify(new.version)  # published whole: the registry's atomic publish, in the other process
    # Nobody stored it as the challenger: the run's end records it abandoned, the A/B never sees it.
    assert {(e["event"], e["version"]) for e in registry.history()} >= {("abandoned", new.version)}


def test_a_killed_run_worker_takes_its_training_process_with_it(looped):
    config, _ = looped
    state = _state(config)
    # Training that would run for hours: only the worker's death can end it within the wait below.
    script = ("from adversarial_mlops.dagster_defs.runs import run_loop\n"
              "run_loop(None, {'training.epochs': 100000, 'training.early_stopping_patience': 100000}, "
              "selection=['challenger_model'])\n")
    worker = subprocess.Popen([sys.executable, "-c", script], cwd=PROJECT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    child = None
    try:
        for line in worker.stderr:  # the run's console log; EOF if the worker ends first
            found = re.search(r"training process pid (\d+) on .*PR_SET_PDEATHSIG", line)
            if found:
                child = int(found.group(1))
                break
        assert child is not None and process_alive(child), "the training process never reported its start"
        worker.kill()
        worker.wait()
        deadline = time.monotonic() + 60  # a bound on the wait, not a measured duration
        while process_alive(child) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not process_alive(child), "the training process outlived its run worker"
    finally:
        if worker.poll() is None:
            worker.kill()
        if child is not None and process_alive(child):
            os.kill(child, signal.SIGKILL)
        worker.stderr.close()

    # The next run marks the dead one failed and removes the scratch files it left.
    leftovers = sorted(p.name for p in (state / "tmp").iterdir())
    assert any(name.startswith("pipes-training-") for name in leftovers), leftovers
    after = run_loop(None, {}, selection=["labeled_dataset"])
    assert after.status == "SUCCESS" and not list((state / "tmp").iterdir())
    statuses = [run.status.value for run in prepare_instance(load_config(config)).get_runs()]
    assert "STARTED" not in statuses


def test_the_training_process_imports_no_dagster():
    # Its side of Pipes must run where only the project and dagster-pipes are installed (a pod).
    code = ("import sys\n"
            "import adversarial_mlops.dagster_defs.pipes_training\n"
            "from adversarial_mlops.loop import lifecycle, progress\n"  # what train() imports when it runs
            "from adversarial_mlops.models import registry\n"
            "print(sorted(m for m in sys.modules if m == 'dagster' or m.startswith('dagster.')))\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=PROJECT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_a_baseline_is_reused_whichever_process_trained_it(tmp_path):
    # Where training ran does not change the weights; every setting that does still counts.
    trained_with = build_config({"state_dir": str(tmp_path), "training": {"launcher": "pipes"}})
    registry = ModelRegistry(tmp_path / "registry")
    baseline = registry.register(lambda target: (target / "weights.bin").write_bytes(b"w"), metrics={},
                                 info={"role": BASELINE, "train_size": 10, "config": config_to_dict(trained_with)})
    in_process = build_config({"state_dir": str(tmp_path), "training": {"launcher": "in_process"}})
    assert reusable_baseline(registry, in_process, 10).version == baseline.version
    other_epochs = build_config({"state_dir": str(tmp_path), "training": {"launcher": "in_process", "epochs": 9}})
    assert reusable_baseline(registry, other_epochs, 10) is None
    legacy = dict(config_to_dict(trained_with), training={k: v for k, v in config_to_dict(trained_with)["training"]
                                                           .items() if k != "launcher"})
    registry.register(lambda target: (target / "weights.bin").write_bytes(b"w"), metrics={},
                      info={"role": BASELINE, "train_size": 20, "config": legacy})  # registered before the key
    assert reusable_baseline(registry, in_process, 20) is not None


def test_a_setting_newer_than_the_baseline_matches_only_at_its_default(tmp_path):
    # A version trained before training.obfuscation_share existed was trained without obfuscations:
    # the setting's default (0). Any other value asks for other weights.
    trained_with = build_config({"state_dir": str(tmp_path)})
    stored = config_to_dict(trained_with)
    stored["training"] = {k: v for k, v in stored["training"].items() if k != "obfuscation_share"}
    registry = ModelRegistry(tmp_path / "registry")
    registry.register(lambda target: (target / "weights.bin").write_bytes(b"w"), metrics={},
                      info={"role": BASELINE, "train_size": 10, "config": stored})
    assert reusable_baseline(registry, trained_with, 10) is not None
    obfuscated = build_config({"state_dir": str(tmp_path), "training": {"obfuscation_share": 0.3}})
    assert reusable_baseline(registry, obfuscated, 10) is None


def test_a_setting_whose_default_moved_matches_the_value_it_was_trained_at(tmp_path):
    # training.word_edit_share joined at 0 and became 0.5 by default later: a version stored before it
    # existed was trained without word edits, so it matches 0 and not today's default.
    stored = config_to_dict(build_config({"state_dir": str(tmp_path), "training": {"word_edit_share": 0.0}}))
    stored["training"] = {k: v for k, v in stored["training"].items() if k != "word_edit_share"}
    registry = ModelRegistry(tmp_path / "registry")
    registry.register(lambda target: (target / "weights.bin").write_bytes(b"w"), metrics={},
                      info={"role": BASELINE, "train_size": 10, "config": stored})
    assert build_config({"state_dir": str(tmp_path)}).training.word_edit_share == 0.5
    assert reusable_baseline(registry, build_config({"state_dir": str(tmp_path)}), 10) is None
    without_edits = build_config({"state_dir": str(tmp_path), "training": {"word_edit_share": 0.0}})
    assert reusable_baseline(registry, without_edits, 10) is not None


def test_a_baseline_calibrated_before_the_confidence_reads_as_the_plain_quantile(tmp_path):
    from adversarial_mlops.loop.lifecycle import trained_with

    stored = config_to_dict(build_config({"state_dir": str(tmp_path)}))
    stored["model"] = {k: v for k, v in stored["model"].items() if k != "target_fpr_confidence"}
    registry = ModelRegistry(tmp_path / "registry")
    version = registry.register(lambda target: (target / "weights.bin").write_bytes(b"w"), metrics={},
                                info={"role": BASELINE, "train_size": 10, "config": stored})
    today = build_config({"state_dir": str(tmp_path)})
    assert today.model.target_fpr_confidence == 0.9 and reusable_baseline(registry, today, 10) is None
    plain = build_config({"state_dir": str(tmp_path), "model": {"target_fpr_confidence": None}})
    assert reusable_baseline(registry, plain, 10) is not None
    assert trained_with(version, today, any_target_fpr=True)  # a caller that recalibrates it may take it


def test_a_baseline_stored_before_training_precision_reads_as_fp32(tmp_path):
    # Before training.precision existed every run trained in fp32: such a baseline is reused only
    # by a config that asks for fp32, never as a bf16 (auto on a bf16 CPU) one.
    stored = config_to_dict(build_config({"state_dir": str(tmp_path)}))
    stored["training"] = {k: v for k, v in stored["training"].items() if k != "precision"}
    registry = ModelRegistry(tmp_path / "registry")
    registry.register(lambda target: (target / "weights.bin").write_bytes(b"w"), metrics={},
                      info={"role": BASELINE, "train_size": 10, "config": stored})
    for asked, reused in (("fp32", True), ("bf16", False), ("auto", False)):
        config = build_config({"state_dir": str(tmp_path), "training": {"precision": asked}})
        assert (reusable_baseline(registry, config, 10) is not None) is reused, asked
