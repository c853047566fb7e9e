"""Where state lives: a local folder, or a URL that other hosts can read (``s3://``, ``gs://``, ``az://``,
``memory://``) through fsspec and universal_pathlib.

A local folder stays a plain ``pathlib.Path`` (every local code path — fsync, rename, flock — is
unchanged); a URL becomes a ``upath.UPath`` with the same ``/``, ``read_bytes``, ``iterdir`` API.
``file://`` URLs are local folders. Which atomic operations each kind offers is in
``storage.atomic_io`` and docs/deploy.md ("Object-store state").
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path
from types import MappingProxyType
from urllib.parse import urlparse

import fsspec
from upath import UPath

LOCAL_PROTOCOLS = frozenset({"", "file", "local"})


def is_url(location: str | Path) -> bool:
    """True for ``scheme://…`` other than ``file://`` (Windows drive letters are not schemes)."""
    text = str(location)
    scheme = urlparse(text).scheme if "://" in text else ""
    return scheme.lower() not in LOCAL_PROTOCOLS and len(scheme) > 1


def state_path(location: str | Path) -> Path:
    """A ``Path`` for a local folder (``file://`` included), a ``UPath`` for a remote URL."""
    if isinstance(location, UPath):
        return location if not is_local(location) else Path(location.path)
    text = str(location)
    if is_url(text):
        _check_backend(text)
        # No listings cache: another process (a training pod, the API) publishes versions and values
        # this one must see at once; a cached folder listing would hide them.
        return UPath(text, use_listings_cache=False)
    if text.lower().startswith("file://"):
        return Path(urlparse(text).path)
    return Path(text)


# URL scheme -> the package extra that installs its fsspec backend (named in the error when it is missing).
EXTRAS = MappingProxyType({"s3": "s3", "s3a": "s3", "gs": "gcs", "gcs": "gcs",
                           "az": "azure", "abfs": "azure", "abfss": "azure"})


def _check_backend(url: str) -> None:
    """Fail at once, naming the fix, when fsspec has no (installed) filesystem for ``url``'s scheme."""
    scheme = urlparse(url).scheme.lower()
    try:
        fsspec.get_filesystem_class(scheme)
    except ImportError as error:
        extra = EXTRAS.get(scheme)
        fix = f'pip install "adversarial_mlops[{extra}]"' if extra else "install the fsspec backend for it"
        raise ValueError(f"state_dir {url}: {error}. Fix: {fix}") from None
    except ValueError:
        raise ValueError(f"state_dir {url}: fsspec knows no filesystem {scheme!r}://; use a folder or a URL such "
                         "as s3://bucket/prefix, gs://…, az://…") from None


def is_local(path: str | Path) -> bool:
    """True when ``path`` is on this machine's filesystem (POSIX rename, fsync and flock apply)."""
    if isinstance(path, UPath):
        return path.protocol in LOCAL_PROTOCOLS
    return not is_url(path)


def user_cache_root() -> Path:
    """``$XDG_CACHE_HOME/adversarial_mlops`` (else ``~/.cache/…``): this user's files for remote state."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "adversarial_mlops"


def location_key(location: str | Path) -> str:
    """A short stable name for a location, for this host's caches of remote state."""
    return hashlib.sha256(str(location).rstrip("/").encode("utf-8")).hexdigest()[:16]


def remove_tree(path: Path) -> None:
    """Remove a folder (or prefix) and everything under it; a missing one is fine."""
    if is_local(path):
        shutil.rmtree(path, ignore_errors=True)
        return
    try:
        path.fs.rm(path.path, recursive=True)
    except FileNotFoundError:
        pass


def last_modified(path: Path) -> float:
    """When a file or folder was last written (a folder on an object store has no time of its own:
    its newest object's); 0.0 for an empty one."""
    if is_local(path):
        return path.lstat().st_mtime
    if path.is_file():
        return path.fs.modified(path.path).timestamp()
    times = [path.fs.modified(name).timestamp() for name in path.fs.find(path.path)]
    return max(times, default=0.0)
