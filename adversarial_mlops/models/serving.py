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
  are the predictions the metrics describe. With ``model.serving_compile`` its torch model runs
  through ``torch.compile`` with frozen weights, compiled while loading (``FastPredictor.compile``).
* ``MicroBatcher`` runs all inference of one loaded model on its worker threads (one per
  core, each forward pass single-threaded: see ``configure_torch_threads``) and merges the
  requests that queue up while a batch runs into the next batch (up to 256 texts, length-
  bucketed together; a queue found by two free workers is shared between them), so concurrent
  requests share forward passes instead of fighting over the CPU cores. Async callers await it
  directly (``submit_async``): no worker-thread hop.

Heavy libraries are imported inside functions: importing this module stays cheap.
"""

from __future__ import annotations

import dataclasses
import logging
import hashlib
import os
import shutil
import threading
import time
from collections import deque
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from adversarial_mlops.config import SERVING_COMPILE_CHOICES, ConfigError
from adversarial_mlops.errors import UnavailableError
from adversarial_mlops.judging.decision import DECISION_THRESHOLD, label_names
from adversarial_mlops.models.modeling import TextClassifier
from adversarial_mlops.models.registry import ModelRegistry, ModelVersion

log = logging.getLogger(__name__)

NO_CHAMPION_MESSAGE = "no champion trained yet: run the loop (POST /pipeline/trigger or adversarial-mlops run)"


class NoChampionError(UnavailableError):
    """The registry has no champion yet."""

    def __init__(self, message: str = NO_CHAMPION_MESSAGE):
        super().__init__(message)


class ChampionUnavailableError(UnavailableError):
    """A champion exists but could not be loaded, and no earlier one is loaded to fall back on."""


def usable_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - non-Linux
        return max(1, os.cpu_count() or 1)


def default_inference_workers() -> int:
    """One inference thread per usable core (at most 4: beyond that, merging requests matters more)."""
    return min(usable_cores(), 4)


def configure_torch_threads(threads: int | None = None, *, workers: int = 1) -> int:
    """torch's intra-op threads: the usable cores shared out among ``workers`` inference threads.

    With two inference workers on two cores each forward pass runs on ONE thread: no OpenMP
    team, hence no barrier between the ~200 parallel regions of a MiniLM forward pass, whose
    idle threads either spin (and collapse when another process wants the cores) or sleep (a
    futex wake-up per region). ``bench/serve.py`` and bench/README.md have the measurements.
    """
    import torch

    if threads is None:
        threads = usable_cores() // max(1, int(workers))
    threads = max(1, int(threads))
    if torch.get_num_threads() != threads:
        torch.set_num_threads(threads)
    return threads


@dataclass(frozen=True)
class ThreadPlan:
    """The intra-op threads a batcher thread gives its next batch: ``alone`` when that batch is
    the only one running and no request waits (a lone request — a guardrail in front of one LLM
    call — gets every core instead of its share), else ``shared``. ``apply`` sets the count for
    the calling thread: torch's OpenMP and MKL thread counts are per thread, so one batcher thread
    changing its own leaves the others' as they are."""

    alone: int
    shared: int
    apply: Callable[[int], None]

    def threads_for(self, alone: bool) -> int:
        return self.alone if alone else self.shared

    def fixed(self) -> "ThreadPlan":
        """Every batch with the shared count: a compiled graph is specific to one thread count (another
        would compile another graph), and compiled, a lone text on one core is faster than eager on all."""
        return dataclasses.replace(self, alone=self.shared)


def torch_thread_plan(workers: int) -> ThreadPlan:
    """Every usable core for a batch running alone, the cores shared out among ``workers`` otherwise."""
    import torch

    cores = usable_cores()
    return ThreadPlan(alone=cores, shared=max(1, cores // max(1, int(workers))), apply=torch.set_num_threads)


def cxx_compiler() -> str | None:
    """The C++ compiler torch's inductor builds CPU kernels with (``$CXX``, else ``c++``), if installed."""
    return shutil.which(os.environ.get("CXX") or "c++")


def resolve_serving_compile(requested: str, predictor: TextClassifier) -> bool:
    """Whether the server runs ``predictor``'s torch model compiled (``model.serving_compile``)."""
    if requested not in SERVING_COMPILE_CHOICES:
        raise ConfigError(f"model.serving_compile {requested!r}: use one of {', '.join(SERVING_COMPILE_CHOICES)}")
    if requested == "off":
        return False
    on_cpu = not str(predictor.device).startswith("cuda")
    if requested == "auto":
        return predictor.model is not None and on_cpu and cxx_compiler() is not None
    if predictor.model is None:
        raise ConfigError(f"model.serving_compile on: every batch of this model runs in ONNX Runtime (precision "
                          f"{predictor.precision}, backend {predictor.backend}), so there is no torch model to "
                          "compile. Fix: set model.serving_compile to auto or off, or model.inference_backend to torch")
    if on_cpu and cxx_compiler() is None:
        raise ConfigError("model.serving_compile on: torch.compile builds its CPU kernels with a C++ compiler and "
                          f"none was found ({os.environ.get('CXX') or 'c++'} is not on PATH). Fix: install one (e.g. "
                          "apt-get install g++) or set CXX to its path, or set model.serving_compile to auto or off")
    return True


# Warm-up texts: a lone window, two, and enough to pass every backend and precision crossover
# (modeling.uses_bf16) — each may need a graph of its own when compiled, and kernel choices when eager.
WARM_UP_TEXTS = ("warm up the model", "a second, somewhat longer text to warm up padding",
                 *(f"warm-up text {i} of a batch large enough for the batched path" for i in range(16)))


@dataclass
class FastPredictor(TextClassifier):
    """The serving predictor: ``modeling.TextClassifier`` (the same inference path evaluation and
    the A/B test use), warmed up at load so the first request does not pay for kernel selection —
    or for compilation, when its torch model runs compiled (``compiled``)."""

    compiled: bool = False

    @classmethod
    def load(cls, path: Path | str, *, batch_size: int = 64, device: str | None = None, precision: str = "auto",
             warm_up: bool = True, window_tokens: int | None = None, window_stride: int | None = None,
             backend: str = "auto", compile: str = "off", threads: Sequence[int] = ()) -> "FastPredictor":
        """``compile``: ``model.serving_compile`` (a compiled predictor is always warmed up: that is when it
        compiles); ``threads``: the intra-op thread counts requests will run with (a compiled graph is
        specific to one; the warm-up compiles each). Default: the current."""
        predictor = super().load(path, batch_size=batch_size, device=device, precision=precision,
                                 window_tokens=window_tokens, window_stride=window_stride, backend=backend)
        if resolve_serving_compile(compile, predictor):
            return predictor.compile(threads)
        if warm_up:  # first forward passes allocate and pick kernels: pay it here, not in a request
            predictor.warm_up(threads)
        return predictor

    def compile(self, threads: Sequence[int] = ()) -> "FastPredictor":
        """The same weights run through ``torch.compile`` (inductor, dynamic shapes, weights frozen into
        the graph as oneDNN-packed constants), compiled now for every kind of call ``warm_up`` makes."""
        import torch
        import torch._inductor.config

        compiled = dataclasses.replace(self, model=torch.compile(self.model, dynamic=True), compiled=True)
        # Freezing is read when a graph compiles (at its first call), and only from the global config:
        # torch.compile(options={"freezing": True}) compiled unfrozen graphs, 1.5x slower (one window 5.2 vs 3.4 ms).
        with torch._inductor.config.patch(freezing=True):
            compiled.warm_up(threads)
        return compiled

    def warm_up(self, threads: Sequence[int] = ()) -> None:
        """Score a lone text, two, and a batch, once per intra-op thread count in ``threads``."""
        import torch

        before = torch.get_num_threads()
        try:
            for count in sorted(set(threads)) or [before]:
                torch.set_num_threads(count)
                for size in (1, 2, len(WARM_UP_TEXTS)):
                    self.predict_proba(WARM_UP_TEXTS[:size])
        finally:
            torch.set_num_threads(before)

    def for_another_thread(self) -> "FastPredictor":
        """The same weights (shared, read-only) with a tokenizer of its own: a Rust fast tokenizer
        must not be used by two threads at once ("Already borrowed")."""
        import copy

        return dataclasses.replace(self, tokenizer=copy.deepcopy(self.tokenizer))


@dataclass
class _Job:
    texts: list
    future: Future = field(default_factory=Future)


class MicroBatcher:
    """Runs ``predict`` on background threads, merging requests queued meanwhile into one call.

    Requests that queue up while a batch runs are answered by ONE ``predict`` call (up to
    ``max_batch_texts`` texts), so the predictor's length bucketing sees all of them at once.
    ``submit`` blocks the calling thread; ``submit_async`` awaits on the event loop, so an async
    endpoint hands its texts straight to an inference thread (no extra worker-thread hop).

    ``predict`` is one callable, or one per worker thread (``workers`` = their number): each
    worker thread always calls its own, so a predictor that is not thread-safe can be given
    to each worker as its own copy.

    Threads start on demand and exit after ``idle_exit`` seconds without work (``None``: they
    stay until ``close()``). After ``close()`` they exit as soon as the queue is empty; a
    request that still arrives is answered all the same (a thread starts again and exits when idle).
    """

    def __init__(self, predict: Callable[[Sequence[str]], np.ndarray] | Sequence[Callable[[Sequence[str]], np.ndarray]],
                 *, max_batch_texts: int = 256, idle_exit: float | None = 2.0, threads: ThreadPlan | None = None):
        self._predicts = list(predict) if isinstance(predict, (list, tuple)) else [predict]
        self._threads = threads
        if not self._predicts:
            raise ValueError("MicroBatcher needs at least one predict callable")
        self._max = max(1, int(max_batch_texts))
        self._idle_exit = idle_exit
        self._queue: deque[_Job] = deque()
        self._cond = threading.Condition()
        self._idle_workers = list(range(len(self._predicts)))  # worker slots without a thread
        self._busy = 0  # threads running a batch
        self._closed = False
        self.batches = 0  # predict calls made (merged batches)
        self.batches_alone = 0  # of those, the ones that ran alone (nothing else running or queued)

    @property
    def workers(self) -> int:
        return len(self._predicts)

    @property
    def running(self) -> bool:
        """Whether any worker thread is alive."""
        with self._cond:
            return len(self._idle_workers) < len(self._predicts)

    def _enqueue(self, texts: Sequence[str]) -> _Job:
        job = _Job(list(texts))
        with self._cond:
            self._queue.append(job)
            self._cond.notify()
            alive = len(self._predicts) - len(self._idle_workers)
            # One more thread when all live ones are busy (or none is alive) and a slot is free.
            if self._idle_workers and (alive == 0 or self._busy >= alive):
                self._start_worker()
        return job

    def submit(self, texts: Sequence[str]) -> np.ndarray:
        """Scores for ``texts`` (blocks until their batch has run)."""
        if len(texts) == 0:
            return np.zeros(0, dtype=np.float64)
        return self._enqueue(texts).future.result()

    async def submit_async(self, texts: Sequence[str]) -> np.ndarray:
        """``submit`` for a coroutine: the event loop keeps serving while the batch runs."""
        import asyncio

        if len(texts) == 0:
            return np.zeros(0, dtype=np.float64)
        # Cancelling the awaiting task cancels a job still queued: it is then skipped, never run.
        return await asyncio.wrap_future(self._enqueue(texts).future)

    def close(self) -> None:
        """Let the threads exit once the queue is empty (a retired model's batcher)."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def _take(self, slot: int) -> tuple[list[_Job], bool] | None:
        """The next batch of jobs and whether it runs alone (no other batch running, none queued),
        or None when this thread should exit (called with the lock held)."""
        while not self._queue:
            if self._closed:
                self._idle_workers.append(slot)
                return None
            if not self._cond.wait(timeout=self._idle_exit) and not self._queue:
                self._idle_workers.append(slot)  # idle for idle_exit seconds
                return None
        jobs, count, limit = [], 0, self._share()
        while self._queue and (not jobs or count + len(self._queue[0].texts) <= limit):
            job = self._queue.popleft()
            if job.future.set_running_or_notify_cancel():  # False: its request was cancelled
                jobs.append(job)
                count += len(job.texts)
        alone = self._busy == 0 and not self._queue
        if jobs:
            self._busy += 1
            self.batches_alone += alone
        if self._queue:
            self._wake_another()
        return jobs, alone

    def _share(self) -> int:
        """How many queued texts the next batch takes: an equal share per free worker (this one
        included), so that two workers free at once both run instead of one taking the whole queue
        while the other idles (8 clients' 32-text requests: one batch of 256 texts, one core idle)."""
        free = len(self._predicts) - self._busy
        queued = sum(len(job.texts) for job in self._queue)
        return min(self._max, -(-queued // max(1, free)))

    def _wake_another(self) -> None:
        """Work is left queued after a take: wake a waiting worker thread, or start one in a free slot."""
        alive = len(self._predicts) - len(self._idle_workers)
        if alive - self._busy > 0:
            self._cond.notify()
        elif self._idle_workers:
            self._start_worker()

    def _start_worker(self) -> None:
        """A worker thread in the first free slot (called with the lock held)."""
        slot = self._idle_workers.pop(0)
        threading.Thread(target=self._serve, args=(slot,), name=f"predict-batcher-{slot}", daemon=True).start()

    def _serve(self, slot: int) -> None:
        predict = self._predicts[slot]
        threads = None  # this thread's intra-op thread count, once the plan has set it
        while True:
            with self._cond:
                taken = self._take(slot)
            if taken is None:
                return
            jobs, alone = taken
            if not jobs:
                continue
            if self._threads is not None and self._threads.threads_for(alone) != threads:
                threads = self._threads.threads_for(alone)
                self._threads.apply(threads)
            try:
                scores = predict([text for job in jobs for text in job.texts])
            except BaseException as error:  # noqa: BLE001 - handed to every waiting request
                for job in jobs:
                    job.future.set_exception(error)
                continue
            finally:
                with self._cond:
                    self._busy -= 1
                    self.batches += 1
            start = 0
            for job in jobs:
                job.future.set_result(scores[start:start + len(job.texts)])
                start += len(job.texts)


def _scorer(predictor) -> Callable[[Sequence[str]], np.ndarray]:
    """What a batcher thread calls: scores with evidence (which view and window decided) when the
    predictor gives it, else plain scores."""
    return getattr(predictor, "score_with_evidence", None) or predictor.predict_proba


@dataclass(frozen=True)
class Prediction:
    model_version: str
    scores: np.ndarray
    threshold: float = DECISION_THRESHOLD  # the answering model's own operating point
    evidence: np.ndarray | None = None  # (n, 2): deciding view (index into views.VIEW_NAMES) and window

    @classmethod
    def from_scorer(cls, model_version: str, output: np.ndarray, threshold: float) -> "Prediction":
        """From what ``_scorer`` returned: plain scores, or scores with evidence columns."""
        output = np.asarray(output, dtype=np.float64)
        if output.ndim == 2:
            return cls(model_version, output[:, 0], threshold, output[:, 1:].astype(np.int64))
        return cls(model_version, output, threshold)

    def results(self) -> list[dict]:
        from adversarial_mlops.models.views import VIEW_NAMES

        labels = label_names(self.scores, self.threshold)
        results = [{"label": label, "score": float(score)} for label, score in zip(labels, self.scores)]
        if self.evidence is not None:
            for result, (view, window) in zip(results, self.evidence):
                result["evidence"] = {"view": VIEW_NAMES[int(view)], "window": int(window)}
        return results


@dataclass(frozen=True)
class LoadedModel:
    """One champion version ready to answer: never mutated, only replaced."""

    version: str
    predictor: object  # anything with predict_proba(texts) -> np.ndarray (and its ``threshold``)
    load_seconds: float
    batcher: MicroBatcher = field(repr=False, compare=False)

    def predict(self, texts: Sequence[str]) -> Prediction:
        return Prediction.from_scorer(self.version, self.batcher.submit(texts), self.threshold)

    async def predict_async(self, texts: Sequence[str]) -> Prediction:
        return Prediction.from_scorer(self.version, await self.batcher.submit_async(texts), self.threshold)

    @property
    def threshold(self) -> float:
        return float(getattr(self.predictor, "threshold", DECISION_THRESHOLD))


@dataclass(frozen=True)
class _State:
    signature: tuple | None  # os.stat of champion.json when this model was current
    loaded: LoadedModel


Loader = Callable[[ModelVersion], object]


class ChampionHolder:
    """The current champion of a registry, reloaded when ``champion.json`` changes."""

    def __init__(self, registry: ModelRegistry | Path | str, *, batch_size: int = 64,
                 precision: str = "auto", backend: str = "auto", loader: Loader | None = None,
                 retry_failed_after: float = 10.0,
                 max_batch_texts: int = 256, workers: int = 1, remote_poll_s: float = 2.0,
                 threads: ThreadPlan | None = None, compile: str = "off"):
        self.registry = registry if isinstance(registry, ModelRegistry) else ModelRegistry(registry)
        # An object store has no cheap stat: its pointer is read at most once per remote_poll_s.
        self._remote_poll_s = remote_poll_s
        self._remote_seen: tuple[float, tuple | None] | None = None
        self.max_batch_texts = max_batch_texts
        self.workers = max(1, int(workers))
        self.threads = threads  # the batcher threads' intra-op thread plan (None: leave torch's count alone)
        self.batch_size = batch_size
        self.precision = precision
        self.backend = backend
        self.compile = compile  # model.serving_compile
        self._loader = loader or self._default_loader
        self._retry_after = retry_failed_after
        self._state: _State | None = None
        self._load_lock = threading.Lock()
        self._failure: tuple[tuple | None, float, str] | None = None
        self.swaps = 0

    def _default_loader(self, version: ModelVersion) -> FastPredictor:
        # Windows, views and threshold as the version was trained and calibrated (read_preprocessing).
        return FastPredictor.load(version.local_path(), batch_size=self.batch_size, precision=self.precision,
                                  backend=self.backend, compile=self.compile,
                                  threads=() if self.threads is None else (self.threads.shared,))

    def _thread_plan(self, predictor) -> ThreadPlan | None:
        """The batcher threads' plan for ``predictor``: fixed at the shared count when it runs compiled."""
        if self.threads is None or not getattr(predictor, "compiled", False):
            return self.threads
        return self.threads.fixed()

    def _signature(self) -> tuple | None:
        if not self.registry.local:
            return self._remote_signature()
        try:
            st = os.stat(self.registry.champion_file)
        except FileNotFoundError:
            return None
        # The registry replaces the file by rename: a new inode on every change.
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def _remote_signature(self) -> tuple | None:
        now = time.monotonic()
        if self._remote_seen is not None and now - self._remote_seen[0] < self._remote_poll_s:
            return self._remote_seen[1]
        try:
            signature = (hashlib.sha256(self.registry.champion_file.read_bytes()).hexdigest(),)
        except FileNotFoundError:
            signature = None
        self._remote_seen = (now, signature)
        return signature

    @property
    def loaded(self) -> LoadedModel | None:
        state = self._state
        return None if state is None else state.loaded

    def current(self) -> LoadedModel | None:
        """``get()`` when that needs no load: one ``os.stat``, never blocks (safe on an event loop).

        None when the champion changed (or none is loaded yet) and nobody is loading it: call
        ``get()`` from a worker thread then.
        """
        state = self._state
        if state is None:
            return None
        signature = self._signature()
        if signature == state.signature or signature is None or self._load_lock.locked():
            return state.loaded  # unchanged, or another request is loading the new version
        return None

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
            # One predictor per inference worker: the first as loaded, the others share its weights.
            sibling = getattr(predictor, "for_another_thread", None)
            predicts = [_scorer(predictor)] + [_scorer(sibling() if callable(sibling) else predictor)
                                               for _ in range(self.workers - 1)]
            # The current champion's worker threads stay; a retired one's exit once drained (close below).
            batcher = MicroBatcher(predicts, max_batch_texts=self.max_batch_texts, idle_exit=None,
                                   threads=self._thread_plan(predictor))
            loaded = LoadedModel(champion.version, predictor, time.perf_counter() - started, batcher)
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
        if state is not None:
            state.loaded.batcher.close()  # requests that already hold the old model are still answered
        self.swaps += 1
        log.info("serving champion %s (loaded in %.2f s)", loaded.version, loaded.load_seconds)
        return loaded

    def predict(self, texts: Sequence[str]) -> Prediction:
        return self.get().predict(texts)

