"""Benchmark: from how many windows a batch is faster in torch's bf16 autocast than in ONNX Runtime fp32.

    python bench/bf16_crossover.py --model-dir <registry>/versions/vNNNN [--out bench/results/bf16_crossover.json]

``modeling.BF16_MIN_WINDOWS_BESIDE_ONNX`` rests on this: on a CPU with native bf16 (AMX /
AVX512-BF16), a batch below that many windows runs in ONNX Runtime, larger ones in torch bf16. One
model loaded both ways, views off, test texts under 400 characters (one window each), so a call
with n texts is one batch of n windows; per batch size the two backends alternate call by call
(which one goes first alternates too) and the median and 90th percentile of ms per call are
reported. Nothing else should run on the machine meanwhile.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from adversarial_mlops.config import BUNDLED_DATASET  # noqa: E402
from adversarial_mlops.models.modeling import BF16_MIN_WINDOWS_BESIDE_ONNX, TextClassifier, cpu_has_native_bf16  # noqa: E402

BATCH_SIZES = (1, 2, 3, 4, 6, 8, 12, 16, 32, 64)


def short_test_texts(limit: int = 400) -> list[str]:
    frame = pd.read_csv(BUNDLED_DATASET, keep_default_na=False)
    return [text for text in frame.loc[frame["split"] == "test", "text"] if len(text) < 400][:limit]


def measure(model_dir: str) -> dict:
    texts = short_test_texts()
    backends = {"torch_bf16": TextClassifier.load(model_dir, precision="bf16", backend="torch"),
                "onnxruntime_fp32": TextClassifier.load(model_dir, precision="fp32", backend="onnxruntime")}
    for classifier in backends.values():
        classifier.views = False  # one text, one window: the batch size is the window count
        classifier.predict_proba(texts[:64]), classifier.predict_proba(texts[:2])  # warm-up
    rows = []
    for n in BATCH_SIZES:
        times: dict[str, list[float]] = {name: [] for name in backends}
        for rep in range(max(6, 96 // n)):
            chunk = texts[(rep * n) % (len(texts) - n):][:n]
            order = list(backends) if rep % 2 else list(backends)[::-1]
            for name in order:
                started = time.perf_counter()
                backends[name].predict_proba(chunk)
                times[name].append(1000 * (time.perf_counter() - started))
        row = {"windows": n, **{f"{name}_p50_ms": float(np.median(t)) for name, t in times.items()},
               **{f"{name}_p90_ms": float(np.percentile(t, 90)) for name, t in times.items()}}
        rows.append(row)
        print({key: round(value, 2) if isinstance(value, float) else value for key, value in row.items()}, flush=True)
    return {"rows": rows, "texts": len(texts)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir", required=True, help="a registered model version's folder")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "bf16_crossover.json"))
    args = parser.parse_args()
    if not cpu_has_native_bf16():
        sys.exit("this CPU has no native bf16 (AMX / AVX512-BF16): torch's bf16 autocast is emulated here, "
                 "and model.inference_precision auto runs fp32; nothing to measure")
    started = datetime.now(timezone.utc).isoformat(timespec="seconds")
    result = {"started_at": started, "model_dir": args.model_dir, "cpus": len(os.sched_getaffinity(0)),
              "bf16_min_windows_beside_onnx": BF16_MIN_WINDOWS_BESIDE_ONNX, **measure(args.model_dir),
              "loadavg_at_end": list(os.getloadavg())}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    temp = out.with_suffix(".json.tmp")
    temp.write_text(json.dumps(result, indent=2))
    temp.replace(out)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
