"""``training.challenger_start``: a challenger trains from the base model, or from its parent's weights."""

from __future__ import annotations

import numpy as np
import pytest

from adversarial_mlops import data
from adversarial_mlops.config import load_config
from adversarial_mlops.loop import lifecycle
from adversarial_mlops.models.registry import ModelRegistry
from adversarial_mlops_tests.conftest import write_loop_config


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    config = load_config(write_loop_config(tmp_path_factory.mktemp("start")))
    splits = data.load_splits(config.data)
    registry = ModelRegistry(config.resolved_state_dir() / "registry")
    train = lifecycle.split_frame(splits, "train")[["text", "label"]]
    champion = lifecycle.train_and_register(registry, config, splits, train, role="baseline", parent=None)
    return config, splits, registry, train, champion


def _challenger(world, start: str):
    """A challenger trained one epoch at a learning rate too small to move any weight: it scores as
    whatever it started from."""
    config, splits, registry, train, champion = world
    frozen = config.training.model_copy(update={"challenger_start": start, "epochs": 1, "learning_rate": 1e-12})
    config = config.model_copy(update={"training": frozen})
    return lifecycle.train_and_register(registry, config, splits, train, role="challenger", parent=champion.version)


def _scores(version, world) -> np.ndarray:
    config, splits = world[0], world[1]
    texts = lifecycle.split_frame(splits, "test")["text"].tolist()[:40]
    return lifecycle.load_classifier(version, config).predict_proba(texts)


def test_a_challenger_starts_from_its_champions_weights_only_when_configured(world):
    champion = world[4]
    from_champion, from_base = _challenger(world, "champion"), _challenger(world, "base_model")
    assert (from_champion.info["started_from"], from_base.info["started_from"]) == (champion.version, "base_model")
    reference = _scores(champion, world)
    np.testing.assert_allclose(_scores(from_champion, world), reference, atol=1e-4)
    # The base model's fresh head scores otherwise (measured 0.047 to 0.39 apart, the low end where the tiny
    # champion learned little: its run-to-run spread is wide).
    assert np.abs(_scores(from_base, world) - reference).max() > 0.01
