"""Named points where a test can kill the process with SIGKILL, to prove crash safety.

``ADVERSARIAL_MLOPS_CRASH_AT=registry.champion_swapped`` (a comma-separated list of names) makes
the process kill itself, uncatchably, the moment it reaches that point — the same as a
``kill -9`` from outside, but at an exact place instead of a random one. Unset (always, outside
the kill tests), ``crash_point`` is one dictionary lookup. It decides nothing in the loop.

The points (``POINTS``) sit between the writes whose order the crash safety rests on.
"""

from __future__ import annotations

import os
import signal

CRASH_AT_ENV_VAR = "ADVERSARIAL_MLOPS_CRASH_AT"

POINTS = frozenset({
    "registry.version_built",      # model files written to the temp dir, version not yet published
    "registry.champion_swapped",   # champion pointer swapped, history line not yet appended
    "lifecycle.baseline_registered",  # baseline published, not yet promoted
    "lifecycle.challenger_registered",  # challenger published, A/B not yet run
    "pipes.challenger_reported",   # a training process published the challenger and told the worker; value not stored
    "assets.value_written",        # an asset's value stored, its "latest" pointer not yet moved
    "loop.lock_taken",             # the run holds the loop lock, nothing recovered or computed yet
})


def crash_point(name: str) -> None:
    """SIGKILL this process if ``name`` is listed in $ADVERSARIAL_MLOPS_CRASH_AT."""
    if name not in POINTS:
        raise ValueError(f"unknown crash point {name!r}; known: {sorted(POINTS)}")
    wanted = os.environ.get(CRASH_AT_ENV_VAR)
    if wanted and name in wanted.split(","):
        os.kill(os.getpid(), signal.SIGKILL)
