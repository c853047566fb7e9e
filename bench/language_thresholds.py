"""What one shared threshold costs a model that reads some languages worse than others — and the ceiling of any
threshold rule on the test split.

    python bench/language_thresholds.py --state-dir DIR [--model VERSION_DIR] [--target-fpr 0.05]
                                        [--out bench/results/language_thresholds.json]

The model (default: the state's newest registry version) scores the state's stored validation and test splits.
Then, each on test with F1 and FPR CIs that resample template groups:

- ``shared``: one threshold calibrated on all of validation as training does (target FPR, confidence 0.9 over
  template groups) — what the product serves;
- ``english_and_rest`` / ``per_language``: the same calibration run separately on validation's English texts and
  on the rest (or on each language), each slice judged at its own threshold;
- ``ceiling_one`` / ``ceiling_two``: the best test F1 that any single threshold, or any pair (English, rest), reaches
  while test FPR stays at or under the target — chosen on test itself, so an upper bound no calibration can beat,
  never an operating point; ``ceiling_english_only`` the same on the English texts alone (what the model reaches
  where it reads the language);
- ``by_language``: ROC-AUC per language, and how the base model's tokenizer cuts each language's texts (share of
  ``[UNK]`` tokens and of one-character pieces): why some languages rank worse than others.

The language comes from the data's ``language`` column, else from the bundled group names (``family-xx-...``;
long documents are English).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from adversarial_mlops.judging.decision import calibrate_threshold  # noqa: E402
from adversarial_mlops.judging.evaluation import clean_report  # noqa: E402
from adversarial_mlops.judging.metrics import roc_auc  # noqa: E402
from adversarial_mlops.storage.atomic_io import atomic_write_text  # noqa: E402
from adversarial_mlops.storage.run_values import RunValueStore  # noqa: E402

CONFIDENCE = 0.9  # the default model.target_fpr_confidence
OTHER_LANGUAGES = ("de", "fr", "es", "pt", "ko", "ja")  # the bundled data's


def languages(frame) -> np.ndarray:
    if "language" in frame.columns:
        return frame["language"].astype(str).to_numpy()
    token = frame["group"].astype(str).str.split("-").str[1]
    return np.where(token.isin(OTHER_LANGUAGES), token, "en")  # long documents ("document-email-...") are English


def calibrated(frame, scores: np.ndarray, target_fpr: float) -> float:
    return calibrate_threshold(frame["label"].to_numpy(), scores, target_fpr, groups=frame["group"].astype(str).to_numpy(),
                               confidence=CONFIDENCE)["threshold"]


def judged(frame, scores: np.ndarray, thresholds: np.ndarray) -> dict:
    """Test figures when each text is judged at its own slice's threshold. The scores are shifted so that every
    slice's threshold lands on 0.5: each text's decision is unchanged and ``clean_report`` (one threshold) gives the
    F1 and FPR with template-group CIs."""
    shifted = scores - thresholds + 0.5
    labels = frame["label"].to_numpy()
    report = clean_report(labels, shifted, seed=0, n_resamples=1000, threshold=0.5,
                          groups=frame["group"].astype(str).tolist())
    flagged = shifted >= 0.5
    by_language = {}
    for language in sorted(set(frame["language_"])):
        part = (frame["language_"] == language).to_numpy()
        benign, malicious = part & (labels == 0), part & (labels == 1)
        by_language[language] = {"fpr": float(flagged[benign].mean()) if benign.any() else None,
                                 "recall": float(flagged[malicious].mean()) if malicious.any() else None,
                                 "texts": int(part.sum())}
    benign = labels == 0
    fpr_by_category = {str(name): float(flagged[benign & (frame["category"] == name).to_numpy()].mean())
                       for name in sorted(set(frame.loc[benign, "category"]))} if "category" in frame.columns else {}
    return {"f1": report["f1"], "f1_ci": [report["f1_ci"]["low"], report["f1_ci"]["high"]], "recall": report["recall"],
            "fpr": report["fpr"], "fpr_ci": [report["fpr_ci"]["low"], report["fpr_ci"]["high"]],
            "by_language": by_language, "fpr_by_category": fpr_by_category}


def per_slice_thresholds(validation, validation_scores, test, slice_of, target_fpr: float) -> tuple[np.ndarray, dict]:
    chosen = {}
    for name in sorted(set(slice_of(validation))):
        part = (slice_of(validation) == name)
        chosen[name] = calibrated(validation[part], validation_scores[part], target_fpr)
    return np.array([chosen[name] for name in slice_of(test)]), chosen


def ceiling(labels: np.ndarray, scores: np.ndarray, english: np.ndarray, target_fpr: float, pairs: bool) -> dict:
    """Best F1 with test FPR <= target over thresholds at the test scores' own values (English and rest apart when
    ``pairs``)."""
    def f1_fpr(flagged):
        tp = int((flagged & (labels == 1)).sum())
        fp = int((flagged & (labels == 0)).sum())
        fn = int((~flagged & (labels == 1)).sum())
        return (2 * tp / (2 * tp + fp + fn) if tp else 0.0), fp / max(int((labels == 0).sum()), 1)

    candidates = np.unique(np.concatenate([scores, [1.01]]))
    best = {"f1": 0.0}
    if not pairs:
        for t in candidates:
            f1, fpr = f1_fpr(scores >= t)
            if fpr <= target_fpr and f1 > best["f1"]:
                best = {"f1": f1, "fpr": fpr, "threshold": float(t)}
        return best
    # Every score of each slice is a candidate (exact, a few seconds on ~1,300 x ~200 values).
    grid_en = np.unique(np.concatenate([scores[english], [1.01]]))
    grid_rest = np.unique(np.concatenate([scores[~english], [1.01]]))
    for t_en in grid_en:
        for t_rest in grid_rest:
            f1, fpr = f1_fpr(np.where(english, scores >= t_en, scores >= t_rest))
            if fpr <= target_fpr and f1 > best["f1"]:
                best = {"f1": f1, "fpr": fpr, "threshold_english": float(t_en), "threshold_rest": float(t_rest)}
    return best


def reading_by_language(test, test_scores: np.ndarray, tokenizer) -> dict:
    """ROC-AUC per language, and the share of [UNK] and one-character word pieces the tokenizer cuts its texts into."""
    labels, result = test["label"].to_numpy(), {}
    for language in sorted(set(test["language_"])):
        part = (test["language_"] == language).to_numpy()
        pieces = [tokenizer.convert_ids_to_tokens(ids)
                  for ids in tokenizer(test.loc[part, "text"].tolist(), add_special_tokens=False)["input_ids"]]
        total = max(sum(len(text_pieces) for text_pieces in pieces), 1)
        result[language] = {
            "texts": int(part.sum()), "roc_auc": roc_auc(labels[part], test_scores[part]),
            "unknown_token_share": sum(p == tokenizer.unk_token for ps in pieces for p in ps) / total,
            "one_character_piece_share": sum(len(p.removeprefix("##")) == 1 for ps in pieces for p in ps) / total,
        }
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--state-dir", required=True, type=Path)
    parser.add_argument("--model", type=Path, help="a registry version folder (default: the state's newest)")
    parser.add_argument("--target-fpr", type=float, default=0.05)
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "language_thresholds.json"))
    args = parser.parse_args(argv)
    from adversarial_mlops.models.modeling import TextClassifier

    model_dir = args.model or sorted(p for p in (args.state_dir / "registry" / "versions").iterdir() if p.is_dir())[-1]
    data = RunValueStore(args.state_dir / "assets").latest("labeled_dataset").load()
    data = data.assign(language_=languages(data))
    validation = data[data["split"] == "validation"].reset_index(drop=True)
    test = data[data["split"] == "test"].reset_index(drop=True)
    classifier = TextClassifier.load(model_dir)
    validation_scores = np.asarray(classifier.predict_proba(validation["text"].tolist()))
    test_scores = np.asarray(classifier.predict_proba(test["text"].tolist()))

    def english_or_rest(frame):
        return np.where(frame["language_"] == "en", "en", "rest")

    def language(frame):
        return frame["language_"].to_numpy()

    shared = calibrated(validation, validation_scores, args.target_fpr)
    two, two_chosen = per_slice_thresholds(validation, validation_scores, test, english_or_rest, args.target_fpr)
    many, many_chosen = per_slice_thresholds(validation, validation_scores, test, language, args.target_fpr)
    labels, english = test["label"].to_numpy(), (test["language_"] == "en").to_numpy()
    result = {
        "state_dir": str(args.state_dir), "model": str(model_dir), "target_fpr": args.target_fpr,
        "confidence": CONFIDENCE, "test_texts": len(test), "test_groups": int(test["group"].nunique()),
        "validation_texts_by_language": {k: int(v) for k, v in validation["language_"].value_counts().items()},
        "shared": {"thresholds": {"all": shared}, **judged(test, test_scores, np.full(len(test), shared))},
        "english_and_rest": {"thresholds": two_chosen, **judged(test, test_scores, two)},
        "per_language": {"thresholds": many_chosen, **judged(test, test_scores, many)},
        "ceiling_one": ceiling(labels, test_scores, english, args.target_fpr, pairs=False),
        "ceiling_two": ceiling(labels, test_scores, english, args.target_fpr, pairs=True),
        "ceiling_english_only": ceiling(labels[english], test_scores[english], english[english], args.target_fpr,
                                        pairs=False),
        "roc_auc": {"all": roc_auc(labels, test_scores), "english": roc_auc(labels[english], test_scores[english]),
                    "rest": roc_auc(labels[~english], test_scores[~english])},
        "by_language": reading_by_language(test, test_scores, classifier.tokenizer),
    }
    atomic_write_text(Path(args.out), json.dumps(result, indent=2) + "\n")
    for name in ("shared", "english_and_rest", "per_language"):
        row = result[name]
        print(f"{name}: test F1 {row['f1']:.3f} ({row['f1_ci'][0]:.3f}-{row['f1_ci'][1]:.3f}) FPR {row['fpr']:.3f} "
              f"recall {row['recall']:.3f}; thresholds " + ", ".join(f"{k} {v:.3f}" for k, v in row["thresholds"].items()))
    print("ROC-AUC " + json.dumps(result["roc_auc"]))
    for language, row in result["by_language"].items():
        print(f"{language}: {row['texts']} texts, ROC-AUC {row['roc_auc']:.3f}, [UNK] {row['unknown_token_share']:.1%}, "
              f"one-character pieces {row['one_character_piece_share']:.1%}")
    for name in ("ceiling_one", "ceiling_two", "ceiling_english_only"):
        print(f"{name} (chosen on test, an upper bound): " + json.dumps(result[name]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
