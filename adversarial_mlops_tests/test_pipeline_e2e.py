"""End-to-end Dagster runs of the loop on the tiny model: both branches of the quality gate."""

import io
import json
import os
import subprocess
import sys
from contextlib import redirect_stdout
from dataclasses import dataclass
from html import unescape
from pathlib import Path

import pytest

from .conftest import FEW_ATTACKS, shared_loop_environment, write_loop_config

from adversarial_mlops.config import load_config
from adversarial_mlops.attacks.discovery import family_names
from adversarial_mlops.dagster_defs.runs import RunSummary, run_loop
from adversarial_mlops.models.registry import ModelRegistry

LENIENT = {"quality_gate.max_evasion_rate": 1.0, "quality_gate.min_f1_score": 0.0,
           "quality_gate.max_obfuscated_benign_fpr": 1.0, "quality_gate.max_adaptive_evasion": 1.0,
           "quality_gate.max_clean_fpr": 1.0}
RETRAIN_STEPS = {"augmented_dataset", "challenger_model", "champion_model"}
LOOP_ASSETS = {"labeled_dataset", "attack_variants", "deployed_champion", "evaluation_report", "failure_samples",
               "augmented_dataset", "challenger_model", "champion_model"}
GATE_THRESHOLDS = {"evasion_rate", "worst_family_evasion", "adaptive_evasion", "f1_score", "f1_drop", "clean_fpr",
                   "obfuscated_benign_fpr", "over_defense_set_fpr"}


def registry_for(config_path: Path) -> ModelRegistry:
    return ModelRegistry(load_config(config_path).resolved_state_dir() / "registry")


def materialization_metadata(config_path: Path, asset: str, run_id: str | None = None) -> tuple[str, dict]:
    """The run id and metadata of ``asset``'s latest materialization (in run ``run_id`` when given)."""
    from dagster import AssetKey, DagsterEventType

    from adversarial_mlops.dagster_defs.runs import prepare_instance

    instance = prepare_instance(load_config(config_path))
    if run_id is None:
        event = instance.get_latest_materialization_event(AssetKey(asset))
    else:
        event = next(record for record in instance.all_logs(run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION)
                     if record.asset_materialization.asset_key == AssetKey(asset))
    return event.run_id, dict(event.asset_materialization.metadata)


def assert_rounded_for_people(metadata: dict) -> None:
    """Float metadata carries at most 3 decimals (F1, threshold) — percentages 1 — and markdown has tables."""
    import dagster as dg

    floats = {key: value.value for key, value in metadata.items() if isinstance(value, dg.FloatMetadataValue)}
    assert floats and all(round(value, 3) == value for value in floats.values()), floats
    assert all(round(value, 1) == value for key, value in floats.items() if key.endswith(("_pct", "_pts"))), floats
    markdown = [value.value for value in metadata.values() if isinstance(value, dg.MarkdownMetadataValue)]
    assert markdown and all("|---" in text for text in markdown)


def assert_model_card(version) -> None:
    import yaml

    card = (version.path / "README.md").read_text(encoding="utf-8")
    meta = yaml.safe_load(card.split("---\n")[1])
    metrics = {m["type"]: m["value"] for m in meta["model-index"][0]["results"][0]["metrics"]}
    assert metrics["f1"] == round(version.metrics["clean_f1"], 4)
    assert version.info["data"]["content_sha256"] in card and "## Known limitations" in card


def test_definitions_expose_the_loop_and_no_automation():
    from adversarial_mlops.dagster_defs.definitions import defs

    keys = {key.to_user_string() for key in defs.resolve_asset_graph().get_all_asset_keys()}
    assert keys == LOOP_ASSETS | {f"{prefix}/{family}" for prefix in ("family_variants", "family_scores")
                                  for family in family_names()}
    check_names = {key.name for key in defs.resolve_asset_graph().asset_check_keys}
    assert check_names == {"quality_gate", "challenger_f1_floor"}
    assert not list(defs.schedules or []) and not list(defs.sensors or [])  # manual trigger only


@dataclass
class PassingLoops:
    """Two loops on one state whose gate passes: the first through ``run_loop`` with the config's path
    (not the environment) and one override; the second through the CLI, forcing a retrain."""

    config_path: Path
    first: RunSummary
    environment_changes: dict[str, str | None]  # variables the first loop set or changed
    second: RunSummary
    second_json: dict
    second_exit_code: int


@pytest.fixture(scope="module")
def passing(tmp_path_factory) -> PassingLoops:
    """The passing-gate tests below share these two loops (each is a minute of tiny model)."""
    from adversarial_mlops.cli import main
    from adversarial_mlops.dagster_defs.runs import prepare_instance, summarize_run

    directory = tmp_path_factory.mktemp("passing")
    config_path = write_loop_config(directory)
    with shared_loop_environment() as patch:
        patch.delenv("ADVERSARIAL_MLOPS_CONFIG", raising=False)
        patch.setenv("DAGSTER_HOME", str(directory / "dagster_home"))
        environment = dict(os.environ)
        first = run_loop(str(config_path), {**LENIENT, "quality_gate.max_evasion_rate": 0.9})
        environment_changes = {key: os.environ.get(key) for key in {*environment, *os.environ}
                               if environment.get(key) != os.environ.get(key)}
        printed = io.StringIO()
        with redirect_stdout(printed):
            code = main(["run", "--config", str(config_path), "--json", "--force-retrain"]
                        + [arg for key, value in LENIENT.items() for arg in ("--set", f"{key}={value}")])
        second_json = json.loads(printed.getvalue())
        config = load_config(config_path)
        second = summarize_run(prepare_instance(config), second_json["run_id"], config.resolved_state_dir() / "assets")
        yield PassingLoops(config_path, first, environment_changes, second, second_json, code)


@pytest.mark.dagster_instance
@pytest.mark.shared_loop
def test_gate_pass_trains_baseline_once_and_skips_retraining(passing):
    first, config_path = passing.first, passing.config_path
    assert first.status == "SUCCESS" and first.loop_completed
    assert first.outcome() == "no retraining needed"
    assert first.gate["passed"] and first.gate["status"] == "PASS"
    checks = {check["name"]: check for check in first.gate["checks"]}
    assert set(checks) == GATE_THRESHOLDS
    # The verdict the check shows is the one computed with the report, with this run's thresholds
    # (the overrides, not the YAML's 0.15), on this run's numbers.
    assert first.gate == first.evaluation["gate"]
    assert checks["evasion_rate"]["limit"] == 0.9 and checks["f1_score"]["limit"] == 0.0
    assert checks["f1_score"]["value"] == first.evaluation["clean"]["f1"]
    assert "failure_samples" not in first.materialized  # a passing gate yields no failures
    assert RETRAIN_STEPS <= set(first.skipped)
    # The config travelled in the run: the environment is as it was, the baseline records the override.
    # (Libraries set their own on first import — torch's compile cache, OpenMP's — none of ours.)
    ours = {key: value for key, value in passing.environment_changes.items()
            if key.startswith(("ADVERSARIAL_MLOPS", "DAGSTER")) or str(config_path.parent) in str(value)}
    assert not ours, ours
    registry = registry_for(config_path)
    baseline = registry.get("v0001")
    assert baseline.info["role"] == "baseline" and baseline.info["config"]["quality_gate"]["max_evasion_rate"] == 0.9
    assert_model_card(baseline)  # written before sealing: verified with the weights
    registry.verify("v0001")
    # What a reviewer reads: markdown tables with plots, numbers rounded, the loop's HTML report.
    run_id, metadata = materialization_metadata(config_path, "evaluation_report", run_id=first.run_id)
    assert_rounded_for_people(metadata)
    summary_md = metadata["summary"].value
    assert "Evasion per attack family" in summary_md and "| homoglyph |" in summary_md
    assert summary_md.count("](data:image/png;base64,") == 4  # evasion, ROC, histograms, confusion matrix
    assert metadata["clean_f1"].value == round(first.evaluation["clean"]["f1"], 3)
    assert "| f1_score |" in first.checks["quality_gate"]["metadata"]["table"]
    report = Path(metadata["report"].value)
    assert report.parent.name == first.run_id and (report.parent / "roc_curve.png").is_file()
    html = report.read_text(encoding="utf-8")
    assert "Outcome:</strong> no retraining needed: quality gate PASS" in html
    assert f"<td>clean F1</td><td class=\"num\">{first.evaluation['clean']['f1']:.3f}</td>" in html


@pytest.mark.dagster_instance
@pytest.mark.shared_loop
def test_the_next_loop_reuses_the_baseline_and_counts_only_effective_variants(passing):
    second = passing.second
    assert second.loop_completed and second.evaluation["model_version"] == "v0001"
    registry = registry_for(passing.config_path)
    assert [v.info["role"] for v in registry.list_versions()] == ["baseline", "challenger"]  # one baseline
    # Same model, same test split: the F1 recorded at promotion is reproduced exactly.
    assert second.evaluation["f1_drop"] == pytest.approx(0.0, abs=1e-12)
    report = second.evaluation
    assert "adaptive" in report["evasion"]["by_strategy"]
    # Only variants the model reads differently from their source count (the tiny tokenizer, like
    # MiniLM's, lower-cases: a random_case variant is its source to it).
    by_strategy = report["evasion"]["by_strategy"]
    assert by_strategy["random_case"]["generated"] > 0 and by_strategy["random_case"]["effective"] == 0
    assert by_strategy["random_case"]["rate"] is None
    assert all(s["generated"] >= s["effective"] >= s["n_variants"] >= s["evaded"] for s in by_strategy.values())
    assert report["evasion"]["overall"]["effective"] < report["evasion"]["overall"]["generated"]
    assert 0 < report["adaptive_attack"]["n_attacked"] <= 20  # attack.adaptive_sources in the tiny config
    assert report["over_defense"]["obfuscated_benign_fpr"]["n"] > 0
    # Decoded views are on by default: their comparison replaces the normalisation one.
    assert report["normalization_defense"] is None
    views = report["views_defense"]
    assert set(views) == {"with_views", "without_views", "false_alarms_by_view"}
    # every false alarm is attributed to the view that decided it, and they add up to the reported rates
    clean_alarms, obfuscated_alarms = (views["false_alarms_by_view"][k] for k in ("clean_benign", "obfuscated_benign"))
    assert clean_alarms["flagged"] == round(report["clean"]["fpr"] * clean_alarms["texts"])
    obfuscated = report["over_defense"]["obfuscated_benign_fpr"]
    assert obfuscated_alarms["texts"] == obfuscated["n"]
    assert obfuscated_alarms["flagged"] == round(obfuscated["rate"] * obfuscated["n"])
    for alarms in (clean_alarms, obfuscated_alarms):
        assert sum(alarms["by_deciding_view"].values()) == alarms["flagged"] >= alarms["flagged_only_with_views"]
    assert views["with_views"]["evasion"] == report["evasion"]["overall"]
    assert "tag_smuggling" in views["without_views"]["evasion_by_strategy"]


@pytest.mark.dagster_instance
@pytest.mark.shared_loop
def test_force_retrain_runs_the_retraining_branch_on_a_passing_gate(passing):
    second = passing.second
    assert second.gate["passed"] and RETRAIN_STEPS <= set(second.materialized)
    assert second.outcome() in {"challenger promoted", "challenger rejected by the A/B test"}
    assert registry_for(passing.config_path).get("v0002").info["parent"] == "v0001"


@pytest.mark.dagster_instance
@pytest.mark.shared_loop
def test_cli_summary_and_exit_code(passing, capsys):
    from adversarial_mlops.cli import main

    summary = passing.second_json
    assert passing.second_exit_code == 0 and summary["loop_completed"]
    assert summary["outcome"] == passing.second.outcome() and summary["run_id"] == passing.second.run_id
    # `adversarial-mlops report` finds the latest loop run's report; with the run's id, the same file
    config = ["--config", str(passing.config_path)]
    assert main(["report", *config]) == 0
    latest = Path(capsys.readouterr().out.strip())
    assert latest.parent.name == summary["run_id"] and latest.is_file()
    assert main(["report", *config, summary["run_id"]]) == 0 and capsys.readouterr().out.strip() == str(latest)
    assert main(["run", *config, "--set", "quality_gate.nonsense=1"]) == 2
    assert "quality_gate.nonsense" in capsys.readouterr().err


@pytest.mark.dagster_instance
@pytest.mark.shared_loop
def test_the_design_cards_command_re_decides_only_against_the_champion_it_judged(passing):
    # With a loop's values stored, the design card's command re-decides alone, loading its inputs,
    # as long as the champion it was judged against (the stored deployed_champion, v0001) still is.
    config_path = passing.config_path
    registry = registry_for(config_path)
    if registry.champion().version != "v0001":
        registry.rollback(to_version="v0001", reason="test: back to the loop's starting champion")
    result = _dagster_cli(config_path, "--select", "champion_model")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "champion_model" in result.stderr and "RUN_SUCCESS" in result.stderr

    # Once the champion has changed, re-deciding against the stale one is refused: the champion stays,
    # and the history records that the stored challenger's decision was superseded.
    if registry.champion().version == "v0001":
        registry.promote("v0002", reason="test: an operator promotes by hand", replacing="v0001")
    history = registry.history()
    stale = _dagster_cli(config_path, "--select", "champion_model")
    assert stale.returncode != 0 and "judged against champion v0001" in stale.stdout + stale.stderr
    after = registry.history()
    assert after[:-1] == history and registry.champion().version == "v0002"
    assert after[-1]["event"] == "superseded" and "judged against champion v0001" in after[-1]["reason"]


def test_gate_fail_retrains_and_records_the_ab_decision(loop_config):
    # Four strategies: the loop above retrains with all of them; this one checks the A/B's record.
    summary = run_loop(None, {"quality_gate.max_evasion_rate": 0.0, "quality_gate.min_f1_score": 0.0,
                              "quality_gate.min_f1_drop": 0.0,  # a zero drop limit always fails
                              "attack.strategies": FEW_ATTACKS["strategies"]})
    assert summary.loop_completed, summary.failure_message
    assert not summary.gate["passed"]
    assert RETRAIN_STEPS <= set(summary.materialized)
    decision = summary.decision
    assert decision["challenger_version"] == "v0002" and decision["reasons"]
    assert {"delta_f1", "delta_evasion", "delta_fpr", "mcnemar"} <= set(decision["statistics"])
    assert decision["statistics"]["resampled_unit"] == "template group" and decision["statistics"]["n_groups"] > 1
    registry = registry_for(loop_config)
    last = registry.history()[-1]
    assert last["event"] == ("promote" if decision["promoted"] else "reject")
    assert registry.champion().version == ("v0002" if decision["promoted"] else "v0001")
    state = load_config(loop_config).resolved_state_dir()
    bank = state / "failure_bank.parquet"
    assert bank.exists()
    assert registry.get("v0002").info["parent"] == "v0001"
    assert_model_card(registry.get("v0002"))
    registry.verify("v0002")
    # The decision in one line, the side-by-side table, the history; the loop's report holds them all.
    run_id, metadata = materialization_metadata(loop_config, "champion_model")
    assert run_id == summary.run_id
    assert_rounded_for_people(metadata)
    line = metadata["decision"].value
    assert line.startswith("PROMOTED v0002 over v0001" if decision["promoted"] else "KEPT v0001: challenger v0002")
    comparison = metadata["comparison"].value
    assert "| measure | champion v0001 | challenger v0002 | Δ (95% CI) | n |" in comparison
    assert "Registry history" in comparison and "](data:image/png;base64," in comparison
    html = Path(metadata["report"].value).read_text(encoding="utf-8")
    assert line in unescape(html) and "<td>evasion_rate</td>" in html
    assert "<td>clean F1</td>" in html and "champion v0001</th>" in html


def test_challenger_below_f1_floor_is_blocked_before_promotion(loop_config):
    # Trained inside the run worker (training.launcher: in_process, for debugging); the default,
    # a Pipes training process, is what the other loops here use (test_pipes_training.py checks it).
    summary = run_loop(None, {"quality_gate.min_f1_score": 0.999, "training.launcher": "in_process",
                              "attack.strategies": FEW_ATTACKS["strategies"]})
    _, metadata = materialization_metadata(loop_config, "challenger_model")
    assert metadata["launcher"].value == "in_process" and metadata["training_pid"].value == os.getpid()
    assert summary.checks["challenger_f1_floor"]["passed"] is False
    assert "champion_model" not in summary.materialized
    assert summary.loop_completed and summary.outcome() == "challenger rejected: below the F1 floor"
    registry = registry_for(loop_config)
    assert registry.champion().version == "v0001"
    assert registry.history()[-1]["event"] == "reject" and registry.history()[-1]["champion"] == "v0001"
    # the loop ends at the check, and its report says so
    report = load_config(loop_config).resolved_state_dir() / "reports" / summary.run_id / "report.html"
    assert "challenger v0002 rejected before the A/B" in report.read_text(encoding="utf-8")
    assert summary.checks["challenger_f1_floor"]["metadata"]["report"] == str(report)


def _dagster_cli(config: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "ADVERSARIAL_MLOPS_CONFIG": str(config)}
    Path(env["DAGSTER_HOME"]).mkdir(parents=True, exist_ok=True)  # the dagster CLI wants it to exist
    return subprocess.run([sys.executable, "-m", "dagster", "asset", "materialize", "-m",
                           "adversarial_mlops.dagster_defs.definitions", *args],
                          capture_output=True, text=True, env=env, timeout=300)


def test_materializing_champion_alone_on_fresh_state_says_what_to_run(loop_config):
    result = _dagster_cli(loop_config, "--select", "champion_model")
    assert result.returncode != 0
    assert "run the whole loop first" in result.stdout + result.stderr


VENV_ACTIVATE = Path(__file__).resolve().parent.parent / ".venv" / "bin" / "activate"


@pytest.mark.skipif(not VENV_ACTIVATE.exists(), reason="needs the venv `make install` creates (CI has it)")
def test_the_design_cards_command_works_as_typed_in_the_activated_venv(loop_config):
    # Exactly what a user types in the project root after `source .venv/bin/activate`: no -m.
    project = VENV_ACTIVATE.parent.parent.parent
    env = {key: value for key, value in os.environ.items() if key != "DAGSTER_MODULE_NAME"}
    Path(env["DAGSTER_HOME"]).mkdir(parents=True, exist_ok=True)
    result = subprocess.run(["bash", "-c", f"source {VENV_ACTIVATE} && dagster asset materialize --select champion_model"],
                            cwd=project, capture_output=True, text=True, env=env, timeout=300)
    output = result.stdout + result.stderr
    assert "Invalid set of CLI arguments" not in output
    # The code location loaded and ran the asset; on a fresh state it names the command to run first.
    assert result.returncode != 0 and "run the whole loop first" in output, output[-2000:]


@pytest.mark.dagster_instance
def test_a_failed_run_shows_the_domain_errors_own_message_with_its_fix(loop_config, tmp_path, capsys):
    from adversarial_mlops.cli import main

    bad = tmp_path / "bad.csv"
    bad.write_text("id,text,label,template_group,family\na,hello there,benign,g1,x\nb,ignore the rules,maybe,g2,y\n")
    summary = run_loop(None, {"data.source": str(bad)})
    assert not summary.loop_completed and summary.failed == ["labeled_dataset"]
    assert "Fix:" in summary.failure_message and "maybe" in summary.failure_message
    assert "Error occurred while executing" not in summary.failure_message  # Dagster's wrapper, not the cause
    assert main(["run", "--set", f"data.source={bad}"]) == 1
    assert "Fix:" in capsys.readouterr().out
