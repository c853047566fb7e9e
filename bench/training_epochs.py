"""Benchmark: whole training epochs as the loop runs them, with bf16 batches padded to a multiple or not.

``models.trainer.train_classifier`` on the bundled training split and validation split with the
default config (its word-edit noise re-read each epoch, windows, views), ``--epochs`` epochs, once per
padding multiple (``modeling.BF16_PAD_MULTIPLE``: 1 = each batch as long as its longest window), each
arm in a process of its own so peak RSS is that arm's. Per arm: seconds, peak RSS, step time by
quarter epoch, distinct padded batch shapes, validation F1 per epoch. It is what
``modeling.BF16_PAD_MULTIPLE`` rests on: a bf16 batch on a CPU runs in oneDNN kernels compiled for its
exact shape and cached, so fewer shapes means fewer kernels compiled and kept.

    python bench/training_epochs.py [--epochs 2] [--pad 1 16] [--out bench/results/training_epochs.json]

Run it on a quiet machine: nothing else may use the cores while it measures.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--pad", type=int, nargs="+", default=[1, 16], help="padding multiples, one arm each")
    parser.add_argument("--arm", type=int, help=argparse.SUPPRESS)  # internal: run one arm, print its JSON
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "training_epochs.json"))
    return parser.parse_args(argv)


def run_arm(pad_multiple: int, epochs: int) -> dict:
    """One training run in this process with ``BF16_PAD_MULTIPLE = pad_multiple``."""
    import numpy as np

    from adversarial_mlops import data
    from adversarial_mlops.config import load_config
    from adversarial_mlops.loop.augmentor import training_noise
    from adversarial_mlops.models import modeling, trainer
    from adversarial_mlops.models.modeling import resolve_base_model

    modeling.BF16_PAD_MULTIPLE = pad_multiple  # read by modeling.pad_multiple, in training and validation alike
    shapes, steps = set(), []
    real_pad, real_step = trainer.pad_batch, trainer._train_step

    def pad_batch(*args, **kwargs):
        inputs = real_pad(*args, **kwargs)
        shapes.add(tuple(inputs["input_ids"].shape))
        return inputs

    def train_step(*args, **kwargs):
        started = time.perf_counter()
        loss = real_step(*args, **kwargs)
        steps.append(time.perf_counter() - started)
        return loss

    trainer.pad_batch, trainer._train_step = pad_batch, train_step
    config = load_config(None, {"training": {"epochs": epochs}})
    base = resolve_base_model(config.model, cache_dir=Path(tempfile.mkdtemp(prefix="training_epochs_")))
    splits = data.load_splits(config.data)
    train = splits[splits["split"] == "train"].reset_index(drop=True)
    validation = splits[splits["split"] == "validation"]
    epoch_ends = []
    started = time.perf_counter()
    result = trainer.train_classifier(
        base, train["text"].tolist(), train["label"].tolist(), validation["text"].tolist(),
        validation["label"].tolist(), config.training, window_tokens=config.model.window_tokens,
        window_stride=config.model.window_stride, out_dir=Path(tempfile.mkdtemp(prefix="training_epochs_")) / "m",
        progress=lambda message: epoch_ends.append((round(time.perf_counter() - started, 1), message)),
        payload_spans=data.payload_spans(train), views=config.defense.views == "auto",
        epoch_texts=training_noise(config))
    quarter = max(1, len(steps) // (4 * epochs))
    return {"pad_multiple": pad_multiple, "seconds": round(time.perf_counter() - started, 1),
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, "steps": len(steps),
            "distinct_batch_shapes": len(shapes), "best_validation_f1": round(result.best_validation_f1, 4),
            "step_s_by_quarter_epoch": [round(float(np.mean(steps[i:i + quarter])), 3)
                                        for i in range(0, len(steps), quarter)],
            "progress": epoch_ends}


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.arm is not None:
        print(json.dumps(run_arm(args.arm, args.epochs)))
        return 0
    from adversarial_mlops.models.modeling import cpu_flags
    from adversarial_mlops.storage.atomic_io import atomic_write_text

    arms = []
    for pad in args.pad:
        output = subprocess.run([sys.executable, __file__, "--arm", str(pad), "--epochs", str(args.epochs)],
                                check=True, capture_output=True, text=True).stdout
        arms.append(json.loads(output.strip().splitlines()[-1]))
        print(f"pad {pad:>3}: {arms[-1]['seconds']} s, peak RSS {arms[-1]['peak_rss_mb']} MB, "
              f"{arms[-1]['distinct_batch_shapes']} shapes", flush=True)
    flags = cpu_flags()
    result = {"what": "train_classifier on the bundled training split, default config, one process per padding "
                      "multiple of bf16 batches, arms in turn",
              "epochs": args.epochs, "machine": {"cpus": os.cpu_count(), "amx_bf16": "amx_bf16" in flags,
                                                 "avx512_bf16": "avx512_bf16" in flags},
              "arms": arms}
    atomic_write_text(Path(args.out), json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
