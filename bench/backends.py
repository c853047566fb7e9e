"""Benchmark: the inference backends side by side in one process, on one model and the same texts.

    python bench/backends.py --model-dir DIR [--out bench/results/backends.json] [--singles 150]
                             [--batch-texts 512] [--rounds 2]

Configurations (``TextClassifier.load``, views and windows as the model records them): torch fp32,
torch bf16 (autocast; a one-window batch runs in fp32), ONNX Runtime fp32 (``inference_backend:
onnxruntime``: every batch), and ONNX Runtime with bf16 (one-window batches in ONNX Runtime, larger
ones in torch bf16: what ``auto`` gives on an AMX / AVX512-BF16 CPU). bf16 configurations are left out
on a CPU without native bf16 (``modeling.cpu_has_native_bf16``), where autocast is emulated.

Measured per configuration, in rounds that alternate the configurations so that each sees the same
machine: one text per call (``--singles`` of the shortest bundled test texts: latency p50/p95) and
all ``--batch-texts`` test texts in one call (throughput), plus the largest |Δscore| against torch fp32
on the batch. Nothing else should run on the machine meanwhile.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from adversarial_mlops.config import BUNDLED_DATASET  # noqa: E402
from adversarial_mlops.models.modeling import TextClassifier, cpu_has_native_bf16  # noqa: E402

CONFIGURATIONS = {"torch_fp32": ("fp32", "torch"), "onnxruntime_fp32": ("fp32", "onnxruntime"),
                  "torch_bf16": ("bf16", "torch"), "onnxruntime_with_bf16": ("bf16", "onnxruntime")}


def measure(classifier: TextClassifier, singles: list[str], batch: list[str]) -> dict:
    latencies = []
    for text in singles:
        started = time.perf_counter()
        classifier.predict_proba([text])
        latencies.append(time.perf_counter() - started)
    started = time.perf_counter()
    classifier.predict_proba(batch)
    seconds = time.perf_counter() - started
    return {"one_text_p50_ms": 1000 * float(np.median(latencies)),
            "one_text_p95_ms": 1000 * float(np.percentile(latencies, 95)),
            "batch_texts_per_s": len(batch) / seconds}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir", required=True, help="a registered model version's folder")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "backends.json"))
    parser.add_argument("--singles", type=int, default=150)
    parser.add_argument("--batch-texts", type=int, default=512)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()

    frame = pd.read_csv(BUNDLED_DATASET, keep_default_na=False)
    test = frame[frame["split"] == "test"]["text"].tolist()
    singles, batch = sorted(test, key=len)[:args.singles], test[:args.batch_texts]
    names = [n for n, (precision, _) in CONFIGURATIONS.items() if precision == "fp32" or cpu_has_native_bf16()]
    classifiers = {n: TextClassifier.load(args.model_dir, precision=CONFIGURATIONS[n][0], backend=CONFIGURATIONS[n][1])
                   for n in names}
    for classifier in classifiers.values():  # warm-up: kernels chosen, arenas sized
        classifier.predict_proba(singles[:8])
        classifier.predict_proba(batch[:64])
    rounds: dict[str, list[dict]] = {n: [] for n in names}
    started_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    for round_index in range(args.rounds):
        for name, classifier in classifiers.items():
            rounds[name].append(measure(classifier, singles, batch))
            print(round_index, name, {k: round(v, 2) for k, v in rounds[name][-1].items()}, flush=True)
    reference = classifiers["torch_fp32"].predict_proba(batch)
    results = {"started_at": started_at, "model_dir": args.model_dir,
               "machine": {"python": platform.python_version(), "cpus": len(os.sched_getaffinity(0)),
                           "native_bf16": cpu_has_native_bf16(), "loadavg_at_end": os.getloadavg()},
               "workload": {"singles": len(singles), "singles_max_chars": max(map(len, singles)),
                            "batch_texts": len(batch), "rounds": args.rounds},
               "configurations": {}}
    for name, classifier in classifiers.items():
        delta = np.abs(classifier.predict_proba(batch) - reference)
        results["configurations"][name] = {
            "precision": classifier.precision, "backend": classifier.backend, "rounds": rounds[name],
            **{key: float(np.median([r[key] for r in rounds[name]])) for key in rounds[name][0]},
            "max_abs_score_diff_vs_torch_fp32": float(delta.max())}
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    for name, entry in results["configurations"].items():
        print(f"{name:<24} one text p50 {entry['one_text_p50_ms']:6.1f} ms  p95 {entry['one_text_p95_ms']:6.1f} ms  "
              f"batch {entry['batch_texts_per_s']:6.1f} texts/s  max|Δ| vs torch fp32 "
              f"{entry['max_abs_score_diff_vs_torch_fp32']:.1e}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
