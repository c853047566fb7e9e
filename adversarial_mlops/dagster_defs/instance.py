"""The Dagster instance every face shares: its ``dagster.yaml``, on SQLite or PostgreSQL.

The instance lives in ``$DAGSTER_HOME`` or ``<state_dir>/dagster_home``; the CLI's runs, the REST
API's launcher and its workers, and ``adversarial-mlops ui`` (``dagster dev``) all open it from
there. Its storage is chosen by the environment:

* ``ADVERSARIAL_MLOPS_DAGSTER_PG_URL`` set: runs, event logs and schedules live in that PostgreSQL
  database (dagster-postgres). The ``dagster.yaml`` names the variable (``postgres_url: {env: ...}``)
  instead of holding the URL: the password stays out of files, and every process reading the file
  (run workers, ``dagster dev``, a webserver or daemon started by hand) reads the one variable.
* unset: SQLite files under the home (Dagster's default).

A ``dagster.yaml`` without the ``WRITTEN_BY`` line is the user's own: it is used as it is and never
rewritten. One we wrote is rewritten when the chosen storage changes, with a warning (runs stored
in the other backend stay there and are no longer shown).

Dagster, SQLAlchemy and the driver are imported inside functions: importing this module stays cheap.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import os
import re
from pathlib import Path
from types import MappingProxyType

from adversarial_mlops.config import ConfigError, PipelineConfig
from adversarial_mlops.errors import UnavailableError
from adversarial_mlops.storage.atomic_io import atomic_write_text, exclusive_lock

log = logging.getLogger(__name__)

PG_URL_ENV_VAR = "ADVERSARIAL_MLOPS_DAGSTER_PG_URL"
WRITTEN_BY = "Written by adversarial_mlops"
SQLITE = "SQLite"
POSTGRES = "PostgreSQL"
USERS_OWN = "the user's own dagster.yaml"
# SQLAlchemy 2.1 reads a bare postgresql:// as psycopg 3, which is not installed; dagster-postgres
# brings psycopg2. So the URL has to name that driver.
PG_DRIVER = "postgresql+psycopg2"
URL_EXAMPLE = f"{PG_DRIVER}://USER:PASSWORD@HOST:5432/DATABASE"
CONNECT_TIMEOUT_S = 10
# The advisory-lock key every process of this project takes while opening a PostgreSQL instance
# (a bigint the database scopes to itself): crc32 of "adversarial_mlops dagster schema".
SCHEMA_LOCK_KEY = 0x39574C6D

_HEADER = f"""\
# {WRITTEN_BY} (storage: {{backend}}). Rewritten when
# {PG_URL_ENV_VAR} is set or unset; to keep your own edits, delete
# the first line (a file without it is used as it is).
"""
_STORAGE = MappingProxyType({
    SQLITE: "",  # no storage section: Dagster's SQLite files under this directory
    POSTGRES: f"""\
# Runs, event logs and schedules in PostgreSQL. The URL (with its password) stays in the
# environment: every process that opens this instance needs {PG_URL_ENV_VAR} set.
storage:
  postgres:
    postgres_url:
      env: {PG_URL_ENV_VAR}
""",
})
_COMMON = """\
# Runs launched from the UI or API start at once (no daemon needed); telemetry stays off.
run_coordinator:
  module: dagster._core.run_coordinator
  class: DefaultRunCoordinator
telemetry:
  enabled: false
"""


class InstanceUnavailableError(UnavailableError):
    """The Dagster instance's storage cannot be reached or opened."""


def instance_yaml(backend: str) -> str:
    """The ``dagster.yaml`` we write for ``backend`` (SQLITE or POSTGRES)."""
    return _HEADER.format(backend=backend) + _STORAGE[backend] + _COMMON


def dagster_home(config: PipelineConfig) -> Path:
    """$DAGSTER_HOME if set, else <local_dir>/dagster_home (<state_dir>/dagster_home when state_dir is a
    folder) — shared by CLI, API and `dagster dev`."""
    return Path(os.environ.get("DAGSTER_HOME") or config.resolved_local_dir() / "dagster_home").resolve()


def pg_url_from_env() -> str | None:
    return os.environ.get(PG_URL_ENV_VAR, "").strip() or None


def mask_password(url: str) -> str:
    """``url`` with the password of its user-info part replaced by ***, for messages."""
    return re.sub(r"(//[^/@:]*:)[^@/]*@", r"\1***@", url)


def _backend_of(text: str) -> str:
    """Which storage a dagster.yaml of ours configures (a file from before this module: SQLite)."""
    import yaml

    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError:
        return "an unreadable configuration"
    storage = data.get("storage") if isinstance(data, dict) else None
    return POSTGRES if isinstance(storage, dict) and "postgres" in storage else SQLITE


def is_users_own(home: Path) -> bool:
    """True when ``home`` holds a dagster.yaml we did not write."""
    path = home / "dagster.yaml"
    return path.exists() and WRITTEN_BY not in path.read_text(encoding="utf-8")


def ensure_instance_yaml(home: Path, pg_url: str | None) -> str:
    """Write (or rewrite) our ``dagster.yaml`` for the storage ``pg_url`` chooses; returns the storage
    in effect: POSTGRES, SQLITE or USERS_OWN. Call it holding the home's init lock."""
    path = home / "dagster.yaml"
    backend = POSTGRES if pg_url else SQLITE
    wanted = instance_yaml(backend)
    current = path.read_text(encoding="utf-8") if path.exists() else None
    if current is not None and WRITTEN_BY not in current:
        if pg_url:
            log.warning("%s is set, but %s is your own (no %r line): it is used as it is. Fix: add its "
                        "storage yourself, or delete the file to let adversarial_mlops write one",
                        PG_URL_ENV_VAR, path, WRITTEN_BY)
        return USERS_OWN
    if current == wanted:
        return backend
    if current is not None and _backend_of(current) != backend:
        log.warning("Dagster instance %s: storage switched from %s to %s (%s is %s); runs stored in %s stay "
                    "there and are no longer shown", home, _backend_of(current), backend, PG_URL_ENV_VAR,
                    "set" if pg_url else "unset", _backend_of(current))
    atomic_write_text(path, wanted)
    return backend


def check_pg_url(url: str):
    """The parsed SQLAlchemy URL, or ConfigError naming the variable, what is wrong and the fix."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    def refuse(problem: str, fix: str = f"set it to {URL_EXAMPLE}") -> ConfigError:
        return ConfigError(f"{PG_URL_ENV_VAR}={mask_password(url)!r} {problem}. Fix: {fix}, or unset it to keep the "
                           f"Dagster instance in SQLite files")

    try:
        parsed = make_url(url)
    except ArgumentError:
        raise refuse("is not a database URL") from None
    if parsed.get_backend_name() not in ("postgresql", "postgres"):
        raise refuse(f"names the database {parsed.get_backend_name()!r}, not PostgreSQL")
    if parsed.drivername != PG_DRIVER:
        fixed = parsed.set(drivername=PG_DRIVER).render_as_string(hide_password=True)
        raise refuse(f"names the driver {parsed.drivername!r}; SQLAlchemy 2.1 reads a bare postgresql:// as "
                     f"psycopg 3, which is not installed (dagster-postgres brings psycopg2)", f"write it {fixed}")
    if not parsed.host or not parsed.database:
        raise refuse("names no host or no database")
    return parsed


def check_pg_reachable(url: str) -> None:
    """Connect once, so an unreachable server or a wrong password is one clear error, not
    dagster-postgres's retries and a SQLAlchemy traceback."""
    import sqlalchemy

    parsed = check_pg_url(url)
    if importlib.util.find_spec("dagster_postgres") is None:  # Dagster would only say "Couldn't import module"
        raise InstanceUnavailableError(f"{PG_URL_ENV_VAR} is set but dagster-postgres is not installed. Fix: "
                                       "`make install`, or pip install dagster-postgres psycopg2-binary")
    try:
        engine = _pg_engine(parsed)
        with engine.connect():
            pass
    except ModuleNotFoundError as error:
        raise InstanceUnavailableError(f"{PG_URL_ENV_VAR} is set but the driver is missing ({error}). Fix: "
                                       "`make install`, or pip install psycopg2-binary dagster-postgres") from None
    except sqlalchemy.exc.OperationalError as error:
        raise InstanceUnavailableError(
            f"cannot connect to the PostgreSQL server of {PG_URL_ENV_VAR} "
            f"({parsed.render_as_string(hide_password=True)}): {_driver_message(error)}. Fix: start the server, "
            f"or correct host, port, user, password or database in {PG_URL_ENV_VAR} (the database must exist: "
            f"createdb), or unset it to keep the Dagster instance in SQLite files") from None


def _pg_engine(parsed_url):
    """A SQLAlchemy engine for one short connection: no pool, the connect timeout above."""
    import sqlalchemy
    from sqlalchemy.pool import NullPool

    return sqlalchemy.create_engine(parsed_url, poolclass=NullPool, connect_args={"connect_timeout": CONNECT_TIMEOUT_S})


def _driver_message(error: BaseException) -> str:
    """The driver's own words, on one line, without SQLAlchemy's statement and link."""
    original = getattr(error, "orig", None) or error.__cause__ or error
    return mask_password(" ".join(str(original).split()))


def open_instance(home: str | os.PathLike):
    """DagsterInstance.from_config(home), with a storage that cannot be reached or imported
    reported as one InstanceUnavailableError (the run worker opens its instance this way)."""
    from dagster import DagsterInstance

    try:
        return DagsterInstance.from_config(str(home))
    except ModuleNotFoundError as error:
        raise InstanceUnavailableError(f"the Dagster instance in {home} needs a module that is not installed "
                                       f"({error}). Fix: `make install`, or pip install dagster-postgres "
                                       "psycopg2-binary") from None
    except Exception as error:
        if _postgres_unreachable(error):
            raise InstanceUnavailableError(
                f"cannot open the Dagster instance in {home}: its PostgreSQL database is unreachable "
                f"({_driver_message(error)}). Fix: start the database server or correct {PG_URL_ENV_VAR} (or the "
                f"storage in {Path(home) / 'dagster.yaml'})") from None
        raise


def _postgres_unreachable(error: BaseException) -> bool:
    """psycopg2 could not connect, or dagster-postgres spent its connection retries. A SQLite
    OperationalError (a locked or damaged file) is no connection problem: it keeps its traceback."""
    import sqlalchemy

    try:
        import psycopg2
        from dagster_postgres.utils import DagsterPostgresException
    except ImportError:  # without them installed, no PostgreSQL storage can have failed
        return False
    return isinstance(error, DagsterPostgresException) or (
        isinstance(error, sqlalchemy.exc.OperationalError) and isinstance(error.orig, psycopg2.Error))


def prepare_instance(config: PipelineConfig):
    """Open the Dagster instance, writing its dagster.yaml and initialising its storage once, under a lock.

    Several processes creating a fresh SQLite instance at the same moment corrupt it (two alembic
    heads), so the first one creates the schema while the others wait; the same lock orders the
    schema creation of processes sharing this home on PostgreSQL.
    """
    home = dagster_home(config)
    home.mkdir(parents=True, exist_ok=True)
    pg_url = pg_url_from_env()
    with exclusive_lock(home / ".init.lock"):
        if pg_url and not is_users_own(home):
            check_pg_reachable(pg_url)  # before switching the file: a mistyped URL changes nothing
        backend = ensure_instance_yaml(home, pg_url)
        with pg_schema_lock(pg_url if backend == POSTGRES else None):
            instance = open_instance(home)
            instance.get_runs(limit=1)  # touches run storage: creates the schema while we hold the lock
    return instance


@contextlib.contextmanager
def pg_schema_lock(url: str | None):
    """Hold a PostgreSQL advisory lock on ``url``'s database (nothing when ``url`` is None).

    Processes with different homes share one database but not the home's file lock. Without this,
    one process can find no tables, create them and run Dagster's data migrations while another,
    finding the tables already there, has started a run: the migration then reads that run through a
    storage not yet attached to its instance ("Attempted to resolve undefined DagsterInstance
    weakref", seen in CI). Holding one lock per database while opening the storage orders them.
    """
    if url is None:
        yield
        return
    import sqlalchemy

    engine = _pg_engine(check_pg_url(url))
    try:
        with engine.connect() as connection:
            # Session-level: released by the unlock below, or by the server if this process dies.
            connection.execute(sqlalchemy.text("SELECT pg_advisory_lock(:key)"), {"key": SCHEMA_LOCK_KEY})
            connection.commit()
            try:
                yield
            finally:
                connection.execute(sqlalchemy.text("SELECT pg_advisory_unlock(:key)"), {"key": SCHEMA_LOCK_KEY})
                connection.commit()
    finally:
        engine.dispose()
