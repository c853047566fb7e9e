"""Crash-safe file writes: a reader sees either the old content or the new, never half.

Every writer goes through a temp file (or temp directory) in the *same* directory as the
target, is fsynced, then renamed into place: rename within one filesystem is atomic on
POSIX, and a temp file elsewhere (e.g. /tmp) could sit on another filesystem.

The append-only JSONL log uses a different rule: a record is committed once its
terminating newline is on disk. A crash mid-append can therefore leave at most one
unterminated fragment at the end of the file, which ``read_jsonl`` ignores and the next
``append_jsonl`` discards.

On an object store (a ``UPath`` from ``storage.locations.state_path``: s3://, gs://, memory://)
there is no rename and no flock, and none is needed for single objects: one PUT replaces an
object whole, and readers see the old or the new bytes (S3, GCS and Azure are strongly
consistent for this). What differs there, per function:

* ``atomic_write_bytes``: one PUT of the whole value.
* ``atomic_directory``: the block fills a *local* temp folder; its files are uploaded, the
  ``seal`` file last. A folder is never atomic on an object store, so readers treat a folder
  without its seal as unpublished (the registry's ``version.json``).
* ``append_jsonl``: read, append, write the whole object, under ``exclusive_lock`` of
  ``<log>.lock`` (objects cannot be appended to).
* ``exclusive_lock``: a lease object created with fsspec's exclusive create
  (``pipe_file(mode="create")``: If-None-Match on S3); a lease older than ``LEASE_SECONDS`` is
  taken over, so a crashed holder blocks others for at most that long. For short critical
  sections only (pointer swaps, appends), never for a whole run.
* ``create_exclusive``: the same exclusive create; ``O_EXCL`` locally.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import socket
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO, Iterator

from adversarial_mlops.storage.locations import is_local, remove_tree, state_path

try:  # POSIX only; without it concurrent appenders are not serialised.
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


def _fsync_directory(directory: Path) -> None:
    """Persist a rename: the directory entry itself must reach the disk."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms that cannot open directories
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some filesystems refuse fsync on directories
        pass
    finally:
        os.close(fd)


def process_umask() -> int:
    """This process's umask, read without changing it (``os.umask`` can only be read by setting
    it, which races with other threads creating files). Linux reports it in /proc; elsewhere the
    common default 0o022 is assumed."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o022


def _as_if_created_normally(path: Path, *, directory: bool) -> None:
    # mkstemp/mkdtemp create 0600/0700 (private temp files); once renamed into place the result
    # must get the mode an ordinary open()/mkdir() would have, so a server running as another
    # user of the group can read the registry. The umask is the user's way to choose.
    os.chmod(path, (0o777 if directory else 0o666) & ~process_umask())


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically (parent directories are created)."""
    if not is_local(path):
        path.write_bytes(data)  # one PUT: readers see the old object or the new one
        return
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as tmp_file:
            tmp_file.write(data)
            tmp_file.flush()
            os.fsync(tmp_file.fileno())
        _as_if_created_normally(Path(tmp_name), directory=False)
        os.replace(tmp_name, path)
    except BaseException:
        # The target was never touched; only our temp file needs to go.
        Path(tmp_name).unlink(missing_ok=True)
        raise
    _fsync_directory(path.parent)


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: Path, obj: Any) -> None:
    """Stable, diff-friendly JSON (sorted keys, trailing newline)."""
    atomic_write_text(path, json.dumps(obj, indent=2, sort_keys=True) + "\n")


@contextmanager
def atomic_directory(final_dir: Path, *, seal: str | None = None) -> Iterator[Path]:
    """Yield an empty temp directory that becomes ``final_dir`` only if the block succeeds.

    The temp directory sits beside ``final_dir`` (same filesystem, so the final rename is
    atomic) and is removed if the block raises. ``final_dir`` must not exist: an existing
    directory is never replaced, because callers rely on published directories being
    immutable. On an object store the block fills a local temp folder that is then uploaded,
    the file named ``seal`` last (see the module's docstring).
    """
    if not is_local(final_dir):
        with _uploaded_directory(final_dir, seal) as build_dir:
            yield build_dir
        return
    final_dir = Path(final_dir)
    _refuse_existing(final_dir)
    final_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp_dir = Path(tempfile.mkdtemp(dir=final_dir.parent, prefix=f".{final_dir.name}.tmp-"))
    try:
        _as_if_created_normally(tmp_dir, directory=True)
        yield tmp_dir
        _refuse_existing(final_dir)
        try:
            # On Linux rename() would silently replace an *empty* existing directory;
            # the check above covers that except for a tight race with another writer.
            os.rename(tmp_dir, final_dir)
        except OSError as error:
            if final_dir.exists():
                raise FileExistsError(
                    f"cannot publish {final_dir}: it was created by someone else meanwhile"
                ) from error
            raise
    except BaseException:
        shutil.rmtree(tmp_dir, ignore_errors=True)
        raise
    _fsync_directory(final_dir.parent)


@contextmanager
def _uploaded_directory(final_dir: Path, seal: str | None) -> Iterator[Path]:
    _refuse_existing(final_dir)
    build_dir = Path(tempfile.mkdtemp(prefix=f".{final_dir.name}.upload-"))
    try:
        yield build_dir
        _refuse_existing(final_dir)
        files = sorted(path for path in build_dir.rglob("*") if path.is_file())
        # The seal goes last: until it is there, readers treat the folder as unpublished.
        files.sort(key=lambda path: seal is not None and path.relative_to(build_dir).as_posix() == seal)
        try:
            for path in files:  # streamed: model weights need not fit in memory
                target = final_dir / path.relative_to(build_dir).as_posix()
                target.fs.put_file(str(path), target.path)
        except BaseException:
            remove_tree(final_dir)  # an unsealed partial upload; recovery would remove it too
            raise
    finally:
        shutil.rmtree(build_dir, ignore_errors=True)


def _refuse_existing(final_dir: Path) -> None:
    if final_dir.exists() or final_dir.is_symlink():
        raise FileExistsError(
            f"refusing to overwrite existing {final_dir}; atomic_directory only creates "
            "new directories"
        )


def append_jsonl(path: Path, record: dict) -> None:
    """Append one JSON object as one line and fsync it (parent directories are created)."""
    if not isinstance(record, dict):
        raise ValueError(f"append_jsonl expects a dict record, got {type(record).__name__}")
    # Serialise before touching the file so an unserialisable record writes nothing.
    line = (json.dumps(record, sort_keys=True) + "\n").encode("utf-8")
    if not is_local(path):
        _append_object(path, line)
        return
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as log:
        if fcntl is not None:
            fcntl.flock(log.fileno(), fcntl.LOCK_EX)  # released when the file closes
        _repair_unterminated_tail(log)
        log.write(line)
        log.flush()
        os.fsync(log.fileno())


def _append_object(path: Path, line: bytes) -> None:
    """Objects cannot be appended to: rewrite the whole log under its lease."""
    with exclusive_lock(path.with_name(path.name + ".lock")):
        log = io.BytesIO(path.read_bytes() if path.exists() else b"")
        _repair_unterminated_tail(log)
        log.seek(0, os.SEEK_END)
        log.write(line)
        path.write_bytes(log.getvalue())


def _repair_unterminated_tail(log: BinaryIO) -> None:
    """Make the file end in a newline before appending, so records never merge.

    A tail without a newline is either a complete record written by hand (keep it by
    terminating it) or a fragment from a crash mid-append (drop it; it was never
    committed). Either way the records ``read_jsonl`` returned before stay a prefix of the
    records it returns afterwards.
    """
    tail_start, tail = _unterminated_tail(log)
    if not tail:
        return
    if _parse_record(tail) is not None:
        log.seek(0, os.SEEK_END)
        log.write(b"\n")
    else:
        log.truncate(tail_start)


def _unterminated_tail(log: BinaryIO, chunk_size: int = 4096) -> tuple[int, bytes]:
    """Return (offset, bytes) of whatever follows the file's last newline."""
    end = log.seek(0, os.SEEK_END)
    position = end
    while position > 0:
        start = max(0, position - chunk_size)
        log.seek(start)
        chunk = log.read(position - start)
        newline_at = chunk.rfind(b"\n")
        if newline_at != -1:
            tail_start = start + newline_at + 1
            break
        position = start
    else:
        tail_start = 0
    log.seek(tail_start)
    return tail_start, log.read(end - tail_start)


def _parse_record(raw_line: bytes) -> dict | None:
    """The JSON object on ``raw_line``, or None if it is not one."""
    try:
        value = json.loads(raw_line.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    return value if isinstance(value, dict) else None


def read_jsonl(path: Path) -> list[dict]:
    """All records of a JSONL log; a missing file is an empty log.

    Blank lines are skipped. An unparsable *last* line without a trailing newline is a
    crash mid-append and is ignored; any other unparsable or non-object line raises
    ValueError, because silently skipping it would hide lost history.
    """
    path = state_path(path)
    if not path.exists():
        return []
    raw_lines = path.read_bytes().split(b"\n")
    # split() leaves whatever follows the last newline as the final element.
    terminated, tail = raw_lines[:-1], raw_lines[-1]
    records = []
    for line_number, raw_line in enumerate(terminated, start=1):
        if not raw_line.strip():
            continue
        record = _parse_record(raw_line)
        if record is None:
            raise ValueError(
                f"{path}: line {line_number} is not a JSON object (corrupt log): "
                f"{raw_line[:80]!r}"
            )
        records.append(record)
    if tail.strip():
        tail_record = _parse_record(tail)
        if tail_record is not None:
            records.append(tail_record)
    return records


@contextmanager
def exclusive_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path`` (created, with its folder, if missing) for the block.

    Serialises read-check-write sequences across processes; released when the file closes,
    also when the holder dies. Without ``fcntl`` (Windows) it serialises nothing. On an object
    store: a lease object (``_lease``), which serialises hosts too.
    """
    if not is_local(path):
        with _lease(path):
            yield
        return
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as handle:
        if fcntl is not None:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        yield


LEASE_SECONDS = 120.0  # how long a crashed holder's lease blocks others
LEASE_WAIT_SECONDS = 600.0


def create_exclusive(path: Path, data: bytes) -> None:
    """Create ``path`` holding ``data``; FileExistsError if it exists (``O_EXCL`` / conditional PUT)."""
    if not is_local(path):
        path.fs.pipe_file(path.path, data, mode="create")
        return
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666 & ~process_umask())
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def _lease(path: Path, *, lease_s: float = LEASE_SECONDS, wait_s: float = LEASE_WAIT_SECONDS) -> Iterator[None]:
    """Hold the lease object ``path`` for the block: created exclusively, removed if still ours."""
    token = uuid.uuid4().hex
    deadline, pause = time.monotonic() + wait_s, 0.02
    while True:
        record = {"token": token, "host": socket.gethostname(), "pid": os.getpid(),
                  "expires_at": time.time() + lease_s}
        try:
            create_exclusive(path, json.dumps(record).encode("utf-8"))
            break
        except FileExistsError:
            held = _read_lease(path)
            if held is _RELEASED:
                continue  # released between our create and our read: try again at once
            if held is not None and float(held.get("expires_at", 0)) < time.time():
                # Expired: its holder crashed or overran. Delete it only if it is still that lease
                # (a fresh one another caller took meanwhile must stay).
                if _read_lease(path) == held:
                    path.unlink(missing_ok=True)
                continue
            if time.monotonic() > deadline:
                held = held or {"host": "an unreadable lease", "pid": "?"}
                raise TimeoutError(f"{path} is held by {held.get('host')} process {held.get('pid')} for more "
                                   f"than {wait_s:.0f} s; if that process is gone, delete {path}") from None
            time.sleep(pause)
            pause = min(pause * 2, 1.0)
    try:
        yield
    finally:
        held = _read_lease(path)
        if isinstance(held, dict) and held.get("token") == token:
            path.unlink(missing_ok=True)


_RELEASED = object()


def _read_lease(path: Path):
    """The lease's record; ``_RELEASED`` when it is gone; None when it cannot be read (waited on like
    a live one: the timeout's message says to delete it)."""
    try:
        value = json.loads(path.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        return _RELEASED
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None
