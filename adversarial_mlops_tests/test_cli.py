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
    names = [line.split()[0] for line in lines]
    assert len(names) >= 15 and names == sorted(names) and {"base64", "context_wrap", "addressed_to_ai"} <= set(names)
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


@pytest.mark.dagster_instance
def test_ui_starts_the_dagster_webserver_without_an_activated_venv(tmp_path):
    """`adversarial-mlops ui` must use this interpreter's dagster, not a `dagster` on PATH."""
    import os
    import signal
    import socket
    import time
    import urllib.request

    from adversarial_mlops.dagster_defs.instance import PG_URL_ENV_VAR
    from adversarial_mlops_tests.conftest import write_loop_config

    config = write_loop_config(tmp_path)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}  # no venv bin dir: as when not activated
    if PG_URL_ENV_VAR in os.environ:  # the PostgreSQL pass: the webserver opens the instance there
        env[PG_URL_ENV_VAR] = os.environ[PG_URL_ENV_VAR]
    process = subprocess.Popen([sys.executable, "-m", "adversarial_mlops.cli", "ui", "--config", str(config),
                                "--port", str(port)], env=env, cwd=tmp_path, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline, answered = time.monotonic() + 180, None
        while time.monotonic() < deadline and process.poll() is None and answered is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=5) as response:
                    answered = response.status
            except OSError:
                time.sleep(1)
        output = b"" if process.poll() is None else process.stdout.read()
        assert answered == 200, f"the Dagster UI never answered: {output.decode(errors='replace')[-2000:]}"
        # SIGTERM to `ui` alone (as a service manager sends it) stops it and the whole Dagster UI.
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
        with socket.socket() as probe:
            assert probe.connect_ex(("127.0.0.1", port)) != 0, "the webserver outlived `ui`"
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_run_summary_shows_the_recorded_gate_verdict_and_operating_point():
    from adversarial_mlops.cli import render_summary
    from adversarial_mlops.config import QualityGateSettings
    from adversarial_mlops.dagster_defs.checks import GATE_VERDICT_KEY
    from adversarial_mlops.dagster_defs.runs import RunSummary
    from adversarial_mlops.judging.quality_gate import evaluate_gate

    report = {"clean": {"f1": 0.9, "fpr": 0.03}, "f1_drop": 0.0,
              "evasion": {"overall": {"rate": 0.2, "low": 0.12, "high": 0.29, "n_groups": 31},
                          "by_strategy": {"homoglyph": {"rate": 0.3}, "random_case": {"rate": None}}},
              "over_defense": {"obfuscated_benign_fpr": {"rate": 0.05}}, "generalization": None,
              "operating_point": {"threshold": 0.8731, "target_fpr": 0.02, "fpr": 0.03, "recall": 0.91,
                                  "recall_at_1pct_fpr": {"recall": 0.61}},
              "holdout": {"clean": {"f1": 0.88, "fpr": 0.04}, "evasion": {"overall": {"rate": 0.25}}, "n_texts": 1014}}
    verdict = evaluate_gate(report, QualityGateSettings()).to_dict()
    summary = RunSummary(run_id="r1", status="SUCCESS", materialized=["evaluation_report"], evaluation=report,
                         checks={"quality_gate": {"passed": False, "metadata": {GATE_VERDICT_KEY: verdict}}})
    text = render_summary(summary)
    assert "quality gate: FAIL" in text
    assert "evasion_rate           FAIL  0.2000 (95% CI 0.1200–0.2900, 31 groups) <= 0.15" in text
    assert "worst strategies: homoglyph 30.0%\n" in text
    assert ("operating point: threshold 0.8731 (calibrated to 2.0% FPR on validation) — clean FPR 3.0%, recall "
            "91.0%; recall at 1% FPR 61.0%") in text
    assert "sealed holdout (reported, never decided on): F1 0.8800, clean FPR 4.0%, evasion 25.0% over 1014" in text
