"""bench/loop.py's ``stored_version``: how the loop, recipe and generalisation benches name a stored model
(a state dir's champion, its newest version, or one registry version folder), and a missing path."""

import importlib.util
from pathlib import Path

import pytest

from adversarial_mlops.models.registry import ModelRegistry

BENCH_LOOP = Path(__file__).resolve().parent.parent / "bench" / "loop.py"


@pytest.fixture(scope="module")
def stored_version():
    spec = importlib.util.spec_from_file_location("bench_loop", BENCH_LOOP)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.stored_version


def register(registry):
    return registry.register(lambda directory: (directory / "model.bin").write_text("weights"),
                             metrics={"f1": 0.9}, info={"role": "baseline"}).version


@pytest.fixture
def state(tmp_path):
    registry = ModelRegistry(tmp_path / "registry")
    first, second = register(registry), register(registry)
    return tmp_path, registry, first, second


def test_a_state_dir_names_its_champion_not_its_newest_version(stored_version, state):
    directory, registry, first, second = state
    registry.promote(first, reason="test")
    assert stored_version(directory).version == first
    assert stored_version(directory, newest_if_no_champion=True).version == first


def test_a_state_without_champion_names_nothing_unless_the_newest_is_asked_for(stored_version, state):
    directory, _, _, second = state
    assert stored_version(directory) is None
    assert stored_version(directory, newest_if_no_champion=True).version == second


def test_a_version_folder_names_that_version_even_when_another_is_champion(stored_version, state):
    directory, registry, first, second = state
    registry.promote(second, reason="test")
    assert stored_version(directory / "registry" / "versions" / first).version == first


def test_a_missing_path_is_named_in_the_error(stored_version, tmp_path):
    with pytest.raises(SystemExit, match="no such directory"):
        stored_version(tmp_path / "absent")
    assert not (tmp_path / "absent").exists()
