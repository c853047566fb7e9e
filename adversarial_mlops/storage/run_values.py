"""Asset values stored per run, so a run reads its own values or, explicitly, the latest ones.

Layout under the assets directory::

    runs/<run_id>/<asset>.parquet|json   what run <run_id> produced (tables as Parquet, reports as JSON)
    latest/<asset>.json                  {"run_id", "file", "written_at"}: the newest stored value

A run reads an input it produced itself from its own folder; an input it did not produce (a
partial run such as ``--select champion_model``) comes from ``latest`` — the value of the last
run that wrote it — and the caller is told which run that was. Two runs never write the same
file, and a value is stored before its pointer moves, so a killed run leaves at worst a folder
nobody points at. Values of the layout before runs were kept apart (``<asset>.parquet`` at the
top) are still read when no run has written that asset since.

``base_dir`` may be a folder or an object-store URL (``storage.locations``): each value is one
object written whole, and the pointer is written after it, so the same order holds there.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from adversarial_mlops.storage.atomic_io import atomic_write_bytes, atomic_write_json
from adversarial_mlops.storage.crash_points import crash_point
from adversarial_mlops.storage.jsonable import json_safe
from adversarial_mlops.storage.locations import last_modified, remove_tree, state_path

RUNS_DIR = "runs"
LATEST_DIR = "latest"
SUFFIXES = (".parquet", ".json")
KEEP_RUNS = 10  # run folders kept besides those a "latest" pointer names


@dataclass(frozen=True)
class StoredValue:
    path: Path
    run_id: str | None  # None: a value of the layout before runs were kept apart

    def load(self):
        if self.path.suffix == ".parquet":
            return pd.read_parquet(io.BytesIO(self.path.read_bytes()))
        return json.loads(self.path.read_text(encoding="utf-8"))


class RunValueStore:
    def __init__(self, base_dir: Path):
        self.base_dir = state_path(base_dir)

    def run_dir(self, run_id: str) -> Path:
        if not run_id or "/" in run_id or run_id.startswith("."):
            raise ValueError(f"run id {run_id!r} cannot name a folder")
        return self.base_dir / RUNS_DIR / run_id

    def write(self, run_id: str, asset: str, value) -> Path:
        """Store ``value`` as run ``run_id``'s ``asset``, then point ``latest`` at it."""
        stem = self.run_dir(run_id) / asset
        if isinstance(value, pd.DataFrame):
            buffer = io.BytesIO()
            value.to_parquet(buffer, index=False)
            path = stem.with_suffix(".parquet")
            atomic_write_bytes(path, buffer.getvalue())
        elif isinstance(value, (dict, list)):
            path = stem.with_suffix(".json")
            atomic_write_json(path, json_safe(value))
        else:
            raise TypeError(f"asset {asset} returned {type(value).__name__}; values are stored as pandas "
                            "DataFrames (Parquet) and JSON-like dicts/lists only")
        for other in SUFFIXES:  # one value per asset and run, whatever its last type
            if other != path.suffix:
                stem.with_suffix(other).unlink(missing_ok=True)
        crash_point("assets.value_written")
        atomic_write_json(self._pointer(asset), {"run_id": run_id, "file": path.relative_to(self.base_dir).as_posix(),
                                                 "written_at": datetime.now(timezone.utc).isoformat()})
        return path

    def of_run(self, run_id: str, asset: str) -> StoredValue | None:
        """The value run ``run_id`` stored for ``asset``, if it stored one."""
        for suffix in SUFFIXES:
            path = (self.run_dir(run_id) / asset).with_suffix(suffix)
            if path.is_file():
                return StoredValue(path, run_id)
        return None

    def latest(self, asset: str) -> StoredValue | None:
        """The newest stored value of ``asset``, whichever run wrote it."""
        pointer = self._pointer(asset)
        if pointer.is_file():
            record = json.loads(pointer.read_text(encoding="utf-8"))
            path = self.base_dir / record["file"]
            if path.is_file():
                return StoredValue(path, record["run_id"])
        for suffix in SUFFIXES:  # the layout before runs were kept apart
            legacy = (self.base_dir / asset).with_suffix(suffix)
            if legacy.is_file():
                return StoredValue(legacy, None)
        return None

    def for_run(self, run_id: str | None, asset: str) -> StoredValue | None:
        """What run ``run_id`` reads as ``asset``: its own value, else the latest one."""
        own = self.of_run(run_id, asset) if run_id else None
        return own if own is not None else self.latest(asset)

    def prune(self, *, keep: int = KEEP_RUNS, protect: set[str] = frozenset()) -> list[str]:
        """Remove run folders beyond the newest ``keep`` that no pointer names; returns their run ids."""
        runs_root = self.base_dir / RUNS_DIR
        if not runs_root.is_dir():
            return []
        pointed = set(protect)
        latest_root = self.base_dir / LATEST_DIR
        if latest_root.is_dir():
            for pointer in latest_root.glob("*.json"):
                try:
                    pointed.add(json.loads(pointer.read_text(encoding="utf-8"))["run_id"])
                except (OSError, ValueError, KeyError):
                    continue
        folders = sorted((p for p in runs_root.iterdir() if p.is_dir() and not p.name.startswith(".")),
                         key=last_modified, reverse=True)
        removed = []
        for folder in folders[keep:]:
            if folder.name not in pointed:
                remove_tree(folder)
                removed.append(folder.name)
        return removed

    def _pointer(self, asset: str) -> Path:
        return self.base_dir / LATEST_DIR / f"{asset}.json"

