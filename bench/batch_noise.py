"""Benchmark: how far a text's score moves with the batch it is scored in, per inference precision.

``score_texts`` runs one window alone in fp32 and a batch under bf16 autocast where the CPU has bf16
(``modeling.uses_bf16``), and oneDNN's bf16 kernels differ with the batch's shape. A search that
compares scores (the adaptive attack) then sees the same window at different scores unless a window
memo pins its first score (``TextClassifier.with_window_memo``, which every loop step uses). This
measures the size of that movement on short test texts: the log-odds of each text scored in one
batch of all of them, alone, and in a pair with another text.

    python bench/batch_noise.py MODEL_DIR [--texts 48] [--out bench/results/batch_noise.json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from scipy.special import logit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def log_odds(p: np.ndarray) -> np.ndarray:
    return logit(np.clip(p, 1e-6, 1 - 1e-6))  # clipped as the adaptive attack clips


def movement(classifier, texts: list[str], n_single: int) -> dict:
    """Largest |Δ log-odds| of a text between its one-batch score and its score alone / in a pair."""
    together = log_odds(classifier.predict_proba(texts))[:n_single]
    alone = log_odds(np.array([classifier.predict_proba([t])[0] for t in texts[:n_single]]))
    paired = log_odds(np.array([classifier.predict_proba([t, texts[-1]])[0] for t in texts[:n_single]]))
    reordered = log_odds(classifier.predict_proba(texts[::-1]))[::-1][:n_single]
    return {"batch_vs_reordered_batch": float(np.abs(together - reordered).max()),
            "batch_vs_alone": float(np.abs(together - alone).max()),
            "batch_vs_pair": float(np.abs(together - paired).max())}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model_dir", help="a registry version folder")
    parser.add_argument("--texts", type=int, default=48)
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "batch_noise.json"))
    args = parser.parse_args()
    if args.texts < 2:
        parser.error("--texts must be at least 2 (each text is also scored in a pair with another)")

    from adversarial_mlops import data
    from adversarial_mlops.config import load_config
    from adversarial_mlops.loop import lifecycle
    from adversarial_mlops.models.modeling import TextClassifier, read_operating_point
    from adversarial_mlops.storage.atomic_io import atomic_write_text

    config = load_config(None, [])
    test = lifecycle.split_frame(data.load_splits(config.data), "test")
    short = test[test["text"].str.len() < 400]  # one window each: the movement is the model's, not the windows'
    texts = short.sample(n=min(args.texts, len(short)), random_state=config.seed)["text"].tolist()
    n_single = min(16, len(texts) - 1)
    out = {"model": args.model_dir, "n_texts": len(texts), "n_scored_alone": n_single, "by_precision": {}}
    # A model calibrated on int8 scores loads only at int8 (modeling.check_calibrated_for).
    int8 = read_operating_point(Path(args.model_dir)).get("score_precision") == "int8"
    for precision in (("int8",) if int8 else ("auto", "fp32")):
        classifier = TextClassifier.load(args.model_dir, precision=precision)  # no memo: every call scores afresh
        out["by_precision"][precision] = {"resolved": classifier.precision,
                                          "max_abs_log_odds_moved": movement(classifier, texts, n_single)}
        print(precision, json.dumps(out["by_precision"][precision]), flush=True)
    atomic_write_text(Path(args.out), json.dumps(out, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
