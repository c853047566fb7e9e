"""Model lifecycle steps the loop needs: baseline champion, challenger training, A/B promotion.

Plain Python over the registry, the trainer and the promoter; the Dagster assets call these.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import pandas as pd

from adversarial_mlops.loop.attack_runner import (BENIGN_EVALUATION, EVALUATION, HOLDOUT_BENIGN_EVALUATION,
                                                 HOLDOUT_EVALUATION, build_holdout_variants,
                                                 check_no_excluded_families, gate_sources)
from adversarial_mlops.loop.augmentor import training_noise
from adversarial_mlops import data
from adversarial_mlops.config import PipelineConfig, config_to_dict
from adversarial_mlops.judging.decision import calibrate_threshold, decide
from adversarial_mlops.judging.evaluation import (adaptive_targets, adaptive_variants, clean_report, encoding_probes,
                                                 evaluate_classifier, evaluate_model, families_of, mark_effective,
                                                 with_effective)
from adversarial_mlops.judging.promotion import (ABSet, PairedPredictions, PromotionDecision, ab_statistics,
                                                compare_models, encoding_probe_deltas)
from adversarial_mlops.models import modeling
from adversarial_mlops.models.modeling import TextClassifier, resolve_base_model
from adversarial_mlops.storage.crash_points import crash_point
from adversarial_mlops.models.registry import ModelRegistry, ModelVersion, model_cache_dir, StaleChampionError, stale_champion_message
from adversarial_mlops.models.trainer import train_classifier
from adversarial_mlops.reporting.card import data_facts, model_card

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


def open_registry(config: PipelineConfig) -> ModelRegistry:
    """The registry in ``config``'s state directory; versions of a remote one are copied to this host's local_dir."""
    return ModelRegistry(config.resolved_state_dir() / "registry", cache_dir=model_cache_dir(config.resolved_local_dir()))


def load_classifier(version: ModelVersion, config: PipelineConfig) -> TextClassifier:
    """``version`` as a loop step reads it: remembering the windows it scored for the step's life
    (``TextClassifier.with_window_memo``), since a step's calls share most of their windows."""
    return TextClassifier.load(version.local_path(), batch_size=config.model.inference_batch_size,
                               precision=config.model.inference_precision,
                               backend=config.model.inference_backend).with_window_memo()


def model_reads_case(version: ModelVersion) -> bool:
    """Whether ``version``'s tokenizer tells case apart (training-set deduplication depends on it)."""
    return modeling.tokenizer_reads_case(modeling.load_tokenizer(str(version.local_path())))


def evaluate_version(version: ModelVersion, config: PipelineConfig, test: pd.DataFrame, variants: pd.DataFrame, *,
                     f1_at_promotion: float | None, classifier: TextClassifier | None = None,
                     holdout: pd.DataFrame | None = None) -> dict:
    """The one evaluation of a registered model, for the loop's gate and for the generalisation
    experiment: clean test metrics, static variants plus the adaptive attack, over-defence, and the
    same on the sealed ``holdout`` (without the adaptive attack) under ``report["holdout"]``.

    ``variants``: the attack runner's table; its evaluation, benign-evaluation and holdout rows are
    used. The families the model never saw come from the model's own record, not from today's config.
    """
    classifier = classifier or load_classifier(version, config)
    purpose = variants["purpose"]
    report = evaluate_classifier(
        classifier, test, variants[purpose == EVALUATION].reset_index(drop=True),
        variants[purpose == BENIGN_EVALUATION], f1_at_promotion=f1_at_promotion,
        adaptive_sources=config.attack.adaptive_sources, adaptive_query_budget=config.attack.adaptive_query_budget,
        adaptive_seed=config.attack.eval_seed, seed=config.seed, n_resamples=config.promotion.bootstrap_resamples,
        excluded_families=excluded_families(version), over_defense_categories=config.data.over_defense_categories)
    report["model_version"] = version.version
    report["holdout"] = holdout_report(classifier, config, holdout, variants)
    return report


def holdout_report(classifier: TextClassifier, config: PipelineConfig, holdout: pd.DataFrame | None,
                   variants: pd.DataFrame) -> dict | None:
    """Clean metrics, evasion and over-defence on the sealed holdout: reported, never decided on
    (the gate, the A/B, early stopping and calibration read other splits). None without a holdout."""
    if holdout is None or holdout.empty:
        return None
    purpose = variants["purpose"]
    malicious, benign = (variants[purpose == name].reset_index(drop=True)
                         for name in (HOLDOUT_EVALUATION, HOLDOUT_BENIGN_EVALUATION))
    report = evaluate_model(classifier.predict_proba, holdout, with_effective(classifier, holdout, malicious),
                            benign_variants=with_effective(classifier, holdout, benign), f1_at_promotion=None,
                            seed=config.seed, n_resamples=config.promotion.bootstrap_resamples,
                            threshold=classifier.threshold, target_fpr=classifier.target_fpr,
                            over_defense_categories=config.data.over_defense_categories)
    return {"clean": report["clean"], "operating_point": report["operating_point"], "evasion": report["evasion"],
            "over_defense": report["over_defense"], "n_texts": report["n_test"], "n_variants": report["n_variants"],
            "n_benign_variants": report["n_benign_variants"],
            "sealed": "reported only: the gate, the A/B, early stopping and calibration never read the holdout"}


def base_model_for(config: PipelineConfig, splits: pd.DataFrame) -> str:
    # The tiny test model trains its tokenizer on the training texts only (no test leakage).
    corpus = split_frame(splits, "train")["text"].tolist()
    return resolve_base_model(config.model, cache_dir=config.resolved_local_dir() / "base_models",
                              tokenizer_corpus=corpus)


def starting_weights(registry: ModelRegistry, config: PipelineConfig, splits: pd.DataFrame, *, role: str,
                     parent: str | None) -> tuple[str, str]:
    """(model folder, what it is) that training starts from: a challenger's parent's merged weights
    with ``training.challenger_start: champion``, else the base model."""
    if role == CHALLENGER and parent is not None and config.training.challenger_start == "champion":
        return str(registry.get(parent).local_path()), parent
    return base_model_for(config, splits), "base_model"


def train_and_register(registry: ModelRegistry, config: PipelineConfig, splits: pd.DataFrame,
                       train_data: pd.DataFrame, *, role: str, parent: str | None,
                       progress: Progress | None = None, excluded_families: Sequence[str] = ()) -> ModelVersion:
    """Train on ``train_data`` (text, label[, strategy]), early-stop on validation, measure on test, register.

    ``excluded_families``: attack families kept out of ``train_data`` (``augmentation.exclude_families``
    for a challenger); recorded with the model. With a ``strategy`` column the data is checked to
    hold none of them.
    """
    check_no_excluded_families(train_data, excluded_families, f"the {role}'s training data")
    base_model, started_from = starting_weights(registry, config, splits, role=role, parent=parent)
    validation, test = split_frame(splits, "validation"), split_frame(splits, "test")
    scratch_root = config.resolved_local_dir() / "tmp"  # this host's scratch, also with a remote state_dir
    scratch_root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=scratch_root) as scratch:
        out = Path(scratch) / "model"
        result = train_classifier(base_model, train_data["text"].tolist(), train_data["label"].tolist(),
                                  validation["text"].tolist(), validation["label"].tolist(), config.training,
                                  window_tokens=config.model.window_tokens, window_stride=config.model.window_stride,
                                  out_dir=out, progress=progress,
                                  normalize_inputs=config.defense.normalize_inputs,
                                  payload_spans=data.payload_spans(train_data.reset_index(drop=True)),
                                  views=config.defense.views == "auto",
                                  epoch_texts=training_noise(config))
        classifier = TextClassifier.load(out, batch_size=config.model.inference_batch_size,
                                         precision=config.model.inference_precision,
                                         backend=config.model.inference_backend)
        metrics = {**calibrated_metrics(classifier, out, validation, test, config),
                   "best_validation_f1": result.best_validation_f1}
        provenance = write_training_data_record(out, train_data, excluded_families)
        info = {"role": role, "parent": parent, "base_model": config.model.base_model, "started_from": started_from,
                "training": result.to_dict(), "config": config_to_dict(config), "train_size": len(train_data),
                "excluded_families": provenance["excluded_families"],
                "data": data_facts(splits, config.data.resolved_source())}
        version = registry.register(lambda target: _move_contents(out, target), metrics=metrics, info=info,
                                    readme=lambda version: model_card(version, metrics=metrics, info=info))
    if role == CHALLENGER:
        crash_point("lifecycle.challenger_registered")
    return version


def calibrate(classifier: TextClassifier, model_dir: Path, validation: pd.DataFrame,
              config: PipelineConfig) -> TextClassifier:
    """Set the model's decision threshold on the validation split to ``model.target_fpr`` at
    ``model.target_fpr_confidence`` (scored by the same inference path that serves it; template
    groups resampled whole) and store it in ``model_dir``, sealed with the weights. ``target_fpr``
    None keeps the fixed default threshold (nothing is written)."""
    if config.model.target_fpr is None:
        return classifier
    point = calibrate_threshold(validation["label"].to_numpy(), classifier.predict_proba(validation["text"].tolist()),
                                config.model.target_fpr, groups=_groups(validation),
                                confidence=config.model.target_fpr_confidence, seed=config.seed,
                                n_resamples=config.promotion.bootstrap_resamples)
    point["score_precision"] = modeling.score_precision(classifier.precision)  # what the threshold is valid for
    modeling.write_operating_point(model_dir, point)
    return dataclasses.replace(classifier, threshold=point["threshold"], target_fpr=point["target_fpr"])


def calibrated_metrics(classifier: TextClassifier, model_dir: Path, validation: pd.DataFrame, test: pd.DataFrame,
                       config: PipelineConfig) -> dict:
    """Calibrate ``classifier`` (stored in ``model_dir``) to ``model.target_fpr`` on validation and
    measure it on test at that threshold: the metrics a registered version carries."""
    classifier = calibrate(classifier, model_dir, validation, config)
    scores = classifier.predict_proba(test["text"].tolist())
    clean = clean_report(test["label"].to_numpy(), scores, seed=config.seed,
                         n_resamples=config.promotion.bootstrap_resamples, threshold=classifier.threshold,
                         groups=_groups(test))
    return {"clean_f1": clean["f1"], "clean": clean, "operating_point": modeling.read_operating_point(model_dir)}


def _groups(texts: pd.DataFrame) -> list[str] | None:
    """The template group of each text (what calibration and CIs resample whole); None without a group column."""
    return texts["group"].astype(str).tolist() if "group" in texts else None


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
    path = version.path / TRAINING_DATA_FILE  # read where it is: no model download for a small file
    if not path.is_file():
        return []
    return list(json.loads(path.read_text(encoding="utf-8"))["excluded_families"])


def _move_contents(source: Path, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for item in source.iterdir():
        shutil.move(str(item), str(target / item.name))


def ensure_champion(registry: ModelRegistry, config: PipelineConfig, splits: pd.DataFrame,
                    progress: Progress | None = None,
                    train: Callable[[pd.DataFrame], ModelVersion] | None = None) -> ChampionState:
    """The current champion; on an empty registry, train and promote a baseline on clean train data.
    ``train``: registers a baseline trained on the frame it is given, elsewhere (the Dagster layer's
    training process, ``training.launcher: pipes``); None trains here (``train_and_register``)."""
    current = registry.champion()
    if current is not None:
        return ChampionState(current, trained_now=False)
    train_frame = data.training_columns(split_frame(splits, "train"))
    version = reusable_baseline(registry, config, len(train_frame))
    reason = "baseline: the registry had no champion"
    if version is not None:
        reason += f"; {version.version} was trained by an earlier run that stopped before promoting it"
        if progress is not None:
            progress(f"reusing baseline {version.version}: registered by a run that stopped before promoting it")
    else:
        version = (train_and_register(registry, config, splits, train_frame, role=BASELINE, parent=None,
                                      progress=progress) if train is None else train(train_frame))
        crash_point("lifecycle.baseline_registered")
    registry.promote(version.version, reason=reason, details={"clean_f1": version.metrics["clean_f1"]}, replacing=None)
    return ChampionState(version, trained_now=True)


# The config sections a baseline's weights depend on; the gate, attacks and A/B settings do not,
# nor does which process trained it (training.launcher; absent from versions registered before it).
_BASELINE_SECTIONS = ("data", "model", "training", "defense")
_NOT_WEIGHT_KEYS = frozenset({"launcher"})


# Settings whose schema default changed after they joined: the value a version stored before they
# existed was trained at (the behaviour of the code then), not today's default.
_VALUE_BEFORE_THE_SETTING = (("training", "word_edit_share", 0.0), ("training", "precision", "fp32"),
                             ("model", "target_fpr_confidence", None))  # the plain validation quantile


def _weight_settings(config: dict, section: str, defaults: dict | None = None):
    """The settings of ``section`` that shape the weights; with ``defaults`` (what a version trained
    before a setting existed was trained at), a key the stored config lacks reads as that value: a
    setting joins the schema with a default that keeps the earlier behaviour (e.g.
    ``training.obfuscation_share`` 0), or is listed in ``_VALUE_BEFORE_THE_SETTING`` once its default moves."""
    block = config.get(section)
    if not isinstance(block, dict):
        return block
    block = {**(defaults or {}), **block}
    return {k: v for k, v in block.items() if k not in _NOT_WEIGHT_KEYS}


def _as_stored(config: PipelineConfig) -> dict:
    """``config`` as a version's info stores it: JSON types (lists, not tuples)."""
    return json.loads(json.dumps(config_to_dict(config)))


def trained_with(version: ModelVersion, config: PipelineConfig, *, any_target_fpr: bool = False) -> bool:
    """Whether ``version`` was trained with ``config``'s data/model/training/defense settings;
    ``any_target_fpr``: whatever threshold target (and confidence) it was calibrated to (for a caller that
    recalibrates it)."""
    if any_target_fpr:
        stored = version.info.get("config", {}).get("model", {})
        calibration = {"target_fpr": stored.get("target_fpr"), "target_fpr_confidence": stored.get("target_fpr_confidence")}
        config = config.model_copy(update={"model": config.model.model_copy(update=calibration)})
    wanted, defaults = _as_stored(config), _as_stored(PipelineConfig())
    stored = version.info.get("config", {})
    before = {section: dict(defaults.get(section) or {}) for section in _BASELINE_SECTIONS}
    for section, key, value in _VALUE_BEFORE_THE_SETTING:
        before[section][key] = value
    return all(_weight_settings(stored, section, before[section]) == _weight_settings(wanted, section)
               for section in _BASELINE_SECTIONS)


def reusable_baseline(registry: ModelRegistry, config: PipelineConfig, train_size: int) -> ModelVersion | None:
    """An undecided baseline trained with this config's data/model/training/defense settings on
    as many texts: a run killed between registering and promoting it need not train it again."""
    for version in reversed(registry.undecided_versions()):
        info = version.info
        if info.get("role") == BASELINE and info.get("train_size") == train_size and trained_with(version, config):
            registry.verify(version.version)
            return version
    return None


def paired_predictions(classifier: TextClassifier, test: pd.DataFrame, ab_variants: pd.DataFrame,
                       adaptive_texts: pd.DataFrame | None = None, *, config: PipelineConfig) -> PairedPredictions:
    """``classifier``'s labels on the A/B inputs; with ``adaptive_texts`` (malicious texts) the
    adaptive attack also runs against this model on each of them (``attack.adaptive_query_budget``),
    once per seed of ``ab_adaptive_seeds`` — rows seed by seed, each in ``adaptive_texts``' order."""
    malicious, benign = _split_ab(ab_variants)
    adaptive = np.zeros(0, dtype=np.int64)
    if adaptive_texts is not None and len(adaptive_texts):
        runs = [adaptive_variants(classifier.predict_proba, adaptive_texts, n_sources=len(adaptive_texts),
                                  query_budget=config.attack.adaptive_query_budget, seed=seed,
                                  threshold=classifier.threshold)[0] for seed in ab_adaptive_seeds(config)]
        adaptive = classifier.predict(pd.concat(runs, ignore_index=True)["text"].tolist())
    clean_scores = classifier.predict_proba(test["text"].tolist())
    return PairedPredictions(clean=decide(clean_scores, classifier.threshold),
                             variants=classifier.predict(malicious["text"].tolist()),
                             benign_variants=classifier.predict(benign["text"].tolist()), adaptive=adaptive,
                             clean_scores=clean_scores, threshold=classifier.threshold)


def _split_ab(ab_variants: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    return ab_variants[ab_variants["label"] == 1], ab_variants[ab_variants["label"] == 0]


def _group_of(texts: pd.DataFrame) -> dict[str, str] | None:
    """Text id -> template group (what the A/B's CIs resample); None without a group column."""
    return dict(zip(texts["id"], texts["group"].astype(str))) if "group" in texts else None


def ab_set(texts: pd.DataFrame, variants: pd.DataFrame, adaptive_sources: Sequence[str] = ()) -> ABSet:
    """The rows both models are shown: ``texts`` (clean), ``variants`` (label 1 evasion, 0 over-defence)."""
    malicious, benign = _split_ab(variants)
    group_of = _group_of(texts)
    return ABSet(y_true=texts["label"].to_numpy(), test_ids=texts["id"].tolist(),
                 variant_sources=malicious["source_id"].tolist(),
                 variant_families=[families_of(name) for name in malicious["strategy"]],
                 benign_sources=benign["source_id"].tolist(), adaptive_sources=list(adaptive_sources),
                 group_of=group_of, variant_strategies=malicious["strategy"].tolist())


def split_probes(variants: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``variants`` without, and with only, their encoding probes (benign texts encoded): the A/B's
    over-defence rule pools content-preserving obfuscations only, as the gate's rate does."""
    probe = encoding_probes(variants) & (variants["label"] == data.BENIGN).to_numpy()
    return variants[~probe], variants[probe]


def probe_comparison(champion: TextClassifier, challenger: TextClassifier, texts: pd.DataFrame,
                     probes: pd.DataFrame, config: PipelineConfig) -> dict:
    """Each model's false alarms on benign texts in each encoding, paired (``encoding_probe_deltas``)."""
    if probes.empty:
        return {}
    group_of = _group_of(texts) or {}
    clusters = [group_of.get(source, source) for source in probes["source_id"]]
    champion_preds, challenger_preds = (model.predict(probes["text"].tolist()) for model in (champion, challenger))
    return encoding_probe_deltas(probes["strategy"].tolist(), clusters, champion_preds, challenger_preds,
                                 seed=config.seed, n_resamples=config.promotion.bootstrap_resamples)


def ab_adaptive_seeds(config: PipelineConfig) -> list[int]:
    """The A/B's adaptive attack seeds: ``attack.ab_adaptive_seeds`` of them from ``attack.ab_seed``."""
    return [config.attack.ab_seed + k for k in range(config.attack.ab_adaptive_seeds)]


def ab_adaptive_targets(splits: pd.DataFrame, config: PipelineConfig) -> pd.DataFrame:
    """The malicious test texts the A/B's adaptive attack starts from, against each model: those the
    gate attacked neither with its static variants nor adaptively (the A/B never re-decides on what
    triggered retraining); ``attack.ab_adaptive_sources`` of them (seed ``ab_seed``), or all. Empty
    when the adaptive attack is off (``attack.adaptive_sources: 0``)."""
    test, attack = split_frame(splits, "test"), config.attack
    if not attack.adaptive_sources:
        return test.iloc[:0]
    gate = gate_sources(splits, attack) | set(adaptive_targets(test, n_sources=attack.adaptive_sources,
                                                               seed=attack.eval_seed)["id"])
    pool = test[~test["id"].isin(gate)]
    return adaptive_targets(pool, n_sources=attack.ab_adaptive_sources or len(pool), seed=attack.ab_seed)


def run_ab_test(champion: ModelVersion, challenger: ModelVersion, config: PipelineConfig, splits: pd.DataFrame,
                ab_variants: pd.DataFrame) -> PromotionDecision:
    """The paired A/B on the test split (decides), and the same comparison on the sealed holdout
    (recorded under ``statistics["holdout"]``, never read by the decision)."""
    test = split_frame(splits, "test")
    champion_classifier, challenger_classifier = load_classifier(champion, config), load_classifier(challenger, config)
    # Only variants the champion reads differently from their source test anything; both models
    # see the same (effective) set, so the comparison stays paired.
    effective, probes = split_probes(ab_variants[mark_effective(champion_classifier.model_inputs, test, ab_variants)])
    targets = ab_adaptive_targets(splits, config)
    preds = [paired_predictions(model, test, effective, targets, config=config)
             for model in (champion_classifier, challenger_classifier)]
    # One row per (seed, text): a text's rows share its template group, so the CIs stay clustered.
    adaptive_rows = targets["id"].tolist() * len(ab_adaptive_seeds(config))
    decision = compare_models(ab_set(test, effective, adaptive_rows), *preds, settings=config.promotion,
                              f1_floor=config.quality_gate.min_f1_score, seed=config.seed)
    decision.statistics["ab_variants"] = {"generated": int(len(ab_variants)),
                                          "effective": int(len(effective) + len(probes))}
    decision.statistics["encoding_probes"] = probe_comparison(champion_classifier, challenger_classifier, test, probes,
                                                              config)
    decision.statistics["holdout"] = holdout_comparison(champion_classifier, challenger_classifier, config, splits)
    return decision


def holdout_comparison(champion: TextClassifier, challenger: TextClassifier, config: PipelineConfig,
                       splits: pd.DataFrame) -> dict | None:
    """Champion vs challenger on the sealed holdout (clean texts and their variants), for the record.

    Nothing reads it to decide: it is the estimate that repeated loops cannot select on."""
    holdout = split_frame(splits, "holdout")
    if holdout.empty:
        return None
    variants = build_holdout_variants(splits, config.attack)
    variants, probes = split_probes(variants[mark_effective(champion.model_inputs, holdout, variants)])
    preds = [paired_predictions(model, holdout, variants, config=config) for model in (champion, challenger)]
    return {**ab_statistics(ab_set(holdout, variants), *preds, settings=config.promotion, seed=config.seed),
            "encoding_probes": probe_comparison(champion, challenger, holdout, probes, config),
            "sealed": "reported only: no decision reads the holdout"}


def decide_promotion(registry: ModelRegistry, champion: ModelVersion, challenger: ModelVersion,
                     config: PipelineConfig, splits: pd.DataFrame, ab_variants: pd.DataFrame) -> PromotionDecision:
    """Run the A/B test and act on it: promote, or keep the champion; either way record why.

    ``champion`` must still be the registry's champion, before the A/B and at the promotion
    (compare-and-swap): otherwise StaleChampionError, and nothing is recorded.
    """
    current = registry.champion()
    if current is None or current.version != champion.version:
        _supersede(registry, challenger, champion, StaleChampionError(stale_champion_message(
            challenger.version, expected=champion.version, current=current.version if current else None)))
    if challenger.version == champion.version:
        return PromotionDecision(False, [f"{challenger.version} is already the champion"], {})
    decision = run_ab_test(champion, challenger, config, splits, ab_variants)
    details = {"challenger": challenger.version, "champion": champion.version, "reasons": decision.reasons,
               "statistics": decision.statistics}
    if decision.promote:
        try:
            registry.promote(challenger.version, reason="A/B: significantly more robust, no loss beyond tolerances",
                             details=details, replacing=champion.version)
        except StaleChampionError as error:  # the champion changed while the A/B ran
            _supersede(registry, challenger, champion, error, details)
    else:
        registry.record("reject", version=challenger.version, champion=champion.version, details=details)
    return decision


def _supersede(registry: ModelRegistry, challenger: ModelVersion, champion: ModelVersion,
               error: StaleChampionError, details: dict | None = None) -> None:
    """Record that the decision on ``challenger`` no longer applies (once per version), then refuse."""
    if not any(entry.get("event") == "superseded" and entry.get("version") == challenger.version
               for entry in registry.history()):
        registry.record("superseded", version=challenger.version, champion=champion.version, reason=str(error),
                        details=details)
    raise error
