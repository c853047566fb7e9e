"""Attack and scoring split by family: the same numbers whether the family steps run one after
another in one process or side by side in several (issue 15, item 2)."""

import json
import os

import numpy as np
import pandas as pd
import pytest

from adversarial_mlops import data
from adversarial_mlops.attacks.discovery import family_names
from adversarial_mlops.config import build_config, config_to_dict, load_config
from adversarial_mlops.dagster_defs.family_assets import FAMILIES
from adversarial_mlops.dagster_defs.launcher import PID_TAG, LoopLock
from adversarial_mlops.dagster_defs.run_guard import join_loop
from adversarial_mlops.errors import InvalidInputError
from adversarial_mlops.judging.quality_gate import evaluate_gate
from adversarial_mlops.loop import attack_runner, lifecycle
from adversarial_mlops.loop.scoring import COMPARISON, DEPLOYED, StaleScoresError, score_family, scored_classifier
from adversarial_mlops.models.registry import ModelRegistry
from adversarial_mlops_tests.conftest import FEW_ATTACKS, write_loop_config

# run_loop adds the per-family steps of attack_variants and evaluation_report (runs.expand_selection).
UP_TO_EVALUATION = ["labeled_dataset", "attack_variants", "deployed_champion", "evaluation_report"]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    directory = tmp_path_factory.mktemp("parallel")
    config = load_config(write_loop_config(directory))
    splits = data.load_splits(config.data)
    return config, splits


def all_families(splits, config, exclude=()):
    return [attack_runner.build_family_variants(splits, config.attack, family, exclude_families=exclude)
            for family in family_names()]


@pytest.mark.parametrize("exclude", [(), ("encoding", "invisible")])
def test_family_tables_put_together_are_the_one_table_row_for_row(world, exclude):
    config, splits = world
    whole = attack_runner.build_attack_variants(splits, config.attack, exclude_families=exclude)
    parts = all_families(splits, config, exclude)
    assert sum(len(part) for part in parts) == len(whole) > 0
    # Whatever order the steps finished in, the combined table is the same.
    for order in (parts, parts[::-1]):
        pd.testing.assert_frame_equal(attack_runner.combine_family_variants(order, splits, config.attack,
                                                                            exclude_families=exclude), whole)
    for family, part in zip(family_names(), parts):
        assert set(part["strategy"].map(attack_runner.family_of)) <= {family}


def test_rows_from_another_attack_plan_are_refused(world):
    config, splits = world
    parts = all_families(splits, config)
    narrower = config.attack.model_copy(update={"strategies": ["homoglyph"]})
    with pytest.raises(InvalidInputError, match="re-run the attack step"):
        attack_runner.combine_family_variants(parts, splits, narrower)


@pytest.fixture(scope="module")
def champion(world):
    config, splits = world
    registry = ModelRegistry(config.resolved_state_dir() / "registry")
    train = lifecycle.split_frame(splits, "train")[["text", "label"]]
    return lifecycle.train_and_register(registry, config, splits, train, role="baseline", parent=None)


def test_known_scores_are_the_scores_and_only_missing_texts_are_scored(world, champion):
    config, splits = world
    classifier = lifecycle.load_classifier(champion, config)
    variants = attack_runner.build_family_variants(splits, config.attack, "character")
    table = score_family(classifier, variants, family="character", model_version=champion.version)
    assert set(table["reading"]) == {DEPLOYED, COMPARISON}
    assert table[table["reading"] == DEPLOYED]["text"].is_unique
    known = scored_classifier(classifier, [table], model_version=champion.version)
    texts = variants["text"].tolist()
    deployed = table[table["reading"] == DEPLOYED].set_index("text")["score"]
    np.testing.assert_array_equal(known.predict_proba(texts), deployed.loc[texts].to_numpy())
    np.testing.assert_allclose(known.predict_proba(texts), classifier.predict_proba(texts), atol=1e-5)
    # A text the table does not hold is scored (clean test texts, the adaptive attack's queries).
    clean = lifecycle.split_frame(splits, "test")["text"].tolist()[:20]
    mixed = clean + texts[:5]
    np.testing.assert_allclose(known.predict_proba(mixed), classifier.predict_proba(mixed), atol=1e-5)
    # The comparison reading answers from its own rows, not from the deployed ones.
    from adversarial_mlops.judging.evaluation import comparison_reading

    other = comparison_reading(known)
    compared = table[table["reading"] == COMPARISON].set_index("text")["score"]
    np.testing.assert_array_equal(other.predict_proba(compared.index.tolist()), compared.to_numpy())


def test_scores_of_another_model_are_refused(world, champion):
    config, splits = world
    classifier = lifecycle.load_classifier(champion, config)
    variants = attack_runner.build_family_variants(splits, config.attack, "case")
    table = score_family(classifier, variants, family="case", model_version="v9999")
    with pytest.raises(StaleScoresError, match="re-run the family_scores assets"):
        scored_classifier(classifier, [table], model_version=champion.version)


def test_the_evaluation_from_family_scores_decides_as_scoring_everything_itself(world, champion):
    config, splits = world
    # Without the adaptive attack (it queries the model as it goes: nothing to reuse) and with few resamples: faster.
    config = build_config(config_to_dict(config), {"attack.adaptive_sources": 0, "promotion.bootstrap_resamples": 100})
    classifier = lifecycle.load_classifier(champion, config)
    variants = attack_runner.build_attack_variants(splits, config.attack)
    tables = [score_family(classifier, variants[variants["strategy"].map(attack_runner.family_of) == family],
                           family=family, model_version=champion.version) for family in family_names()]
    test = lifecycle.split_frame(splits, "test")
    fresh, reused = (lifecycle.evaluate_version(champion, config, test, variants, f1_at_promotion=None,
                                                classifier=chosen)
                     for chosen in (classifier, scored_classifier(classifier, tables, model_version=champion.version)))
    # Scored in other batches, a score may move in its 7th decimal (padding); nothing it decides moves.
    assert evaluate_gate(fresh, config.quality_gate) == evaluate_gate(reused, config.quality_gate)
    flat_fresh, flat_reused = flatten(fresh), flatten(reused)
    assert flat_fresh.keys() == flat_reused.keys()
    for key, value in flat_fresh.items():
        assert flat_reused[key] == (pytest.approx(value, abs=1e-5) if isinstance(value, float) else value), key


def flatten(value, prefix=""):
    if isinstance(value, dict):
        return {k: v for key, item in value.items() for k, v in flatten(item, f"{prefix}{key}.").items()}
    if isinstance(value, (list, tuple)):
        return {k: v for i, item in enumerate(value) for k, v in flatten(item, f"{prefix}{i}.").items()}
    return {prefix: value}


def test_taking_part_in_a_held_lock_leaves_it_held(tmp_path):
    class Run:
        run_id = "run-a"
        tags: dict = {}

    lock = LoopLock(tmp_path)
    lock.acquire("run-a", mode="in-run")
    with join_loop(None, Run(), build_config({"state_dir": str(tmp_path)}), None):
        assert lock.holder().run_id == "run-a"
    assert lock.holder() is not None and lock.holder().run_id == "run-a"  # the orchestrator still holds it
    lock.release("run-a")


def _evaluation(loop_config, executor: str):
    from adversarial_mlops.dagster_defs.runs import prepare_instance, run_loop

    # Four families' steps with work in them, run side by side, are what is compared.
    summary = run_loop(str(loop_config), {"execution.executor": executor, "execution.max_concurrent": 2,
                                          "attack.strategies": FEW_ATTACKS["strategies"]},
                       selection=UP_TO_EVALUATION)
    assert summary.status == "SUCCESS", summary.failure_message
    instance = prepare_instance(load_config(str(loop_config)))
    run = instance.get_run_by_id(summary.run_id)
    step_pids = {int(record.dagster_event.event_specific_data.metadata["pid"].value)
                 for record in instance.all_logs(summary.run_id)
                 if record.dagster_event is not None and record.dagster_event.event_type_value == "STEP_WORKER_STARTED"}
    return summary.evaluation, int(run.tags[PID_TAG]), step_pids


@pytest.mark.dagster_instance
def test_in_process_and_multiprocess_runs_give_the_same_evaluation(loop_config):
    serial, serial_pid, serial_steps = _evaluation(loop_config, "in_process")
    parallel, parallel_pid, parallel_steps = _evaluation(loop_config, "multiprocess")
    assert serial_pid == parallel_pid == os.getpid() and not serial_steps
    # Every step ran in a process of its own; the run's process (which held the loop lock) ran none.
    assert len(parallel_steps) > len(FAMILIES) and os.getpid() not in parallel_steps
    assert json.dumps(serial, sort_keys=True, default=str) == json.dumps(parallel, sort_keys=True, default=str)
    assert LoopLock(load_config(str(loop_config)).resolved_state_dir()).holder() is None
