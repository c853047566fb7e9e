"""One attack step and one scoring step per attack family: the fan-out an executor runs side by side.

``family_variants/<family>`` generates that family's share of the attack table (every purpose);
``attack_variants`` puts the shares together in the one-table order. ``family_scores/<family>``
scores the family's variants with the deployed champion (``loop.scoring.score_family``);
``evaluation_report`` and ``failure_samples`` read those scores instead of scoring the variants
again. With the in-process executor the steps run one after another in the run's process; with
``execution.executor: multiprocess`` (or a cluster executor) they run at once — the numbers are
the same either way (``adversarial_mlops_tests/test_parallel.py``).
"""

import dagster as dg
import pandas as pd

from adversarial_mlops.attacks.discovery import family_names
from adversarial_mlops.loop import attack_runner, lifecycle
from adversarial_mlops.loop.progress import Heartbeat
from adversarial_mlops.loop.scoring import score_family

from .execution import MULTIPROCESS, threads_per_step
from .resources import ModelRegistryResource, RunSettings

GROUP = "adversarial_loop"
VARIANTS_PREFIX = "family_variants"
SCORES_PREFIX = "family_scores"
# Every family a strategy can belong to, known when the code location loads (plug-ins included).
FAMILIES = tuple(family_names())
Settings = dg.ResourceParam[RunSettings]


def variants_key(family: str) -> dg.AssetKey:
    return dg.AssetKey([VARIANTS_PREFIX, family])


def scores_key(family: str) -> dg.AssetKey:
    return dg.AssetKey([SCORES_PREFIX, family])


def family_inputs(key_of, name: str) -> dict[str, dg.AssetIn]:
    """``ins`` of an asset that reads every family's value: ``<name>_<family>`` → that family's asset."""
    return {f"{name}_{family}": dg.AssetIn(key=key_of(family)) for family in FAMILIES}


def in_family_order(values: dict[str, pd.DataFrame], name: str) -> list[pd.DataFrame]:
    """The values of ``family_inputs`` in ``FAMILIES`` order, whatever order the step got them in."""
    return [values[f"{name}_{family}"] for family in FAMILIES]


def _variants_asset(family: str) -> dg.AssetsDefinition:
    @dg.asset(key=variants_key(family), group_name=GROUP, kinds={"pandas"},
              description=f"The attack table's rows from strategies of the {family!r} family (every purpose).")
    def family_variants(context: dg.AssetExecutionContext, settings: Settings,
                        labeled_dataset: pd.DataFrame) -> pd.DataFrame:
        config = settings.config
        table = attack_runner.build_family_variants(labeled_dataset, config.attack, family,
                                                    exclude_families=config.augmentation.exclude_families)
        context.add_output_metadata({"variants": len(table),
                                     "strategies": sorted(table["strategy"].unique().tolist()) or "none selected"})
        return table

    return family_variants


def _scores_asset(family: str) -> dg.AssetsDefinition:
    @dg.asset(key=scores_key(family), group_name=GROUP, kinds={"pytorch"},
              ins={"family_variants": dg.AssetIn(key=variants_key(family))},
              description=f"The deployed champion's score, deciding view and window for each {family!r} variant.")
    def family_scores(context: dg.AssetExecutionContext, settings: Settings, registry: ModelRegistryResource,
                      deployed_champion: dict, family_variants: pd.DataFrame) -> pd.DataFrame:
        config = settings.config
        if config.execution.executor == MULTIPROCESS:
            import torch

            torch.set_num_threads(threads_per_step(config.execution))
        version = registry.get().get(deployed_champion["version"])
        classifier = lifecycle.load_classifier(version, config)
        with Heartbeat(context.log.info, f"family_scores/{family}") as beat:
            beat(f"scoring {family_variants['text'].nunique():,} distinct {family} variants with {version.version}")
            table = score_family(classifier, family_variants, family=family, model_version=version.version)
        context.add_output_metadata({"texts scored": len(table), "model_version": version.version})
        return table

    return family_scores


def family_asset_defs() -> list[dg.AssetsDefinition]:
    return [build(family) for family in FAMILIES for build in (_variants_asset, _scores_asset)]
