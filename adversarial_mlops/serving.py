"""Serve the registry's champion: a hot-swappable (version, predictor) pair and a fast predictor.

Plain Python (no web framework), used by the REST API and ``bench/serve.py``.

* ``ChampionHolder`` stats ``<registry>/champion.json`` on every request (one ``os.stat``) and,
  when the pointer file changed, loads the new champion under a lock and swaps ONE reference to
  an immutable ``LoadedModel``. A request takes that reference once, at its start, so every
  request is answered by exactly one version, before, during and after a promotion or rollback.
  While one thread loads a new version the others keep being answered by the old one.
* ``FastPredictor`` is ``modeling.TextClassifier`` warmed up: the same inference path the
  evaluation and the A/B test measured (pre-tokenised, length-bucketed under a token budget,
  dynamically padded, ``inference_mode``, the same resolved precision), so served predictions
  are the predictions the metrics describe.
* ``MicroBatcher`` runs all inference of one loaded model on one thread and merges the
  requests that queue up while a batch runs into the next batch, so concurrent one-text
  requests share a forward pass instead of fighting over the two CPU cores.

Heavy libraries are imported inside functions: importing this module stays cheap.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import deque
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from adversarial_mlops.modeling import LABEL_NAMES, TextClassifier
from adversarial_mlops.registry import ModelRegistry, ModelVersion

log = logging.getLogger(__name__)

THRESHOLD = 0.5  # same cut-off as adversarial_mlops.evaluation.THRESHOLD
NO_CHAMPION_MESSAGE = "no champion trained yet: run the loop (POST /pipeline/trigger or adversarial-mlops run)"


class NoChampionError(RuntimeError):
    """The registry has no champion yet."""

    def __init__(self, message: str = NO_CHAMPION_MESSAGE):
        super().__init__(message)


class ChampionUnavailableError(RuntimeError):
    """A champion exists but could not be loaded, and no earlier one is loaded to fall back on."""


def configure_torch_threads(threads: int | None = None) -> int:
    """Intra-op threads = usable cores (inference is serialised by the batcher, so no oversubscription)."""
    import torch

    if threads is None:
        try:
            threads = len(os.sched_getaffinity(0))
        except AttributeError:  # pragma: no cover - non-Linux
            threads = os.cpu_count() or 1
    threads = max(1, int(threads))
    if torch.get_num_threads() != threads:
        torch.set_num_threads(threads)
    return threads


class FastPredictor(TextClassifier):
    """The serving predictor: ``modeling.TextClassifier`` (the same inference path evaluation and
    the A/B test use), warmed up at load so the first request does not pay for kernel selection."""

    @classmethod
    def load(cls, path: Path | str, *, max_length: int = 128, batch_size: int = 64, device: str | None = None,
             precision: str = "auto", warm_up: bool = True) -> "FastPredictor":
        predictor = super().load(path, max_length=max_length, batch_size=batch_size, device=device,
                                 precision=precision)
        if warm_up:  # first forward pass allocates and picks kernels: pay it here, not in a request
            predictor.predict_proba(["warm up the model", "a second, somewhat longer text to warm up padding"])
        return predictor


@dataclass
class _Job:
    texts: list
    future: Future = field(default_factory=Future)


class MicroBatcher:
    """Runs ``predict`` on one background thread, merging requests queued meanwhile into one call.

    The thread starts on demand and exits after ``idle_exit`` seconds without work, so a
    retired model's batcher goes away by itself once its last request is answered.
    """

    def __init__(self, predict: Callable[[Sequence[str]], np.ndarray], *, max_batch_texts: int = 256,
                 idle_exit: float = 2.0):
        self._predict = predict
        self._max = max_batch_texts
        self._idle_exit = idle_exit
        self._queue: deque[_Job] = deque()
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    def submit(self, texts: Sequence[str]) -> np.ndarray:
        job = _Job(list(texts))
        if not job.texts:
            return np.zeros(0, dtype=np.float64)
        with self._cond:
            self._queue.append(job)
            self._cond.notify()
            if self._thread is None:
                self._thread = threading.Thread(target=self._serve, name="predict-batcher", daemon=True)
                self._thread.start()
        return job.future.result()

    def _serve(self) -> None:
        while True:
            with self._cond:
                if not self._queue:
                    self._cond.wait(timeout=self._idle_exit)
                    if not self._queue:
                        self._thread = None
                        return
                jobs, count = [], 0
                while self._queue and (not jobs or count + len(self._queue[0].texts) <= self._max):
                    job = self._queue.popleft()
                    jobs.append(job)
                    count += len(job.texts)
            try:
                scores = self._predict([text for job in jobs for text in job.texts])
            except BaseException as error:  # noqa: BLE001 - handed to every waiting request
                for job in jobs:
                    job.future.set_exception(error)
                continue
            start = 0
            for job in jobs:
                job.future.set_result(scores[start:start + len(job.texts)])
                start += len(job.texts)


@dataclass(frozen=True)
class Prediction:
    model_version: str
    scores: np.ndarray

    def results(self, threshold: float = THRESHOLD) -> list[dict]:
        return [{"label": LABEL_NAMES[int(score >= threshold)], "score": float(score)} for score in self.scores]


@dataclass(frozen=True)
class LoadedModel:
    """One champion version ready to answer: never mutated, only replaced."""

    version: str
    predictor: object  # anything with predict_proba(texts) -> np.ndarray
    load_seconds: float
    batcher: MicroBatcher = field(repr=False, compare=False)

    def predict(self, texts: Sequence[str]) -> Prediction:
        return Prediction(self.version, self.batcher.submit(texts))


@dataclass(frozen=True)
class _State:
    signature: tuple | None  # os.stat of champion.json when this model was current
    loaded: LoadedModel


Loader = Callable[[ModelVersion], object]


class ChampionHolder:
    """The current champion of a registry, reloaded when ``champion.json`` changes."""

    def __init__(self, registry_root: Path | str, *, max_length: int = 128, batch_size: int = 64,
                 precision: str = "auto", loader: Loader | None = None, retry_failed_after: float = 10.0):
        self.registry = ModelRegistry(Path(registry_root))
        self.max_length = max_length
        self.batch_size = batch_size
        self.precision = precision
        self._loader = loader or self._default_loader
        self._retry_after = retry_failed_after
        self._state: _State | None = None
        self._load_lock = threading.Lock()
        self._failure: tuple[tuple | None, float, str] | None = None
        self.swaps = 0

    def _default_loader(self, version: ModelVersion) -> FastPredictor:
        # Predict with the max_length the version was trained and evaluated with.
        trained = (version.info.get("config") or {}).get("model", {}).get("max_length")
        return FastPredictor.load(version.path, max_length=int(trained or self.max_length),
                                  batch_size=self.batch_size, precision=self.precision)

    def _signature(self) -> tuple | None:
        try:
            st = os.stat(self.registry.champion_file)
        except FileNotFoundError:
            return None
        # The registry replaces the file by rename: a new inode on every change.
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    @property
    def loaded(self) -> LoadedModel | None:
        state = self._state
        return None if state is None else state.loaded

    def get(self) -> LoadedModel:
        """The champion to answer one request with; take it once per request."""
        state = self._state
        signature = self._signature()
        if state is not None and (signature == state.signature or signature is None):
            return state.loaded  # fast path: one stat, no lock
        if state is None and signature is None:
            raise NoChampionError()
        if state is not None:
            if not self._load_lock.acquire(blocking=False):
                return state.loaded  # another request is loading the new version: keep serving
        else:
            self._load_lock.acquire()
        try:
            return self._refresh_locked()
        finally:
            self._load_lock.release()

    def refresh(self) -> LoadedModel | None:
        """Load the current champion now (e.g. at startup or right after a rollback)."""
        try:
            return self.get()
        except NoChampionError:
            return None

    def _refresh_locked(self) -> LoadedModel:
        state = self._state
        signature = self._signature()  # before reading the pointer: a later change re-triggers
        if state is not None and signature == state.signature:
            return state.loaded
        if self._failure is not None and self._failure[0] == signature \
                and time.monotonic() - self._failure[1] < self._retry_after:
            if state is not None:
                return state.loaded
            raise ChampionUnavailableError(self._failure[2])
        try:
            champion = self.registry.champion()
            if champion is None:
                raise NoChampionError()
            if state is not None and state.loaded.version == champion.version:
                self._state = _State(signature, state.loaded)  # pointer rewritten, same version
                return state.loaded
            started = time.perf_counter()
            predictor = self._loader(champion)
            loaded = LoadedModel(champion.version, predictor, time.perf_counter() - started,
                                 MicroBatcher(predictor.predict_proba, max_batch_texts=max(self.batch_size, 64)))
        except NoChampionError:
            raise
        except Exception as error:  # noqa: BLE001 - keep serving the old champion; say why
            message = f"cannot load the champion model: {error}"
            log.error("%s", message)
            self._failure = (signature, time.monotonic(), message)
            if state is not None:
                return state.loaded
            raise ChampionUnavailableError(message) from error
        self._failure = None
        self._state = _State(signature, loaded)  # the swap: one reference assignment
        self.swaps += 1
        log.info("serving champion %s (loaded in %.2f s)", loaded.version, loaded.load_seconds)
        return loaded

    def predict(self, texts: Sequence[str]) -> Prediction:
        return self.get().predict(texts)

