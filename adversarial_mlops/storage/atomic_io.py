"""Crash-safe file writes: a reader sees either the old content or the new, never half.

Every writer goes through a temp file (or temp directory) in the *same* directory as the
target, is fsynced, then renamed into place: rename within one filesystem is atomic on
POSIX, and a temp file elsewhere (e.g. /tmp) could sit on another filesystem.

The append-only JSONL log uses a different rule: a record is committed once its
terminating newline is on disk. A crash mid-append can therefore leave at most one
unterminated fragment at the end of the file, which ``read_jsonl`` ignores and the next
``append_jsonl`` discards.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO, Iterator

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
def atomic_directory(final_dir: Path) -> Iterator[Path]:
    """Yield an empty temp directory that becomes ``final_dir`` only if the block succeeds.

    The temp directory sits beside ``final_dir`` (same filesystem, so the final rename is
    atomic) and is removed if the block raises. ``final_dir`` must not exist: an existing
    directory is never replaced, because callers rely on published directories being
    immutable.
    """
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
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as log:
        if fcntl is not None:
            fcntl.flock(log.fileno(), fcntl.LOCK_EX)  # released when the file closes
        _repair_unterminated_tail(log)
        log.write(line)
        log.flush()
        os.fsync(log.fileno())


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
    path = Path(path)
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
    also when the holder dies. Without ``fcntl`` (Windows) it serialises nothing.
    """
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as handle:
        if fcntl is not None:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        yield
