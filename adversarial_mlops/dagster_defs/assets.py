"""The loop's software-defined assets. Each one wires domain functions together and reports."""

import os
import socket
from typing import Iterator

import dagster as dg
import pandas as pd

from adversarial_mlops import data
from adversarial_mlops.judging.quality_gate import GateVerdict, evaluate_gate
from adversarial_mlops.loop import attack_runner, lifecycle
from adversarial_mlops.loop.augmentor import augment_for_config, class_balance
from adversarial_mlops.loop.collector import Mining, load_bank, merge_into_bank, mine, mining_round, save_bank
from adversarial_mlops.loop.progress import Heartbeat
from adversarial_mlops.reporting import formatting, tables
from adversarial_mlops.reporting.formatting import rounded, rounded_pct
from adversarial_mlops.reporting.html_report import LoopReport, write_loop_report
from adversarial_mlops.reporting.markdown import ab_markdown, evaluation_markdown
from adversarial_mlops.reporting.plots import ab_plots, evaluation_plots
from adversarial_mlops.storage.crash_points import crash_point

from adversarial_mlops.loop.scoring import scored_classifier

from .family_assets import GROUP, SCORES_PREFIX, VARIANTS_PREFIX, family_inputs, in_family_order, scores_key, variants_key
from . import training_launch
from .resources import ModelRegistryResource, RunSettings

Settings = dg.ResourceParam[RunSettings]


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


@dg.asset(group_name=GROUP, kinds={"pandas"}, ins=family_inputs(variants_key, VARIANTS_PREFIX))
def attack_variants(context: dg.AssetExecutionContext, settings: Settings, labeled_dataset: pd.DataFrame,
                    **family_variants: pd.DataFrame) -> pd.DataFrame:
    """Seeded adversarial variants: evaluation ones from the test split, training ones from the train
    split — the per-family tables (``family_variants/*``) in one table, row for row as if made at once."""
    config = settings.config
    excluded = config.augmentation.exclude_families
    table = attack_runner.combine_family_variants(in_family_order(family_variants, VARIANTS_PREFIX), labeled_dataset,
                                                  config.attack, exclude_families=excluded)
    per_purpose = table.groupby("purpose").size().to_dict()
    context.add_output_metadata({"variants": len(table), "by purpose": {k: int(v) for k, v in per_purpose.items()},
                                 "strategies": sorted(table["strategy"].unique().tolist()),
                                 "families held out of training": excluded or "none"})
    return table


@dg.asset(group_name=GROUP, kinds={"pytorch"})
def deployed_champion(context: dg.AssetExecutionContext, settings: Settings, registry: ModelRegistryResource,
                      training_pipes_client: dg.ResourceParam[dg.PipesClient],
                      labeled_dataset: pd.DataFrame) -> dg.Output[dict]:
    """The registry's current champion; on an empty registry a baseline is trained on clean data and
    promoted — trained where ``challenger_model`` trains (``training.launcher``), so with ``pipes``
    training's memory leaves with its process instead of staying in the run worker for the loop."""
    config, where = settings.config, {}

    def train_elsewhere(train_data: pd.DataFrame):
        trained = training_launch.train_through_pipes(context, training_pipes_client, config,
                                                      registry_root=registry.root, splits=labeled_dataset,
                                                      train_data=train_data, role=lifecycle.BASELINE, parent=None)
        version = registry.get().get(trained.version)
        training_launch.check_registered(version, lifecycle.BASELINE, None)
        where.update(training_location(training_pipes_client, trained))
        return version

    with Heartbeat(context.log.info, "deployed_champion") as beat:
        beat("reading the registry's champion (on an empty registry a baseline is trained on the clean train split)")
        state = lifecycle.ensure_champion(registry.get(), config, labeled_dataset, progress=beat,
                                          train=None if config.training.launcher == "in_process" else train_elsewhere)
    summary = {"version": state.version.version, "trained_now": state.trained_now,
               "f1_at_promotion": state.f1_at_promotion}
    # An Output: a step that may open a Pipes session must say exactly what it produces.
    return dg.Output(summary, metadata={**summary, **where})


def training_location(client: dg.PipesClient, trained: training_launch.TrainedElsewhere) -> dict:
    """Where a model trained through Pipes ran, and its process's peak memory, as step metadata."""
    return {"launcher": f"pipes ({type(client).__name__})", "training_pid": trained.pid,
            "training_host": trained.host, "training_peak_rss_mb": trained.peak_rss_mb or "n/a"}


@dg.asset(group_name=GROUP, kinds={"pytorch"}, ins=family_inputs(scores_key, SCORES_PREFIX))
def evaluation_report(context: dg.AssetExecutionContext, settings: Settings, registry: ModelRegistryResource,
                      labeled_dataset: pd.DataFrame, attack_variants: pd.DataFrame, deployed_champion: dict,
                      **family_scores: pd.DataFrame) -> dict:
    """Clean test metrics and evasion rate (overall, per strategy and family) with bootstrap 95% CIs,
    and the quality gate's verdict on them — computed here, once, for the check and the branch.
    The variants' scores come from the ``family_scores/*`` steps; the clean texts and the adaptive
    attack are scored here."""
    config = settings.config
    version = registry.get().get(deployed_champion["version"])
    classifier = scored_classifier(lifecycle.load_classifier(version, config),
                                   in_family_order(family_scores, SCORES_PREFIX), model_version=version.version)
    test = lifecycle.split_frame(labeled_dataset, "test")
    with Heartbeat(context.log.info, "evaluation_report") as beat:
        beat(f"evaluating {version.version}: {len(test):,} clean test texts, {len(attack_variants):,} attack variants, "
             f"the adaptive attack and the sealed holdout")
        report = lifecycle.evaluate_version(version, config, test, attack_variants, classifier=classifier,
                                            f1_at_promotion=deployed_champion["f1_at_promotion"],
                                            holdout=lifecycle.split_frame(labeled_dataset, "holdout"))
    verdict = evaluate_gate(report, config.quality_gate)
    report["gate"] = verdict.to_dict()
    plots = evaluation_plots(report)
    loop_report = LoopReport(context.run_id, report, evaluation_outcome(verdict, settings.force_retrain),
                             history=registry.get().history())
    path = write_loop_report(config.resolved_state_dir(), loop_report, plots)
    context.add_output_metadata({**_evaluation_metadata(report, plots), "report": dg.MetadataValue.path(str(path))})
    return report


def evaluation_outcome(verdict: GateVerdict, forced: bool) -> str:
    """The loop's outcome as far as the evaluation knows it: done, or retraining."""
    if verdict.passed and not forced:
        return "no retraining needed: quality gate PASS"
    why = f"quality gate {verdict.status}" + (", retraining forced" if forced else "")
    return f"retraining ({why}): a challenger is trained and judged against the champion (A/B)"


def _float(value, digits: int = 3) -> dg.MetadataValue | str:
    """A number rounded for people as a float metadata value; "n/a" when not measured."""
    value = rounded(value, digits)
    return "n/a" if value is None else dg.MetadataValue.float(value)


def _pct(value) -> dg.MetadataValue | str:
    """A rate (0..1) as a float metadata value in percent, one decimal."""
    value = rounded_pct(value)
    return "n/a" if value is None else dg.MetadataValue.float(value)


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


def _evaluation_metadata(report: dict, plots: list) -> dict:
    """Markdown tables for people, numbers rounded for people, and the headline numbers exact (JSON)."""
    overall = report["evasion"]["overall"]
    point = report["operating_point"]
    return {
        "summary": dg.MetadataValue.md(evaluation_markdown(report, plots)),
        "model_version": report["model_version"], "gate": report["gate"]["status"],
        "clean_f1": _float(report["clean"]["f1"]), "clean_fpr_pct": _pct(report["clean"]["fpr"]),
        "evasion_rate_pct": _pct(overall["rate"]), "evasion_rate_95ci": formatting.ci(overall["low"], overall["high"]),
        "obfuscated_benign_fpr_pct": _pct(report["over_defense"]["obfuscated_benign_fpr"]["rate"]),
        "over_defense_set_fpr_pct": _pct((report["over_defense"].get("over_defense_set_fpr") or {}).get("rate")),
        **_defense_metadata(report),
        "threshold": _float(point["threshold"]),
        "target_fpr": _float(point["target_fpr"]) if point["target_fpr"] is not None else "uncalibrated (0.5)",
        "recall_at_1pct_fpr_pct": _pct(point["recall_at_1pct_fpr"]["recall"]),
        "generalization": _generalization_summary(report["generalization"]),
        "holdout (sealed, reported only)": _holdout_summary(report.get("holdout")),
        "adaptive_attack": dg.MetadataValue.json(report["adaptive_attack"]) if report["adaptive_attack"] else "off",
        "exact values": dg.MetadataValue.json({"clean": _without_lists(report["clean"]), "operating_point": point,
                                               "evasion_overall": overall,
                                               "evasion_by_family": report["evasion"]["by_family"]}),
    }


def _without_lists(block: dict) -> dict:
    return {key: value for key, value in block.items() if not isinstance(value, list)}


def _holdout_summary(block: dict | None) -> dict | str:
    if block is None:
        return "no holdout split (data.holdout_fraction 0)"
    return {"texts": block["n_texts"], "clean_f1": rounded(block["clean"]["f1"]),
            "clean_fpr_pct": rounded_pct(block["clean"]["fpr"]),
            "evasion_pct": rounded_pct(block["evasion"]["overall"]["rate"]),
            "obfuscated_benign_fpr_pct": rounded_pct(block["over_defense"]["obfuscated_benign_fpr"]["rate"])}


def _generalization_summary(block: dict | None) -> dict | str:
    if block is None:
        return "model trained on every family"
    return {"held-out families": block["excluded_families"], "unseen evasion %": rounded_pct(block["unseen"]["rate"]),
            "seen evasion %": rounded_pct(block["seen"]["rate"]),
            "unseen − seen pts": rounded_pct(block["unseen_minus_seen"])}


@dg.asset(group_name=GROUP, kinds={"pandas"}, output_required=False, ins=family_inputs(scores_key, SCORES_PREFIX))
def failure_samples(context: dg.AssetExecutionContext, settings: Settings, registry: ModelRegistryResource,
                    labeled_dataset: pd.DataFrame, attack_variants: pd.DataFrame, evaluation_report: dict,
                    deployed_champion: dict, **family_scores: pd.DataFrame) -> Iterator[dg.Output[pd.DataFrame]]:
    """Cumulative failure bank: training-split evasions and clean misses. Only when the gate fails (or forced)."""
    verdict = GateVerdict.from_dict(evaluation_report["gate"])  # the verdict the check shows, not a new one
    if verdict.passed and not settings.force_retrain:
        context.log.info(f"quality gate {verdict.summary()}; no retraining needed, downstream assets are skipped")
        return
    context.log.info(f"retraining: gate {verdict.summary()}, force_retrain={settings.force_retrain}")
    config = settings.config
    # The training variants' scores come from the family_scores steps; the clean training texts are scored here.
    classifier = scored_classifier(lifecycle.load_classifier(registry.get().get(deployed_champion["version"]), config),
                                   in_family_order(family_scores, SCORES_PREFIX),
                                   model_version=deployed_champion["version"])
    training_variants = attack_variants[attack_variants["purpose"] == attack_runner.TRAINING]
    train = lifecycle.split_frame(labeled_dataset, "train")
    round_ = mining_round(registry.get().history(), deployed_champion["version"])
    with Heartbeat(context.log.info, "failure_samples") as beat:
        beat(f"mining failures of {deployed_champion['version']}: {len(training_variants):,} training-split variants, "
             f"{len(train):,} clean training texts and the adaptive attack on "
             f"{config.attack.adaptive_train_sources} malicious ones (block {round_}: {round_} challenger(s) "
             f"already kept out by {deployed_champion['version']})")
        mining = mine(classifier, train, training_variants, config.attack, mining_round=round_)
    found = mining.failures(loop_id=context.run_id[:8])
    bank_path = config.resolved_state_dir() / "failure_bank.parquet"
    earlier = load_bank(bank_path)
    bank = merge_into_bank(earlier, found, case_sensitive=mining.case_sensitive)
    save_bank(bank_path, bank)
    added = len(bank) - (0 if earlier is None else len(earlier))
    yield dg.Output(bank, metadata={"new_this_loop": len(found), "added_to_bank": added, "bank_size": len(bank),
                                    "mining_round": round_,
                                    "by_kind": {k: int(v) for k, v in bank["kind"].value_counts().items()},
                                    "adaptive attack on training texts": adaptive_mining_summary(mining),
                                    "gate": verdict.status, "forced": settings.force_retrain})


def adaptive_mining_summary(mining: Mining) -> dict | str:
    summary = mining.adaptive_summary
    if summary is None:
        return "off (attack.adaptive_train_sources: 0)"
    return {"attacked": summary["n_attacked"], "evaded": summary["n_success"],
            "success %": rounded_pct(summary["success_rate"]), "queries": summary["total_queries"]}


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
                     training_pipes_client: dg.ResourceParam[dg.PipesClient], labeled_dataset: pd.DataFrame,
                     augmented_dataset: pd.DataFrame, deployed_champion: dict) -> dg.Output[dict]:
    """A (Q)LoRA model trained on the augmented dataset, registered as an immutable version.

    ``training.launcher: pipes`` (default) trains in a process the ``training_pipes_client``
    resource starts (``training_launch``); ``in_process`` trains here, in the run worker."""
    config = settings.config
    parent = deployed_champion["version"]
    # The strategy column goes along so train_and_register can verify no held-out family slipped in.
    train_data = data.training_columns(augmented_dataset, "strategy")
    if config.training.launcher == "in_process":
        with Heartbeat(context.log.info, "challenger_model") as beat:
            version = lifecycle.train_and_register(
                registry.get(), config, labeled_dataset, train_data, role=lifecycle.CHALLENGER, parent=parent,
                progress=beat, excluded_families=config.augmentation.exclude_families)
        where = {"launcher": "in_process", "training_pid": os.getpid(), "training_host": socket.gethostname()}
    else:
        trained = training_launch.train_through_pipes(context, training_pipes_client, config,
                                                      registry_root=registry.root, splits=labeled_dataset,
                                                      train_data=train_data, role=lifecycle.CHALLENGER, parent=parent)
        version = registry.get().get(trained.version)
        training_launch.check_registered(version, lifecycle.CHALLENGER, parent)
        crash_point("pipes.challenger_reported")
        where = training_location(training_pipes_client, trained)
    summary = {"version": version.version, "clean_f1": version.metrics["clean_f1"],
               "quantization": version.info["training"]["quantization"],
               "precision": version.info["training"].get("precision", "fp32"),
               "best_epoch": version.info["training"]["best_epoch"],
               "training_seconds": round(version.info["training"]["seconds"], 1),
               "excluded_families": version.info["excluded_families"]}
    # Returned as an Output: a step that opened a Pipes session must say exactly what it produces.
    return dg.Output(summary, metadata={**summary, **where,
                                        "epochs": dg.MetadataValue.json(version.info["training"]["history"])})


@dg.asset(group_name=GROUP, kinds={"pytorch"})
def champion_model(context: dg.AssetExecutionContext, settings: Settings, registry: ModelRegistryResource,
                   labeled_dataset: pd.DataFrame, challenger_model: dict, deployed_champion: dict,
                   evaluation_report: dict) -> dict:
    """A/B of challenger vs champion on clean test texts and a fresh adversarial set; promote or keep.
    (``evaluation_report`` only goes into the loop's report; the decision does not read it.)"""
    config = settings.config
    models = registry.get()
    ab_variants = attack_runner.build_ab_variants(labeled_dataset, config.attack)
    with Heartbeat(context.log.info, "champion_model") as beat:
        beat(f"A/B test: {challenger_model['version']} vs {deployed_champion['version']} on the clean test texts and "
             f"{len(ab_variants):,} fresh variants, the adaptive attack against each")
        decision = lifecycle.decide_promotion(models, models.get(deployed_champion["version"]),
                                              models.get(challenger_model["version"]), config, labeled_dataset,
                                              ab_variants)
    champion = models.champion()
    result = {"promoted": decision.promote, "champion_version": champion.version if champion else None,
              "challenger_version": challenger_model["version"], "previous_champion": deployed_champion["version"],
              "reasons": decision.reasons, "statistics": decision.statistics}
    history = models.history()
    plots = ab_plots(result)
    path = write_loop_report(config.resolved_state_dir(),
                             LoopReport(context.run_id, evaluation_report, tables.decision_line(result), result,
                                        history), evaluation_plots(evaluation_report) + plots)
    context.add_output_metadata({**_decision_metadata(result, history, plots),
                                 "report": dg.MetadataValue.path(str(path))})
    return result


def _decision_metadata(result: dict, history: list[dict], plots: list) -> dict:
    """The decision in one line, champion vs challenger side by side with Δ and CI, the registry's
    recent history; the statistics exact (JSON)."""
    statistics = result["statistics"]
    return {"decision": tables.decision_line(result), "promoted": result["promoted"],
            "champion_version": result["champion_version"],
            "comparison": dg.MetadataValue.md(ab_markdown(result, history, plots)),
            "delta_evasion_pts": _pct((statistics.get("delta_evasion") or {}).get("estimate")),
            "delta_f1": _float((statistics.get("delta_f1") or {}).get("estimate")),
            "delta_roc_auc": _float(((statistics.get("ranking") or {}).get("delta_roc_auc") or {}).get("estimate")),
            "reasons": dg.MetadataValue.json(result["reasons"]),
            "statistics (exact)": dg.MetadataValue.json(statistics)}
