"""A model registry on the filesystem: immutable versions, a champion pointer, a history log.

Layout under ``root``::

    versions/v0001/          model files + README.md (model card, if given) + version.json (metrics, info,
                             sha256 per file)
    reserved_ids/v0001/      one empty dir per allocated id; never removed, so ids are never reused
    champion.json            {"version", "promoted_at", "reason", "change"}, swapped atomically
    history.jsonl            append-only: promote / rollback / caller-recorded events
    .lock                    serialises champion changes across threads and processes

``root`` may be a folder or an object-store URL (``storage.locations``). On an object store a
version is uploaded file by file, ``version.json`` last, so a version without it is unpublished;
ids are reserved with an exclusive create; locks are leases (``storage.atomic_io``); and a
version is loaded from this host's verified copy under ``cache_dir`` (``ModelVersion.local_path``).

A champion change is one atomic record: the new pointer carries the whole history line of the
change (``change``, with a unique ``change_id``), and the history append that follows only
confirms it. A crash between the two leaves a pointer whose change is missing from the
history; the next champion change, or ``recover()``, appends it — so every champion the
pointer ever named has its history line, and the history never claims a change that did not
happen.

Nothing is created until the first write, so reading a registry never changes it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import tempfile
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

from adversarial_mlops.errors import ConflictError, InvalidInputError, NotFoundError
from adversarial_mlops.storage.crash_points import crash_point
from adversarial_mlops.storage.hashing import file_sha256
from adversarial_mlops.storage.atomic_io import (
    append_jsonl,
    atomic_directory,
    atomic_write_json,
    create_exclusive,
    exclusive_lock,
    read_jsonl,
)
from adversarial_mlops.storage.locations import is_local, location_key, state_path, user_cache_root

VERSION_PATTERN = re.compile(r"v[0-9]{4,9}")  # ASCII digits (\d is any Unicode digit); bounded: "v" + 255 digits is no path to stat
VERSION_FILE = "version.json"
README_FILE = "README.md"  # a version's model card, when it was registered with one
# History events only promote()/rollback() may write: rollback() replays them.
_CHAMPION_EVENTS = frozenset({"promote", "rollback"})


class RegistryError(ConflictError):
    """A registry operation was refused or found the registry inconsistent (no champion to roll
    back from, already champion, failed integrity check, corrupt history)."""


ANY_CHAMPION = object()  # promote(): no compare-and-swap


def stale_champion_message(candidate: str, *, expected: str | None, current: str | None) -> str:
    return (f"not promoting {candidate}: it was judged against champion {expected or 'none'}, but the "
            f"registry's champion is now {current or 'none'} (a rollback or another loop changed it). Run the "
            f"whole loop again (`adversarial-mlops run`) to test a challenger against the current champion")


class StaleChampionError(RegistryError):
    """A promotion was decided against a champion that is no longer the champion."""


class InvalidRegistryRequest(RegistryError, InvalidInputError):
    """A version id, reason or history entry given to the registry is malformed."""

    http_status = InvalidInputError.http_status


class UnknownVersionError(RegistryError, NotFoundError):
    """No registered version has that id."""

    http_status = NotFoundError.http_status


@dataclass(frozen=True)
class ModelVersion:
    version: str
    path: Path  # in the registry: a UPath when the registry is on an object store
    created_at: str
    metrics: dict
    info: dict
    # The registry's download of a remote version to this host (None: ``path`` is local already).
    fetch: Callable[[], Path] | None = field(default=None, repr=False, compare=False)

    def local_path(self) -> Path:
        """A folder on this host with the version's files, for loading the model (a verified copy
        when the registry is on an object store)."""
        return self.path if self.fetch is None else self.fetch()


def model_cache_dir(local_dir: Path) -> Path:
    """Where a host keeps its copies of an object-store registry's versions."""
    return Path(local_dir) / "model_cache"


def _utc_now() -> str:
    return datetime.now(timezone.utc).isoformat()


def _version_number(version: str) -> int:
    return int(version[1:])


def _format_version(number: int) -> str:
    return f"v{number:04d}"


def _require_json(value, what: str) -> None:
    """Fail before writing anything if ``value`` cannot go into a JSON file."""
    try:
        json.dumps(value)
    except (TypeError, ValueError) as error:
        raise InvalidRegistryRequest(f"{what} must be JSON-serialisable: {error}") from error



def _hash_model_files(directory: Path) -> dict[str, str]:
    """sha256 of every model file (relative POSIX path → hex), excluding version.json."""
    hashes = {}
    for path in sorted(directory.rglob("*")):
        relative = path.relative_to(directory).as_posix()
        if path.is_symlink():
            # A link's target lives outside the version and could change under us.
            raise RegistryError(
                f"{relative} in {directory} is a symlink; versions must hold plain files"
            )
        if path.is_file() and relative != VERSION_FILE:
            hashes[relative] = file_sha256(path)
    return hashes


def _hash_problems(recorded: dict[str, str], actual: dict[str, str]) -> list[str]:
    problems = [f"missing {name}" for name in sorted(recorded.keys() - actual.keys())]
    problems += [f"unexpected {name}" for name in sorted(actual.keys() - recorded.keys())]
    problems += [f"modified {name}" for name in sorted(recorded.keys() & actual.keys()) if recorded[name] != actual[name]]
    return problems


def _make_read_only(directory: Path) -> None:
    """Files only: read-only directories would stop ordinary cleanup of the registry."""
    for path in directory.rglob("*"):
        if path.is_file():
            path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


class ModelRegistry:
    def __init__(self, root: Path | str, *, cache_dir: Path | None = None):
        self.root = state_path(root)
        self.local = is_local(self.root)
        # Per registry: two registries' v0001 are different models.
        self.cache_dir = Path(cache_dir or model_cache_dir(user_cache_root())) / location_key(self.root)
        self.versions_dir = self.root / "versions"
        self.reserved_dir = self.root / "reserved_ids"
        self.champion_file = self.root / "champion.json"
        self.history_file = self.root / "history.jsonl"
        self.lock_file = self.root / ".lock"

    # ------------------------------------------------------------------ registering

    def register(self, build: Callable[[Path], None], *, metrics: dict, info: dict,
                 readme: Callable[[str], str] | None = None) -> ModelVersion:
        """Build a new immutable version; nothing is published unless ``build`` succeeds.

        ``readme``: the version's ``README.md`` (its model card) from its id, written before the
        version is sealed, so it is hashed and verified with the model files.
        """
        _require_json(metrics, "metrics")
        _require_json(info, "info")
        version = self._reserve_next_version()
        final_dir = self.versions_dir / version
        created_at = _utc_now()
        # The reservation makes final_dir unique; atomic_directory still refuses to
        # replace an existing directory, so a published version can never be overwritten.
        with atomic_directory(final_dir, seal=VERSION_FILE) as build_dir:
            build(build_dir)
            if readme is not None:
                self._write_readme(build_dir, readme(version))
            crash_point("registry.version_built")
            self._seal(build_dir, version, created_at, metrics, info)
        return ModelVersion(version, final_dir, created_at, metrics, info, fetch=self._fetcher(version))

    def _reserve_next_version(self) -> str:
        """Claim the next unused id; mkdir (an exclusive create on an object store) is atomic, so two
        processes never get the same one."""
        if self.local:
            self.reserved_dir.mkdir(parents=True, exist_ok=True)
        number = self._highest_known_number() + 1
        while True:
            version = _format_version(number)
            try:
                if self.local:
                    os.mkdir(self.reserved_dir / version)
                else:
                    create_exclusive(self.reserved_dir / version, b"")
                return version
            except FileExistsError:
                number += 1

    def _highest_known_number(self) -> int:
        numbers = [
            _version_number(entry.name)
            for directory in (self.reserved_dir, self.versions_dir)
            if directory.is_dir()
            for entry in directory.iterdir()
            if VERSION_PATTERN.fullmatch(entry.name)
        ]
        return max(numbers, default=0)

    @staticmethod
    def _write_readme(build_dir: Path, text: str) -> None:
        path = build_dir / README_FILE
        if path.exists():
            raise RegistryError(f"build wrote {README_FILE} and a readme was given; keep one of them")
        path.write_text(text, encoding="utf-8")

    def readme(self, version: str) -> Path | None:
        """The version's README.md (model card), or None for a version registered without one."""
        self._version_record(version)  # unknown or malformed ids fail as in get()
        path = self.versions_dir / version / README_FILE
        return path if path.is_file() else None

    def _seal(
        self, build_dir: Path, version: str, created_at: str, metrics: dict, info: dict
    ) -> None:
        if (build_dir / VERSION_FILE).exists():
            raise RegistryError(f"build must not write {VERSION_FILE}; the registry owns that file")
        files = _hash_model_files(build_dir)
        if not files:
            raise RegistryError(
                f"build wrote no files for {version}; refusing to register an empty model"
            )
        record = {
            "version": version,
            "created_at": created_at,
            "metrics": metrics,
            "info": info,
            "files": files,
        }
        atomic_write_json(build_dir / VERSION_FILE, record)
        _make_read_only(build_dir)

    # --------------------------------------------------------------------- reading

    def get(self, version: str) -> ModelVersion:
        record = self._version_record(version)
        return ModelVersion(
            version=version,
            path=self.versions_dir / version,
            created_at=record["created_at"],
            metrics=record["metrics"],
            info=record["info"],
            fetch=self._fetcher(version),
        )

    def _fetcher(self, version: str) -> Callable[[], Path] | None:
        return None if self.local else (lambda: self.local_copy(version))

    def local_copy(self, version: str) -> Path:
        """``version``'s files on this host: the version itself when the registry is local, else a
        copy under ``cache_dir``, downloaded once, checked against the recorded hashes, then renamed
        into place (versions are immutable, so a complete copy never goes stale)."""
        record = self._version_record(version)
        if self.local:
            return self.versions_dir / version
        target = self.cache_dir / version
        if (target / VERSION_FILE).is_file():
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        download = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{version}.download-"))
        try:
            source = self.versions_dir / version
            for relative in [*sorted(record.get("files") or {}), VERSION_FILE]:
                destination = download / relative
                destination.parent.mkdir(parents=True, exist_ok=True)
                remote = source / relative
                remote.fs.get_file(remote.path, str(destination))  # streamed, as uploaded
            problems = _hash_problems(record.get("files") or {}, _hash_model_files(download))
            if problems:
                raise RegistryError(f"{version} in {self.root} failed integrity check: {'; '.join(problems)}")
            try:
                os.rename(download, target)
            except OSError:
                if not (target / VERSION_FILE).is_file():  # not another process's finished copy
                    raise
        finally:
            shutil.rmtree(download, ignore_errors=True)
        return target

    def _version_record(self, version: str) -> dict:
        self._check_version_id(version)
        version_file = self.versions_dir / version / VERSION_FILE
        if not (self.versions_dir / version).is_dir():
            known = [v.version for v in self.list_versions()]
            raise UnknownVersionError(f"unknown version {version!r}; known versions: {known or 'none'}")
        try:
            return json.loads(version_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise RegistryError(f"{version_file} is missing or unreadable: {error}") from error

    @staticmethod
    def _check_version_id(version) -> None:
        # A strict pattern also rules out path traversal such as "../x".
        if not isinstance(version, str) or not VERSION_PATTERN.fullmatch(version):
            raise InvalidRegistryRequest(
                f"invalid version id {version!r}; "
                "expected 'v' followed by 4 to 9 digits, e.g. 'v0001'"
            )

    def list_versions(self) -> list[ModelVersion]:
        """Published versions, oldest first (temp build dirs and reservations are skipped)."""
        if not self.versions_dir.is_dir():
            return []
        names = [
            p.name
            for p in self.versions_dir.iterdir()
            if p.is_dir() and VERSION_PATTERN.fullmatch(p.name)
            # On an object store a version appears file by file: unpublished until its seal is there.
            and (self.local or (p / VERSION_FILE).is_file())
        ]
        return [self.get(name) for name in sorted(names, key=_version_number)]

    def unsealed_versions(self) -> list[Path]:
        """Version folders without ``version.json``: on an object store, uploads a crash cut short."""
        if self.local or not self.versions_dir.is_dir():
            return []
        return [p for p in self.versions_dir.iterdir()
                if VERSION_PATTERN.fullmatch(p.name) and not (p / VERSION_FILE).is_file()]

    def verify(self, version: str) -> None:
        """Re-hash the files of ``version``; RegistryError if any was added, removed or changed."""
        recorded = self._version_record(version).get("files")
        if not isinstance(recorded, dict):
            raise RegistryError(f"{version}: {VERSION_FILE} has no file hashes; cannot verify")
        problems = _hash_problems(recorded, _hash_model_files(self.versions_dir / version))
        if problems:
            raise RegistryError(f"{version} failed integrity check: {'; '.join(problems)}")

    # -------------------------------------------------------------- champion & history

    def champion(self) -> ModelVersion | None:
        pointer = self._champion_pointer()
        return None if pointer is None else self.get(pointer["version"])

    def _champion_pointer(self) -> dict | None:
        if not self.champion_file.exists():
            return None
        try:
            pointer = json.loads(self.champion_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise RegistryError(f"{self.champion_file} is unreadable: {error}") from error
        if not isinstance(pointer, dict) or "version" not in pointer:
            raise RegistryError(f"{self.champion_file} has no 'version' field: {pointer!r}")
        return pointer

    def promote(self, version: str, *, reason: str, details: dict | None = None,
                replacing: str | None | object = ANY_CHAMPION) -> None:
        """Make ``version`` the champion (after an integrity check), then log it.

        ``replacing`` makes it a compare-and-swap: the promotion happens only if the champion is
        still that version (None: still no champion), else StaleChampionError and nothing changes.
        A decision taken against one champion must not silently replace another (a rollback made
        while the A/B ran, or a concurrent loop).
        """
        self._check_reason(reason)
        _require_json(details, "details")
        # Never serve a model whose files changed since registration. Checked before the lock: the
        # files are immutable, and re-hashing a large model from an object store can outlast a lease.
        self.verify(version)
        with self._champion_lock():
            self._confirm_pointer_change()
            previous = self._current_champion_version()
            if replacing is not ANY_CHAMPION and previous != replacing:
                raise StaleChampionError(stale_champion_message(version, expected=replacing, current=previous))
            self._change_champion({"event": "promote", "version": version, "previous": previous,
                                   "reason": reason, "details": details})

    def rollback(
        self, to_version: str | None = None, *, reason: str = "manual rollback"
    ) -> ModelVersion:
        """Go back to the champion before the current one, or to ``to_version``.

        Repeated rollbacks keep walking back (v3 → v2 → v1): each rollback undoes the
        promotion that put the current champion in place.
        """
        self._check_reason(reason)
        with self._champion_lock():
            self._confirm_pointer_change()
            current = self._current_champion_version()
            if current is None:
                raise RegistryError("no champion yet; nothing to roll back")
            target = self._previous_champion(current) if to_version is None else to_version
            if target == current:
                raise RegistryError(f"{target} is already the champion")
            self.verify(target)
            self._change_champion({"event": "rollback", "version": target, "previous": current, "reason": reason})
        return self.get(target)

    def recover(self) -> str | None:
        """Append the history line of a champion change a crash cut short; says what it did, or None."""
        if not self.champion_file.exists():
            return None
        with self._champion_lock():
            return self._confirm_pointer_change()

    def _previous_champion(self, current: str) -> str:
        lineage = self._champion_lineage()
        # The pointer is the source of truth if a crash separated it from the history.
        lineage = _go_back_to(lineage, current)
        if len(lineage) < 2:
            raise RegistryError(f"no earlier champion to roll back to from {current}")
        return lineage[-2]

    def _champion_lineage(self) -> list[str]:
        """Replay history into a stack of champions; rollbacks pop back down it."""
        lineage: list[str] = []
        for entry in self.history():
            if entry.get("event") == "promote" and (not lineage or lineage[-1] != entry["version"]):
                lineage.append(entry["version"])
            elif entry.get("event") == "rollback":
                lineage = _go_back_to(lineage, entry["version"])
        return lineage

    def record(self, event: str, **fields) -> None:
        """Append a free-form audit entry (e.g. a gate's "reject" decision)."""
        if not isinstance(event, str) or not event:
            raise InvalidRegistryRequest(f"event must be a non-empty string, got {event!r}")
        if event in _CHAMPION_EVENTS:
            raise InvalidRegistryRequest(
                f"event {event!r} is written by {event}() only; rollback relies on it"
            )
        if "at" in fields:
            raise InvalidRegistryRequest("field 'at' is reserved for the entry timestamp")
        _require_json(fields, "record fields")
        self._append_history({"event": event, **fields})

    def undecided_versions(self) -> list[ModelVersion]:
        """Published versions that never became champion and have no recorded decision (reject,
        superseded, abandoned): what a crashed run leaves between registering and deciding."""
        decided = {entry.get("version") for entry in self.history()}
        current = self._current_champion_version()
        return [version for version in self.list_versions()
                if version.version not in decided and version.version != current]

    def history(self) -> list[dict]:
        try:
            return read_jsonl(self.history_file)
        except ValueError as error:
            raise RegistryError(f"history log is corrupt: {error}") from error

    # ---------------------------------------------------------------------- helpers

    def _current_champion_version(self) -> str | None:
        pointer = self._champion_pointer()
        return None if pointer is None else pointer["version"]

    def _change_champion(self, entry: dict) -> None:
        """Swap the pointer to ``entry['version']`` carrying its history line, then append that line."""
        change = {**entry, "change_id": uuid.uuid4().hex, "at": _utc_now()}
        pointer = {"version": entry["version"], "promoted_at": change["at"], "reason": entry["reason"],
                   "change": change}
        atomic_write_json(self.champion_file, pointer)
        crash_point("registry.champion_swapped")
        append_jsonl(self.history_file, change)

    def _confirm_pointer_change(self) -> str | None:
        """Under the champion lock: the pointer's change in the history, appended if a crash lost it."""
        pointer = self._champion_pointer()
        change = None if pointer is None else pointer.get("change")
        if not isinstance(change, dict) or "change_id" not in change:
            return None  # no pointer yet, or one written before changes were recorded in it
        if any(entry.get("change_id") == change["change_id"] for entry in self.history()):
            return None
        append_jsonl(self.history_file, {**change, "recovered": "history line appended after a crash"})
        return f"{change['event']} of {change['version']} (at {change['at']}) was missing from the history"

    def _append_history(self, entry: dict) -> None:
        append_jsonl(self.history_file, {**entry, "at": _utc_now()})

    @staticmethod
    def _check_reason(reason) -> None:
        if not isinstance(reason, str) or not reason.strip():
            raise InvalidRegistryRequest(f"reason must be a non-empty string, got {reason!r}")

    @contextmanager
    def _champion_lock(self) -> Iterator[None]:
        """Serialise read-pointer → write-pointer → log so 'previous' is never stale."""
        with exclusive_lock(self.lock_file):
            yield


def _go_back_to(lineage: list[str], version: str) -> list[str]:
    """Cut the lineage back to the latest occurrence of ``version``, or push it if absent."""
    if version in lineage:
        last = len(lineage) - 1 - lineage[::-1].index(version)
        return lineage[: last + 1]
    return [*lineage, version]
