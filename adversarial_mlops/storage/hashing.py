"""Content hashes of files (model files in the registry, data sources in model cards)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from adversarial_mlops.storage.locations import state_path


def file_sha256(path: Path) -> str:
    """sha256 of a file's bytes, read in 1 MiB blocks (model weights do not fit in memory twice)."""
    digest = hashlib.sha256()
    with state_path(path).open("rb") as handle:  # an object-store registry's files too
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
