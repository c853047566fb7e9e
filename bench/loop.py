"""Benchmark: the real loop on the bundled data with MiniLM, from an empty state.

Runs (1) the whole loop — baseline champion, evaluation, gate, and (if the gate fails)
failure mining, augmentation, QLoRA challenger, A/B, promotion — ``--loops`` times on the same
state (loop 2 starts from loop 1's champion and failure bank: does its gate pass, is it slower?),
then (2) the evaluation again, so the champion's metrics before and after sit side by side.
Reports wall time and peak RSS per asset (sampled every 0.1 s by a thread: the run worker's and that
of the worker with every process it started, a training process included), and writes a JSON
file with ``first_loop_s``, ``second_loop_s`` (with ``--loops 2``) and ``peak_rss_gb`` — after every
loop, with ``finished: false`` until the closing evaluation: a two-loop run takes hours here, and one
stopped in loop 2 keeps loop 1's record.

    python bench/loop.py [--state-dir DIR] [--out bench/results/loop.json] [--loops 1] [--set key=value ...]
                         [--baseline-from STATE_DIR|VERSION_DIR]

``--baseline-from`` skips training the baseline (about 30 min of a MiniLM loop here): the champion of
another state (or a registry version folder, ``.../registry/versions/v0001``, such as
``bench/recipe.py`` leaves), checked to have been trained with this config's data/model/training/defence settings
(its calibration target may differ), is recalibrated on validation to this config's
``model.target_fpr`` and registered in the fresh state as an undecided baseline, which the loop's
``deployed_champion`` then promotes as it would one it had trained (``lifecycle.reusable_baseline``).
The loop's time then leaves out baseline training; everything after it is the loop's own.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from adversarial_mlops.config import STATE_DIR_ENV_VAR, parse_override  # noqa: E402


class RssSampler(threading.Thread):
    """Samples the resident memory of this process (the run worker: the loop runs in it) and of its
    process tree — the worker plus every process it started, such as a training process
    (``training.launcher: pipes``), which the worker's own figure leaves out. The tree's figure sums
    each process's RSS, so a page shared by two processes counts twice: an upper bound on what the
    tree takes from the machine. (Not PSS: reading ``smaps_rollup`` walks the page tables of a
    training process under its memory-map lock; every 0.1 s it slowed training epochs twofold.)
    A lower bound beside it, from the same cheap ``status`` files (``rss_floor_mb``): every process's
    private anonymous memory (``RssAnon``: a spawned process shares none of it) summed, plus the largest
    process's file-backed and shared memory (the union of the tree's file pages is at least that set).
    ``peak_between`` answers per time window."""

    FIELDS = ("worker_rss_mb", "rss_mb", "rss_floor_mb")
    STATUS_FIELDS = ("VmRSS", "RssAnon", "RssFile", "RssShmem")

    def __init__(self, interval: float = 0.1):
        super().__init__(daemon=True)
        self.interval, self.samples, self._halt = interval, [], threading.Event()

    @classmethod
    def memory_mb(cls, pid: int | str) -> dict[str, float]:
        """``STATUS_FIELDS`` of one process in MB (zeros for one that has ended)."""
        found = dict.fromkeys(cls.STATUS_FIELDS, 0.0)
        try:
            with open(f"/proc/{pid}/status") as status:
                for line in status:
                    key = line.split(":", 1)[0]
                    if key in found:
                        found[key] = int(line.split()[1]) / 1024
        except OSError:  # the process ended between listing and reading
            pass
        return found

    @classmethod
    def rss_mb(cls, pid: int | str) -> float:
        return cls.memory_mb(pid)["VmRSS"]

    @staticmethod
    def tree_bounds(processes: list[dict[str, float]]) -> tuple[float, float]:
        """(upper, lower) bound on the memory a process tree takes, from each process's ``memory_mb``."""
        upper = sum(process["VmRSS"] for process in processes)
        shared = max((process["RssFile"] + process["RssShmem"] for process in processes), default=0.0)
        return upper, sum(process["RssAnon"] for process in processes) + shared

    @staticmethod
    def tree(root: int) -> list[int]:
        """``root`` and every live process descended from it."""
        children: dict[int, list[int]] = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as stat:
                        parent = int(stat.read().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
                children.setdefault(parent, []).append(int(entry))
        found, pending = [], [root]
        while pending:
            pid = pending.pop()
            found.append(pid)
            pending += children.get(pid, [])
        return found

    def sample(self) -> tuple[float, float, float]:
        processes = [self.memory_mb(pid) for pid in self.tree(os.getpid())]
        return (processes[0]["VmRSS"], *self.tree_bounds(processes))

    def run(self) -> None:
        while not self._halt.is_set():
            self.samples.append((time.time(), *self.sample()))
            time.sleep(self.interval)

    def stop(self) -> None:
        self._halt.set()
        self.join()

    def peak_between(self, start: float, end: float, field: str = "rss_mb") -> float:
        column = 1 + self.FIELDS.index(field)
        window = [sample[column] for sample in self.samples if start <= sample[0] <= end + self.interval]
        return max(window) if window else float("nan")

    def peak(self, field: str = "rss_mb") -> float:
        return self.peak_between(float("-inf"), float("inf"), field)


def step_timings(instance, run_id: str) -> dict[str, tuple[float, float]]:
    starts, spans = {}, {}
    for record in instance.all_logs(run_id):
        event = record.dagster_event
        if event is None or not event.step_key:
            continue
        if event.event_type_value == "STEP_START":
            starts[event.step_key] = record.timestamp
        elif event.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE") and event.step_key in starts:
            spans[event.step_key] = (starts[event.step_key], record.timestamp)
    return spans


def strategy_rates(report: dict | None) -> dict:
    if not report:
        return {}
    return {name: value["rate"] for name, value in report["evasion"]["by_strategy"].items()}


def family_rates(evasion: dict) -> dict:
    return {name: {key: block.get(key) for key in ("rate", "low", "high", "n_variants", "n_groups")}
            for name, block in evasion["by_family"].items()}


def holdout_headline(block: dict | None) -> dict | None:
    if not block:
        return None
    return {"clean_f1": block["clean"]["f1"], "clean_f1_ci": block["clean"]["f1_ci"],
            "clean_fpr": block["clean"]["fpr"], "clean_fpr_ci": block["clean"].get("fpr_ci"),
            "n_texts": block["n_texts"], "n_groups": block["clean"].get("n_groups"),
            "operating_point": block["operating_point"], "evasion_rate": block["evasion"]["overall"],
            "evasion_by_family": family_rates(block["evasion"]),
            "obfuscated_benign_fpr": block["over_defense"]["obfuscated_benign_fpr"],
            "encoding_wrapper_effect": block["over_defense"].get("encoding_wrapper_effect")}


def headline(report: dict | None) -> dict:
    if not report:
        return {}
    return {"model_version": report["model_version"], "clean_f1": report["clean"]["f1"],
            "clean_f1_ci": report["clean"]["f1_ci"], "benign_fpr": report["clean"]["fpr"],
            "benign_fpr_ci": report["clean"].get("fpr_ci"), "operating_point": report["operating_point"],
            "evasion_rate": report["evasion"]["overall"], "static_evasion_rate": report["evasion"].get("static_overall"),
            "evasion_by_family": family_rates(report["evasion"]), "evasion_by_strategy": strategy_rates(report),
            "obfuscated_benign_fpr": report["over_defense"]["obfuscated_benign_fpr"],
            "encoding_wrapper_effect": report["over_defense"].get("encoding_wrapper_effect"),
            "clean_fpr_by_category": report["over_defense"]["clean_fpr_by_category"],
            "adaptive_attack": report["adaptive_attack"], "gate": report.get("gate"),
            "views_defense": report.get("views_defense"),
            "holdout": holdout_headline(report.get("holdout"))}


def loop_record(number: int, run, seconds: float, instance, sampler: RssSampler) -> dict:
    """One loop's wall time, outcome, gate verdict and A/B decision, with time and peak RSS per asset."""
    per_asset = {step: {"seconds": round(end - start, 1), "peak_rss_mb": round(sampler.peak_between(start, end)),
                        "worker_peak_rss_mb": round(sampler.peak_between(start, end, "worker_rss_mb")),
                        "peak_rss_floor_mb": round(sampler.peak_between(start, end, "rss_floor_mb"))}
                 for step, (start, end) in step_timings(instance, run.run_id).items()}
    gate = run.gate or {}
    return {"loop": number, "run_id": run.run_id, "seconds": round(seconds, 1), "outcome": run.outcome(),
            "gate_status": gate.get("status"), "gate": gate or None, "decision": run.decision,
            "per_asset": per_asset}


def stored_version(source: Path, newest_if_no_champion: bool = False):
    """The model ``source`` names: a registry version folder (``<state>/registry/versions/v0001``) or a
    state dir's champion (if it has none: its newest version with ``newest_if_no_champion``, else None)."""
    from adversarial_mlops.models.registry import ModelRegistry

    if not source.is_dir():
        raise SystemExit(f"{source}: no such directory; name a state dir or a registry version folder "
                         f"(<state>/registry/versions/v0001)")
    if (source / "version.json").is_file():
        return ModelRegistry(source.parent.parent).get(source.name)
    registry = ModelRegistry(source / "registry")
    champion = registry.champion()
    if champion is None and newest_if_no_champion:
        return next(iter(registry.list_versions()[-1:]), None)
    return champion


def seed_baseline(source: Path, config) -> str:
    """Register ``source``'s champion, recalibrated to ``config.model.target_fpr``, as an undecided
    baseline of the (empty) registry of ``config``'s state; its id."""
    import copy
    import shutil

    from adversarial_mlops import data
    from adversarial_mlops.loop import lifecycle
    from adversarial_mlops.models.registry import ModelRegistry

    champion = stored_version(source)
    if champion is None:
        raise SystemExit(f"--baseline-from {source}: its registry has no champion; name a version folder "
                         f"(<state>/registry/versions/v0001) instead")
    if champion.info.get("role") != lifecycle.BASELINE or not lifecycle.trained_with(champion, config,
                                                                                     any_target_fpr=True):
        raise SystemExit(f"--baseline-from {source}: its champion {champion.version} is not a baseline trained with this "
                         f"config's data/model/training/defense settings; drop --baseline-from to train one")
    registry = ModelRegistry(config.resolved_state_dir() / "registry")
    if registry.list_versions():
        raise SystemExit(f"--baseline-from needs an empty state; {config.resolved_state_dir()} already has "
                         f"versions (drop --baseline-from to go on from its champion, or name a new state dir)")
    splits = data.load_splits(config.data)
    info = copy.deepcopy(champion.info)
    info["config"]["model"]["target_fpr"] = config.model.target_fpr  # the threshold is re-fitted to it below
    info["recalibrated_from"] = f"{source}:{champion.version}"
    metrics = {"best_validation_f1": champion.metrics.get("best_validation_f1")}

    def build(target: Path) -> None:
        shutil.copytree(champion.local_path(), target, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("README.md", "version.json"))
        metrics.update(lifecycle.calibrated_metrics(lifecycle.load_classifier(champion, config), target,
                                                    lifecycle.split_frame(splits, "validation"),
                                                    lifecycle.split_frame(splits, "test"), config))

    return registry.register(build, metrics=metrics, info=info).version


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--state-dir", help="default: a fresh temporary directory")
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "loop.json"))
    parser.add_argument("--loops", type=int, default=1, help="loops to run one after another on the same state")
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    parser.add_argument("--baseline-from", type=Path, help="reuse this state's champion, or this registry version folder, as the baseline (see above)")
    args = parser.parse_args()
    state = Path(args.state_dir or tempfile.mkdtemp(prefix="adversarial-mlops-bench-"))
    os.environ[STATE_DIR_ENV_VAR] = str(state)
    os.environ.pop("DAGSTER_HOME", None)  # the bench's own instance, inside its state dir
    overrides = dict(parse_override(o) for o in args.overrides)

    from adversarial_mlops.config import load_config
    from adversarial_mlops.dagster_defs.runs import prepare_instance, run_loop
    from adversarial_mlops.storage.atomic_io import atomic_write_text

    if args.loops < 1:
        parser.error("--loops must be at least 1")
    if args.baseline_from:
        print(f"baseline: {seed_baseline(args.baseline_from, load_config(None, overrides))} "
              f"(recalibrated copy of the champion of {args.baseline_from})", flush=True)
    sampler = RssSampler()
    sampler.start()
    instance = prepare_instance(load_config(None, overrides))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    loops, runs = [], []

    def measured(after=None) -> dict:
        """What is measured so far; written after every loop, so an interrupted run keeps its loops."""
        loop, loop_seconds = loops[0]
        peak_mb = sampler.peak()
        return {
            "state_dir": str(state), "baseline_from": str(args.baseline_from) if args.baseline_from else None,
            "finished": after is not None, "loops_asked": args.loops,
            "loop_run": loop.run_id, "outcome": loop.outcome(),
            "loop_wall_seconds": round(loop_seconds, 1), "first_loop_s": round(loop_seconds, 1),
            "second_loop_s": runs[1]["seconds"] if len(runs) > 1 else None,
            "peak_rss_mb": round(peak_mb), "peak_rss_gb": round(peak_mb / 1024, 2),
            "peak_rss_counts": "the run worker and every process it started (a training process included), summed",
            "peak_rss_floor_gb": round(sampler.peak(field="rss_floor_mb") / 1024, 2),
            "peak_rss_floor_counts": "the same processes' private anonymous memory summed, plus the largest one's "
                                     "file-backed and shared memory: a lower bound",
            "worker_peak_rss_gb": round(sampler.peak(field="worker_rss_mb") / 1024, 2),
            "per_asset": runs[0]["per_asset"], "gate": loop.gate, "decision": loop.decision,
            "loops": runs, "before": headline(loop.evaluation), "after": headline(after.evaluation) if after else None,
        }

    for number in range(1, args.loops + 1):
        started = time.time()
        run = run_loop(None, overrides)
        loops.append((run, time.time() - started))
        runs.append(loop_record(number, run, loops[-1][1], instance, sampler))
        atomic_write_text(out, json.dumps(measured(), indent=2) + "\n")
    after = run_loop(None, overrides, selection=["labeled_dataset", "attack_variants", "deployed_champion",
                                                 "evaluation_report"])
    sampler.stop()
    result = measured(after)
    atomic_write_text(out, json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: result[k] for k in ("outcome", "first_loop_s", "second_loop_s", "peak_rss_gb", "per_asset")},
                     indent=2))
    for run in runs:
        print(f"loop {run['loop']}: {run['seconds']:.0f} s, gate {run['gate_status']}, {run['outcome']}")
    for phase in ("before", "after"):
        h = result[phase]
        if h:
            print(f"{phase}: {h['model_version']} F1 {h['clean_f1']:.4f}, FPR {h['benign_fpr']:.4f}, "
                  f"evasion {h['evasion_rate']['rate']:.4f} "
                  f"(95% CI {h['evasion_rate']['low']:.4f}–{h['evasion_rate']['high']:.4f}), "
                  f"threshold {h['operating_point']['threshold']:.4f}, gate {h['gate']['status']}")
    return 0 if all(run.loop_completed for run, _ in loops) else 1


if __name__ == "__main__":
    sys.exit(main())
