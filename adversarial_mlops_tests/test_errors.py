"""The exception hierarchy: an error's meaning (CLI exit 2, HTTP status) comes from its type."""

import pytest

from adversarial_mlops.attacks.base import AttackConfigError
from adversarial_mlops.config import ConfigError
from adversarial_mlops.dagster_defs.io_manager import MissingAssetValueError
from adversarial_mlops.dagster_defs.launcher import LaunchError, LockInfo, LoopAlreadyRunning
from adversarial_mlops.data import DataError
from adversarial_mlops.errors import AdversarialMlopsError
from adversarial_mlops.loop.attack_runner import LeakageError
from adversarial_mlops.models.modeling import ModelLoadError
from adversarial_mlops.models.registry import InvalidRegistryRequest, RegistryError, UnknownVersionError
from adversarial_mlops.models.serving import ChampionUnavailableError, NoChampionError
from adversarial_mlops.models.trainer import TrainingError

EXPECTED_STATUS = [
    (ConfigError("x"), 422), (DataError("x"), 422), (AttackConfigError("x"), 422), (LeakageError("x"), 422),
    (ModelLoadError("x"), 422), (TrainingError("x"), 422), (InvalidRegistryRequest("x"), 422),
    (UnknownVersionError("x"), 404), (MissingAssetValueError("x"), 404),
    (RegistryError("x"), 409), (LoopAlreadyRunning(LockInfo("r", None, None, "subprocess", 0.0)), 409),
    (LaunchError("x"), 503), (NoChampionError("x"), 503), (ChampionUnavailableError("x"), 503),
]


@pytest.mark.parametrize("error, status", EXPECTED_STATUS, ids=lambda v: type(v).__name__ if isinstance(v, Exception) else str(v))
def test_every_project_error_carries_its_http_status(error, status):
    assert isinstance(error, AdversarialMlopsError) and error.http_status == status


def test_invalid_input_stays_a_value_error_for_callers_that_catch_it():
    assert isinstance(ConfigError("x"), ValueError) and isinstance(UnknownVersionError("x"), LookupError)


@pytest.mark.parametrize("error", [MissingAssetValueError("no stored value; run the whole loop first"),
                                   LaunchError("could not start the loop run"),
                                   NoChampionError("no champion yet; run the loop")], ids=lambda e: type(e).__name__)
def test_cli_prints_any_project_error_as_one_line(error, monkeypatch, capsys):
    # These three were missing from the CLI's old hand-kept list of error names.
    from adversarial_mlops import cli

    def fail(args):
        raise error

    monkeypatch.setattr(cli, "cmd_attack", fail)
    assert cli.main(["attack", "--list"]) == 2
    err = capsys.readouterr().err
    assert err == f"error: {error}\n"


def test_cli_lets_a_bug_keep_its_traceback(monkeypatch):
    from adversarial_mlops import cli

    def fail(args):
        raise KeyError("a bug")

    monkeypatch.setattr(cli, "cmd_attack", fail)
    with pytest.raises(KeyError):
        cli.main(["attack", "--list"])
