"""Stores asset values under the state directory, one folder per run (``storage.run_values``).

No pickles: values stay readable by any tool (Parquet, JSON), and every write goes to a temp
file that is renamed into place, so a killed run never leaves a truncated value behind. A run
reads what it produced itself; an input it did not produce (``--select champion_model``) is the
latest stored value, and the step's log names the run it came from.
"""

import dagster as dg

from adversarial_mlops.errors import NotFoundError
from adversarial_mlops.storage.run_values import RunValueStore

FULL_LOOP_HINT = ("run the whole loop first: `adversarial-mlops run` (or `python scripts/run_pipeline.py`, "
                  "or `dagster asset materialize --select '*champion_model' -m adversarial_mlops.dagster_defs.definitions`)")


class MissingAssetValueError(NotFoundError):
    """An asset's stored value is needed but no run has produced it yet."""


def _run_id(context: dg.InputContext) -> str | None:
    """The reading run's id; None for a context built outside a run (``build_input_context``)."""
    try:
        return context.step_context.run_id
    except dg.DagsterInvariantViolationError:
        return None


class StateDirIOManager(dg.ConfigurableIOManager):
    """DataFrame → <base_dir>/runs/<run_id>/<asset>.parquet; dict/list → ….json."""

    base_dir: str

    def _store(self) -> RunValueStore:
        return RunValueStore(self.base_dir)

    def handle_output(self, context: dg.OutputContext, obj) -> None:
        path = self._store().write(context.run_id, context.asset_key.to_python_identifier(), obj)
        context.add_output_metadata({"stored_at": dg.MetadataValue.path(str(path))})

    def load_input(self, context: dg.InputContext):
        asset = context.asset_key.to_python_identifier()
        run_id = _run_id(context)
        stored = self._store().for_run(run_id, asset)
        if stored is None:
            raise MissingAssetValueError(
                f"no stored value for asset '{context.asset_key.to_user_string()}' under {self.base_dir}; "
                + FULL_LOOP_HINT)
        if stored.run_id != run_id:
            context.log.info(f"input {asset}: the value stored by "
                             f"{'run ' + stored.run_id if stored.run_id else 'an earlier run'} ({stored.path})")
        return stored.load()
