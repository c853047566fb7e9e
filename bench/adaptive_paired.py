"""Benchmark: is one model harder to evade adaptively than another — paired, over several attack seeds.

The gate's adaptive attack (``attack.adaptive_query_budget``; by default the gate's own
``attack.adaptive_sources`` malicious test texts, seed ``attack.eval_seed``) runs with each attack seed
against each model. One attack run flips 12–19 % of texts' outcomes from seed to seed
(``bench/adaptive_seed_noise.py``), so a single-seed difference of a few points between two models says
little. Here each (seed, text) is a row of the text's template group, every model is attacked on the
same rows, and each model's rate and its paired Δ against the first model get template-cluster CIs —
the A/B's own statistics (``metrics.evasion_rate`` / ``metrics.delta_evasion``), as it computes them
with ``attack.ab_adaptive_seeds``. A text counts for a model when that model catches it clean.

    python bench/adaptive_paired.py NAME=MODEL_DIR NAME=MODEL_DIR ... --out OUT.json \\
        [--seeds 101 102 103] [--sources N]       # MODEL_DIR: a registry version folder
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def parse_models(items: list[str]) -> dict[str, Path]:
    models = {}
    for item in items:
        name, sep, path = item.partition("=")
        if not sep or not Path(path).is_dir():
            raise SystemExit(f"{item!r}: write NAME=MODEL_DIR with an existing registry version folder, "
                             f"e.g. typo=/tmp/recipes/typo/registry/versions/v0001")
        models[name] = Path(path)
    if len(models) < 2:
        raise SystemExit("give at least two models: the first is the reference the others are paired with")
    return models


def attack_rows(classifier, items: list[tuple[str, str]], seeds: list[int], query_budget: int):
    """(clean catches by text id, evaded per (seed, text) row in seed-then-text order, seconds per seed)."""
    from adversarial_mlops.attacks.adaptive import AdaptiveAttackSettings, adaptive_attack

    caught, evaded, seconds = {}, [], []
    for seed in seeds:
        started = time.perf_counter()
        settings = AdaptiveAttackSettings(query_budget=query_budget, threshold=classifier.threshold, seed=seed)
        results = {r.source_id: r for r in adaptive_attack(items, classifier.predict_proba, settings)}
        for text_id, _ in items:
            result = results[text_id]
            caught[text_id] = int(result.original_score >= classifier.threshold)
            evaded.append(bool(caught[text_id] and result.success))
        seconds.append(round(time.perf_counter() - started, 1))
    return caught, evaded, seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="+", metavar="NAME=MODEL_DIR", help="the first is the reference")
    parser.add_argument("--seeds", nargs="+", type=int, default=[101, 102, 103])
    parser.add_argument("--sources", type=int, default=None, help="malicious test texts (default: the gate's count)")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    models = parse_models(args.models)

    from adversarial_mlops import data
    from adversarial_mlops.config import load_config
    from adversarial_mlops.judging.evaluation import adaptive_targets
    from adversarial_mlops.judging.metrics import delta_evasion, evasion_rate
    from adversarial_mlops.loop import lifecycle
    from adversarial_mlops.models.modeling import TextClassifier
    from adversarial_mlops.storage.atomic_io import atomic_write_text

    config = load_config(None, [])
    test = lifecycle.split_frame(data.load_splits(config.data), "test")
    targets = adaptive_targets(test, n_sources=args.sources or config.attack.adaptive_sources,
                               seed=config.attack.eval_seed)
    items = list(zip(targets["id"].astype(str), targets["text"]))
    group_of = dict(zip(targets["id"].astype(str), targets["group"].astype(str)))
    row_ids = [text_id for _ in args.seeds for text_id, _ in items]
    row_groups = [group_of[text_id] for text_id in row_ids]
    n, seed = config.promotion.bootstrap_resamples, config.seed
    out = {"what": "adaptive attack per seed against each model on the same test texts; paired template-cluster CIs",
           "n_texts": len(items), "n_groups": len(set(group_of.values())), "seeds": args.seeds,
           "query_budget": config.attack.adaptive_query_budget, "models": {}}
    outcomes, reference = {}, next(iter(models))
    for name, path in models.items():
        # One window memo per model across its seeds, as the A/B's step holds one: a window scored once
        # keeps that score, so a re-scored unchanged window cannot look like a move (bf16 on CPU scores a
        # window alone and in a batch up to 0.02 log-odds apart, bench/batch_noise.py) and the search
        # follows the A/B's path.
        classifier = TextClassifier.load(path).with_window_memo()
        caught, evaded, seconds = attack_rows(classifier, items, args.seeds, config.attack.adaptive_query_budget)
        outcomes[name] = (caught, [0 if e else 1 for e in evaded])  # a row's prediction: 1 = still caught
        rate = evasion_rate(row_ids, outcomes[name][1], caught, seed=seed, n_resamples=n, clusters=row_groups)
        per_seed = [sum(evaded[i * len(items):(i + 1) * len(items)]) / max(1, sum(caught.values()))
                    for i in range(len(args.seeds))]
        out["models"][name] = {"model": str(path), "threshold": classifier.threshold,
                               "n_caught_clean": sum(caught.values()), "rate": rate.to_dict(),
                               "rate_per_seed": per_seed, "seconds_per_seed": seconds}
        if name != reference:
            delta = delta_evasion(row_ids, outcomes[reference][1], outcomes[name][1], outcomes[reference][0], caught,
                                  seed=seed, n_resamples=n, clusters=row_groups)
            out["models"][name]["delta_vs_reference"] = delta.to_dict()
            # The same Δ from the first seed's rows alone: what a one-seed A/B would have decided on.
            first = slice(0, len(items))
            one_seed = delta_evasion(row_ids[first], outcomes[reference][1][first], outcomes[name][1][first],
                                     outcomes[reference][0], caught, seed=seed, n_resamples=n,
                                     clusters=row_groups[first])
            out["models"][name]["delta_vs_reference_first_seed_only"] = one_seed.to_dict()
        print(name, json.dumps(out["models"][name]), flush=True)
        atomic_write_text(Path(args.out), json.dumps(out, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
