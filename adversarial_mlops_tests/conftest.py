"""Shared fixtures: a small, fast loop configuration on the tiny self-built model, and a fresh
PostgreSQL database per test (or per module's shared loops) when the suite runs under
scripts/with_postgres.sh."""

import os
import tempfile
import threading
import uuid
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest
import yaml

from adversarial_mlops.config import BUNDLED_DATASET
from adversarial_mlops.dagster_defs.instance import PG_URL_ENV_VAR

# This user's cache (models exported to ONNX, copies of remote registries) lives in a folder of the
# test session, which the processes the tests start inherit: tests never write into ~/.cache.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="adversarial-mlops-test-cache-")

TINY_LOOP = {
    # Servers the tests start run eagerly: compiling costs ~10 s a start even for the tiny model;
    # test_serving covers the compiled path.
    "model": {"base_model": "tiny", "window_tokens": 64, "serving_compile": "off"},
    # Small batches and trainable word embeddings: LoRA alone cannot steer a random tiny encoder.
    # LoRA on query/value only: the tiny loops' outcomes were tuned with it (MiniLM's default is every
    # linear layer since data v5).
    "training": {"quantization": "none", "epochs": 3, "batch_size": 8, "learning_rate": 0.003,
                 "extra_trainable_modules": ["word_embeddings"], "target_modules": ["query", "value"]},
    "attack": {"max_eval_sources": 30, "max_train_sources": 60, "max_holdout_sources": 12, "adaptive_sources": 20,
               "adaptive_query_budget": 40, "adaptive_train_sources": 20},
    "augmentation": {"obfuscation_share": 0.2},
    "promotion": {"bootstrap_resamples": 200},
}
# For tests of the loop's plumbing (storage, locks, processes, faces), not of what attacks find: one
# strategy from each of four families is enough to mine failures and retrain, at about half the cost
# of a loop with all of them. test_pipeline_e2e runs every strategy.
FEW_ATTACKS = {"strategies": ["homoglyph", "leetspeak", "synonym", "context_wrap"]}


def small_dataset(path: Path, groups_per_family: int = 3) -> Path:
    """A few whole template groups per family and split from the bundled data (which carries its own
    split column): every family in every split, far fewer rows. Long documents are left out: the
    tiny model would read them in dozens of windows each (tests/test_windows.py covers them).
    English groups first, as in the data (85 %): by name alone, "-de-" sorts before "-en-" and data v5's
    German templates made the training subset two-thirds German."""
    frame = pd.read_csv(BUNDLED_DATASET, keep_default_na=False)
    frame = frame[~frame["template_group"].str.startswith("document-")]
    groups = frame.groupby(["family", "split"])["template_group"].unique()
    keep = {g for (family, split), family_groups in groups.items()
            for g in sorted(family_groups, key=_english_first)[:groups_per_family if split == "train" else 1]}
    frame[frame["template_group"].isin(keep)].to_csv(path, index=False)
    return path


def _english_first(group: str) -> tuple[bool, str]:
    return group.split("-")[1] != "en", group


def write_loop_config(directory: Path, **sections) -> Path:
    config = {key: dict(value) for key, value in TINY_LOOP.items()}
    for key, value in sections.items():
        config[key] = {**config.get(key, {}), **value} if isinstance(value, dict) else value
    config.setdefault("state_dir", str(directory / "state"))
    config.setdefault("data", {"source": str(small_dataset(directory / "data.csv"))})
    path = directory / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


@pytest.fixture
def loop_config(tmp_path, monkeypatch) -> Path:
    """A tiny-model config in tmp_path; the loop's env vars point at it and are restored afterwards."""
    path = write_loop_config(tmp_path)
    monkeypatch.setenv("ADVERSARIAL_MLOPS_CONFIG", str(path))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    return path


def join_reapers(timeout: float = 60.0) -> None:
    """Wait for the launchers' reaper threads (``reap-<run>``) to finish with the instance: after a
    test, its database (a fresh one per test under PostgreSQL) is dropped."""
    for thread in threading.enumerate():
        if thread.name.startswith("reap-"):
            thread.join(timeout)


def _run_on_server(url: str, statement: str) -> None:
    """One statement outside a transaction (CREATE/DROP DATABASE refuse to run inside one)."""
    import psycopg2
    from sqlalchemy.engine import make_url

    connection = psycopg2.connect(**make_url(url).translate_connect_args(username="user", database="dbname"))
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(statement)
    finally:
        connection.close()


@contextmanager
def fresh_database(url: str):
    """A new, empty database on the server of ``url``; yields its URL, drops it afterwards."""
    from sqlalchemy.engine import make_url

    name = f"t_{uuid.uuid4().hex}"
    _run_on_server(url, f'CREATE DATABASE "{name}"')
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        # FORCE (PostgreSQL 13+): a killed worker or a server the test stopped may still hold a connection.
        _run_on_server(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def shared_loop_environment():
    """For a module-scoped fixture whose loops several tests read (those tests are marked
    ``shared_loop``): a MonkeyPatch undone at the module's end and, under PostgreSQL, one fresh
    database that the fixture's runs and all those tests use."""
    with pytest.MonkeyPatch.context() as patch:
        url = os.environ.get(PG_URL_ENV_VAR)
        if not url:
            yield patch
            return
        with fresh_database(url) as module_url:
            patch.setenv(PG_URL_ENV_VAR, module_url)
            yield patch


@pytest.fixture(autouse=True)
def dagster_instance_database(request, monkeypatch):
    """With ADVERSARIAL_MLOPS_DAGSTER_PG_URL set (scripts/with_postgres.sh): each test marked
    ``dagster_instance`` gets its own fresh database (one marked ``shared_loop`` its module's), so no
    test sees another's runs; every other test runs on SQLite as without the variable. Yields the
    test's database URL or None."""
    url = os.environ.get(PG_URL_ENV_VAR)
    if not url:
        yield None
    elif request.node.get_closest_marker("dagster_instance") is None:
        monkeypatch.delenv(PG_URL_ENV_VAR)
        yield None
    elif request.node.get_closest_marker("shared_loop") is not None:
        yield url  # the database shared_loop_environment made for the module's loops
    else:
        with fresh_database(url) as test_url:
            monkeypatch.setenv(PG_URL_ENV_VAR, test_url)
            yield test_url
