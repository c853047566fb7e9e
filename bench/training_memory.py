"""Where a training process's memory goes: peak resident memory per phase of one training.

```
python bench/training_memory.py [--state-dir DIR] [--epochs N] [--out bench/results/training_memory.json]
                                [--set key=value ...]
```

Runs ``lifecycle.train_and_register`` in this process, as the training process of
``training.launcher: pipes`` does (``dagster_defs.pipes_training``), and samples this process's RSS
every 0.25 s. Each phase is one function of the trainer or the lifecycle (views of the texts, model
load, tokenizing the training windows, training steps, validation, the merged save, the calibrated
test metrics); the JSON holds, per phase, its seconds, the RSS it started at and its peak, and the
process's VmHWM. ``--state-dir``: the challenger's data of a loop's state (its latest
``labeled_dataset`` and ``augmented_dataset``); without it, the bundled data's train split, as a
baseline trains. Either way it trains from the base model with no parent (``training.challenger_start:
base_model``, the default), into a fresh temporary registry. One run measures one configuration: compare
two side by side on a quiet machine (``--set`` or an environment variable such as
``ONEDNN_PRIMITIVE_CACHE_CAPACITY``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from adversarial_mlops.config import load_config  # noqa: E402
from adversarial_mlops.dagster_defs.pipes_training import peak_rss_mb  # noqa: E402
from adversarial_mlops.storage.atomic_io import atomic_write_text  # noqa: E402
from loop import RssSampler  # noqa: E402  (bench/loop.py: the same RSS reading as the loop bench)

# (module, function, phase): the functions whose time is a phase of its own.
PHASES = (("adversarial_mlops.models.trainer", "_prepared", "views of the texts"),
          ("adversarial_mlops.models.trainer", "_resolved_model", "model load"),
          ("adversarial_mlops.models.trainer", "_tokenized_training_set", "training windows"),
          ("adversarial_mlops.models.trainer", "_train_epoch", "training steps"),
          ("adversarial_mlops.models.trainer", "_validation_f1", "validation"),
          ("adversarial_mlops.models.trainer", "_save_merged", "merged save"),
          ("adversarial_mlops.loop.lifecycle", "calibrated_metrics", "calibrated metrics"))
OTHER = "between phases"


def rss_mb() -> float:
    return RssSampler.rss_mb("self")


class PhaseRecorder(threading.Thread):
    """Peak RSS and seconds per phase; the sampler thread reads the phase set by the wrappers."""

    def __init__(self, interval: float = 0.25):
        super().__init__(daemon=True)
        self.interval, self.phase, self.phases, self._halt = interval, OTHER, {}, threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            self._note(rss_mb())
            time.sleep(self.interval)

    def _note(self, rss: float) -> None:
        record = self.phases.setdefault(self.phase, {"seconds": 0.0, "calls": 0, "start_rss_mb": rss,
                                                     "peak_rss_mb": rss})
        record["peak_rss_mb"] = max(record["peak_rss_mb"], rss)

    def wrap(self, module, name: str, phase: str) -> None:
        inner = getattr(module, name)  # AttributeError here: the trainer changed, update PHASES

        def timed(*args, **kwargs):
            before, self.phase, started = self.phase, phase, time.perf_counter()
            self._note(rss_mb())
            try:
                return inner(*args, **kwargs)
            finally:
                self._note(rss_mb())
                record = self.phases[phase]
                record["seconds"] += time.perf_counter() - started
                record["calls"] += 1
                self.phase = before

        setattr(module, name, timed)

    def stop(self) -> None:
        self._halt.set()
        self.join()


def training_data(state_dir: str | None, config):
    """(splits, training frame): a loop state's challenger data, or the bundled baseline's."""
    import pandas as pd

    from adversarial_mlops import data
    from adversarial_mlops.loop import lifecycle

    if state_dir is None:
        splits = data.load_splits(config.data)
        return splits, data.training_columns(lifecycle.split_frame(splits, "train"))

    def latest(asset: str) -> pd.DataFrame:
        assets = Path(state_dir) / "assets"
        pointer = json.loads((assets / "latest" / f"{asset}.json").read_text())
        return pd.read_parquet(assets / pointer["file"])

    return latest("labeled_dataset"), data.training_columns(latest("augmented_dataset"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--state-dir", help="a loop's state: train its challenger's data (default: bundled baseline)")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "training_memory.json"))
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    args = parser.parse_args()
    import importlib

    recorder = PhaseRecorder()
    recorder.start()
    for module, name, phase in PHASES:
        recorder.wrap(importlib.import_module(module), name, phase)
    from adversarial_mlops.loop import lifecycle
    from adversarial_mlops.models.registry import ModelRegistry

    scratch = Path(tempfile.mkdtemp(prefix="training-memory-"))
    config = load_config(None, [f"training.epochs={args.epochs}", *args.overrides])
    splits, train = training_data(args.state_dir, config)
    started = time.perf_counter()
    version = lifecycle.train_and_register(ModelRegistry(scratch / "registry", cache_dir=scratch / "cache"), config,
                                           splits, train, role=lifecycle.BASELINE, parent=None, progress=print)
    recorder.stop()
    root = Path(__file__).resolve().parent.parent
    commit = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip() or None
    result = {"code": str(root), "commit": commit, "state_dir": args.state_dir, "train_texts": len(train), "epochs": args.epochs,
              "overrides": args.overrides, "environment": {k: v for k, v in os.environ.items() if k.startswith("ONEDNN")},
              "seconds": round(time.perf_counter() - started, 1), "vm_hwm_mb": peak_rss_mb(),
              "history": version.info["training"]["history"],
              "phases": {phase: {k: round(v, 1) for k, v in record.items()} for phase, record in recorder.phases.items()}}
    atomic_write_text(Path(args.out), json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: result[k] for k in ("vm_hwm_mb", "seconds", "phases")}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
