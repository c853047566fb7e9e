"""The sealed holdout: reported in every evaluation report and A/B record, never read by a decision.

Two copies of the same splits differ only in the holdout (its texts edited, its labels flipped).
Calibration, early stopping, the gate and the A/B decision must come out identical; only the
``holdout`` blocks may differ — and they must, or the holdout would not be measured at all.
"""

import pandas as pd
import pytest

from adversarial_mlops import data
from adversarial_mlops.config import load_config
from adversarial_mlops.judging.quality_gate import evaluate_gate
from adversarial_mlops.loop import attack_runner, lifecycle
from adversarial_mlops.models.registry import ModelRegistry
from adversarial_mlops_tests.conftest import FEW_ATTACKS, write_loop_config


def with_other_holdout(splits: pd.DataFrame) -> pd.DataFrame:
    holdout = splits["split"] == "holdout"
    changed = splits.copy()
    changed.loc[holdout, "text"] = changed.loc[holdout, "text"] + " P.S. the canteen opens at noon."
    changed.loc[holdout, "label"] = 1 - changed.loc[holdout, "label"]
    return changed


def without(mapping: dict, key: str) -> dict:
    return {k: v for k, v in mapping.items() if k != key}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    directory = tmp_path_factory.mktemp("holdout")
    config = load_config(write_loop_config(directory, attack=FEW_ATTACKS))
    splits = data.load_splits(config.data)
    registry = ModelRegistry(config.resolved_state_dir() / "registry")
    train = lifecycle.split_frame(splits, "train")[["text", "label"]]
    champion = lifecycle.train_and_register(registry, config, splits, train, role="baseline", parent=None)
    variants = attack_runner.build_attack_variants(splits, config.attack)
    mined = variants[variants["purpose"] == attack_runner.TRAINING][["text", "label"]]
    challenger = lifecycle.train_and_register(registry, config, splits, pd.concat([train, mined]),
                                              role="challenger", parent=champion.version)
    return config, splits, with_other_holdout(splits), registry, champion, challenger


def test_calibration_and_early_stopping_never_read_the_holdout(world):
    config, splits, other, registry, champion, _ = world
    assert (other["split"] == "holdout").any() and not other.equals(splits)
    again = lifecycle.train_and_register(registry, config, other, lifecycle.split_frame(other, "train")[["text", "label"]],
                                         role="baseline", parent=None)
    assert again.metrics["operating_point"] == champion.metrics["operating_point"]
    assert again.metrics["best_validation_f1"] == champion.metrics["best_validation_f1"]
    assert champion.metrics["operating_point"]["target_fpr"] == config.model.target_fpr


def test_the_gate_decides_the_same_and_the_report_shows_each_holdout(world):
    config, splits, other, _, champion, _ = world
    reports = [lifecycle.evaluate_version(champion, config, lifecycle.split_frame(frame, "test"),
                                          attack_runner.build_attack_variants(frame, config.attack), f1_at_promotion=None,
                                          holdout=lifecycle.split_frame(frame, "holdout"))
               for frame in (splits, other)]
    assert evaluate_gate(reports[0], config.quality_gate) == evaluate_gate(reports[1], config.quality_gate)
    assert without(reports[0], "holdout") == without(reports[1], "holdout")
    first, second = reports[0]["holdout"], reports[1]["holdout"]
    assert first["clean"] != second["clean"] and first["n_texts"] == second["n_texts"] > 0
    assert first["evasion"]["by_strategy"] and first["operating_point"]["threshold"] == champion.metrics[
        "operating_point"]["threshold"]


def test_the_ab_decides_the_same_and_records_each_holdout(world):
    config, splits, other, _, champion, challenger = world
    decisions = [lifecycle.run_ab_test(champion, challenger, config, frame,
                                       attack_runner.build_ab_variants(frame, config.attack))
                 for frame in (splits, other)]
    assert decisions[0].promote == decisions[1].promote and decisions[0].reasons == decisions[1].reasons
    assert without(decisions[0].statistics, "holdout") == without(decisions[1].statistics, "holdout")
    first, second = decisions[0].statistics["holdout"], decisions[1].statistics["holdout"]
    assert first["challenger_clean"] != second["challenger_clean"] and "no decision" in first["sealed"]
    # The adaptive attack ran against both models on A/B sources, and the table lists it.
    assert "adaptive" in decisions[0].statistics["evasion_by_family"]
    assert decisions[0].statistics["n_adaptive_sources"] > 0
    # Beside the families, per strategy (recorded, not decided on), on test and on the holdout alike.
    by_strategy = decisions[0].statistics["evasion_by_strategy"]
    assert by_strategy and sum(row["n_variants"] for row in by_strategy.values()) == decisions[0].statistics["n_variants"]
    assert all(row["families"] for row in by_strategy.values()) and first["evasion_by_strategy"]
