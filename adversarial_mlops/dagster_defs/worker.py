"""Execute one already-created loop run: ``python -m adversarial_mlops.dagster_defs.worker RUN_ID``.

Started by ``run_launcher.LoopLauncher`` in its own session, with $ADVERSARIAL_MLOPS_CONFIG and
$DAGSTER_HOME pointing at the launcher's config and instance. The run's events go to that
instance (the UI shows them live); the loop lock is released when the run ends, however it ends.
"""

from __future__ import annotations

import signal
import sys
from typing import Sequence


def loop_job():
    """The loop job, rebuilt from the code location: what ``reconstructable`` points at."""
    from adversarial_mlops.dagster_defs.definitions import LOOP_JOB, build_definitions

    return build_definitions().resolve_job_def(LOOP_JOB)


def _interrupt(signum, frame):  # noqa: ARG001
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if len(argv) != 1:
        print("usage: python -m adversarial_mlops.dagster_defs.worker RUN_ID", file=sys.stderr)
        return 2
    run_id = argv[0]

    from dagster import reconstructable
    from dagster._core.execution.api import execute_run  # not re-exported by `dagster` in 1.13

    from adversarial_mlops.config import load_config
    from adversarial_mlops.dagster_defs.runs import prepare_instance
    from adversarial_mlops.dagster_defs.launcher import FINISHED, LoopLock

    # SIGTERM → KeyboardInterrupt: Dagster then records the run as failed instead of leaving it STARTED.
    signal.signal(signal.SIGTERM, _interrupt)
    config = load_config(None)
    instance = prepare_instance(config)
    lock = LoopLock(config.resolved_state_dir(), instance)
    try:
        run = instance.get_run_by_id(run_id)
        if run is None:
            print(f"no Dagster run with id {run_id} in {instance.root_directory}", file=sys.stderr)
            return 2
        # Import by module name: under `python -m`, this file is __main__, which Dagster cannot
        # point a reconstructable job at.
        from adversarial_mlops.dagster_defs import worker as run_worker

        result = execute_run(reconstructable(run_worker.loop_job), run, instance)
        return 0 if result.success else 1
    except BaseException as error:
        run = instance.get_run_by_id(run_id)
        if run is not None and run.status.value not in FINISHED:
            instance.report_run_failed(run, f"run worker stopped: {type(error).__name__}: {error}")
        if isinstance(error, KeyboardInterrupt):
            return 130
        raise
    finally:
        lock.release(run_id)


if __name__ == "__main__":
    sys.exit(main())
