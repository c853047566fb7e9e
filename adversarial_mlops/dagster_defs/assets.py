"""The loop's software-defined assets. Each one wires domain functions together and reports."""

from typing import Iterator

import dagster as dg
import pandas as pd

from adversarial_mlops import data
from adversarial_mlops.judging.quality_gate import GateVerdict, evaluate_gate
from adversarial_mlops.loop import attack_runner, lifecycle
from adversarial_mlops.loop.augmentor import augment_for_config, class_balance
from adversarial_mlops.loop.collector import load_bank, merge_into_bank, mine, save_bank

from .resources import ModelRegistryResource, RunSettings

GROUP = "adversarial_loop"
Settings = dg.ResourceParam[RunSettings]


def _pct(value) -> float | None:
    return None if value is None else round(100 * float(value), 2)


@dg.asset(group_name=GROUP, kinds={"pandas"})
def labeled_dataset(context: dg.AssetExecutionContext, settings: Settings) -> pd.DataFrame:
    """Labelled texts split train/validation/test by template group (the test set holds unseen templates)."""
    cfg = settings.config.data
    splits = data.load_splits(cfg)
    counts = splits.groupby(["split", "label"]).size().unstack(fill_value=0)
    leakage = data.phrase_leakage(splits)
    for warning in data.leakage_warnings(leakage, cfg.max_phrase_leakage):
        context.log.warning(warning)
    context.add_output_metadata({
        "source": cfg.resolved_source(), "rows": len(splits), "splits from": splits.attrs["split_source"],
        "counts (benign/malicious)": {s: f"{int(r.get(0, 0))}/{int(r.get(1, 0))}" for s, r in counts.iterrows()},
        "phrase leakage (test / holdout)": {split: f"{block['leaked']}/{block['texts']} ({block['share']:.1%})"
                                            for split, block in leakage.items() if isinstance(block, dict)},
    })
    return splits


@dg.asset(group_name=GROUP, kinds={"pandas"})
def attack_variants(context: dg.AssetExecutionContext, settings: Settings,
                    labeled_dataset: pd.DataFrame) -> pd.DataFrame:
    """Seeded adversarial variants: evaluation ones from the test split, training ones from the train split."""
    config = settings.config
    excluded = config.augmentation.exclude_families
    table = attack_runner.build_attack_variants(labeled_dataset, config.attack, exclude_families=excluded)
    per_purpose = table.groupby("purpose").size().to_dict()
    context.add_output_metadata({"variants": len(table), "by purpose": {k: int(v) for k, v in per_purpose.items()},
                                 "strategies": sorted(table["strategy"].unique().tolist()),
                                 "families held out of training": excluded or "none"})
    return table


@dg.asset(group_name=GROUP, kinds={"pytorch"})
def deployed_champion(context: dg.AssetExecutionContext, settings: Settings,
                      registry: ModelRegistryResource, labeled_dataset: pd.DataFrame) -> dict:
    """The registry's current champion; on an empty registry a baseline is trained on clean data and promoted."""
    state = lifecycle.ensure_champion(registry.get(), settings.config, labeled_dataset, progress=context.log.info)
    summary = {"version": state.version.version, "trained_now": state.trained_now,
               "f1_at_promotion": state.f1_at_promotion}
    context.add_output_metadata(summary)
    return summary


@dg.asset(group_name=GROUP, kinds={"pytorch"})
def evaluation_report(context: dg.AssetExecutionContext, settings: Settings, registry: ModelRegistryResource,
                      labeled_dataset: pd.DataFrame, attack_variants: pd.DataFrame, deployed_champion: dict) -> dict:
    """Clean test metrics and evasion rate (overall, per strategy and family) with bootstrap 95% CIs,
    and the quality gate's verdict on them — computed here, once, for the check and the branch."""
    config = settings.config
    version = registry.get().get(deployed_champion["version"])
    report = lifecycle.evaluate_version(version, config, lifecycle.split_frame(labeled_dataset, "test"),
                                        attack_variants, f1_at_promotion=deployed_champion["f1_at_promotion"],
                                        holdout=lifecycle.split_frame(labeled_dataset, "holdout"))
    report["gate"] = evaluate_gate(report, config.quality_gate).to_dict()
    context.add_output_metadata(_evaluation_metadata(report))
    return report


def _defense_metadata(report: dict) -> dict:
    """Evasion with and without the deployed input defence: decoded views, else normalisation."""
    views = report.get("views_defense")
    if views:
        return {"evasion_pct_with_views": _pct(views["with_views"]["evasion"]["rate"]),
                "evasion_pct_without_views": _pct(views["without_views"]["evasion"]["rate"]),
                "clean_fpr_pct_with_views": _pct(views["with_views"]["clean_fpr"]),
                "clean_fpr_pct_without_views": _pct(views["without_views"]["clean_fpr"]),
                **{f"false_alarms_{name}_by_view": alarms["by_deciding_view"]
                   for name, alarms in (views.get("false_alarms_by_view") or {}).items()}}
    normalization = report["normalization_defense"]
    return {"evasion_pct_with_normalization": _pct(normalization["with_normalization"]["rate"]),
            "evasion_pct_without_normalization": _pct(normalization["without_normalization"]["rate"])}


def _evaluation_metadata(report: dict) -> dict:
    overall = report["evasion"]["overall"]
    return {
        "model_version": report["model_version"], "clean_f1": report["clean"]["f1"],
        "clean_fpr": report["clean"]["fpr"], "gate": report["gate"]["status"],
        "evasion_rate_pct": _pct(overall["rate"]),
        "evasion_rate_95ci_pct": f"{_pct(overall['low'])}–{_pct(overall['high'])}",
        "evasion_by_strategy_pct": {k: _pct(v["rate"]) for k, v in report["evasion"]["by_strategy"].items()},
        "evasion_by_family_pct": {k: _pct(v["rate"]) for k, v in report["evasion"]["by_family"].items()},
        "generalization": _generalization_summary(report["generalization"]),
        "obfuscated_benign_fpr_pct": _pct(report["over_defense"]["obfuscated_benign_fpr"]["rate"]),
        "over_defense_set_fpr_pct": _pct((report["over_defense"].get("over_defense_set_fpr") or {}).get("rate")),
        **_defense_metadata(report),
        "clean_fpr_by_category": report["over_defense"]["clean_fpr_by_category"],
        "adaptive_attack": report["adaptive_attack"] or "off",
        "threshold": report["operating_point"]["threshold"],
        "target_fpr": report["operating_point"]["target_fpr"] or "uncalibrated (0.5)",
        "recall_at_1pct_fpr_pct": _pct(report["operating_point"]["recall_at_1pct_fpr"]["recall"]),
        "holdout (sealed, reported only)": _holdout_summary(report.get("holdout")),
    }


def _holdout_summary(block: dict | None) -> dict | str:
    if block is None:
        return "no holdout split (data.holdout_fraction 0)"
    return {"texts": block["n_texts"], "clean_f1": round(block["clean"]["f1"], 4),
            "clean_fpr_pct": _pct(block["clean"]["fpr"]), "evasion_pct": _pct(block["evasion"]["overall"]["rate"]),
            "obfuscated_benign_fpr_pct": _pct(block["over_defense"]["obfuscated_benign_fpr"]["rate"])}


def _family_table(statistics: dict) -> dict:
    """Champion → challenger evasion per family with the Δ's 95% CI, in percent."""
    return {family: f"{_pct(row['champion'])} → {_pct(row['challenger'])} (Δ {_pct(row['delta']['estimate'])}, CI "
                    f"{_pct(row['delta']['low'])} to {_pct(row['delta']['high'])})"
            for family, row in statistics.get("evasion_by_family", {}).items()}


def _generalization_summary(block: dict | None) -> dict | str:
    if block is None:
        return "model trained on every family"
    return {"held-out families": block["excluded_families"], "unseen evasion %": _pct(block["unseen"]["rate"]),
            "seen evasion %": _pct(block["seen"]["rate"]), "unseen − seen pts": _pct(block["unseen_minus_seen"])}


@dg.asset(group_name=GROUP, kinds={"pandas"}, output_required=False)
def failure_samples(context: dg.AssetExecutionContext, settings: Settings, registry: ModelRegistryResource,
                    labeled_dataset: pd.DataFrame, attack_variants: pd.DataFrame, evaluation_report: dict,
                    deployed_champion: dict) -> Iterator[dg.Output[pd.DataFrame]]:
    """Cumulative failure bank: training-split evasions and clean misses. Only when the gate fails (or forced)."""
    verdict = GateVerdict.from_dict(evaluation_report["gate"])  # the verdict the check shows, not a new one
    if verdict.passed and not settings.force_retrain:
        context.log.info(f"quality gate {verdict.summary()}; no retraining needed, downstream assets are skipped")
        return
    context.log.info(f"retraining: gate {verdict.summary()}, force_retrain={settings.force_retrain}")
    config = settings.config
    classifier = lifecycle.load_classifier(registry.get().get(deployed_champion["version"]), config)
    training_variants = attack_variants[attack_variants["purpose"] == attack_runner.TRAINING]
    mining = mine(classifier, lifecycle.split_frame(labeled_dataset, "train"), training_variants)
    found = mining.failures(loop_id=context.run_id[:8])
    bank_path = config.resolved_state_dir() / "failure_bank.parquet"
    bank = merge_into_bank(load_bank(bank_path), found, case_sensitive=mining.case_sensitive)
    save_bank(bank_path, bank)
    yield dg.Output(bank, metadata={"new_this_loop": len(found), "bank_size": len(bank),
                                    "by_kind": {k: int(v) for k, v in bank["kind"].value_counts().items()},
                                    "gate": verdict.status, "forced": settings.force_retrain})


@dg.asset(group_name=GROUP, kinds={"pandas"})
def augmented_dataset(context: dg.AssetExecutionContext, settings: Settings, registry: ModelRegistryResource,
                      labeled_dataset: pd.DataFrame, failure_samples: pd.DataFrame,
                      deployed_champion: dict) -> pd.DataFrame:
    """Clean training data + failure bank + new variants of failures + obfuscated benign texts (labelled benign)."""
    config = settings.config
    train = lifecycle.split_frame(labeled_dataset, "train")
    # The challenger starts from the champion's base model: its tokenizer says whether case matters.
    case_sensitive = lifecycle.model_reads_case(registry.get().get(deployed_champion["version"]))
    dataset = augment_for_config(train, failure_samples, config, case_sensitive=case_sensitive)
    context.add_output_metadata({"class_balance": class_balance(dataset), "model reads case": case_sensitive,
                                 "families held out": config.augmentation.exclude_families or "none"})
    return dataset


@dg.asset(group_name=GROUP, kinds={"pytorch"})
def challenger_model(context: dg.AssetExecutionContext, settings: Settings, registry: ModelRegistryResource,
                     labeled_dataset: pd.DataFrame, augmented_dataset: pd.DataFrame, deployed_champion: dict) -> dict:
    """A (Q)LoRA model trained on the augmented dataset, registered as an immutable version."""
    config = settings.config
    # The strategy column goes along so train_and_register can verify no held-out family slipped in.
    version = lifecycle.train_and_register(
        registry.get(), config, labeled_dataset, data.training_columns(augmented_dataset, "strategy"),
        role=lifecycle.CHALLENGER, parent=deployed_champion["version"], progress=context.log.info,
        excluded_families=config.augmentation.exclude_families)
    summary = {"version": version.version, "clean_f1": version.metrics["clean_f1"],
               "quantization": version.info["training"]["quantization"],
               "best_epoch": version.info["training"]["best_epoch"],
               "training_seconds": round(version.info["training"]["seconds"], 1),
               "excluded_families": version.info["excluded_families"]}
    context.add_output_metadata(summary)
    return summary


@dg.asset(group_name=GROUP, kinds={"pytorch"})
def champion_model(context: dg.AssetExecutionContext, settings: Settings, registry: ModelRegistryResource,
                   labeled_dataset: pd.DataFrame, challenger_model: dict, deployed_champion: dict) -> dict:
    """A/B of challenger vs champion on clean test texts and a fresh adversarial set; promote or keep."""
    config = settings.config
    models = registry.get()
    ab_variants = attack_runner.build_ab_variants(labeled_dataset, config.attack)
    decision = lifecycle.decide_promotion(models, models.get(deployed_champion["version"]),
                                          models.get(challenger_model["version"]), config, labeled_dataset,
                                          ab_variants)
    champion = models.champion()
    result = {"promoted": decision.promote, "champion_version": champion.version if champion else None,
              "challenger_version": challenger_model["version"], "previous_champion": deployed_champion["version"],
              "reasons": decision.reasons, "statistics": decision.statistics}
    context.add_output_metadata({"decision": "promoted" if decision.promote else "kept champion",
                                 "champion_version": result["champion_version"], "reasons": decision.reasons,
                                 "evasion_by_family_pct": _family_table(decision.statistics)})
    return result
