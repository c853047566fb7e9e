"""Benchmark: seconds per training step per training configuration, same batches, side by side.

Loads the trainable model as ``models.trainer.train_classifier`` does (LoRA on the configured base,
MiniLM by default) once per configuration and times the same seeded batches of training windows
of the bundled data (forward, backward, optimizer step), configurations taken in turn, block after
block, so a slow minute of the machine falls on every configuration alike. It is what
``training.precision: auto``, ``training.quantization: auto`` (plain LoRA on a CPU) and the cost of
``training.base_model_dropout`` rest on; a torch profile of one block per configuration names the top operators.

    python bench/training_speed.py [--steps 4] [--blocks 3] [--configs NAME ...]
                                   [--out bench/results/training_speed.json]

Run it on a quiet machine: nothing else may use the cores while it measures.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# name -> (training settings, attention kernel: None = as train_classifier picks it)
CONFIGS = {
    "fp32, base dropout (default without native bf16)":
        ({"quantization": "none", "precision": "fp32", "base_model_dropout": True}, None),
    "4bit, base dropout (the default on AMX / AVX512-BF16 CPUs before 2026-12-04)":
        ({"quantization": "4bit", "precision": "fp32", "base_model_dropout": True}, None),
    "bf16, base dropout (default where bf16 is native)":
        ({"quantization": "none", "precision": "bf16", "base_model_dropout": True}, None),
    "bf16, no base dropout, sdpa attention":
        ({"quantization": "none", "precision": "bf16", "base_model_dropout": False}, "sdpa"),
    "bf16, no base dropout (base_model_dropout: false)":
        ({"quantization": "none", "precision": "bf16", "base_model_dropout": False}, None),
    "fp32, no base dropout": ({"quantization": "none", "precision": "fp32", "base_model_dropout": False}, None),
}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=4, help="steps per block")
    parser.add_argument("--blocks", type=int, default=3, help="timed blocks per configuration")
    parser.add_argument("--configs", nargs="+", choices=list(CONFIGS), default=list(CONFIGS))
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "training_speed.json"))
    return parser.parse_args(argv)


def load(base: str, config, settings: dict, attention: str | None):
    """A trainable model as train_classifier builds it, with an AdamW over its trainable parameters."""
    import torch

    from adversarial_mlops.models import trainer

    training = config.training.model_copy(update=settings)
    model, quantization, precision = trainer._resolved_model(base, training)
    if attention is not None:
        model.base_model.model.set_attn_implementation(attention)
    model.train()
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=training.learning_rate)
    kernel = model.base_model.model.config._attn_implementation
    return model, optimizer, {"quantization": quantization, "precision": precision, "attention": kernel}


def run_steps(model, optimizer, batches, ids, lengths, labels, *, token_budget: int, bf16: bool) -> None:
    from adversarial_mlops.models.trainer import _train_step

    for index in batches:
        _train_step(model, ids, index, lengths, labels, token_budget=token_budget, pad_id=0, token_types=True,
                    device="cpu", bf16=bf16)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)


def main(argv=None) -> int:
    args = parse_args(argv)
    import numpy as np
    import torch
    from torch.profiler import ProfilerActivity, profile

    from adversarial_mlops import data
    from adversarial_mlops.config import load_config
    from adversarial_mlops.models.modeling import cpu_flags, load_tokenizer, resolve_base_model
    from adversarial_mlops.models.trainer import training_windows
    from adversarial_mlops.storage.atomic_io import atomic_write_text

    config = load_config(None, {})
    base = resolve_base_model(config.model, cache_dir=Path(tempfile.mkdtemp(prefix="training_speed_")))
    splits = data.load_splits(config.data)
    batch = config.training.batch_size
    n_batches = args.steps * (args.blocks + 1)
    train = splits[splits["split"] == "train"].sample(n=batch * n_batches * 2, random_state=1)
    ids, labels = training_windows(load_tokenizer(base), train["text"].tolist(), train["label"].tolist(), None,
                                   config.model.window_tokens)
    ids, labels = ids[:batch * n_batches], torch.as_tensor(labels[:batch * n_batches])
    lengths = np.array([len(window) for window in ids])
    batches = [np.arange(i, i + batch) for i in range(0, batch * n_batches, batch)]
    loaded = {name: load(base, config, *CONFIGS[name]) for name in args.configs}
    seconds = {name: [] for name in args.configs}
    profiles = {}
    for name, (model, optimizer, resolved) in loaded.items():  # warm-up block, profiled
        with profile(activities=[ProfilerActivity.CPU]) as prof:
            run_steps(model, optimizer, batches[:args.steps], ids, lengths, labels,
                      token_budget=config.training.micro_batch_tokens, bf16=resolved["precision"] == "bf16")
        ops = sorted(prof.key_averages(), key=lambda op: op.self_cpu_time_total, reverse=True)[:5]
        total = sum(op.self_cpu_time_total for op in prof.key_averages())
        profiles[name] = {op.key: round(op.self_cpu_time_total / total, 3) for op in ops}
    for block in range(1, args.blocks + 1):
        part = batches[block * args.steps:(block + 1) * args.steps]
        for name, (model, optimizer, resolved) in loaded.items():
            started = time.perf_counter()
            run_steps(model, optimizer, part, ids, lengths, labels, token_budget=config.training.micro_batch_tokens,
                      bf16=resolved["precision"] == "bf16")
            seconds[name].append((time.perf_counter() - started) / len(part))
    reference = args.configs[0]
    rows = {}
    for name in args.configs:
        per_step = statistics.median(seconds[name])
        rows[name] = {**loaded[name][2], "seconds_per_step": round(per_step, 3),
                      "blocks": [round(s, 3) for s in seconds[name]],
                      "speedup_vs_first": round(statistics.median(seconds[reference]) / per_step, 2),
                      "top_operators_self_cpu_share": profiles[name]}
        print(f"{rows[name]['seconds_per_step']:6.3f} s/step  x{rows[name]['speedup_vs_first']:<5} {name} "
              f"({rows[name]['precision']}, {rows[name]['quantization']}, {rows[name]['attention']})", flush=True)
    flags = cpu_flags()
    result = {"what": "seconds per training step (forward, backward, AdamW) per configuration, same batches, "
                      "blocks taken in turn; median over blocks",
              "base_model": config.model.base_model, "batch_size": batch, "steps_per_block": args.steps,
              "blocks": args.blocks, "mean_window_tokens": round(float(lengths.mean()), 1),
              "machine": {"cpus": os.cpu_count(), "amx_bf16": "amx_bf16" in flags,
                          "avx512_bf16": "avx512_bf16" in flags, "torch_threads": torch.get_num_threads()},
              "reference": reference, "configs": rows}
    atomic_write_text(Path(args.out), json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
