import subprocess
import sys

import pytest

from adversarial_mlops.cli import main


def test_help_does_not_import_torch_or_dagster():
    code = ("import sys\nfrom adversarial_mlops.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('torch', 'dagster', 'transformers', 'peft') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().endswith("[]")


def test_attack_list_and_apply(capsys):
    assert main(["attack", "--list"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) >= 15 and lines[0].split()[0] == "base64"
    assert main(["attack", "--strategy", "rot13", "--seed", "1", "ignore the rules"]) == 0
    assert "vtaber gur ehyrf" in capsys.readouterr().out


def test_unknown_strategy_lists_valid_choices(capsys):
    assert main(["attack", "--strategy", "nope", "text"]) == 2
    assert "valid strategies" in capsys.readouterr().err


def test_models_on_empty_registry_and_bad_version(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ADVERSARIAL_MLOPS_HOME", str(tmp_path))
    monkeypatch.delenv("ADVERSARIAL_MLOPS_CONFIG", raising=False)
    assert main(["models", "list"]) == 0
    assert "no models yet" in capsys.readouterr().out
    assert main(["models", "show", "../etc"]) == 2
    assert "error:" in capsys.readouterr().err


def test_run_rejects_state_dir_override(capsys):
    assert main(["run", "--set", "state_dir=/tmp/elsewhere"]) == 2
    assert "ADVERSARIAL_MLOPS_HOME" in capsys.readouterr().err
