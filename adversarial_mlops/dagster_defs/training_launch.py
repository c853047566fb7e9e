"""Training outside the run worker, through Dagster Pipes (``training.launcher: pipes``): ``challenger_model``'s
challenger, and ``deployed_champion``'s baseline on an empty registry.

Training holds torch, peft and the optimizer state: in the run worker that memory stays for the
rest of the loop, and the worker's machine is the only one that can train. Here the asset writes
its two input frames to a hand-off folder ``tmp/pipes-training-*`` (removed afterwards; a killed
run's is removed by the next run's recovery) — under the state directory, so a process on another
host reads them where it reads the registry (a shared volume, or the object store) — and the ``training_pipes_client`` resource starts
``python -m adversarial_mlops.dagster_defs.pipes_training`` with the run's config in the Pipes
extras. The training process streams its progress into the step's log, registers the version
itself (the registry's atomic publish) and reports its id; the asset then reads that version from
the registry. The default client is a subprocess on this machine; a team replaces the resource
with another Pipes client (a pod, a GPU host: docs/deploy.md) that sees the same state directory.
"""

from __future__ import annotations

import io
import os
import re
import signal
import socket
import sys
import uuid
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import dagster as dg
import pandas as pd
from dagster._core.errors import DagsterPipesExecutionError  # not re-exported by `dagster` in 1.13

from adversarial_mlops.config import PipelineConfig, config_to_dict
from adversarial_mlops.errors import AdversarialMlopsError
from adversarial_mlops.loop.lifecycle import CHALLENGER
from adversarial_mlops.loop.recovery import SCRATCH_DIR
from adversarial_mlops.models.registry import ModelVersion
from adversarial_mlops.storage.atomic_io import atomic_write_bytes
from adversarial_mlops.storage.locations import is_local, remove_tree

from .pipes_training import RESULT_KIND, training_extras

TRAINING_MODULE = "adversarial_mlops.dagster_defs.pipes_training"
# The engine event Dagster records when the external process ends its Pipes session with an exception.
PIPES_CLOSED_WITH_ERROR = "pipes closed with exception"
OOM_HINT = ("SIGKILL from outside is most often the out-of-memory killer. Fix: check `dmesg` (or the pod's "
            "events), give the training process more memory, or lower training.batch_size / "
            "training.micro_batch_tokens")


class TrainingProcessError(AdversarialMlopsError):
    """The training process failed, or ended without naming the version it registered."""


@dataclass(frozen=True)
class TrainedElsewhere:
    """What the training process reported: the version it registered, and where it ran."""

    version: str
    pid: int
    host: str
    peak_rss_mb: float | None  # the training process's peak resident memory (Linux), to size its machine


def training_command(python: str = sys.executable) -> list[str]:
    """The training process's command; a client for another machine runs it with that machine's Python."""
    return [python, "-m", TRAINING_MODULE]


def default_training_client() -> dg.PipesSubprocessClient:
    # forward_termination: a run terminated from the UI sends SIGINT on to the training process.
    return dg.PipesSubprocessClient(forward_termination=True)


def train_through_pipes(context: dg.AssetExecutionContext, client: dg.PipesClient, config: PipelineConfig, *,
                        registry_root: str, splits: pd.DataFrame, train_data: pd.DataFrame,
                        role: str, parent: str | None) -> TrainedElsewhere:
    """Run ``lifecycle.train_and_register`` for a ``role`` model (a challenger of ``parent``, or a
    baseline) in the process ``client`` starts."""
    # Files the asset owns, not the IO manager's stored values: exactly the frames it received,
    # whatever IO manager a team configures, and gone when the step ends.
    with handoff_folder(config.resolved_state_dir()) as scratch:
        splits_path, train_path = scratch / "splits.parquet", scratch / "train_data.parquet"
        atomic_write_bytes(splits_path, parquet_bytes(splits))
        atomic_write_bytes(train_path, parquet_bytes(train_data))
        extras = training_extras(config=config_to_dict(config), registry_root=registry_root, role=role,
                                 parent=parent, splits_path=str(splits_path), train_path=str(train_path),
                                 worker_pid=os.getpid(), worker_host=socket.gethostname())
        cursor = context.instance.get_records_for_run(context.run_id, limit=1, ascending=False).cursor
        context.log.info(f"{context.asset_key.to_user_string()} ({role}): training in a process started by "
                         f"{type(client).__name__} (training.launcher: pipes); its log lines follow")
        # Dagster's own Pipes code warns that a reader method is in preview, on every launch: nothing to act on.
        warnings.filterwarnings("ignore", message=r".*expected_writer_count", category=dg.PreviewWarning)
        try:
            invocation = client.run(context=context, extras=extras, command=training_command())
        except Exception as error:
            message = failure_message(context, cursor, error)
            if message is None:
                raise
            raise TrainingProcessError(message) from None  # the cause is the child's, in the message
    return reported_result(invocation.get_custom_messages())


@contextmanager
def handoff_folder(state_dir: Path) -> Iterator[Path]:
    """A fresh ``<state_dir>/tmp/pipes-training-*`` folder for the block (a prefix on an object store)."""
    folder = state_dir / SCRATCH_DIR / f"pipes-training-{uuid.uuid4().hex[:12]}"
    if is_local(folder):
        folder.mkdir(parents=True)
    try:
        yield folder
    finally:
        remove_tree(folder)


def parquet_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


def failure_message(context: dg.AssetExecutionContext, cursor: str | None, error: Exception) -> str | None:
    """Why the training process failed, in its own words when it reported an exception; from its
    exit status otherwise. None: nothing to add to ``error`` (not the process's failure)."""
    reported = reported_exception(context, cursor)
    if reported is not None:
        return (f"the training process failed: {reported.message.strip()} "
                f"(its traceback is in this step's event \"[pipes] external process {PIPES_CLOSED_WITH_ERROR}\")")
    code = exit_code(error)
    if code is None:
        return None
    if code < 0:
        name = signal.Signals(-code).name if -code in signal.valid_signals() else f"signal {-code}"
        return (f"the training process was killed by {name} before it reported a result or an error (a version "
                "it had published is recorded abandoned when the run ends)"
                + (f". {OOM_HINT}" if -code == signal.SIGKILL else ""))
    return (f"the training process exited with code {code} without reporting an error: it failed before "
            "opening Dagster Pipes (an import error, a missing package). Fix: read its stderr in this step's "
            "logs (a subprocess writes to the run worker's stderr)")


def reported_exception(context: dg.AssetExecutionContext, cursor: str | None):
    """The exception the training process ended its Pipes session with, if it did (after ``cursor``)."""
    step_key = context.get_step_execution_context().step.key
    records = context.instance.get_records_for_run(context.run_id, cursor=cursor,
                                                   of_type=dg.DagsterEventType.ENGINE_EVENT).records
    for record in reversed(records):
        event = record.event_log_entry.dagster_event
        if event is None or event.step_key != step_key or PIPES_CLOSED_WITH_ERROR not in (event.message or ""):
            continue
        if event.engine_event_data is not None and event.engine_event_data.error is not None:
            return event.engine_event_data.error
    return None


def exit_code(error: Exception) -> int | None:
    """The exit status in Dagster's "External execution process failed with code N", if that is the error."""
    if not isinstance(error, DagsterPipesExecutionError):
        return None
    match = re.search(r"failed with code (-?\d+)", str(error))
    return int(match.group(1)) if match else None


def reported_result(messages) -> TrainedElsewhere:
    """The one result message the training process sends when its version is registered."""
    results = [m for m in messages if isinstance(m, dict) and m.get("kind") == RESULT_KIND]
    if len(results) != 1:
        raise TrainingProcessError(
            f"the training process ended without error but sent {len(results)} result messages instead of one; "
            f"Fix: the resource `training_pipes_client` must run {' '.join(training_command('python'))} "
            f"unchanged (it reports the registered version)")
    result = results[0]
    return TrainedElsewhere(version=str(result["version"]), pid=int(result["pid"]), host=str(result["host"]),
                            peak_rss_mb=result.get("peak_rss_mb"))


def check_registered(version: ModelVersion, role: str, parent: str | None) -> None:
    """The reported version must be the model this step asked for (this loop's challenger, or its
    baseline): a client pointed at another state directory would otherwise have the loop judge, or
    promote, someone else's model."""
    info = version.info
    if info.get("role") != role or info.get("parent") != parent:
        wanted = f"a challenger of {parent}" if role == CHALLENGER else f"a {role} with no parent"
        raise TrainingProcessError(
            f"the training process reported {version.version}, registered as role {info.get('role')!r} with "
            f"parent {info.get('parent')!r}, not as {wanted}. Fix: the training process must "
            f"see this run's state directory at the same path")
