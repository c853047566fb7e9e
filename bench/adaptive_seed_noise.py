"""Benchmark: how much of the adaptive attack's per-text outcome is search noise.

The gate's adaptive targets (``attack.adaptive_sources`` malicious test texts, seed ``eval_seed``) are
attacked with several attack seeds against one model, and with one seed against another model. If
two seeds on the same model disagree on about as many texts as two models do, the A/B's paired
per-text outcome is mostly search noise, and averaging each text's outcome over seeds narrows its CI.

    python bench/adaptive_seed_noise.py MODEL_A MODEL_B OUT.json   # registry version folders
"""

import itertools
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SEEDS_A = (101, 102, 103)
SEED_B = 101


def main(model_a: str, model_b: str, out_path: str) -> int:
    from adversarial_mlops import data
    from adversarial_mlops.attacks.adaptive import AdaptiveAttackSettings, adaptive_attack
    from adversarial_mlops.config import load_config
    from adversarial_mlops.judging.evaluation import adaptive_targets
    from adversarial_mlops.loop import lifecycle
    from adversarial_mlops.models.modeling import TextClassifier

    config = load_config(None, [])
    test = lifecycle.split_frame(data.load_splits(config.data), "test")
    targets = adaptive_targets(test, n_sources=config.attack.adaptive_sources, seed=config.attack.eval_seed)
    items = list(zip(targets["id"], targets["text"]))
    out = {"n_texts": len(items), "runs": {}, "summary": {}}
    for label, path, seed in [*(("A", model_a, s) for s in SEEDS_A), ("B", model_b, SEED_B)]:
        classifier = TextClassifier.load(path).with_window_memo()  # as the gate's step loads it
        started = time.perf_counter()
        settings = AdaptiveAttackSettings(query_budget=config.attack.adaptive_query_budget,
                                          threshold=classifier.threshold, seed=seed)
        results = adaptive_attack(items, classifier.predict_proba, settings)
        caught = [r for r in results if r.original_score >= classifier.threshold]
        key = f"{label}:{seed}"
        out["runs"][key] = {r.source_id: (bool(r.success) if r.original_score >= classifier.threshold else None)
                            for r in results}
        out["summary"][key] = {"success_rate": float(np.mean([r.success for r in caught])), "n_caught": len(caught),
                               "seconds": round(time.perf_counter() - started, 1)}
        print(key, out["summary"][key], flush=True)
    runs = out["runs"]
    for a, b in [*itertools.combinations([f"A:{s}" for s in SEEDS_A], 2), (f"A:{SEEDS_A[0]}", f"B:{SEED_B}")]:
        both = [k for k in runs[a] if runs[a][k] is not None and runs[b][k] is not None]
        out["summary"][f"{a} vs {b}"] = {"discordant": sum(runs[a][k] != runs[b][k] for k in both), "of": len(both)}
        print(a, b, out["summary"][f"{a} vs {b}"], flush=True)
    Path(out_path).write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
