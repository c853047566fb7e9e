"""Execute one already-created loop run:
``python -m adversarial_mlops.dagster_defs.worker RUN_ID --state-dir DIR --dagster-home DIR``.

Started by ``launcher.LoopLauncher`` in its own session. The run's config travels in its run
config (the launcher resolved it); the arguments only say where the run's instance and state
live. The run's events go to that instance (the UI shows them live); the loop lock is released
when the run ends, however it ends.
"""

from __future__ import annotations

import argparse
import signal
import sys
from typing import Sequence


def loop_job_for(state_dir: str, local_dir: str | None = None):
    """The loop job of a code location with ``state_dir`` and ``local_dir``: what the reconstructable
    job points at. Its default run settings do not matter: a launched run's config carries every section.
    """
    from adversarial_mlops.config import build_config
    from adversarial_mlops.dagster_defs.wiring import loop_job

    return loop_job(build_config({"state_dir": state_dir, "local_dir": local_dir}))


def reconstructable_loop_job(state_dir: str, local_dir: str | None = None):
    """The loop job as Dagster can rebuild it in another process (the worker, and each step
    process of the multiprocess executor): by module and function name, not by this file — under
    `python -m`, this file is __main__, which Dagster cannot point at."""
    from dagster._core.definitions.reconstruct import build_reconstructable_job

    return build_reconstructable_job("adversarial_mlops.dagster_defs.worker", "loop_job_for",
                                     reconstructable_args=(str(state_dir), None if local_dir is None else str(local_dir)))


def _interrupt(signum, frame):  # noqa: ARG001
    raise KeyboardInterrupt(f"signal {signum}")


def _parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m adversarial_mlops.dagster_defs.worker")
    parser.add_argument("run_id")
    parser.add_argument("--state-dir", required=True, help="the launcher's state directory")
    parser.add_argument("--dagster-home", required=True, help="the launcher's Dagster instance directory")
    parser.add_argument("--local-dir", default=None, help="the launcher's local_dir (this host's own files)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(list(sys.argv[1:] if argv is None else argv))

    from dagster._core.execution.api import execute_run  # not re-exported by `dagster` in 1.13

    from adversarial_mlops.dagster_defs.instance import InstanceUnavailableError, open_instance
    from adversarial_mlops.dagster_defs.launcher import FINISHED, LoopLock

    # SIGTERM → KeyboardInterrupt: Dagster then records the run as failed instead of leaving it STARTED.
    signal.signal(signal.SIGTERM, _interrupt)
    # The launcher's environment came along: on PostgreSQL, the same ADVERSARIAL_MLOPS_DAGSTER_PG_URL.
    try:
        instance = open_instance(args.dagster_home)
    except InstanceUnavailableError as error:  # its message names the fix: no traceback in the run log
        print(f"error: {error}", file=sys.stderr)
        return 2
    lock = LoopLock(args.state_dir, instance)
    try:
        run = instance.get_run_by_id(args.run_id)
        if run is None:
            print(f"no Dagster run with id {args.run_id} in {instance.root_directory}", file=sys.stderr)
            return 2
        result = execute_run(reconstructable_loop_job(args.state_dir, args.local_dir), run, instance)
        return 0 if result.success else 1
    except BaseException as error:
        run = instance.get_run_by_id(args.run_id)
        if run is not None and run.status.value not in FINISHED:
            instance.report_run_failed(run, f"run worker stopped: {type(error).__name__}: {error}")
        if isinstance(error, KeyboardInterrupt):
            return 130
        raise
    finally:
        lock.release(args.run_id)


if __name__ == "__main__":
    sys.exit(main())
