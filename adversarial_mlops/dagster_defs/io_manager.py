"""Stores asset values under the state directory: tables as Parquet, reports as JSON.

No pickles: values stay readable by any tool, and every write goes to a temp file that is
renamed into place, so a killed run never leaves a truncated value behind.
"""


import io
import json
from pathlib import Path

import dagster as dg
import pandas as pd

from adversarial_mlops.errors import NotFoundError
from adversarial_mlops.storage.atomic_io import atomic_write_bytes, atomic_write_json
from adversarial_mlops.storage.jsonable import json_safe

FULL_LOOP_HINT = ("run the whole loop first: `adversarial-mlops run` (or `python scripts/run_pipeline.py`, "
                  "or `dagster asset materialize --select '*champion_model' -m adversarial_mlops.dagster_defs.definitions`)")


class MissingAssetValueError(NotFoundError):
    """An asset's stored value is needed but no run has produced it yet."""


class StateDirIOManager(dg.ConfigurableIOManager):
    """DataFrame → <base_dir>/<asset>.parquet; dict/list → <base_dir>/<asset>.json."""

    base_dir: str

    def _stem(self, key: dg.AssetKey) -> Path:
        return Path(self.base_dir).joinpath(*key.path)

    def handle_output(self, context: dg.OutputContext, obj) -> None:
        stem = self._stem(context.asset_key)
        if isinstance(obj, pd.DataFrame):
            buffer = io.BytesIO()
            obj.to_parquet(buffer, index=False)
            path = stem.with_suffix(".parquet")
            atomic_write_bytes(path, buffer.getvalue())
            stale = stem.with_suffix(".json")
        elif isinstance(obj, (dict, list)):
            path = stem.with_suffix(".json")
            atomic_write_json(path, json_safe(obj))
            stale = stem.with_suffix(".parquet")
        else:
            raise TypeError(f"asset {context.asset_key.to_user_string()} returned {type(obj).__name__}; "
                            "this IO manager stores pandas DataFrames and JSON-like dicts/lists only")
        stale.unlink(missing_ok=True)  # one stored value per asset, whatever its last type
        context.add_output_metadata({"stored_at": dg.MetadataValue.path(str(path))})

    def load_input(self, context: dg.InputContext):
        stem = self._stem(context.asset_key)
        if stem.with_suffix(".parquet").exists():
            return pd.read_parquet(stem.with_suffix(".parquet"))
        if stem.with_suffix(".json").exists():
            return json.loads(stem.with_suffix(".json").read_text(encoding="utf-8"))
        raise MissingAssetValueError(
            f"no stored value for asset '{context.asset_key.to_user_string()}' under {self.base_dir}; "
            + FULL_LOOP_HINT
        )
