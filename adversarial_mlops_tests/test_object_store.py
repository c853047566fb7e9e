"""State on an object store (#15 item 3): asset values, the registry, locks, recovery and serving with
``state_dir`` a URL — tested on fsspec's in-memory filesystem and, side by side, on a local folder.
The whole loop on an object store, with training in another process: test_s3_state.py."""

import json
import threading
import time
import uuid
from pathlib import Path

import fsspec
import numpy as np
import pandas as pd
import pytest
from upath import UPath

from adversarial_mlops.config import ConfigError, build_config, load_config
from adversarial_mlops.dagster_defs.launcher import LockInfo, LoopAlreadyRunning, LoopLock
from adversarial_mlops.loop.recovery import recover_state
from adversarial_mlops.models.registry import ModelRegistry, RegistryError
from adversarial_mlops.models.serving import ChampionHolder
from adversarial_mlops.storage import atomic_io
from adversarial_mlops.storage.locations import is_local, is_url, last_modified, state_path
from adversarial_mlops.storage.run_values import RunValueStore



@pytest.fixture
def memory_dir():
    """A fresh folder of fsspec's in-memory filesystem (shared by the whole process: unique, then removed)."""
    path = UPath(f"memory://test-{uuid.uuid4().hex}")
    yield path
    fs = fsspec.filesystem("memory")
    if fs.exists(path.path):
        fs.rm(path.path, recursive=True)


@pytest.fixture(params=["local", "memory"])
def any_dir(request, tmp_path, memory_dir):
    return tmp_path / "state" if request.param == "local" else memory_dir


# ------------------------------------------------------------------------------------ locations

def test_locations_keep_folders_as_paths_and_urls_as_upaths(tmp_path):
    assert type(state_path(tmp_path)) is type(Path(tmp_path)) and is_local(state_path(tmp_path))
    assert state_path(f"file://{tmp_path}") == tmp_path and is_local(state_path(f"file://{tmp_path}"))
    remote = state_path("memory://bucket/state")
    assert isinstance(remote, UPath) and not is_local(remote) and str(remote / "registry") == "memory://bucket/state/registry"
    assert is_url("s3://bucket/x") and is_url("gs://b") and not is_url("/srv/state") and not is_url("C:\\state")


def test_a_url_state_dir_is_not_made_relative_to_the_config_file_and_local_files_go_to_local_dir(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text("state_dir: memory://team/state\nlocal_dir: here\n")
    config = load_config(path)
    assert str(config.resolved_state_dir()) == "memory://team/state"
    assert config.resolved_local_dir() == (tmp_path / "here").resolve()
    unset = build_config({"state_dir": "memory://team/state"})
    assert unset.resolved_local_dir().parent.name == "adversarial_mlops"  # ~/.cache/adversarial_mlops/<key>
    assert build_config({"state_dir": str(tmp_path)}).resolved_local_dir() == tmp_path.resolve()
    with pytest.raises(ConfigError, match="local_dir must be a folder on this host"):
        build_config({"local_dir": "s3://bucket/x"})


def test_a_memory_state_dir_is_refused_where_another_process_would_need_it(tmp_path):
    config = build_config({"state_dir": "memory://x"})  # training.launcher defaults to pipes
    assert "other processes cannot read it" in config.process_local_state_problem()
    assert build_config({"state_dir": "memory://x", "training": {"launcher": "in_process"}}
                        ).process_local_state_problem() is None
    assert build_config({"state_dir": "memory://x", "training": {"launcher": "in_process"},
                         "execution": {"executor": "multiprocess"}}).process_local_state_problem()
    assert build_config({"state_dir": str(tmp_path), "execution": {"executor": "multiprocess"}}
                        ).process_local_state_problem() is None


# ------------------------------------------------------------------------------------ atomic_io

def test_create_exclusive_refuses_an_existing_object(any_dir):
    target = any_dir / "lock"
    atomic_io.create_exclusive(target, b"first")
    with pytest.raises(FileExistsError):
        atomic_io.create_exclusive(target, b"second")
    assert target.read_bytes() == b"first"


def test_a_directory_is_uploaded_with_its_seal_last_and_a_failed_upload_leaves_nothing(memory_dir, monkeypatch):
    final = memory_dir / "versions" / "v0001"
    written = []
    filesystem = type(final.fs)
    original = filesystem.put_file

    def recording(self, local, remote, *args, **kwargs):
        written.append(remote.rsplit("/", 1)[-1])
        return original(self, local, remote, *args, **kwargs)

    monkeypatch.setattr(filesystem, "put_file", recording)
    with atomic_io.atomic_directory(final, seal="version.json") as build:
        for name in ("version.json", "a.bin", "z.bin"):
            (build / name).write_bytes(name.encode())
    assert written[-1] == "version.json" and sorted(written) == ["a.bin", "version.json", "z.bin"]
    assert not build.exists()  # the local build folder is gone
    with pytest.raises(FileExistsError):
        with atomic_io.atomic_directory(final, seal="version.json"):
            pass

    def failing(self, local, remote, *args, **kwargs):
        if remote.endswith("b.bin"):
            raise OSError("network down")
        return original(self, local, remote, *args, **kwargs)

    monkeypatch.setattr(filesystem, "put_file", failing)
    second = memory_dir / "versions" / "v0002"
    with pytest.raises(OSError, match="network down"):
        with atomic_io.atomic_directory(second, seal="version.json") as build:
            for name in ("a.bin", "b.bin", "version.json"):
                (build / name).write_bytes(b"x")
    assert not second.exists()


def test_appends_from_many_threads_all_land_and_a_torn_tail_is_dropped(any_dir):
    log = any_dir / "history.jsonl"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_bytes(b'{"n": -1}\n{"torn": ')  # a crash mid-append left a fragment
    threads = [threading.Thread(target=lambda k=k: [atomic_io.append_jsonl(log, {"n": k * 100 + i})
                                                   for i in range(10)]) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    numbers = [record["n"] for record in atomic_io.read_jsonl(log)]
    assert numbers[0] == -1 and sorted(numbers[1:]) == sorted(k * 100 + i for k in range(4) for i in range(10))
    assert not (any_dir / "history.jsonl.lock").exists()


def count_under_lease(root, *, threads: int, each: int, pause_s: float) -> int:
    """``threads`` threads each add 1 to a counter object ``each`` times, read-modify-write under
    the lease: the final count, which a lost update would make smaller than threads × each."""
    counter, lock = root / "counter", root / ".lock"
    counter.write_bytes(b"0")

    def bump():
        for _ in range(each):
            with atomic_io.exclusive_lock(lock):
                value = int(counter.read_bytes())
                time.sleep(pause_s)  # widen the window a lost update needs
                counter.write_bytes(str(value + 1).encode())

    workers = [threading.Thread(target=bump) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert not lock.exists()
    return int(counter.read_bytes())


def test_the_lease_serialises_read_modify_write_and_an_expired_one_is_taken_over(memory_dir):
    assert count_under_lease(memory_dir, threads=4, each=15, pause_s=0.001) == 60
    lock = memory_dir / ".lock"
    # A holder that crashed left its lease behind: once expired, the next caller takes it over.
    lock.write_bytes(json.dumps({"token": "dead", "host": "gone", "pid": 1, "expires_at": time.time() - 1}).encode())
    with atomic_io.exclusive_lock(lock):
        assert json.loads(lock.read_bytes())["token"] != "dead"
    # A live lease is waited for, then the wait gives up naming the holder and the fix.
    lock.write_bytes(json.dumps({"token": "alive", "host": "h1", "pid": 7, "expires_at": time.time() + 60}).encode())
    with pytest.raises(TimeoutError, match="held by h1 process 7 .* delete"):
        with atomic_io._lease(lock, wait_s=0.2):
            pass


# ------------------------------------------------------------------------------------ run values

def test_run_values_round_trip_and_prune_on_either_backend(any_dir):
    store = RunValueStore(any_dir / "assets")
    frame = pd.DataFrame({"text": ["a", "b"], "label": [0, 1]})
    for index in range(4):
        store.write(f"run{index}", "attack_variants", frame.assign(run=index))
        store.write(f"run{index}", "evaluation_report", {"run": index})
        time.sleep(0.02)  # distinct write times: prune keeps the newest
    pd.testing.assert_frame_equal(store.latest("attack_variants").load(), frame.assign(run=3))
    assert store.of_run("run1", "evaluation_report").load() == {"run": 1}
    assert store.for_run("another", "evaluation_report").run_id == "run3"
    assert sorted(store.prune(keep=2)) == ["run0", "run1"]
    assert store.of_run("run0", "attack_variants") is None and store.of_run("run2", "attack_variants") is not None


# ------------------------------------------------------------------------------------ registry

def _build(directory: Path) -> None:
    (directory / "weights.bin").write_bytes(b"w" * 64)
    (directory / "tokenizer").mkdir()
    (directory / "tokenizer" / "vocab.txt").write_text("a\nb\n")


def test_the_registry_works_the_same_on_an_object_store(any_dir, tmp_path):
    registry = ModelRegistry(any_dir / "registry", cache_dir=tmp_path / "cache")
    first = registry.register(_build, metrics={"clean_f1": 0.9}, info={"role": "baseline"}, readme=lambda v: f"# {v}")
    second = registry.register(_build, metrics={"clean_f1": 0.91}, info={"role": "challenger"})
    assert [v.version for v in registry.list_versions()] == ["v0001", "v0002"]
    registry.promote(first.version, reason="baseline", replacing=None)
    registry.promote(second.version, reason="A/B", replacing="v0001")
    assert registry.rollback().version == "v0001" and registry.champion().version == "v0001"
    assert [e["event"] for e in registry.history()] == ["promote", "promote", "rollback"]
    assert registry.readme("v0001").read_text() == "# v0001"
    local = registry.get("v0002").local_path()
    assert is_local(local) and (local / "tokenizer" / "vocab.txt").read_text() == "a\nb\n"
    if registry.local:
        (registry.versions_dir / "v0002" / "weights.bin").chmod(0o644)  # sealed versions are read-only
    (registry.versions_dir / "v0002" / "weights.bin").write_bytes(b"tampered")
    with pytest.raises(RegistryError, match="modified weights.bin"):
        registry.verify("v0002")


def test_a_remote_version_is_copied_once_verified_and_never_half(memory_dir, tmp_path):
    registry = ModelRegistry(memory_dir / "registry", cache_dir=tmp_path / "cache")
    version = registry.register(_build, metrics={}, info={})
    (registry.versions_dir / "v0001" / "weights.bin").write_bytes(b"tampered")
    with pytest.raises(RegistryError, match="failed integrity check: modified weights.bin"):
        version.local_path()
    assert not any(p.name == "v0001" for p in (tmp_path / "cache").rglob("v0001"))  # no copy kept
    (registry.versions_dir / "v0001" / "weights.bin").write_bytes(b"w" * 64)
    copy = version.local_path()
    assert copy.is_relative_to(tmp_path / "cache") and version.local_path() == copy
    assert json.loads((copy / "version.json").read_text())["version"] == "v0001"


def test_concurrent_registrations_on_an_object_store_get_distinct_ids(memory_dir, tmp_path):
    registry = ModelRegistry(memory_dir / "registry", cache_dir=tmp_path)
    ids, errors = [], []

    def register():
        try:
            ids.append(ModelRegistry(memory_dir / "registry", cache_dir=tmp_path).register(
                _build, metrics={}, info={}).version)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=register) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and sorted(ids) == [f"v{n:04d}" for n in range(1, 7)]
    assert [v.version for v in registry.list_versions()] == sorted(ids)


def test_an_unsealed_upload_is_invisible_and_recovery_removes_it(memory_dir, tmp_path):
    registry = ModelRegistry(memory_dir / "registry", cache_dir=tmp_path / "cache")
    registry.register(_build, metrics={}, info={})
    partial = registry.versions_dir / "v0002"
    atomic_io.create_exclusive(registry.reserved_dir / "v0002", b"")  # its id was reserved, then
    (partial / "weights.bin").write_bytes(b"half")  # a crash before version.json went up
    assert [v.version for v in registry.list_versions()] == ["v0001"]
    assert last_modified(partial) > 0
    lines = recover_state(tmp_path / "local", registry, RunValueStore(memory_dir / "assets"),
                          started_at=time.time() + 1)
    assert "removed the unfinished upload of v0002 (its run stopped before sealing it)" in lines
    assert not partial.exists() and registry.register(_build, metrics={}, info={}).version == "v0003"


def test_the_server_loads_a_remote_champion_and_follows_a_promotion(memory_dir, tmp_path):
    registry = ModelRegistry(memory_dir / "registry", cache_dir=tmp_path / "cache")
    for _ in range(2):
        registry.register(_build, metrics={}, info={})
    registry.promote("v0001", reason="baseline")
    loaded_from = []

    class Constant:  # what FastPredictor.load would give, without a model
        def predict_proba(self, texts):
            return np.zeros(len(texts))

    def loader(version):
        loaded_from.append(version.local_path())
        return Constant()

    holder = ChampionHolder(registry, remote_poll_s=0.0, loader=loader)
    assert holder.get().version == "v0001"
    registry.promote("v0002", reason="A/B")
    assert holder.predict(["hi"]).model_version == "v0002"
    assert [p.name for p in loaded_from] == ["v0001", "v0002"] and all(is_local(p) for p in loaded_from)


# ------------------------------------------------------------------------------------ loop lock

def test_the_loop_lock_on_an_object_store(memory_dir):
    lock = LoopLock(memory_dir)
    lock.acquire("run-a")
    with pytest.raises(LoopAlreadyRunning, match="run run-a"):
        LoopLock(memory_dir).acquire("run-b")
    assert lock.release("run-a") and lock.holder() is None
    # A holder on another host cannot be checked by pid: without an instance saying its run
    # finished, it holds; the refusal names the host.
    other = LockInfo("run-c", 4242, None, "in-run", time.time(), "the REST API", host="gpu-node-7")
    (memory_dir / "pipeline.lock").write_bytes(json.dumps(other.to_dict()).encode())
    with pytest.raises(LoopAlreadyRunning, match="process 4242 on gpu-node-7"):
        lock.acquire("run-d")


def test_training_inputs_are_handed_off_in_the_store_and_stale_ones_are_recovered(memory_dir, tmp_path):
    from adversarial_mlops.dagster_defs.training_launch import handoff_folder, parquet_bytes

    frame = pd.DataFrame({"text": ["x"], "label": [1]})
    with handoff_folder(memory_dir) as folder:
        assert str(folder).startswith(f"{memory_dir}/tmp/pipes-training-")
        atomic_io.atomic_write_bytes(folder / "train_data.parquet", parquet_bytes(frame))
        assert (folder / "train_data.parquet").is_file()  # where a process on another host reads it
    assert not folder.exists()
    crashed = memory_dir / "tmp" / "pipes-training-dead" / "splits.parquet"
    crashed.write_bytes(parquet_bytes(frame))  # a run killed mid-training left its hand-off
    registry = ModelRegistry(memory_dir / "registry", cache_dir=tmp_path)
    lines = recover_state(tmp_path / "local", registry, RunValueStore(memory_dir / "assets"),
                          started_at=time.time() + 1, shared_scratch=memory_dir / "tmp")
    assert any("training hand-off folder" in line for line in lines) and not crashed.exists()


def test_faces_refuse_a_memory_state_dir_that_another_process_would_need(tmp_path, memory_dir):
    from adversarial_mlops.dagster_defs.launcher import LoopLauncher
    from adversarial_mlops.dagster_defs.runs import run_loop

    from .conftest import write_loop_config

    config_path = write_loop_config(tmp_path, state_dir=str(memory_dir))  # training.launcher: pipes
    with pytest.raises(ConfigError, match="lives in this process's memory: other processes cannot read it"):
        run_loop(str(config_path))
    in_process = build_config({"state_dir": str(memory_dir), "training": {"launcher": "in_process"}})
    with pytest.raises(ConfigError, match="the launcher's run worker is another process"):
        LoopLauncher(in_process, instance=None)
    assert not memory_dir.exists()  # refused before anything was written


def test_a_url_whose_backend_is_missing_or_unknown_says_what_to_install(tmp_path):
    with pytest.raises(ValueError, match=r"state_dir nosuchfs://x: fsspec knows no filesystem 'nosuchfs'"):
        state_path("nosuchfs://x")
    try:
        import gcsfs  # noqa: F401
    except ImportError:  # the [gcs] extra is not installed here: the message names it
        with pytest.raises(ConfigError, match=r'gcsfs.*Fix: pip install "adversarial_mlops\[gcs\]"'):
            build_config({"state_dir": "gs://bucket/x"}).resolved_state_dir()
