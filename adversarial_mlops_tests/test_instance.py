"""The Dagster instance: its dagster.yaml (SQLite or PostgreSQL, chosen by the environment), clear
errors for a bad or unreachable database, runs really stored in PostgreSQL, concurrent starts.

Tests marked ``dagster_instance`` run in both CI passes; under scripts/with_postgres.sh each gets
a fresh database (conftest.dagster_instance_database). Those that need a server skip without one.
"""

import logging
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml

from .conftest import write_loop_config

from adversarial_mlops.cli import main
from adversarial_mlops.config import ConfigError, load_config
from adversarial_mlops.dagster_defs.instance import (
    PG_URL_ENV_VAR,
    POSTGRES,
    SCHEMA_LOCK_KEY,
    SQLITE,
    USERS_OWN,
    InstanceUnavailableError,
    check_pg_url,
    ensure_instance_yaml,
    open_instance,
    prepare_instance,
)

PROJECT = Path(__file__).resolve().parent.parent
SECRET = "s3cret-Pw"
URL = f"postgresql+psycopg2://dagster:{SECRET}@db.example:5432/dagster"
NEEDS_SERVER = "needs a PostgreSQL server: run under scripts/with_postgres.sh, which sets " + PG_URL_ENV_VAR


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def storage_warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name.endswith("instance") and r.levelno == logging.WARNING]


# --------------------------------------------------------------------------- dagster.yaml

def test_the_yaml_follows_the_variable_and_never_holds_the_password(tmp_path, monkeypatch, caplog):
    from dagster._config import process_config, resolve_to_config_type
    from dagster._core.instance.ref import InstanceRef
    from dagster_postgres import DagsterPostgresStorage
    from dagster_postgres.utils import pg_url_from_config

    home = tmp_path / "home"
    home.mkdir()
    path = home / "dagster.yaml"
    caplog.set_level(logging.INFO)

    assert ensure_instance_yaml(home, None) == SQLITE
    assert "storage" not in yaml.safe_load(path.read_text()) and not storage_warnings(caplog)

    assert ensure_instance_yaml(home, URL) == POSTGRES
    text = path.read_text()
    assert SECRET not in text and "db.example" not in text  # the URL stays in the environment
    assert yaml.safe_load(text)["storage"] == {"postgres": {"postgres_url": {"env": PG_URL_ENV_VAR}}}
    assert any("from SQLite to PostgreSQL" in m for m in storage_warnings(caplog)), caplog.text
    # Read as Dagster reads it (without connecting): dagster-postgres's storage at the variable's URL.
    monkeypatch.setenv(PG_URL_ENV_VAR, URL)
    storage = InstanceRef.from_dir(str(home)).storage_data
    assert (storage.module_name, storage.class_name) == ("dagster_postgres", "DagsterPostgresStorage")
    processed = process_config(resolve_to_config_type(DagsterPostgresStorage.config_type()),
                               yaml.safe_load(storage.config_yaml))
    assert processed.success and pg_url_from_config(processed.value) == URL

    caplog.clear()
    assert ensure_instance_yaml(home, URL) == POSTGRES and not storage_warnings(caplog)  # unchanged: no word
    assert ensure_instance_yaml(home, None) == SQLITE
    assert "storage" not in yaml.safe_load(path.read_text())
    assert any("from PostgreSQL to SQLite" in m for m in storage_warnings(caplog)), caplog.text


def test_a_dagster_yaml_of_an_earlier_version_of_ours_is_regenerated(tmp_path, caplog):
    home = tmp_path
    (home / "dagster.yaml").write_text("# Written by adversarial_mlops on first use.\n"
                                       "telemetry:\n  enabled: false\n")
    assert ensure_instance_yaml(home, URL) == POSTGRES
    assert "postgres" in yaml.safe_load((home / "dagster.yaml").read_text())["storage"]
    assert any("from SQLite to PostgreSQL" in m for m in storage_warnings(caplog))


def test_a_dagster_yaml_of_the_users_own_is_never_rewritten(tmp_path, caplog):
    own = "# my team's instance\ntelemetry:\n  enabled: true\n"
    (tmp_path / "dagster.yaml").write_text(own)
    assert ensure_instance_yaml(tmp_path, None) == USERS_OWN
    assert ensure_instance_yaml(tmp_path, URL) == USERS_OWN
    assert (tmp_path / "dagster.yaml").read_text() == own
    assert any(PG_URL_ENV_VAR in m and "your own" in m for m in storage_warnings(caplog)), caplog.text


# ------------------------------------------------------------------------------- errors

@pytest.mark.parametrize("url, fragment", [
    ("not a url at all", "is not a database URL"),
    (f"mysql://root:{SECRET}@db/dagster", "not PostgreSQL"),
    (f"postgresql://dagster:{SECRET}@db:5432/dagster", "write it postgresql+psycopg2://dagster:***@db:5432/dagster"),
    (f"postgres://dagster:{SECRET}@db/dagster", "names the driver 'postgres'"),
    (f"postgresql+psycopg2://dagster:{SECRET}@db:5432", "no host or no database"),
])
def test_a_bad_url_is_refused_naming_the_variable_and_the_fix(url, fragment):
    with pytest.raises(ConfigError) as refused:
        check_pg_url(url)
    message = str(refused.value)
    assert PG_URL_ENV_VAR in message and "Fix:" in message and fragment in message, message
    assert SECRET not in message


def test_an_unreachable_server_is_one_line_from_run_ui_and_serve(tmp_path, monkeypatch, capsys):
    config = write_loop_config(tmp_path)
    url = f"postgresql+psycopg2://dagster:{SECRET}@127.0.0.1:{closed_port()}/dagster"
    home = tmp_path / "dagster_home"
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    prepare_instance(load_config(config))  # a SQLite instance first
    monkeypatch.setenv(PG_URL_ENV_VAR, url)

    with pytest.raises(InstanceUnavailableError, match="Connection refused"):
        prepare_instance(load_config(config))
    assert "storage" not in yaml.safe_load((home / "dagster.yaml").read_text())  # not switched to that URL
    # A run worker opens the home directly: past dagster-postgres's retries, the same kind of error.
    ensure_instance_yaml(home, url)
    with pytest.raises(InstanceUnavailableError, match="PostgreSQL database is unreachable") as unreachable:
        open_instance(home)
    assert PG_URL_ENV_VAR in str(unreachable.value) and SECRET not in str(unreachable.value)
    for argv in (["run", "--config", str(config)], ["ui", "--config", str(config), "--port", str(closed_port())]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith("error: cannot connect to the PostgreSQL server of "
                                                       f"{PG_URL_ENV_VAR}"), err
        assert "Fix:" in err and "Connection refused" in err and SECRET not in err
    # The API server (its own process: building the app configures torch's threads).
    served = subprocess.run([sys.executable, "-m", "adversarial_mlops.cli", "serve", "--config", str(config),
                             "--port", str(closed_port())], capture_output=True, text=True, timeout=300,
                            env=dict(os.environ), cwd=PROJECT)
    assert served.returncode == 2, served.stderr[-3000:]
    assert f"cannot connect to the PostgreSQL server of {PG_URL_ENV_VAR}" in served.stderr
    assert "Traceback" not in served.stderr and SECRET not in served.stderr


# ------------------------------------------------------------- runs stored in PostgreSQL

def _connect(url: str):
    """A psycopg2 connection straight to the database of ``url`` (not through Dagster)."""
    import psycopg2
    from sqlalchemy.engine import make_url

    return psycopg2.connect(**make_url(url).translate_connect_args(username="user", database="dbname"))


def _query(url: str, sql: str, *params):
    connection = _connect(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    finally:
        connection.close()


@pytest.mark.dagster_instance
def test_a_run_is_stored_in_postgresql_when_the_variable_is_set(loop_config, dagster_instance_database,
                                                                 monkeypatch):
    from sqlalchemy.engine import make_url

    from adversarial_mlops.dagster_defs.runs import run_loop

    url = dagster_instance_database
    if url is None:
        pytest.skip(NEEDS_SERVER)
    summary = run_loop(selection=["labeled_dataset"])
    assert summary.status == "SUCCESS" and summary.materialized == ["labeled_dataset"]
    # Straight from PostgreSQL, not through Dagster: the run and its materialization are there.
    assert _query(url, "SELECT status FROM runs WHERE run_id = %s", summary.run_id) == [("SUCCESS",)]
    assert _query(url, "SELECT count(*) FROM event_logs WHERE run_id = %s AND asset_key LIKE %s",
                  summary.run_id, '%labeled_dataset%')[0][0] >= 1
    home = Path(os.environ["DAGSTER_HOME"])
    assert not (home / "history" / "runs.db").exists()  # no SQLite run storage beside it
    password = make_url(url).password
    assert password and password not in (home / "dagster.yaml").read_text()

    # A wrong password is one clear error too.
    monkeypatch.setenv(PG_URL_ENV_VAR, make_url(url).set(password="wrong").render_as_string(hide_password=False))
    with pytest.raises(InstanceUnavailableError, match="password authentication failed"):
        prepare_instance(load_config(None))


@pytest.mark.dagster_instance
def test_opening_waits_for_the_databases_schema_lock(tmp_path, dagster_instance_database, monkeypatch):
    """Homes that share one database share no file lock: the advisory lock orders their schema creation."""
    url = dagster_instance_database
    if url is None:
        pytest.skip(NEEDS_SERVER)
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    holder = _connect(url)
    holder.autocommit = True
    opened = []
    try:
        with holder.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", (SCHEMA_LOCK_KEY,))
        opener = threading.Thread(target=lambda: opened.append(prepare_instance(load_config(None))), daemon=True)
        opener.start()
        waiting = []
        for _ in range(600):  # until the opener's connection waits on the lock (or 60 s)
            waiting = _query(url, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
            if waiting[0][0] or not opener.is_alive():
                break
            time.sleep(0.1)
        assert waiting == [(1,)] and not opened
        assert _query(url, "SELECT to_regclass('runs')") == [(None,)]  # no schema created behind the lock
    finally:
        with holder.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", (SCHEMA_LOCK_KEY,))
        holder.close()
    opener.join(timeout=120)
    assert len(opened) == 1 and _query(url, "SELECT to_regclass('runs')") == [("runs",)]


# ------------------------------------------------------------------ concurrent starts

STARTER = """
import sys, time
from pathlib import Path

import dagster as dg

from adversarial_mlops.config import build_config
from adversarial_mlops.dagster_defs.instance import prepare_instance

@dg.op
def step():
    return 1

@dg.job
def trivial():
    step()

ready, go = Path(sys.argv[1]), Path(sys.argv[2])
ready.touch()
while not go.exists():  # every process imported Dagster already: they open the instance together
    time.sleep(0.01)
instance = prepare_instance(build_config({"state_dir": sys.argv[3]}))
sys.exit(0 if trivial.execute_in_process(instance=instance).success else 1)
"""


@pytest.mark.dagster_instance
@pytest.mark.parametrize("homes", ["shared", "one per process"])
def test_processes_starting_runs_at_once_on_a_fresh_instance(tmp_path, dagster_instance_database, homes):
    from dagster import DagsterInstance

    if homes == "one per process" and dagster_instance_database is None:
        pytest.skip("separate homes share runs only through one database: " + NEEDS_SERVER)
    count = 4
    go = tmp_path / "go"
    home_of = [tmp_path / ("home" if homes == "shared" else f"home{i}") for i in range(count)]
    ready = [tmp_path / f"ready{i}" for i in range(count)]
    starters = [subprocess.Popen([sys.executable, "-c", STARTER, str(ready[i]), str(go), str(tmp_path / "state")],
                                 env={**os.environ, "DAGSTER_HOME": str(home)}, cwd=PROJECT, text=True,
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for i, home in enumerate(home_of)]
    # Start them together once all have imported Dagster (or one has died: its output says why).
    while not all(path.exists() for path in ready) and all(p.poll() is None for p in starters):
        time.sleep(0.05)
    go.touch()
    outputs = [p.communicate(timeout=300)[0] for p in starters]
    assert [p.returncode for p in starters] == [0] * count, "\n".join(o[-2000:] for o in outputs)

    instance = DagsterInstance.from_config(str(home_of[0]))
    assert [run.status.value for run in instance.get_runs()] == ["SUCCESS"] * count
    if dagster_instance_database is None:
        import sqlite3

        with sqlite3.connect(home_of[0] / "history" / "runs.db") as db:
            heads = db.execute("SELECT version_num FROM alembic_version").fetchall()
    else:
        heads = _query(dagster_instance_database, "SELECT version_num FROM alembic_version")
    assert len(heads) == 1, heads  # one schema history (the corruption seen on SQLite: two heads)
