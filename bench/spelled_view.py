"""Benchmark: what the ``spelled`` view (keyboard typos read back) buys and costs, on one model.

The same trained model is scored with its views as they are and with the spelled view taken out
(``views.spell_corrected`` replaced by the identity for that pass): the only difference between the
two passes. Measured on the test split, at the model's calibrated threshold:

* the gate's adaptive attack (``attack.adaptive_sources`` texts, query budget, attack seeds
  ``--seeds``), each text's outcome paired across the two passes;
* false alarms on clean benign test texts, and on the same texts with the adaptive attack's kind of
  typos (``sparse_word_edits``, up to 30 % of their content words), and catches on malicious ones so;
* how many test texts get a spelled view at all (the extra windows it scores).

    python bench/spelled_view.py MODEL_DIR OUT.json [--seeds 101 102]   # a registry version folder
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


@contextlib.contextmanager
def spelled_view(enabled: bool):
    from adversarial_mlops.models import views

    original = views.spell_corrected
    if not enabled:
        views.spell_corrected = lambda text: text
    try:
        yield
    finally:
        views.spell_corrected = original


def adaptive_outcomes(classifier, items, config, seed: int) -> dict[str, bool]:
    """Source id -> evaded, for the texts the model catches clean."""
    from adversarial_mlops.attacks.adaptive import AdaptiveAttackSettings, adaptive_attack

    settings = AdaptiveAttackSettings(query_budget=config.attack.adaptive_query_budget,
                                      threshold=classifier.threshold, seed=seed)
    results = adaptive_attack(items, classifier.predict_proba, settings)
    return {r.source_id: bool(r.success) for r in results if r.original_score >= classifier.threshold}


def flagged_share(classifier, texts: list[str]) -> float:
    return float(np.mean(classifier.predict_proba(texts) >= classifier.threshold)) if texts else float("nan")


def main(argv: list[str]) -> int:
    from adversarial_mlops import data
    from adversarial_mlops.attacks.adaptive import sparse_word_edits
    from adversarial_mlops.config import load_config
    from adversarial_mlops.judging.evaluation import adaptive_targets
    from adversarial_mlops.loop import lifecycle
    from adversarial_mlops.models.modeling import TextClassifier
    from adversarial_mlops.models.views import SPELLED, text_views

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model_dir")
    parser.add_argument("out")
    parser.add_argument("--seeds", nargs="*", type=int, default=[101, 102], help="none: skip the adaptive attack")
    args = parser.parse_args(argv)
    config = load_config(None, [])
    test = lifecycle.split_frame(data.load_splits(config.data), "test")
    targets = adaptive_targets(test, n_sources=config.attack.adaptive_sources, seed=config.attack.eval_seed)
    items = list(zip(targets["id"], targets["text"]))
    benign = test[test["label"] == data.BENIGN]
    malicious = test[test["label"] == data.MALICIOUS]
    typo = dict(transformations=["keyboard_typo"], max_word_share=0.3, seed=config.attack.eval_seed)
    benign_typos = sparse_word_edits(list(zip(benign["id"], benign["text"])), **typo)
    malicious_typos = sparse_word_edits(list(zip(malicious["id"], malicious["text"])), **typo)
    classifier = TextClassifier.load(args.model_dir)
    out = {"model": args.model_dir, "threshold": classifier.threshold, "n_adaptive_targets": len(items),
           "n_benign": len(benign), "n_malicious": len(malicious),
           "texts_with_a_spelled_view": sum(any(name == SPELLED for name, _ in text_views(t)) for t in test["text"]),
           "n_test": len(test), "passes": {}}
    for enabled in (False, True):
        with spelled_view(enabled):
            started = time.perf_counter()
            run = {"clean_benign_fpr": flagged_share(classifier, list(benign["text"])),
                   "typo_benign_fpr": flagged_share(classifier, benign_typos),
                   "typo_malicious_recall": flagged_share(classifier, malicious_typos),
                   "adaptive": {seed: adaptive_outcomes(classifier, items, config, seed) for seed in args.seeds}}
            run["seconds"] = round(time.perf_counter() - started, 1)
        out["passes"]["with_spelled_view" if enabled else "without"] = run
        print(enabled, {k: v for k, v in run.items() if k != "adaptive"},
              {seed: round(float(np.mean(list(o.values()))), 3) for seed, o in run["adaptive"].items()}, flush=True)
    out["summary"] = summarize(out["passes"], args.seeds)
    print(json.dumps(out["summary"], indent=1))
    Path(args.out).write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    return 0


def summarize(passes: dict, seeds: list[int]) -> dict:
    """Per pass: adaptive success over the texts caught clean in both passes, each text's outcome
    averaged over seeds; and how many texts each pass alone lets through."""
    row = {f"{key}_{name}": passes[name][key] for name in passes
           for key in ("clean_benign_fpr", "typo_benign_fpr", "typo_malicious_recall")}
    if not seeds:
        return row
    off, on = passes["without"]["adaptive"], passes["with_spelled_view"]["adaptive"]
    common = sorted(set.intersection(*(set(run) for run in (*off.values(), *on.values()))))
    share_off = np.array([np.mean([off[s][k] for s in seeds]) for k in common])
    share_on = np.array([np.mean([on[s][k] for s in seeds]) for k in common])
    return {"n_texts": len(common), "adaptive_evasion_without": float(share_off.mean()),
            "adaptive_evasion_with": float(share_on.mean()),
            "texts_lower_with": int((share_on < share_off).sum()), "texts_higher_with": int((share_on > share_off).sum()),
            **row}


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
