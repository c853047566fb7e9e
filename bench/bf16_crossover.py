"""Benchmark: from how many windows a batch is faster in torch's bf16 autocast than in ONNX Runtime fp32.

    python bench/bf16_crossover.py --model-dir <registry>/versions/vNNNN [--out bench/results/bf16_crossover.json]

``modeling.bf16_min_windows_beside_onnx()`` rests on this: on a CPU with native bf16 (AMX /
AVX512-BF16), a batch below that many windows runs in ONNX Runtime, larger ones in torch bf16. One
model loaded as a server loads it at bf16 (ONNX Runtime beside torch, the torch copy's linear
weights stored in bf16: ``modeling.cast_linear_weights_to_bf16``), each call sent to one backend;
views off, test texts under 400 characters (one window each), so a call with n texts is one batch
of n windows. Per batch size the backends take turns in blocks of calls
(which one goes first alternates), the first call of a block untimed: ONNX Runtime's idle threads spin
for a while after a call, and alternating call by call measured torch at 1 window 25.6 ms against
7.0 ms in blocks. The median and 90th percentile of ms per call are reported. Nothing else should run
on the machine meanwhile.
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
from adversarial_mlops.models import modeling  # noqa: E402
from adversarial_mlops.models.modeling import TextClassifier, cpu_has_native_bf16  # noqa: E402

BATCH_SIZES = (1, 2, 3, 4, 6, 8, 12, 16, 32, 64)
BLOCKS = 6  # per batch size, the backends take turns in blocks of calls


def short_test_texts(limit: int = 400) -> list[str]:
    frame = pd.read_csv(BUNDLED_DATASET, keep_default_na=False)
    return [text for text in frame.loc[frame["split"] == "test", "text"] if len(text) < 400][:limit]


def measure(model_dir: str) -> dict:
    texts = short_test_texts()
    # One classifier, as a server loads it at bf16 beside ONNX Runtime (its linear weights stored in
    # bf16); each call sends its batch to one backend by moving the crossover below or above it.
    classifier = TextClassifier.load(model_dir, precision="bf16", backend="onnxruntime")
    classifier.views = False  # one text, one window: the batch size is the window count
    crossover = {"torch_bf16": 1, "onnxruntime_fp32": sys.maxsize}
    host_crossover = modeling.bf16_min_windows_beside_onnx

    def call(name: str, chunk: list[str]) -> float:
        modeling.bf16_min_windows_beside_onnx = lambda: crossover[name]
        started = time.perf_counter()
        classifier.predict_proba(chunk)
        return 1000 * (time.perf_counter() - started)

    for name in crossover:  # warm-up
        call(name, texts[:64]), call(name, texts[:2])
    rows = []
    for n in BATCH_SIZES:
        times: dict[str, list[float]] = {name: [] for name in crossover}
        for block in range(BLOCKS):
            for name in list(crossover) if block % 2 else list(crossover)[::-1]:
                call(name, texts[:n])  # not timed: the other backend's threads may still spin
                for rep in range(max(2, 48 // n)):
                    times[name].append(call(name, texts[(rep * n + block * 7) % (len(texts) - n):][:n]))
        row = {"windows": n, **{f"{name}_p50_ms": float(np.median(t)) for name, t in times.items()},
               **{f"{name}_p90_ms": float(np.percentile(t, 90)) for name, t in times.items()}}
        rows.append(row)
        print({key: round(value, 2) if isinstance(value, float) else value for key, value in row.items()}, flush=True)
    modeling.bf16_min_windows_beside_onnx = host_crossover
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
              "bf16_min_windows_beside_onnx": modeling.bf16_min_windows_beside_onnx(), **measure(args.model_dir),
              "loadavg_at_end": list(os.getloadavg())}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    temp = out.with_suffix(".json.tmp")
    temp.write_text(json.dumps(result, indent=2))
    temp.replace(out)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
