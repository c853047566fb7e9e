"""Crash recovery at the start of a run, under the loop lock: what a killed run left behind.

* a champion change whose history line a crash cut off gets it (``ModelRegistry.recover``);
* versions registered by a run that died before deciding on them are recorded ``abandoned``
  — except the stored challenger still waiting for ``--select champion_model`` and a baseline
  the next champion step may reuse (``lifecycle.reusable_baseline``);
* temp files and directories of interrupted atomic writes, and training scratch folders, older
  than the live run are removed (a rollback writing its temp file right now is newer);
* run folders of stored asset values beyond the newest few are pruned.

Plain Python: the Dagster layer calls it once per run and logs what it did.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from adversarial_mlops.loop.lifecycle import BASELINE
from adversarial_mlops.models.registry import ModelRegistry
from adversarial_mlops.storage.locations import last_modified, remove_tree
from adversarial_mlops.storage.run_values import RunValueStore

SKIPPED_DIRS = frozenset({"dagster_home"})  # Dagster's own storage: not ours to clean
SCRATCH_DIR = "tmp"  # training scratch (lifecycle.train_and_register)


def recover_state(local_dir: Path, registry: ModelRegistry, store: RunValueStore, *,
                  started_at: float, shared_scratch: Path | None = None) -> list[str]:
    """Repair the state after crashed runs; returns one line per thing done. ``local_dir``: this host's
    folder (the state directory itself when that is a folder), where temp files and scratch live;
    ``shared_scratch``: the object store's ``tmp`` of an object-store state directory (training hand-offs)."""
    actions = []
    repaired = registry.recover()
    if repaired:
        actions.append(f"registry history: {repaired}; appended")
    actions += abandon_orphaned_versions(registry, store)
    actions += remove_debris(Path(local_dir), started_before=started_at)
    actions += remove_unsealed_uploads(registry, started_before=started_at)
    if shared_scratch is not None and shared_scratch.is_dir():
        stale = [folder for folder in shared_scratch.iterdir() if last_modified(folder) < started_at]
        for folder in stale:
            remove_tree(folder)
        if stale:
            actions.append(f"removed {len(stale)} training hand-off folder(s) of interrupted runs from {shared_scratch}")
    pruned = store.prune()
    if pruned:
        actions.append(f"pruned stored values of {len(pruned)} old run(s)")
    return actions


def abandon_orphaned_versions(registry: ModelRegistry, store: RunValueStore) -> list[str]:
    pending = store.latest("challenger_model")
    waiting = pending.load().get("version") if pending is not None else None
    no_champion = registry.champion() is None
    actions = []
    for version in registry.undecided_versions():
        if version.version == waiting:
            continue  # `--select champion_model` can still decide it
        if no_champion and version.info.get("role") == BASELINE:
            continue  # the champion step reuses it if it matches the config
        registry.record("abandoned", version=version.version,
                        reason="registered by a run that stopped before a decision on it")
        actions.append(f"{version.version} recorded as abandoned (its run stopped before deciding on it)")
    return actions


def remove_unsealed_uploads(registry: ModelRegistry, *, started_before: float) -> list[str]:
    """Object-store versions whose upload a crash cut short (no ``version.json``): nobody can load them."""
    removed = [folder.name for folder in registry.unsealed_versions() if last_modified(folder) < started_before]
    for name in removed:
        remove_tree(registry.versions_dir / name)
    return [f"removed the unfinished upload of {name} (its run stopped before sealing it)" for name in removed]


def is_temporary(path: Path) -> bool:
    """Names ``storage.atomic_io`` gives temp files (``.name.XXXX.tmp``) and dirs (``.name.tmp-XXXX``)."""
    name = path.name
    return name.startswith(".") and (name.endswith(".tmp") or ".tmp-" in name)


def remove_debris(state_dir: Path, *, started_before: float) -> list[str]:
    removed = []
    for path in _walk(state_dir):
        if is_temporary(path) and _older(path, started_before):
            _remove(path)
            removed.append(path)
    scratch = state_dir / SCRATCH_DIR
    if scratch.is_dir():
        for path in scratch.iterdir():
            if _older(path, started_before):
                _remove(path)
                removed.append(path)
    if not removed:
        return []
    shown = ", ".join(str(p.relative_to(state_dir)) for p in removed[:5])
    return [f"removed {len(removed)} leftover temp file(s)/folder(s) of interrupted runs: {shown}"
            + (" …" if len(removed) > 5 else "")]


def _walk(directory: Path):
    try:
        entries = list(directory.iterdir())
    except OSError:
        return
    for path in entries:
        yield path
        if path.is_dir() and not path.is_symlink() and path.name not in SKIPPED_DIRS and not is_temporary(path):
            yield from _walk(path)


def _older(path: Path, than: float) -> bool:
    try:
        return path.lstat().st_mtime < than
    except FileNotFoundError:
        return False


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
