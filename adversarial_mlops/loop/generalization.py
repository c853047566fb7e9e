"""Leave-one-family-out: does adversarial retraining generalise to attack families it never saw?

A challenger that only memorised the obfuscations it was shown is hard to evade with those and
easy with anything new. For each requested family this trains a challenger from the same
champion with that family held out of training (``augmentation.exclude_families``), evaluates
it on every strategy, and sets its evasion on the held-out family next to

(a) the same family's evasion for a challenger trained on every family (paired difference on the
    same variants, with a cluster-bootstrap 95 % CI), and
(b) its own evasion on the families it did see.

Everything goes through the loop's own functions (attack runner, failure mining, augmentor,
``train_and_register``, ``evaluate_classifier``), so the experiment measures the loop as it runs.
Plain Python: ``bench/generalization.py`` is the command-line face.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
import pandas as pd

from adversarial_mlops import data
from adversarial_mlops.config import ConfigError, PipelineConfig, build_config, config_to_dict
from adversarial_mlops.judging.evaluation import families_of
from adversarial_mlops.judging.metrics import delta_evasion
from adversarial_mlops.loop import attack_runner, lifecycle
from adversarial_mlops.loop.augmentor import augment_for_config
from adversarial_mlops.loop.collector import Mining, merge_into_bank, mine
from adversarial_mlops.models.registry import ModelRegistry, ModelVersion
from adversarial_mlops.storage.jsonable import json_safe

ROLE = "generalization"  # registry role of the experiment's challengers: never promoted
Progress = Callable[[str], None]


@dataclass(frozen=True)
class Arm:
    """One trained challenger and what evaluation found."""

    version: ModelVersion
    report: dict
    clean_pred_by_source: dict
    variant_preds: np.ndarray  # on the evaluation variants, aligned with their rows


def with_exclusions(config: PipelineConfig, families: Sequence[str]) -> PipelineConfig:
    """``config`` with ``augmentation.exclude_families`` set, validated like any override."""
    return build_config(config_to_dict(config), {"augmentation.exclude_families": list(families)},
                        origin="leave_one_family_out")


def check_families(config: PipelineConfig, families: Sequence[str]) -> list[str]:
    """Fail before any training when a family is unknown, absent from the attacks, or leaves nothing."""
    if not families:
        raise ConfigError("leave_one_family_out needs at least one family to hold out, e.g. ['encoding']")
    chosen = list(dict.fromkeys(families))
    selected = attack_runner.selected_strategies(config.attack)
    for family in chosen:
        arm = with_exclusions(config, [family])  # unknown names raise here, listing the valid ones
        attack_runner.training_strategies(selected, arm.augmentation.exclude_families)
        if not any(family in families_of(name) for name in selected):
            raise ConfigError(f"family {family!r} has no strategy in attack.strategies ({', '.join(selected)}), "
                              f"so there is nothing to hold out or measure; add one of its strategies "
                              f"(`adversarial-mlops attack --list`) or pick another family")
    return chosen


def mine_with_champion(champion: ModelVersion, config: PipelineConfig, splits: pd.DataFrame,
                       training_variants: pd.DataFrame) -> Mining:
    # One inference pass over every family's training variants; each arm then keeps its subset,
    # exactly as if the attack runner had generated only the strategies it may train on.
    classifier = lifecycle.load_classifier(champion, config)
    return mine(classifier, lifecycle.split_frame(splits, "train"), training_variants, config.attack)


def training_set(mining: Mining, config: PipelineConfig) -> pd.DataFrame:
    """The augmented set a loop with ``config`` would train on, from a fresh failure bank."""
    excluded = config.augmentation.exclude_families
    found = mining.failures("lofo-" + ("-".join(excluded) or "all"), excluded)
    bank = merge_into_bank(None, found, case_sensitive=mining.case_sensitive)
    return augment_for_config(mining.train, bank, config, case_sensitive=mining.case_sensitive)


def evaluate_arm(version: ModelVersion, config: PipelineConfig, test: pd.DataFrame,
                 variants: pd.DataFrame) -> Arm:
    """The loop's evaluation of ``version`` (the families it did not see come from the model itself)."""
    classifier = lifecycle.load_classifier(version, config)
    report = lifecycle.evaluate_version(version, config, test, variants, f1_at_promotion=None,
                                              classifier=classifier)
    # Raw predictions for the paired comparison between arms; the report keeps only rates.
    malicious = variants[variants["purpose"] == attack_runner.EVALUATION]
    clean = dict(zip(test["id"], classifier.predict(test["text"].tolist()).tolist()))
    preds = classifier.predict(malicious["text"].tolist())
    return Arm(version, report, clean, preds)


def train_arm(registry: ModelRegistry, config: PipelineConfig, splits: pd.DataFrame, champion: ModelVersion,
              mining: Mining, excluded: Sequence[str], progress: Progress | None) -> ModelVersion:
    arm_config = with_exclusions(config, excluded)
    dataset = training_set(mining, arm_config)
    return lifecycle.train_and_register(
        registry, arm_config, splits, data.training_columns(dataset, "strategy"), role=ROLE,
        parent=champion.version, progress=progress, excluded_families=arm_config.augmentation.exclude_families)


def family_delta(family: str, held_out: Arm, reference: Arm, variants: pd.DataFrame, config: PipelineConfig) -> dict:
    """evasion(held-out arm) − evasion(all-families arm) on the family's variants, paired, with a 95 % CI."""
    mask = np.array([family in families_of(name) for name in variants["strategy"]], dtype=bool)
    interval = delta_evasion(variants["source_id"].to_numpy(dtype=object)[mask], reference.variant_preds[mask],
                             held_out.variant_preds[mask], reference.clean_pred_by_source,
                             held_out.clean_pred_by_source, seed=config.seed,
                             n_resamples=config.promotion.bootstrap_resamples)
    return json_safe(interval.to_dict())


def summarize_held_out(family: str, held_out: Arm, reference: Arm, baseline: Arm, variants: pd.DataFrame,
                       config: PipelineConfig) -> dict:
    block = held_out.report["generalization"]
    return {"version": held_out.version.version, "clean_f1": held_out.report["clean"]["f1"],
            "train_size": held_out.version.info["train_size"], "unseen_strategies": block["unseen_strategies"],
            "held_out_family": held_out.report["evasion"]["by_family"].get(family),
            "same_family_trained_on_all": reference.report["evasion"]["by_family"].get(family),
            "same_family_baseline": baseline.report["evasion"]["by_family"].get(family),
            "delta_vs_trained_on_all": family_delta(family, held_out, reference, variants, config),
            "seen": block["seen"], "unseen_minus_seen": block["unseen_minus_seen"],
            "seen_by_family": block["seen_by_family"], "overall": held_out.report["evasion"]["overall"]}


def arm_summary(arm: Arm) -> dict:
    return {"version": arm.version.version, "clean_f1": arm.report["clean"]["f1"],
            "evasion": arm.report["evasion"]["overall"], "evasion_by_family": arm.report["evasion"]["by_family"]}


def leave_one_family_out(config: PipelineConfig, families: Sequence[str], *, splits: pd.DataFrame | None = None,
                         progress: Progress | None = None,
                         on_partial: Callable[[dict], None] | None = None) -> dict:
    """Hold each of ``families`` out of training in turn; JSON-ready results (see the module docstring).

    Models go to ``<state_dir>/registry`` (role "generalization", never promoted); the registry's
    champion — a clean-data baseline trained on first use — is the shared starting point. The
    experiment sets ``augmentation.exclude_families`` itself; the one in ``config`` is ignored.
    ``on_partial`` receives the results so far (``"complete": False``) after each family: a run of
    an hour or more should not lose the families it finished when it is stopped.
    """
    say = progress or (lambda message: None)
    started = time.perf_counter()
    config = with_exclusions(config, [])
    families = check_families(config, families)
    splits = data.load_splits(config.data) if splits is None else splits
    registry = lifecycle.open_registry(config)
    champion = lifecycle.ensure_champion(registry, config, splits, progress).version
    variants = attack_runner.build_attack_variants(splits, config.attack)  # every family, as the loop's
    test = lifecycle.split_frame(splits, "test")
    evaluation = variants[variants["purpose"] == attack_runner.EVALUATION].reset_index(drop=True)
    say(f"champion {champion.version}; mining failures on the training split")
    mining = mine_with_champion(champion, config, splits, variants[variants["purpose"] == attack_runner.TRAINING])
    baseline = evaluate_arm(champion, config, test, variants)
    say("training the reference challenger on every family")
    reference = evaluate_arm(train_arm(registry, config, splits, champion, mining, [], progress),
                             config, test, variants)
    held_out = {}
    for family in families:
        say(f"training a challenger without the {family} family")
        arm = evaluate_arm(train_arm(registry, config, splits, champion, mining, [family], progress),
                           config, test, variants)
        held_out[family] = summarize_held_out(family, arm, reference, baseline, evaluation, config)
        if on_partial is not None and len(held_out) < len(families):
            on_partial(results(families, baseline, reference, held_out, config, started, complete=False))
    return results(families, baseline, reference, held_out, config, started, complete=True)


def results(families: Sequence[str], baseline: Arm, reference: Arm, held_out: dict, config: PipelineConfig,
            started: float, *, complete: bool) -> dict:
    return json_safe({"families": list(families), "complete": complete, "baseline": arm_summary(baseline),
                      "trained_on_all": arm_summary(reference), "held_out": dict(held_out),
                      "base_model": config.model.base_model, "seconds": round(time.perf_counter() - started, 1)})
