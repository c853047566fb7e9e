"""Benchmark: leave-one-strategy-family-out — evasion on attack families never seen in training.

For each family: a challenger trained from the same champion without that family, evaluated on
every strategy; its evasion on the held-out family is set next to (a) the same family's evasion
for a challenger trained on every family and (b) its evasion on the families it saw.

    python bench/generalization.py [--families encoding structural] [--work-dir DIR]
                                   [--baseline-from STATE_DIR|VERSION_DIR]
                                   [--model minilm|tiny] [--out bench/results/generalization.json]
                                   [--set key=value ...]

``--baseline-from`` starts from another run's baseline instead of training one (as in ``bench/loop.py``: the
champion of a state, or a registry version folder such as ``<loop state>/registry/versions/v0001``, checked to
have been trained with this config's data/model/training/defense settings, recalibrated to its
``model.target_fpr``); the work dir must then be new or empty.

MiniLM on data v5 with the default recipe costs one challenger (three epochs and an evaluation on every
strategy: 36-37 min on 2 idle cores; 17-20 min on the v2 data with LoRA on query/value) per family, plus the
reference challenger and the baseline. ``--model tiny`` (the self-built test
model) checks the wiring — 35 min for two families on the bundled data on a busy 2-core machine —
but its numbers say little about MiniLM.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from adversarial_mlops.storage.atomic_io import atomic_write_text  # noqa: E402
from adversarial_mlops.config import load_config, parse_override  # noqa: E402

# The tiny test model needs what the test suite gives it (adversarial_mlops_tests/conftest.py):
# a random encoder that LoRA alone cannot steer trains its word embeddings too, with small batches.
TINY = {"model.base_model": "tiny", "model.window_tokens": 64, "training.quantization": "none",
        "training.epochs": 3, "training.batch_size": 8, "training.learning_rate": 0.003,
        "training.extra_trainable_modules": ["word_embeddings"]}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", nargs="+", help="families to hold out one at a time (default: every family; "
                        "`adversarial-mlops attack --list` shows them)")
    parser.add_argument("--work-dir", "--state-dir", dest="work_dir",
                        help="state dir for the experiment's registry (default: a fresh temporary directory); "
                             "reuse one to skip the baseline training")
    parser.add_argument("--baseline-from", type=Path,
                        help="reuse this state's champion, or this registry version folder, as the baseline "
                             "(see above)")
    parser.add_argument("--model", choices=("minilm", "tiny"), default="minilm")
    parser.add_argument("--config", help="pipeline YAML (default: config/pipeline.yaml)")
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "generalization.json"))
    parser.add_argument("--set", dest="overrides", action="append", default=[], help="key=value, as in the CLI")
    return parser.parse_args(argv)


def build_overrides(args: argparse.Namespace) -> dict:
    overrides = dict(TINY) if args.model == "tiny" else {"model.base_model": "minilm"}
    overrides.update(parse_override(item) for item in args.overrides)
    overrides["state_dir"] = args.work_dir or tempfile.mkdtemp(prefix="adversarial-mlops-generalization-")
    return overrides


def pct(value) -> str:
    return "  n/a" if value is None else f"{100 * value:5.1f}"


def interval(entry: dict | None, key: str = "rate") -> str:
    if not entry or entry.get(key) is None:
        return "n/a".ljust(20)
    return f"{pct(entry[key])} ({pct(entry['low'])}–{pct(entry['high'])})".ljust(20)


def print_table(result: dict) -> None:
    print(f"evasion %, 95% CI — {result['base_model']}, {result['seconds']} s; baseline "
          f"{result['baseline']['version']}, trained on all families {result['trained_on_all']['version']}")
    print(f"{'held-out family':<16} {'unseen (held out)':<20} {'trained on all':<20} {'Δ paired':<20} "
          f"{'seen families':<20} clean F1")
    for family, row in result["held_out"].items():
        print(f"{family:<16} {interval(row['held_out_family'])} {interval(row['same_family_trained_on_all'])} "
              f"{interval(row['delta_vs_trained_on_all'], 'estimate')} {interval(row['seen'])} "
              f"{row['clean_f1']:.3f}")


def main(argv=None) -> int:
    args = parse_args(argv)
    from adversarial_mlops.attacks import family_names
    from adversarial_mlops.loop.generalization import leave_one_family_out

    config = load_config(args.config, build_overrides(args))
    # Flushed: training runs for minutes between lines, and the log is often redirected to a file.
    out = Path(args.out)
    state_dir = str(config.resolved_state_dir())
    baseline_from = str(args.baseline_from) if args.baseline_from else None
    if args.baseline_from:
        from loop import seed_baseline  # bench/loop.py's --baseline-from, the same checks

        print(f"baseline: {seed_baseline(args.baseline_from, config)} (recalibrated copy of the champion of "
              f"{args.baseline_from})", flush=True)

    def write(result: dict) -> None:
        # Rewritten after every family (atomically), so a stopped run keeps what it finished.
        atomic_write_text(out, json.dumps({**result, "state_dir": state_dir, "baseline_from": baseline_from},
                                          indent=2) + "\n")

    result = leave_one_family_out(config, args.families or family_names(),
                                  progress=lambda message: print(message, flush=True), on_partial=write)
    write(result)
    print_table(result)
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
