"""Benchmark: training time with each `training.quantization`, side by side, same data and seed.

Trains the configured base model (MiniLM by default) for one epoch on ``--train-size`` training
texts of the bundled data (seeded sample), once per mode, and reports wall time (training plus the
epoch's validation pass, as in the loop) and the resolved quantization. It is what
`training.quantization: auto` rests on (`models.trainer.resolve_quantization`): on a CPU,
bitsandbytes' 4-bit matmul dequantizes in every call.

    python bench/quantization.py [--train-size 400] [--modes none 4bit] [--out bench/results/quantization.json]

Run it on a quiet machine: nothing else may use the cores while it measures.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train-size", type=int, default=400)
    parser.add_argument("--modes", nargs="+", default=["none", "4bit"])
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "quantization.json"))
    args = parser.parse_args()

    from adversarial_mlops import data
    from adversarial_mlops.config import load_config
    from adversarial_mlops.models.modeling import pick_device, resolve_base_model
    from adversarial_mlops.models.trainer import train_classifier

    config = load_config(None, {})
    splits = data.load_splits(config.data)
    train = splits[splits["split"] == "train"].sample(n=args.train_size, random_state=1)
    validation = splits[splits["split"] == "validation"]
    runs = {}
    with tempfile.TemporaryDirectory() as scratch:
        base = resolve_base_model(config.model, cache_dir=Path(scratch) / "base")
        for mode in args.modes:
            settings = config.training.model_copy(update={"quantization": mode, "epochs": 1})
            started = time.perf_counter()
            result = train_classifier(base, train["text"].tolist(), train["label"].tolist(),
                                      validation["text"].tolist(), validation["label"].tolist(), settings,
                                      window_tokens=config.model.window_tokens, out_dir=Path(scratch) / mode,
                                      views=config.defense.views == "auto")
            runs[mode] = {"seconds": round(time.perf_counter() - started, 1), "quantization": result.quantization,
                          "training_seconds": round(result.seconds, 1)}
            print(mode, runs[mode], flush=True)
    fastest = min(run["seconds"] for run in runs.values())
    result = {"what": "one training epoch (and its validation pass) per training.quantization, same texts and seed",
              "base_model": config.model.base_model, "device": pick_device(), "machine": {"cpus": os.cpu_count()},
              "train_size": args.train_size, "validation_size": len(validation), "runs": runs,
              "over_fastest": {mode: round(run["seconds"] / fastest, 2) for mode, run in runs.items()}}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result["over_fastest"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
