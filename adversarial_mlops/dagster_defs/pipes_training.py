"""The training process of ``challenger_model`` — and of ``deployed_champion``'s baseline, on an empty
registry — (``training.launcher: pipes``), the external side of Dagster Pipes: ``python -m
adversarial_mlops.dagster_defs.pipes_training``, started by the run's ``training_pipes_client``
resource (``training_launch``), never by hand.

It imports ``dagster_pipes`` and the project's domain code, never ``dagster``: it runs wherever the
Pipes client puts it (a subprocess here, a pod or a GPU host elsewhere), with only the project and
its training stack installed. What it needs comes in the Pipes extras (``training_extras``): the
run's resolved config, the registry root, the role and parent version of the model to train and two
Parquet files the asset wrote.
It calls the same domain function as the in-process path (``lifecycle.train_and_register``), so
registration stays the registry's atomic publish. It streams the trainer's progress (each epoch)
as Pipes log lines, and ends with one custom message (``RESULT_KIND``) naming the version it
registered. An exception ends the Pipes session with the error, which the asset re-raises.
"""

from __future__ import annotations

import ctypes
import io
import os
import signal
import socket
import sys
import threading
import time
from typing import Callable, Mapping

from dagster_pipes import open_dagster_pipes

RESULT_KIND = "version_registered"
PR_SET_PDEATHSIG = 1  # linux/prctl.h
WORKER_GONE_EXIT = 70  # the process exits with this when the run worker died before training ended
POLL_S = 1.0


def training_extras(*, config: dict, registry_root: str, role: str, parent: str | None, splits_path: str,
                    train_path: str, worker_pid: int, worker_host: str) -> dict:
    """The Pipes extras the training process reads (JSON values only: they travel as JSON)."""
    return {"config": config, "registry_root": registry_root, "role": role, "parent": parent, "splits": splits_path,
            "train_data": train_path, "worker": {"pid": worker_pid, "host": worker_host}}


def watch_worker(worker_pid: int, worker_host: str) -> str:
    """Make this process end when the run worker that started it dies; says how, for the log.

    A killed worker cannot stop its child, and an orphaned training would hold memory (or a GPU)
    and register a version nobody decides on. Started on the worker's host, directly by it: on
    Linux the kernel sends SIGKILL when the worker dies (PR_SET_PDEATHSIG); elsewhere a thread
    polls. On another host (a pod, a GPU host) stopping it is the Pipes client's job.
    """
    if socket.gethostname() != worker_host:
        return f"runs on {socket.gethostname()}, not the run worker's host: the Pipes client stops it"
    if os.getppid() == worker_pid and _parent_death_signal(signal.SIGKILL):
        if os.getppid() != worker_pid:  # the worker died before the signal was armed
            _exit_orphaned(worker_pid)
        return f"dies with the run worker (pid {worker_pid}): PR_SET_PDEATHSIG"
    threading.Thread(target=_exit_when_gone, args=(worker_pid, os.getppid()), name="worker-watch",
                     daemon=True).start()
    return f"polls the run worker (pid {worker_pid}) every {POLL_S:.0f} s and exits when it is gone"


def _parent_death_signal(signum: int) -> bool:
    """Arm Linux's parent-death signal; False where prctl does not exist (macOS, Windows)."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    return libc.prctl(PR_SET_PDEATHSIG, signum, 0, 0, 0) == 0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, another user's
        return True
    return True


def _exit_when_gone(worker_pid: int, parent_pid: int) -> None:
    # The parent changes when it dies (reparenting), even where a dead worker lingers as a zombie.
    while _alive(worker_pid) and os.getppid() == parent_pid:
        time.sleep(POLL_S)
    _exit_orphaned(worker_pid)


def _exit_orphaned(worker_pid: int) -> None:
    print(f"training process {os.getpid()}: the run worker {worker_pid} is gone; stopping (the next run's "
          "recovery removes this process's scratch files)", file=sys.stderr, flush=True)
    os._exit(WORKER_GONE_EXIT)  # at once: nobody is left to read a result or decide on a version


def train(extras: Mapping, log: Callable[[str], None]) -> dict:
    """Train and register the model the extras describe (a challenger, or a baseline); the result
    message for the asset."""
    # Imported here, after the worker watch is armed: loading torch takes seconds an orphan should not spend.
    import pandas as pd

    from adversarial_mlops.config import build_config
    from adversarial_mlops.loop import lifecycle
    from adversarial_mlops.loop.progress import Heartbeat
    from adversarial_mlops.models.registry import ModelRegistry, model_cache_dir
    from adversarial_mlops.storage.locations import state_path

    config = build_config(extras["config"], origin="the run's config (Pipes extras)")
    # Local paths, or URLs in the object store of an object-store state_dir.
    splits, train_data = (pd.read_parquet(io.BytesIO(state_path(extras[key]).read_bytes()))
                          for key in ("splits", "train_data"))
    role = extras["role"]
    # A baseline learns from the clean train split: no attack family was ever in its data to keep out.
    excluded = config.augmentation.exclude_families if role == lifecycle.CHALLENGER else ()
    with Heartbeat(log, f"{role} training process") as beat:
        beat(f"training a {role} on {len(train_data):,} texts, parent {extras['parent'] or 'none'}")
        registry = ModelRegistry(extras["registry_root"], cache_dir=model_cache_dir(config.resolved_local_dir()))
        version = lifecycle.train_and_register(registry, config, splits, train_data, role=role,
                                               parent=extras["parent"], progress=beat, excluded_families=excluded)
    return {"kind": RESULT_KIND, "version": version.version, "pid": os.getpid(), "host": socket.gethostname(),
            "peak_rss_mb": peak_rss_mb()}


def peak_rss_mb() -> float | None:
    """This process's peak resident memory (VmHWM), to size the machine that trains; None without /proc.

    Not getrusage's ru_maxrss: Linux carries that across exec, so a child started by a fork of a
    large worker would report the worker's memory."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def main() -> None:
    with open_dagster_pipes() as pipes:
        worker = pipes.extras["worker"]
        how = watch_worker(int(worker["pid"]), str(worker["host"]))
        pipes.log.info(f"training process pid {os.getpid()} on {socket.gethostname()}; {how}")
        pipes.report_custom_message(train(pipes.extras, pipes.log.info))


if __name__ == "__main__":
    main()
