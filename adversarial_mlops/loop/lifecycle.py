"""Model lifecycle steps the loop needs: baseline champion, challenger training, A/B promotion.

Plain Python over the registry, the trainer and the promoter; the Dagster assets call these.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import pandas as pd

from adversarial_mlops.loop.attack_runner import BENIGN_EVALUATION, EVALUATION, check_no_excluded_families
from adversarial_mlops.config import PipelineConfig, config_to_dict
from adversarial_mlops.judging.decision import decide
from adversarial_mlops.judging.evaluation import clean_report, evaluate_classifier, mark_effective
from adversarial_mlops.judging.promotion import PairedPredictions, PromotionDecision, compare_models
from adversarial_mlops.models import modeling
from adversarial_mlops.models.modeling import TextClassifier, resolve_base_model
from adversarial_mlops.models.registry import ModelRegistry, ModelVersion, StaleChampionError, stale_champion_message
from adversarial_mlops.models.trainer import train_classifier

BASELINE = "baseline"
CHALLENGER = "challenger"
# Written into every model directory next to the trainer's files: which attack families the model
# never saw in training. Evaluation reads it from the model, not from today's config, which may
# have changed since the model was trained.
TRAINING_DATA_FILE = "training_data.json"
Progress = Callable[[str], None]


@dataclass(frozen=True)
class ChampionState:
    version: ModelVersion
    trained_now: bool  # True when this call trained the baseline because the registry was empty

    @property
    def f1_at_promotion(self) -> float | None:
        return self.version.metrics.get("clean_f1")


def split_frame(splits: pd.DataFrame, name: str) -> pd.DataFrame:
    return splits[splits["split"] == name].reset_index(drop=True)


def load_classifier(version: ModelVersion, config: PipelineConfig) -> TextClassifier:
    return TextClassifier.load(version.path, max_length=config.model.max_length,
                               batch_size=config.model.inference_batch_size,
                               precision=config.model.inference_precision)


def model_reads_case(version: ModelVersion) -> bool:
    """Whether ``version``'s tokenizer tells case apart (training-set deduplication depends on it)."""
    return modeling.tokenizer_reads_case(modeling.load_tokenizer(str(version.path)))


def evaluate_version(version: ModelVersion, config: PipelineConfig, test: pd.DataFrame, variants: pd.DataFrame, *,
                     f1_at_promotion: float | None, classifier: TextClassifier | None = None) -> dict:
    """The one evaluation of a registered model, for the loop's gate and for the generalisation
    experiment: clean test metrics, static variants plus the adaptive attack, over-defence.

    ``variants``: the attack runner's table; its evaluation and benign-evaluation rows are used.
    The families the model never saw come from the model's own record, not from today's config.
    """
    classifier = classifier or load_classifier(version, config)
    purpose = variants["purpose"]
    report = evaluate_classifier(
        classifier, test, variants[purpose == EVALUATION].reset_index(drop=True),
        variants[purpose == BENIGN_EVALUATION], f1_at_promotion=f1_at_promotion,
        adaptive_sources=config.attack.adaptive_sources, adaptive_query_budget=config.attack.adaptive_query_budget,
        adaptive_seed=config.attack.eval_seed, seed=config.seed, n_resamples=config.promotion.bootstrap_resamples,
        excluded_families=excluded_families(version))
    report["model_version"] = version.version
    return report


def base_model_for(config: PipelineConfig, splits: pd.DataFrame) -> str:
    # The tiny test model trains its tokenizer on the training texts only (no test leakage).
    corpus = split_frame(splits, "train")["text"].tolist()
    return resolve_base_model(config.model, cache_dir=config.resolved_state_dir() / "base_models",
                              tokenizer_corpus=corpus)


def train_and_register(registry: ModelRegistry, config: PipelineConfig, splits: pd.DataFrame,
                       train_data: pd.DataFrame, *, role: str, parent: str | None,
                       progress: Progress | None = None, excluded_families: Sequence[str] = ()) -> ModelVersion:
    """Train on ``train_data`` (text, label[, strategy]), early-stop on validation, measure on test, register.

    ``excluded_families``: attack families kept out of ``train_data`` (``augmentation.exclude_families``
    for a challenger); recorded with the model. With a ``strategy`` column the data is checked to
    hold none of them.
    """
    check_no_excluded_families(train_data, excluded_families, f"the {role}'s training data")
    base_model = base_model_for(config, splits)
    validation, test = split_frame(splits, "validation"), split_frame(splits, "test")
    scratch_root = config.resolved_state_dir() / "tmp"
    scratch_root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=scratch_root) as scratch:
        out = Path(scratch) / "model"
        result = train_classifier(base_model, train_data["text"].tolist(), train_data["label"].tolist(),
                                  validation["text"].tolist(), validation["label"].tolist(), config.training,
                                  max_length=config.model.max_length, out_dir=out, progress=progress,
                                  normalize_inputs=config.defense.normalize_inputs)
        classifier = TextClassifier.load(out, max_length=config.model.max_length,
                                         batch_size=config.model.inference_batch_size,
                                         precision=config.model.inference_precision)
        scores = classifier.predict_proba(test["text"].tolist())
        clean = clean_report(test["label"].to_numpy(), scores, seed=config.seed,
                             n_resamples=config.promotion.bootstrap_resamples)
        metrics = {"clean_f1": clean["f1"], "clean": clean, "best_validation_f1": result.best_validation_f1}
        provenance = write_training_data_record(out, train_data, excluded_families)
        info = {"role": role, "parent": parent, "base_model": config.model.base_model,
                "training": result.to_dict(), "config": config_to_dict(config), "train_size": len(train_data),
                "excluded_families": provenance["excluded_families"]}
        return registry.register(lambda target: _move_contents(out, target), metrics=metrics, info=info)


def write_training_data_record(model_dir: Path, train_data: pd.DataFrame, excluded_families: Sequence[str]) -> dict:
    """Record what the model trained on inside its directory (sealed and hashed with it by the registry)."""
    strategies = train_data["strategy"].dropna() if "strategy" in train_data else pd.Series(dtype=object)
    record = {"excluded_families": sorted(set(excluded_families)), "n": int(len(train_data)),
              "adversarial_rows_by_strategy": {str(k): int(v) for k, v in sorted(strategies.value_counts().items())}}
    (Path(model_dir) / TRAINING_DATA_FILE).write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
    return record


def excluded_families(version: ModelVersion) -> list[str]:
    """The attack families ``version`` never saw in training, as recorded with the model.

    Models registered before the record existed (and baselines, trained on clean texts alone)
    held nothing out on purpose: [] — there is no seen/unseen split to report for them.
    """
    path = Path(version.path) / TRAINING_DATA_FILE
    if not path.is_file():
        return []
    return list(json.loads(path.read_text(encoding="utf-8"))["excluded_families"])


def _move_contents(source: Path, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for item in source.iterdir():
        shutil.move(str(item), str(target / item.name))


def ensure_champion(registry: ModelRegistry, config: PipelineConfig, splits: pd.DataFrame,
                    progress: Progress | None = None) -> ChampionState:
    """The current champion; on an empty registry, train and promote a baseline on clean train data."""
    current = registry.champion()
    if current is not None:
        return ChampionState(current, trained_now=False)
    train = split_frame(splits, "train")[["text", "label"]]
    version = train_and_register(registry, config, splits, train, role=BASELINE, parent=None, progress=progress)
    registry.promote(version.version, reason="baseline: the registry had no champion",
                     details={"clean_f1": version.metrics["clean_f1"]}, replacing=None)
    return ChampionState(version, trained_now=True)


def paired_predictions(classifier: TextClassifier, test: pd.DataFrame, ab_variants: pd.DataFrame) -> PairedPredictions:
    def labels(frame: pd.DataFrame) -> np.ndarray:
        return decide(classifier.predict_proba(frame["text"].tolist()))

    malicious, benign = _split_ab(ab_variants)
    return PairedPredictions(clean=labels(test), variants=labels(malicious), benign_variants=labels(benign))


def _split_ab(ab_variants: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    return ab_variants[ab_variants["label"] == 1], ab_variants[ab_variants["label"] == 0]


def run_ab_test(champion: ModelVersion, challenger: ModelVersion, config: PipelineConfig, splits: pd.DataFrame,
                ab_variants: pd.DataFrame) -> PromotionDecision:
    test = split_frame(splits, "test")
    champion_classifier = load_classifier(champion, config)
    # Only variants the champion reads differently from their source test anything; both models
    # see the same (effective) set, so the comparison stays paired.
    effective = ab_variants[mark_effective(champion_classifier.model_inputs, test, ab_variants)]
    champion_preds = paired_predictions(champion_classifier, test, effective)
    challenger_preds = paired_predictions(load_classifier(challenger, config), test, effective)
    malicious, benign = _split_ab(effective)
    decision = compare_models(test["label"].to_numpy(), test["id"].tolist(), malicious["source_id"].tolist(),
                              benign["source_id"].tolist(), champion_preds, challenger_preds,
                              settings=config.promotion, f1_floor=config.quality_gate.min_f1_score, seed=config.seed,
                              group_of=dict(zip(test["id"], test["group"].astype(str))) if "group" in test else None)
    decision.statistics["ab_variants"] = {"generated": int(len(ab_variants)), "effective": int(len(effective))}
    return decision


def decide_promotion(registry: ModelRegistry, champion: ModelVersion, challenger: ModelVersion,
                     config: PipelineConfig, splits: pd.DataFrame, ab_variants: pd.DataFrame) -> PromotionDecision:
    """Run the A/B test and act on it: promote, or keep the champion; either way record why.

    ``champion`` must still be the registry's champion, before the A/B and at the promotion
    (compare-and-swap): otherwise StaleChampionError, and nothing is recorded.
    """
    current = registry.champion()
    if current is None or current.version != champion.version:
        raise StaleChampionError(stale_champion_message(challenger.version, expected=champion.version,
                                                        current=current.version if current else None))
    if challenger.version == champion.version:
        return PromotionDecision(False, [f"{challenger.version} is already the champion"], {})
    decision = run_ab_test(champion, challenger, config, splits, ab_variants)
    details = {"challenger": challenger.version, "champion": champion.version, "reasons": decision.reasons,
               "statistics": decision.statistics}
    if decision.promote:
        registry.promote(challenger.version, reason="A/B: significantly more robust, no loss beyond tolerances",
                         details=details, replacing=champion.version)
    else:
        registry.record("reject", version=challenger.version, champion=champion.version, details=details)
    return decision
