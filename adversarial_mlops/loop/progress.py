"""A heartbeat for long steps: what the step is doing, at least every ``every_s`` seconds.

Evaluation, mining, training and the A/B each run for minutes on CPU with MiniLM; without it
the terminal and the Dagster UI show nothing for that long. The step reports its phases by
calling the heartbeat (``beat("scoring 2,400 variants")``); between reports a background thread
repeats the current phase with the time spent so far. Plain Python: ``log`` is any callable
taking a line (the Dagster layer passes ``context.log.info``).
"""

from __future__ import annotations

import threading
import time
from typing import Callable

HEARTBEAT_S = 15.0


class Heartbeat:
    def __init__(self, log: Callable[[str], None], step: str, every_s: float = HEARTBEAT_S):
        self.log, self.step, self.every_s = log, step, every_s
        self.phase = "starting"
        self._started = self._last = time.monotonic()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"heartbeat-{step}", daemon=True)

    def __call__(self, message: str) -> None:
        """Report a new phase (logged now; repeated while it lasts)."""
        with self._lock:
            self.phase = message
            self._last = time.monotonic()
        self.log(message)

    def __enter__(self) -> "Heartbeat":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(min(1.0, self.every_s / 4)):
            with self._lock:
                now = time.monotonic()
                if now - self._last < self.every_s:
                    continue
                self._last = now
                line = f"{self.step}: {self.phase} (still running, {now - self._started:.0f} s in the step)"
            self.log(line)
