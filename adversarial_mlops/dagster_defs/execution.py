"""The loop's executor: in-process (default) or multiprocess, chosen by ``execution.executor``.

Whichever it is, the process that orchestrates a run holds the state directory's loop lock for
the run's whole life (``run_guard.hold_loop``) and runs the crash recovery before any step. With
the multiprocess executor every step runs in a process of its own that lives only for that step,
so the lock cannot belong to a step: the orchestrator takes it, and the steps' ``settings``
resource sees the lock held by its run and leaves it alone.

A run's executor is part of its run config (``execution.config``), which the CLI and the API
write from the resolved config; a launchpad run without one gets the code location's
``execution`` section.
"""

from __future__ import annotations

import os
from typing import Iterator

import dagster as dg
from dagster._core.definitions.executor_definition import (  # the stock executors' own config and builders
    IN_PROC_CONFIG, MULTI_PROC_CONFIG, _core_in_process_executor_creation, _core_multiprocess_executor_creation,
    multiple_process_executor_requirements)
from dagster._core.executor.base import Executor

from adversarial_mlops.config import ExecutionSettings, PipelineConfig

from .run_guard import hold_loop

MULTIPROCESS = "multiprocess"
IN_PROCESS = "in_process"
PRELOAD_MODULES = ("adversarial_mlops.dagster_defs.worker", "torch",
                   "transformers", "peft")


def executor_run_config(settings: ExecutionSettings) -> dict:
    """The ``execution`` run config that selects ``settings``' executor."""
    if settings.executor == MULTIPROCESS:
        # forkserver: one server process imports dagster, torch, transformers and this code location
        # once, and every step process is forked from it — a spawned step would import them again.
        start = {"forkserver": {"preload_modules": list(PRELOAD_MODULES)}}
        return {"config": {MULTIPROCESS: {"max_concurrent": settings.max_concurrent, "start_method": start}}}
    return {"config": {IN_PROCESS: {}}}


def concurrent_steps(settings: ExecutionSettings) -> int:
    """How many steps may run at once under ``settings``."""
    if settings.executor != MULTIPROCESS:
        return 1
    return settings.max_concurrent or os.cpu_count() or 1


def threads_per_step(settings: ExecutionSettings) -> int:
    """Torch threads for one step, so that steps running side by side do not oversubscribe the
    cores (two steps of two threads each on two cores ran slower than one step of two)."""
    return max(1, (os.cpu_count() or 1) // concurrent_steps(settings))


class LoopExecutor(Executor):
    """A stock executor whose ``execute`` — the run's orchestration — holds the loop lock."""

    def __init__(self, inner: Executor, location: PipelineConfig):
        self.inner = inner
        self.location = location  # the code location's config: its state_dir and local_dir

    def execute(self, plan_context, execution_plan) -> Iterator:
        with hold_loop(plan_context.instance, plan_context.dagster_run, self.location, plan_context.log):
            yield from self.inner.execute(plan_context, execution_plan)

    @property
    def retries(self):
        return self.inner.retries

    @property
    def step_dependency_config(self):
        return self.inner.step_dependency_config


def _requirements(executor_config: dict):
    return multiple_process_executor_requirements() if MULTIPROCESS in executor_config else []


def loop_executor(config: PipelineConfig) -> dg.ExecutorDefinition:
    """The executor of a code location loaded with ``config``: its ``execution`` section is the
    default; a run's own ``execution`` config (CLI, API) picks per run."""
    default = executor_run_config(config.execution)["config"]

    @dg.executor(name="loop_executor",
                 config_schema=dg.Field(dg.Selector({MULTIPROCESS: MULTI_PROC_CONFIG, IN_PROCESS: IN_PROC_CONFIG}),
                                        default_value=default),
                 requirements=_requirements)
    def _loop_executor(init_context) -> Executor:
        (kind, settings), = init_context.executor_config.items()
        inner = (_core_multiprocess_executor_creation(settings) if kind == MULTIPROCESS
                 else _core_in_process_executor_creation(settings))
        return LoopExecutor(inner, config)

    return _loop_executor
