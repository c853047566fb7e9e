"""One loop at a time: the lock file, stale-lock recovery and the launcher's 409 semantics."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from .conftest import join_reapers

from adversarial_mlops.config import ConfigError, load_config
from adversarial_mlops.dagster_defs.launcher import (
    LAUNCHED_BY_TAG,
    LaunchError,
    LoopAlreadyRunning,
    LoopLauncher,
    LoopLock,
    graphql_client,
    process_alive,
    resolve_overrides,
)


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def wait_for(predicate, timeout: float = 20.0, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("condition not met in time")


@pytest.fixture
def instance(loop_config):
    from adversarial_mlops.dagster_defs.runs import prepare_instance

    return prepare_instance(load_config(None))


def make_run(instance, status):
    """A run of a trivial job in ``status`` (as a crashed worker would leave it)."""
    import dagster as dg

    @dg.op
    def noop():
        return None

    @dg.job
    def trivial():
        noop()

    return instance.create_run_for_job(job_def=trivial, run_id=str(uuid.uuid4()), status=status)


def test_acquire_release_and_holder(tmp_path):
    lock = LoopLock(tmp_path)
    info = lock.acquire("run-a")
    assert info.pid == os.getpid() and lock.path.exists()
    with pytest.raises(LoopAlreadyRunning) as refused:
        lock.acquire("run-b")
    assert refused.value.holder.run_id == "run-a" and "run-a" in str(refused.value)
    assert lock.holder().run_id == "run-a"
    assert not lock.release("run-b")  # never releases another run's lock
    assert lock.path.exists()
    assert lock.release("run-a") and not lock.path.exists()
    assert lock.holder() is None
    lock.acquire("run-c")  # free again


def test_lock_of_a_dead_process_is_stale_and_cleared(tmp_path):
    lock = LoopLock(tmp_path)
    lock.acquire("crashed", pid=dead_pid(), mode="subprocess")
    assert lock.holder() is None and not lock.path.exists()
    lock.acquire("crashed-again", pid=dead_pid(), mode="subprocess")
    assert lock.acquire("next").run_id == "next"  # acquire clears it too


def test_recycled_pid_and_corrupt_lock_are_stale(tmp_path):
    lock = LoopLock(tmp_path)
    lock.path.write_text(json.dumps({"run_id": "old", "pid": os.getpid(), "pid_start_time": "1",
                                     "mode": "subprocess", "taken_at": 0}))
    assert lock.holder() is None  # our pid, but a different process start time: a recycled pid
    lock.path.write_text("{half a lock")
    assert lock.acquire("fresh").run_id == "fresh"


def test_zombie_process_counts_as_dead():
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    # Wait for it to exit without reaping it (WNOWAIT): a zombie, which still answers kill(pid, 0).
    # A fixed sleep here failed on a loaded machine, where the child had not exited yet.
    os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOWAIT)
    try:
        assert not process_alive(process.pid)
    finally:
        process.wait()
    assert process_alive(os.getpid())


def test_concurrent_acquires_admit_exactly_one(tmp_path):
    lock_dir = tmp_path / "state"
    winners, losers = [], []
    barrier = threading.Barrier(8)

    def contender(i):
        barrier.wait()
        try:
            LoopLock(lock_dir).acquire(f"run-{i}")
            winners.append(i)
        except LoopAlreadyRunning:
            losers.append(i)

    threads = [threading.Thread(target=contender, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(winners) == 1 and len(losers) == 7


@pytest.mark.dagster_instance
def test_started_run_of_a_dead_worker_is_marked_failed(instance, tmp_path):
    from dagster import DagsterRunStatus

    run = make_run(instance, DagsterRunStatus.STARTED)
    lock = LoopLock(tmp_path, instance)
    lock.acquire(run.run_id, pid=dead_pid(), mode="subprocess")
    assert lock.holder() is None
    assert instance.get_run_by_id(run.run_id).status == DagsterRunStatus.FAILURE


@pytest.mark.dagster_instance
def test_finished_run_releases_even_a_live_pid(instance, tmp_path):
    from dagster import DagsterRunStatus

    run = make_run(instance, DagsterRunStatus.SUCCESS)
    lock = LoopLock(tmp_path, instance)
    lock.acquire(run.run_id, pid=os.getpid(), mode="subprocess")
    assert lock.holder() is None


def test_overrides_are_validated_before_anything_starts(loop_config):
    config = load_config(None)
    resolved = resolve_overrides(config, {"training.epochs": 1})
    assert resolved.training.epochs == 1 and resolved.model == config.model  # the rest is the server's config
    for bad, message in [({"state_dir": "/tmp/x"}, "state_dir cannot be set"),
                         ({"training.epochs": 0}, "training.epochs"),
                         ({"no_such.key": 1}, "no_such"),
                         ({"training..epochs": 1}, "dotted config key")]:
        with pytest.raises(ConfigError, match=message):
            resolve_overrides(config, bad)


@pytest.fixture
def sleeper(tmp_path) -> Path:
    """Stands in for the Python that runs the worker: holds the lock, runs nothing."""
    script = tmp_path / "fake-python"
    script.write_text("#!/bin/sh\nexec sleep 60\n")
    script.chmod(0o755)
    return script


@pytest.mark.dagster_instance
def test_launcher_admits_one_loop_and_recovers_from_a_killed_worker(instance, sleeper):
    from dagster import DagsterRunStatus

    launcher = LoopLauncher(load_config(None), instance, python=str(sleeper), dagster_url="")
    with pytest.raises(ConfigError):
        launcher.launch({"state_dir": "elsewhere"})
    assert launcher.running() is None  # a refused trigger leaves no lock behind

    run_id = launcher.launch({"training.epochs": 1}, force_retrain=True)
    run = instance.get_run_by_id(run_id)
    assert run is not None and run.job_name == "adversarial_loop" and run.tags[LAUNCHED_BY_TAG] == "api"
    # The run carries the whole resolved config: the worker and every asset read this, not a file.
    settings = run.run_config["resources"]["settings"]["config"]
    assert settings["force_retrain"] is True and settings["overrides"] == {}
    expected = load_config(None, {"training.epochs": 1}).model_dump(mode="json")
    expected.pop("state_dir"), expected.pop("local_dir")  # fixed by the code location, not the run
    assert settings["pipeline"] == expected
    holder = launcher.running()
    assert holder.run_id == run_id and holder.mode == "subprocess" and holder.pid != os.getpid()

    with pytest.raises(LoopAlreadyRunning) as refused:  # the API's 409
        launcher.launch()
    assert refused.value.holder.run_id == run_id

    os.kill(holder.pid, signal.SIGKILL)  # the worker dies without a word
    wait_for(lambda: launcher.running() is None)
    assert instance.get_run_by_id(run_id).status == DagsterRunStatus.FAILURE
    second = launcher.launch()
    assert second != run_id
    os.kill(launcher.running().pid, signal.SIGKILL)
    wait_for(lambda: launcher.running() is None)
    join_reapers()


@pytest.mark.dagster_instance
def test_worker_exits_cleanly_on_an_unknown_run(loop_config):
    from adversarial_mlops.dagster_defs.runs import prepare_instance

    config = load_config(None)
    home = prepare_instance(config).root_directory
    result = subprocess.run([sys.executable, "-m", "adversarial_mlops.dagster_defs.worker", str(uuid.uuid4()),
                             "--state-dir", str(config.resolved_state_dir()), "--dagster-home", home],
                            capture_output=True, text=True, timeout=120, env=dict(os.environ))
    assert result.returncode == 2 and "no Dagster run" in result.stderr


def test_graphql_url_is_validated():
    client = graphql_client("http://127.0.0.1:3999/dagster")
    assert client._url == "http://127.0.0.1:3999/dagster/graphql"
    with pytest.raises(LaunchError, match="not a URL"):
        graphql_client("ftp://example")


from gql.transport.transport import Transport  # noqa: E402


class RecordedTransport(Transport):
    """Answers DagsterGraphQLClient as dagster-webserver 1.13 does (no server started: recorded shapes)."""

    def __init__(self, run_id: str):
        self.run_id, self.calls = run_id, []

    def connect(self):
        pass

    def close(self):
        pass

    def execute(self, request, *args, **kwargs):  # gql 4 passes one GraphQLRequest
        from graphql import ExecutionResult, print_ast

        query = print_ast(request.document)
        self.calls.append((query, request.variable_values))
        if "repositoriesOrError" in query:
            return ExecutionResult(data={"repositoriesOrError": {"__typename": "RepositoryConnection", "nodes": [
                {"name": "__repository__", "location": {"name": "adversarial_mlops"},
                 "pipelines": [{"name": "adversarial_loop"}]}]}})
        return ExecutionResult(data={"launchPipelineExecution": {"__typename": "LaunchRunSuccess",
                                                                 "run": {"runId": self.run_id}}})


@pytest.mark.dagster_instance
def test_graphql_submission_path_with_a_recorded_transport(instance, monkeypatch):
    """With ADVERSARIAL_MLOPS_DAGSTER_URL set, runs go to the webserver; the lock follows its run id."""
    from dagster import DagsterRunStatus

    from adversarial_mlops.dagster_defs import launcher as run_launcher

    submitted = make_run(instance, DagsterRunStatus.STARTED)  # what the webserver would have created
    transport = RecordedTransport(submitted.run_id)
    monkeypatch.setattr(run_launcher, "graphql_client",
                        lambda url: graphql_client(url, transport=transport))
    launcher = LoopLauncher(load_config(None), instance, dagster_url="http://127.0.0.1:3999")
    run_id = launcher.launch({"training.epochs": 1})
    assert run_id == submitted.run_id
    query, variables = transport.calls[-1]
    params = variables["executionParams"]
    assert {k: v for k, v in params["selector"].items() if v is not None} == {"repositoryLocationName": "adversarial_mlops", "repositoryName": "__repository__",
                                  "pipelineName": "adversarial_loop"}
    assert params["runConfigData"]["resources"]["settings"]["config"]["pipeline"]["training"]["epochs"] == 1
    holder = launcher.running()
    assert holder.run_id == run_id and holder.mode == "graphql" and holder.pid is None
    with pytest.raises(LoopAlreadyRunning):
        launcher.launch()
    instance.report_run_failed(instance.get_run_by_id(run_id), "finished elsewhere")
    assert launcher.running() is None  # a finished run frees the lock
