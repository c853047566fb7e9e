"""``state_dir: s3://…`` against a real S3 API: moto's server on loopback, reached by s3fs over HTTP —
conditional writes (If-None-Match) as S3 answers them, and processes that share nothing but the bucket
(the loop's worker and its Pipes training process)."""

import logging
import os
import uuid

import pytest
from moto import server as moto_server  # the [test] extra: s3fs, moto[s3], flask, flask-cors

from adversarial_mlops.config import load_config
from adversarial_mlops.dagster_defs.runs import run_loop
from adversarial_mlops.loop.lifecycle import open_registry
from adversarial_mlops.storage import atomic_io
from adversarial_mlops.storage.locations import state_path
from adversarial_mlops.storage.run_values import RunValueStore

from .conftest import FEW_ATTACKS, write_loop_config
from .test_object_store import count_under_lease

S3_ENV = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL")


@pytest.fixture(scope="module")
def s3_server():
    """An S3 endpoint on 127.0.0.1 for this module; child processes find it through the environment."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    saved = {key: os.environ.get(key) for key in S3_ENV}
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1",
                      AWS_ENDPOINT_URL=f"http://{host}:{port}")
    try:
        yield f"http://{host}:{port}"
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        server.stop()


@pytest.fixture
def bucket(s3_server):
    name = f"state-{uuid.uuid4().hex[:12]}"
    root = state_path(f"s3://{name}")
    root.fs.mkdir(name)
    return root


def test_exclusive_create_is_s3s_conditional_write(bucket):
    target = bucket / "state" / "reserved_ids" / "v0001"
    atomic_io.create_exclusive(target, b"first")
    with pytest.raises(FileExistsError):
        atomic_io.create_exclusive(target, b"second")
    assert target.read_bytes() == b"first"


def test_the_lease_serialises_read_modify_write_on_s3(bucket):
    assert count_under_lease(bucket, threads=3, each=5, pause_s=0.005) == 15


def test_the_whole_loop_with_pipes_training_on_s3(bucket, tmp_path, monkeypatch):
    """The training process is another process: it reads its inputs from the bucket and publishes its
    version there; the worker sees it at once (no listings cache)."""
    state = bucket / "state"
    config_path = write_loop_config(tmp_path, state_dir=str(state), local_dir=str(tmp_path / "local"),
                                    training={"launcher": "pipes"}, attack=FEW_ATTACKS)
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    summary = run_loop(str(config_path), {"quality_gate.min_f1_score": 0.0}, force_retrain=True)
    assert summary.loop_completed, summary.failure_message
    registry = open_registry(load_config(config_path))
    assert [v.version for v in registry.list_versions()] == ["v0001", "v0002"]
    challenger = RunValueStore(state / "assets").of_run(summary.run_id, "challenger_model").load()
    assert challenger["version"] == "v0002"
    assert registry.get("v0002").info["parent"] == "v0001"
    registry.verify("v0002")
    for name in ("attack_variants", "evaluation_report", "champion_model"):
        assert RunValueStore(state / "assets").of_run(summary.run_id, name) is not None, name
    assert (state / "failure_bank.parquet").is_file()
    assert (state / "reports" / summary.run_id / "report.html").is_file()
    # This host's own files stayed on this host: the instance, the verified model copies.
    local = tmp_path / "local"
    assert (local / "dagster_home").is_dir() and (local / "model_cache").is_dir()
    assert not (state / "dagster_home").exists() and not (state / "model_cache").exists()
    assert not (state / "tmp").exists() or not list((state / "tmp").iterdir())  # hand-off removed
    assert not (state / "pipeline.lock").exists()  # released
