"""Launch the loop in the background, one at a time, as a Dagster run the UI shows.

* ``LoopLock``: ``<state_dir>/pipeline.lock`` holds the run id and the worker's pid (plus the
  pid's start time, so a recycled pid is not mistaken for the worker). It is created with
  ``O_CREAT | O_EXCL``; every read-check-write happens under an ``flock`` on a guard file, so
  two processes can never both clear a stale lock and both take it. A lock is stale when its
  process is gone (or a zombie) or its run is finished; a run left STARTED by a dead worker is
  marked failed in the instance, because Dagster itself would show it running forever. With the
  state on an object store the lock is an object created exclusively and the guard a lease
  (``storage.atomic_io``); a holder on another host is judged by its run's status in the shared
  (PostgreSQL) instance alone, since its process cannot be seen from here.
* ``LoopLauncher``: validates overrides, takes the lock, creates the run in the instance and
  executes it in a separate process (``python -m adversarial_mlops.dagster_defs.worker RUN_ID``) — or,
  when ``ADVERSARIAL_MLOPS_DAGSTER_URL`` names a Dagster webserver, submits it over GraphQL.

Dagster is imported inside functions: importing this module stays cheap.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Iterator, Mapping
from urllib.parse import urlparse

from adversarial_mlops.models.modeling import check_trainable_modules
from adversarial_mlops.errors import ConflictError, UnavailableError
from adversarial_mlops.storage.atomic_io import atomic_write_json, create_exclusive, exclusive_lock
from adversarial_mlops.storage.locations import state_path
from adversarial_mlops.config import PROJECT_ROOT, ConfigError, PipelineConfig, build_config, config_to_dict

log = logging.getLogger(__name__)

DAGSTER_URL_ENV_VAR = "ADVERSARIAL_MLOPS_DAGSTER_URL"
LOCK_FILE = "pipeline.lock"
LAUNCHED_BY_TAG = "adversarial_mlops/launched_by"
# The process executing a run, recorded from its creation on, so a run killed at any moment —
# even before its first step — can be recognised as dead (run_guard.fail_dead_runs).
PID_TAG = "adversarial_mlops/pid"
PID_START_TAG = "adversarial_mlops/pid_start"
WORKER_MODULE = "adversarial_mlops.dagster_defs.worker"
MAX_OVERRIDES = 64
FINISHED = frozenset({"SUCCESS", "FAILURE", "CANCELED"})
# LAUNCHED_BY_TAG value → who that is, in words (refusal messages, run listings).
STARTED_BY = MappingProxyType({"api": "the REST API", "cli": "adversarial-mlops run (or scripts/run_pipeline.py)"})


class LoopAlreadyRunning(ConflictError):
    def __init__(self, holder: "LockInfo"):
        self.holder = holder
        since = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(holder.taken_at))
        who = f", started by {holder.started_by}" if holder.started_by else ""
        pid = f", process {holder.pid}" if holder.pid else ""
        pid += f" on {holder.host}" if holder.host and holder.host != socket.gethostname() else ""
        super().__init__(f"a loop is already running in this state directory (run {holder.run_id}{who}{pid}, "
                         f"since {since}); one loop runs at a time. Fix: wait for it to finish (the Dagster UI, "
                         f"or GET /pipeline/runs/{holder.run_id}) and start again")


class LaunchError(UnavailableError):
    """The run could not be started; the lock was released."""


# ------------------------------------------------------------------------------ processes

def _proc_stat(pid: int) -> tuple[str, str] | None:
    """(state letter, start time in clock ticks) from /proc, or None where /proc is missing."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rfind(")") + 2:].split()  # the command name may hold spaces and ')'
    return fields[0], fields[19]


def process_start_time(pid: int) -> str | None:
    stat = _proc_stat(pid)
    return None if stat is None else stat[1]


def process_tags(pid: int) -> dict[str, str]:
    """Run tags naming the process that executes a run (its pid and start time)."""
    return {PID_TAG: str(pid), PID_START_TAG: process_start_time(pid) or ""}


def process_alive(pid: int, start_time: str | None = None) -> bool:
    """True if ``pid`` runs (not a zombie) and, when given, started at ``start_time``."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # exists, owned by someone else
    stat = _proc_stat(pid)
    if stat is None:
        return not Path("/proc/self/stat").exists()  # no /proc at all: trust kill(0)
    state, started = stat
    if state in ("Z", "X"):
        return False
    return start_time is None or started == start_time


# ----------------------------------------------------------------------------------- lock

@dataclass(frozen=True)
class LockInfo:
    run_id: str
    pid: int | None  # the process that owns the run now (launcher while launching, then worker)
    pid_start_time: str | None
    mode: str  # "launching" | "subprocess" | "graphql" | "in-run"
    taken_at: float
    started_by: str = ""  # who launched the run, for the refusal message
    host: str = ""  # where pid runs; "" in locks written before hosts were recorded (this host)

    def to_dict(self) -> dict:
        return asdict(self)


class LoopLock:
    """At most one loop in flight per state directory, robust to crashed holders."""

    def __init__(self, state_dir: Path, instance=None, *, graphql_grace_s: float = 120.0):
        self.state_dir = state_path(state_dir)
        self.path = self.state_dir / LOCK_FILE
        self.guard_path = self.state_dir / f".{LOCK_FILE}.guard"
        self.instance = instance
        self.graphql_grace_s = graphql_grace_s

    @contextmanager
    def _guarded(self) -> Iterator[None]:
        with exclusive_lock(self.guard_path):
            yield

    def _read(self) -> LockInfo | None | str:
        """LockInfo, None when absent, or a string saying why the file is unusable."""
        try:
            raw = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as error:
            return f"unreadable lock file: {error}"
        try:
            data = json.loads(raw)
            return LockInfo(run_id=str(data["run_id"]), pid=data.get("pid"), pid_start_time=data.get("pid_start_time"),
                            mode=str(data.get("mode", "subprocess")), taken_at=float(data.get("taken_at", 0.0)),
                            started_by=str(data.get("started_by", "")), host=str(data.get("host", "")))
        except (ValueError, KeyError, TypeError) as error:
            return f"corrupt lock file ({error}): {raw[:200]!r}"

    def _run_status(self, run_id: str) -> str | None:
        if self.instance is None:
            return None
        run = self.instance.get_run_by_id(run_id)
        return None if run is None else run.status.value

    def stale_reason(self, info: LockInfo) -> str | None:
        """Why ``info`` no longer holds the loop, or None while its run is in flight."""
        status = self._run_status(info.run_id)
        if status in FINISHED:
            return f"run {info.run_id} finished ({status})"
        if info.host and info.host != socket.gethostname():
            # Another host's process cannot be checked from here; its run's status in the shared
            # instance can (the run monitoring daemon fails runs whose worker died).
            return None
        if info.pid is not None:
            if not process_alive(info.pid, info.pid_start_time):
                return f"process {info.pid} of run {info.run_id} is gone (run status {status or 'unknown'})"
            return None
        if info.mode == "graphql":
            if status is None and time.time() - info.taken_at > self.graphql_grace_s:
                return f"run {info.run_id} is not in the Dagster instance"
            return None
        return f"lock of run {info.run_id} names no process"

    def _clear_stale(self, info: LockInfo | str, reason: str) -> None:
        log.warning("clearing stale loop lock: %s", reason)
        if isinstance(info, LockInfo):
            self._fail_orphaned_run(info.run_id, reason)
        self.path.unlink(missing_ok=True)

    def _fail_orphaned_run(self, run_id: str, reason: str) -> None:
        """A run whose process died stays STARTED (or NOT_STARTED) in storage: close it."""
        if self.instance is None:
            return
        try:
            run = self.instance.get_run_by_id(run_id)
            if run is not None and run.status.value not in FINISHED:
                self.instance.report_run_failed(run, f"the run's worker process is gone: {reason}")
        except Exception as error:  # noqa: BLE001 - the lock must still be cleared
            log.error("could not mark run %s failed: %s", run_id, error)

    def _write(self, info: LockInfo, *, exclusive: bool) -> None:
        if not exclusive:
            atomic_write_json(self.path, info.to_dict())
            return
        create_exclusive(self.path, json.dumps(info.to_dict()).encode())

    def acquire(self, run_id: str, *, pid: int | None = None, mode: str = "launching",
                started_by: str = "") -> LockInfo:
        """Take the lock for ``run_id`` or raise LoopAlreadyRunning naming the holder.

        The run that already holds the lock takes it over: a launcher takes it before the run
        starts, and the run's own process takes it again when it starts (``run_guard``).
        """
        pid = os.getpid() if pid is None else pid
        info = LockInfo(run_id, pid, process_start_time(pid), mode, time.time(), started_by, socket.gethostname())
        with self._guarded():
            existing = self._read()
            if isinstance(existing, LockInfo) and existing.run_id == run_id:
                info = dataclasses.replace(info, taken_at=existing.taken_at,
                                           started_by=started_by or existing.started_by)
                self._write(info, exclusive=False)
                return info
            if existing is not None:
                reason = existing if isinstance(existing, str) else self.stale_reason(existing)
                if reason is None:
                    raise LoopAlreadyRunning(existing)
                self._clear_stale(existing, reason)
            try:
                self._write(info, exclusive=True)
            except FileExistsError:  # only a writer ignoring the guard could get here
                existing = self._read()
                raise LoopAlreadyRunning(existing if isinstance(existing, LockInfo)
                                         else LockInfo("unknown", None, None, "unknown", time.time())) from None
        return info

    def update(self, run_id: str, *, new_run_id: str | None = None, pid: int | None, mode: str) -> bool:
        """Hand the lock of ``run_id`` to its worker (or to a GraphQL-assigned run id)."""
        with self._guarded():
            existing = self._read()
            if not isinstance(existing, LockInfo) or existing.run_id != run_id:
                return False  # already released (a very fast run) or never ours
            start = process_start_time(pid) if pid is not None else None
            self._write(LockInfo(new_run_id or run_id, pid, start, mode, existing.taken_at, existing.started_by,
                                 socket.gethostname()), exclusive=False)
            return True

    def release(self, run_id: str) -> bool:
        """Remove the lock if ``run_id`` holds it; never touches another run's lock."""
        with self._guarded():
            existing = self._read()
            if isinstance(existing, LockInfo) and existing.run_id == run_id:
                self.path.unlink(missing_ok=True)
                return True
            return False

    def holder(self) -> LockInfo | None:
        """The in-flight holder, clearing a stale lock on the way."""
        with self._guarded():
            existing = self._read()
            if existing is None:
                return None
            reason = existing if isinstance(existing, str) else self.stale_reason(existing)
            if reason is None:
                return existing
            self._clear_stale(existing, reason)
            return None


# ------------------------------------------------------------------------------- launcher

def resolve_overrides(config: PipelineConfig, overrides: Mapping[str, object] | None) -> PipelineConfig:
    """``config`` with dotted-key ``overrides`` applied and validated; ConfigError says what is wrong."""
    overrides = dict(overrides or {})
    if len(overrides) > MAX_OVERRIDES:
        raise ConfigError(f"too many overrides ({len(overrides)}); at most {MAX_OVERRIDES}")
    for key in overrides:
        if not isinstance(key, str) or not key.strip() or any(not part for part in key.split(".")):
            raise ConfigError(f"override key {key!r} is not a dotted config key such as 'training.epochs'")
    if any(key.split(".")[0] in ("state_dir", "local_dir") for key in overrides):
        raise ConfigError("state_dir cannot be set per run (nor local_dir); set ADVERSARIAL_MLOPS_HOME or state_dir "
                          "in the config file and restart the server")
    resolved = build_config(config_to_dict(config), overrides, origin="the overrides")
    check_trainable_modules(resolved.model, resolved.training.target_modules,
                            resolved.training.extra_trainable_modules)
    return resolved


def _new_run_id() -> str:
    return str(uuid.uuid4())


class LoopLauncher:
    """Starts loop runs in ``instance``; one at a time per state directory."""

    def __init__(self, config: PipelineConfig, instance, *, dagster_url: str | None = None,
                 python: str = sys.executable, extra_env: Mapping[str, str] | None = None):
        if str(config.resolved_state_dir()).startswith("memory://"):
            raise ConfigError("state_dir memory:// lives in this process's memory; the launcher's run worker is "
                              "another process. Use a folder or an object store (s3://, gs://)")
        self.config = config
        self.instance = instance
        self.state_dir = config.resolved_state_dir()
        self.lock = LoopLock(self.state_dir, instance)
        self.dagster_url = dagster_url if dagster_url is not None else os.environ.get(DAGSTER_URL_ENV_VAR) or None
        self.python = python
        self.extra_env = dict(extra_env or {})
        self.log_dir = config.resolved_local_dir() / "run_logs"
        self._job_def = None
        self._job_lock = threading.Lock()  # guards the lazy job build
        self._launch_lock = threading.Lock()  # in-process serialisation on top of the file lock

    def job_def(self):
        with self._job_lock:
            if self._job_def is None:
                from adversarial_mlops.dagster_defs.wiring import loop_job

                self._job_def = loop_job(self.config)
            return self._job_def

    def running(self) -> LockInfo | None:
        return self.lock.holder()

    def launch(self, overrides: Mapping[str, object] | None = None, *, force_retrain: bool = False) -> str:
        """Start one loop run and return its id. ConfigError, LoopAlreadyRunning or LaunchError otherwise."""
        from adversarial_mlops.dagster_defs.runs import run_config_for

        # Resolved once, here: the run config carries the whole config to the worker and every asset.
        run_config = run_config_for(resolve_overrides(self.config, overrides), force_retrain=force_retrain)
        with self._launch_lock:
            run_id = _new_run_id()
            self.lock.acquire(run_id, mode="launching", started_by=STARTED_BY["api"])
            try:
                if self.dagster_url:
                    return self._submit_graphql(run_id, run_config)
                return self._launch_subprocess(run_id, run_config)
            except Exception as error:
                self.lock.release(run_id)
                self.lock._fail_orphaned_run(run_id, f"launch failed: {error}")
                if isinstance(error, (LaunchError, ConfigError)):
                    raise
                raise LaunchError(f"could not start the loop run: {error}") from error

    def _launch_subprocess(self, run_id: str, run_config: dict) -> str:
        self.instance.create_run_for_job(job_def=self.job_def(), run_id=run_id, run_config=run_config,
                                         tags={LAUNCHED_BY_TAG: "api"})
        env = dict(os.environ)
        env.update(self.extra_env)
        env.setdefault("PYTHONUNBUFFERED", "1")
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log_path = self.log_dir / f"{run_id}.log"
        with open(log_path, "ab") as log_file:
            process = subprocess.Popen([self.python, "-m", WORKER_MODULE, run_id, "--state-dir", str(self.state_dir),
                                        "--dagster-home", str(self.instance.root_directory),
                                        *(["--local-dir", self.config.local_dir] if self.config.local_dir else [])],
                                       start_new_session=True,
                                       env=env, stdin=subprocess.DEVNULL, stdout=log_file, stderr=subprocess.STDOUT,
                                       cwd=str(PROJECT_ROOT))
        self.lock.update(run_id, pid=process.pid, mode="subprocess")
        self.instance.add_run_tags(run_id, process_tags(process.pid))
        # Reap the worker (a zombie would look alive), then clear its lock if it could not.
        threading.Thread(target=self._reap, args=(process, run_id), name=f"reap-{run_id[:8]}", daemon=True).start()
        log.info("loop run %s started in worker process %d (log: %s)", run_id, process.pid, log_path)
        return run_id

    def _reap(self, process: subprocess.Popen, run_id: str) -> None:
        code = process.wait()
        if code != 0:
            log.warning("worker of run %s exited with code %s", run_id, code)
        info = self.lock._read()
        if isinstance(info, LockInfo) and info.run_id == run_id:
            self.lock.holder()  # the process is gone now: clears the lock, fails an unfinished run

    def _submit_graphql(self, provisional_id: str, run_config: dict) -> str:
        from adversarial_mlops.dagster_defs.wiring import LOOP_JOB

        client = graphql_client(self.dagster_url)
        run_id = client.submit_job_execution(LOOP_JOB, run_config=run_config, tags={LAUNCHED_BY_TAG: "api"})
        self.lock.update(provisional_id, new_run_id=run_id, pid=None, mode="graphql")
        log.info("loop run %s submitted to the Dagster webserver at %s", run_id, self.dagster_url)
        return run_id


def graphql_client(url: str, transport=None):
    """A DagsterGraphQLClient for ``http://host:port[/prefix]``."""
    from dagster_graphql import DagsterGraphQLClient

    parsed = urlparse(url if "://" in url else f"http://{url}")
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise LaunchError(f"{DAGSTER_URL_ENV_VAR}={url!r} is not a URL such as http://127.0.0.1:3000")
    return DagsterGraphQLClient(parsed.hostname, port_number=parsed.port, use_https=parsed.scheme == "https",
                                path_prefix=parsed.path.rstrip("/"), transport=transport, timeout=60)
