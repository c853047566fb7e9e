"""Benchmark: would a quantized or fused ONNX graph serve the same detector faster?

    python bench/onnx_quantization.py --model-dir DIR [--singles 200] [--out bench/results/onnx_quantization.json]

#16 asks for ONNX Runtime's dynamic int8 quantization "if it measures faster with parity". This
measures both halves on one registered model, against the fp32 graph the project serves
(``onnx_backend.exported_model_path``, exported here if this host has not yet):

- ``int8_per_tensor``: ``onnxruntime.quantization.quantize_dynamic`` (int8 weights, uint8 activations);
- ``int8_per_channel``: the same with one weight scale per output channel;
- ``int8_per_channel_float_ffn_out``: per channel, the feed-forward down-projections kept fp32 (their
  inputs carry BERT's activation outliers);
- ``fused_fp32``: ``onnxruntime.transformers.optimizer`` BERT fusions (no quantization).

Parity, on the bundled validation and test splits (every text's first window, as a truncating model
reads it): max / p99 / mean |Δscore| against fp32, and the decisions that flip when the variant decides
with the fp32 model's stored threshold (what serving a quantized graph with the registered operating
point would do). Quality with its own threshold (calibrated on validation to the model's target FPR,
as the loop would): test ROC-AUC, recall and FPR. Speed: one text per call (``--singles`` test texts
of one window; the variants take turns in blocks of 20 texts, in a shuffled order, so each sees the
same machine) and 32 texts per call, at 2 intra-op threads. Nothing else should run meanwhile.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from adversarial_mlops.config import BUNDLED_DATASET  # noqa: E402
from adversarial_mlops.judging.decision import calibrate_threshold  # noqa: E402
from adversarial_mlops.models.modeling import TextClassifier, load_tokenizer, read_operating_point  # noqa: E402
from adversarial_mlops.models.onnx_backend import exported_model_path  # noqa: E402

WINDOW_TOKENS = 128
THREADS = 2
BATCH = 32
BLOCK = 20  # texts per variant in turn: a session's idle threads spin a while after each call, so
# text-by-text alternation would make every variant compete with the previous one's spinning threads


def build_variants(fp32: Path, work: Path) -> dict[str, Path]:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.transformers.optimizer import optimize_model

    matmuls = [node.name for node in onnx.load(str(fp32)).graph.node if node.op_type in ("MatMul", "Gemm")]
    ffn_out = [name for name in matmuls if name.endswith("/output/dense/MatMul") and "attention" not in name]
    variants = {"fp32": fp32}
    for name, options in (("int8_per_tensor", {}), ("int8_per_channel", {"per_channel": True}),
                          ("int8_per_channel_float_ffn_out", {"per_channel": True, "nodes_to_exclude": ffn_out})):
        variants[name] = work / f"{name}.onnx"
        quantize_dynamic(str(fp32), str(variants[name]), weight_type=QuantType.QInt8, **options)
    fused = optimize_model(str(fp32), model_type="bert", opt_level=1)
    variants["fused_fp32"] = work / "fused_fp32.onnx"
    fused.save_model_to_file(str(variants["fused_fp32"]))
    return variants


def session(path: Path):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = THREADS
    options.log_severity_level = 3
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def scores(run, tokenizer, texts: list[str]) -> np.ndarray:
    out = []
    for start in range(0, len(texts), BATCH):
        logits = run(tokenizer, texts[start:start + BATCH])
        shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
        out.append(shifted[:, 1] / shifted.sum(axis=1))
    return np.concatenate(out)


def runner(sess):
    names = [node.name for node in sess.get_inputs()]

    def run(tokenizer, batch: list[str]) -> np.ndarray:
        encoded = tokenizer(batch, truncation=True, max_length=WINDOW_TOKENS, padding=True, return_tensors="np")
        return sess.run(None, {name: encoded[name].astype(np.int64) for name in names})[0]
    return run


def quality(labels_val, scores_val, labels_test, scores_test, target_fpr: float) -> dict:
    from sklearn.metrics import roc_auc_score

    point = calibrate_threshold(labels_val, scores_val, target_fpr)
    predicted = scores_test >= point["threshold"]
    malicious, benign = labels_test == 1, labels_test == 0
    return {"threshold": round(float(point["threshold"]), 4), "test_roc_auc": round(float(roc_auc_score(labels_test, scores_test)), 4),
            "test_recall": round(float(predicted[malicious].mean()), 4), "test_fpr": round(float(predicted[benign].mean()), 4)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir", required=True, type=Path, help="a registered model version's folder")
    parser.add_argument("--singles", type=int, default=200)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "onnx_quantization.json")
    args = parser.parse_args()
    fp32 = exported_model_path(args.model_dir)
    if not fp32.exists():  # the project's own export, as serving would write it
        TextClassifier.load(args.model_dir, precision="fp32", backend="onnxruntime")
    tokenizer = load_tokenizer(str(args.model_dir))
    stored = read_operating_point(args.model_dir)
    data = pd.read_csv(BUNDLED_DATASET)
    labels = (data["label"] == "malicious").astype(int)
    validation, test = data[data["split"] == "validation"], data[data["split"] == "test"]
    y_val, y_test = labels[validation.index].to_numpy(), labels[test.index].to_numpy()
    one_window = [t for t in test["text"] if len(tokenizer(t)["input_ids"]) <= WINDOW_TOKENS]
    singles = random.Random(0).sample(one_window, min(args.singles, len(one_window)))

    import tempfile

    with tempfile.TemporaryDirectory(prefix="onnx-variants-") as tmp:
        variants = build_variants(fp32, Path(tmp))
        runs = {name: runner(session(path)) for name, path in variants.items()}
        sizes = {name: path.stat().st_size for name, path in variants.items()}
        val = {name: scores(run, tokenizer, validation["text"].tolist()) for name, run in runs.items()}
        tst = {name: scores(run, tokenizer, test["text"].tolist()) for name, run in runs.items()}
        latencies = {name: [] for name in runs}
        rng = random.Random(1)
        for text in singles[:10]:
            for run in runs.values():
                run(tokenizer, [text])
        for start in range(0, len(singles), BLOCK):
            order = list(runs)
            rng.shuffle(order)
            for name in order:
                for text in singles[start:start + BLOCK]:
                    started = time.perf_counter()
                    runs[name](tokenizer, [text])
                    latencies[name].append(time.perf_counter() - started)
        throughput = {}
        batch = test["text"].tolist()[:256]
        for name in runs:
            started = time.perf_counter()
            scores(runs[name], tokenizer, batch)
            throughput[name] = len(batch) / (time.perf_counter() - started)

    reference = np.concatenate([val["fp32"], tst["fp32"]])
    threshold = float(stored["threshold"])
    target_fpr = stored.get("target_fpr") or 0.05
    results = {}
    for name in runs:
        mine = np.concatenate([val[name], tst[name]])
        delta = np.abs(mine - reference)
        ms = 1000 * np.asarray(latencies[name])
        results[name] = {
            "file_mb": round(sizes[name] / 1e6, 1),
            "one_text_p50_ms": round(float(np.median(ms)), 2), "one_text_p95_ms": round(float(np.percentile(ms, 95)), 2),
            "batch32_texts_per_s": round(throughput[name], 1),
            "max_abs_delta": float(delta.max()), "p99_abs_delta": float(np.quantile(delta, 0.99)),
            "mean_abs_delta": float(delta.mean()),
            "flipped_at_stored_threshold": int(((mine >= threshold) != (reference >= threshold)).sum()),
            "own_operating_point": quality(y_val, val[name], y_test, tst[name], target_fpr)}
        print(f"{name:32s} p50 {results[name]['one_text_p50_ms']:6.2f} ms  p95 {results[name]['one_text_p95_ms']:6.2f} ms  "
              f"batch {throughput[name]:6.1f}/s  max|d| {delta.max():.4f}  p99|d| {np.quantile(delta, 0.99):.4f}  "
              f"flipped {results[name]['flipped_at_stored_threshold']}/{len(mine)}  own point {results[name]['own_operating_point']}")
    summary = {"model_dir": str(args.model_dir), "stored_threshold": threshold, "target_fpr": target_fpr,
               "texts": {"validation": len(validation), "test": len(test), "singles": len(singles)},
               "window_tokens": WINDOW_TOKENS, "intra_op_threads": THREADS, "results": results,
               "machine": {"cpu": platform.processor() or platform.machine(), "cpu_count": __import__("os").cpu_count()},
               "measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(summary, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
