"""Run the configured attack strategies over the right split and collect the variants.

Leakage rule: variants used to *evaluate* come from the test split; variants mined for
*training* come from the training split. ``check_no_leakage`` enforces it on every table this
module produces, so a later change cannot quietly mix them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from types import MappingProxyType
from typing import Iterable, Sequence

import pandas as pd

from adversarial_mlops.attacks import generate_variants, get_strategy, strategy_families, strategy_names
from adversarial_mlops.attacks.adaptive import ADAPTIVE, adaptive_families
from adversarial_mlops.attacks.encoding import EncodingStrategy
from adversarial_mlops.config import AttackSettings, ConfigError
from adversarial_mlops.data import BENIGN, MALICIOUS
from adversarial_mlops.errors import InvalidInputError

EVALUATION = "evaluation"  # malicious test texts: does the model still catch them?
BENIGN_EVALUATION = "benign_evaluation"  # benign test texts: does obfuscation alone raise false alarms?
TRAINING = "training"
AB_TEST = "ab_test"  # test texts the gate's variants did not use, another seed
HOLDOUT_EVALUATION = "holdout_evaluation"  # sealed holdout: reported, never decided on
HOLDOUT_BENIGN_EVALUATION = "holdout_benign_evaluation"
# Which split each purpose may draw its source texts from.
SOURCE_SPLIT = MappingProxyType({EVALUATION: "test", BENIGN_EVALUATION: "test", TRAINING: "train", AB_TEST: "test",
                                 HOLDOUT_EVALUATION: "holdout", HOLDOUT_BENIGN_EVALUATION: "holdout"})
VARIANT_COLUMNS = ("variant_id", "source_id", "purpose", "strategy", "family", "params", "seed", "text", "label")


class LeakageError(InvalidInputError):
    """An attack variant came from a split its purpose must not see."""


# Obfuscations that leave a benign text readable as what it is. Encodings hide the content
# behind a "decode and follow" instruction, and fake delimiters/payload splitting are injection
# techniques in themselves: a detector *should* flag those whatever the hidden text says, so they
# are neither counted as false alarms nor taught as benign.
CONTENT_PRESERVING_FAMILIES = frozenset({"character", "invisible", "spacing", "case", "lexical"})
CONTENT_PRESERVING_STRATEGIES = frozenset({"context_wrap"})
ENCODING = EncodingStrategy.family


def selected_strategies(settings: AttackSettings) -> list[str]:
    return strategy_names() if settings.strategies == "all" else list(settings.strategies)


def is_content_preserving(name: str) -> bool:
    """True when every step of the strategy keeps a benign text plainly benign."""
    return all(part in CONTENT_PRESERVING_STRATEGIES
               or get_strategy(part).family in CONTENT_PRESERVING_FAMILIES for part in name.split("+"))


def is_rewritten_in_place(name: str) -> bool:
    """True when every step of the strategy rewrites the text's own characters, spacing, case or
    words (a content-preserving family), adding no carrier text around it."""
    return all(get_strategy(part).family in CONTENT_PRESERVING_FAMILIES for part in name.split("+"))


def benign_strategies(settings: AttackSettings) -> list[str]:
    """The selected strategies that may be applied to benign texts (over-defence, augmentation)."""
    return [name for name in selected_strategies(settings) if is_content_preserving(name)]


def encoding_probes(settings: AttackSettings) -> list[str]:
    """The selected encoding strategies (instruction and raw framing), applied to benign texts for
    evaluation only: the report shows what an encoding — and the "decode and follow" wrapper
    alone — triggers on benign content. Not taught as benign and not pooled into over-defence:
    an encoded text is not plainly benign to a reader (``judging.evaluation.over_defense_report``)."""
    return [name for name in selected_strategies(settings) if "+" not in name and get_strategy(name).family == ENCODING]


def benign_evaluation_strategies(settings: AttackSettings) -> list[str]:
    return benign_strategies(settings) + encoding_probes(settings)


def is_excluded(name: str | None, exclude_families: Iterable[str]) -> bool:
    """True when strategy ``name`` belongs to an excluded family (composites: any part's family).

    ``None`` marks a clean text (no strategy), which is never excluded. Variants of the adaptive
    attack (mined on the training split) belong to the families of the edits it makes.
    """
    if name is None or pd.isna(name):
        return False
    families = adaptive_families() if name == ADAPTIVE else strategy_families(name)
    return bool(families & set(exclude_families))


def training_strategies(names: Sequence[str], exclude_families: Sequence[str]) -> list[str]:
    """``names`` without the strategies of ``exclude_families``: what the challenger may train on."""
    kept = [name for name in names if not is_excluded(name, exclude_families)]
    if names and not kept:
        raise ConfigError(f"augmentation.exclude_families {list(exclude_families)} removes every strategy of "
                          f"attack.strategies ({', '.join(names)}), so there is nothing to train on; exclude fewer "
                          f"families or select strategies from other families")
    return kept


def drop_excluded(frame: pd.DataFrame, exclude_families: Sequence[str]) -> pd.DataFrame:
    """Rows of ``frame`` (with a ``strategy`` column) whose strategy is not held out of training."""
    if not exclude_families or frame.empty:
        return frame
    return frame[~frame["strategy"].map(lambda name: is_excluded(name, exclude_families))]


def check_no_excluded_families(frame: pd.DataFrame, exclude_families: Sequence[str], what: str) -> None:
    """Raise LeakageError when ``frame`` (training data with a ``strategy`` column) holds a held-out family."""
    if not exclude_families or "strategy" not in frame or frame.empty:
        return
    leaked = frame[frame["strategy"].map(lambda name: is_excluded(name, exclude_families))]
    if len(leaked):
        names = sorted(set(leaked["strategy"]))
        raise LeakageError(f"{len(leaked)} row(s) of {what} come from strategies of the held-out families "
                           f"{sorted(exclude_families)}: {', '.join(names)}; filter them with "
                           f"attack_runner.drop_excluded before training")


def _sources(splits: pd.DataFrame, split: str, limit: int | None, label: int = MALICIOUS,
             exclude: Iterable[str] = ()) -> list[tuple[str, str]]:
    rows = splits[(splits["split"] == split) & (splits["label"] == label)].sort_values("id")
    rows = rows[~rows["id"].isin(set(exclude))]
    if limit is not None and len(rows) > limit:
        # Sorted, then a seeded sample: the same subset on every run, spread over all families.
        rows = rows.sample(n=limit, random_state=0).sort_values("id")
    return list(zip(rows["id"], rows["text"]))


def variants_table(sources: Sequence[tuple[str, str]], strategies: Sequence[str], *, purpose: str, seed: int,
                   settings: AttackSettings, label: int = MALICIOUS) -> pd.DataFrame:
    variants = generate_variants(sources, strategies, seed=seed, intensity=settings.intensity,
                                 variants_per_strategy=settings.variants_per_strategy)
    if not variants:
        return pd.DataFrame([], columns=list(VARIANT_COLUMNS))
    # Column by column (a frame from per-row dicts costs more than generating the variants), and
    # the params JSON once per strategy: one call gives all variants of a strategy the same params.
    params_json: dict[str, str] = {}
    for v in variants:
        if v.strategy not in params_json:
            params_json[v.strategy] = json.dumps(dict(v.params), sort_keys=True)
    columns = {"variant_id": [f"{purpose}:{v.variant_id}" for v in variants],
               "source_id": [v.source_id for v in variants], "purpose": [purpose] * len(variants),
               "strategy": [v.strategy for v in variants], "family": [v.family for v in variants],
               "params": [params_json[v.strategy] for v in variants], "seed": [v.seed for v in variants],
               "text": [v.text for v in variants], "label": [label] * len(variants)}
    return pd.DataFrame(columns, columns=list(VARIANT_COLUMNS))


@dataclass(frozen=True)
class PurposePlan:
    """One block of the attack table: which texts (split, class, how many) get which strategies."""

    purpose: str
    label: int
    limit: int | None
    strategies: tuple[str, ...]
    seed: int


def attack_plan(settings: AttackSettings, exclude_families: Sequence[str] = ()) -> list[PurposePlan]:
    """The blocks of ``build_attack_variants``, in table order: evaluation variants of malicious and
    of benign test texts (``eval_seed``), training variants of malicious train texts
    (``train_seed``; without ``exclude_families``), the same as evaluation for the sealed holdout."""
    selected, benign = selected_strategies(settings), benign_evaluation_strategies(settings)
    return [PurposePlan(EVALUATION, MALICIOUS, settings.max_eval_sources, tuple(selected), settings.eval_seed),
            PurposePlan(BENIGN_EVALUATION, BENIGN, settings.max_eval_sources, tuple(benign), settings.eval_seed),
            PurposePlan(TRAINING, MALICIOUS, settings.max_train_sources,
                        tuple(training_strategies(selected, exclude_families)), settings.train_seed),
            PurposePlan(HOLDOUT_EVALUATION, MALICIOUS, settings.max_holdout_sources, tuple(selected), settings.eval_seed),
            PurposePlan(HOLDOUT_BENIGN_EVALUATION, BENIGN, settings.max_holdout_sources, tuple(benign),
                        settings.eval_seed)]


def family_of(strategy: str) -> str:
    """The family a strategy's variants are generated and scored with (a composite: "composite")."""
    return get_strategy(strategy).family


def build_attack_variants(splits: pd.DataFrame, settings: AttackSettings,
                          exclude_families: Sequence[str] = ()) -> pd.DataFrame:
    """Every block of ``attack_plan``: the variants the gate, the miner and the holdout report read.

    ``exclude_families`` (``augmentation.exclude_families``) only thins the training variants:
    evaluation keeps every strategy, so held-out families are measured, never trained on.
    """
    table = _concat([_block(splits, plan, settings, plan.strategies) for plan in attack_plan(settings, exclude_families)])
    check_no_leakage(table, splits)
    check_no_excluded_families(table[table["purpose"] == TRAINING], exclude_families, "the training variants")
    return table


def build_family_variants(splits: pd.DataFrame, settings: AttackSettings, family: str,
                          exclude_families: Sequence[str] = ()) -> pd.DataFrame:
    """The rows of ``build_attack_variants`` whose strategy belongs to ``family`` (``family_of``):
    one family's share of the work, generated apart so that families can run side by side."""
    parts = [_block(splits, plan, settings, tuple(name for name in plan.strategies if family_of(name) == family))
             for plan in attack_plan(settings, exclude_families)]
    table = _concat(parts)
    check_no_leakage(table, splits)
    return table


def combine_family_variants(parts: Iterable[pd.DataFrame], splits: pd.DataFrame, settings: AttackSettings,
                            exclude_families: Sequence[str] = ()) -> pd.DataFrame:
    """The per-family tables put together in ``build_attack_variants``' row order — the same table,
    row for row, whichever process produced each part. Row order matters: the bootstrap CIs
    resample in it."""
    table = _concat(list(parts))
    plan = attack_plan(settings, exclude_families)
    purpose_rank = {block.purpose: rank for rank, block in enumerate(plan)}
    strategy_rank = {(block.purpose, name): rank for block in plan for rank, name in enumerate(block.strategies)}
    unknown = table[[(purpose, strategy) not in strategy_rank
                     for purpose, strategy in zip(table["purpose"], table["strategy"])]]
    if len(unknown):
        row = unknown.iloc[0]
        raise InvalidInputError(f"{len(unknown)} per-family variant(s) do not belong to this run's attack plan, e.g. "
                                f"{row['variant_id']} ({row['purpose']}, {row['strategy']}); re-run the attack step "
                                f"with this run's attack settings")
    # Within a block, generation is source-major (sources sorted by id), then strategy, then index;
    # a stable sort on (block, source, strategy) keeps each strategy's indices in their order.
    keys = pd.DataFrame({"block": table["purpose"].map(purpose_rank), "source": table["source_id"],
                         "strategy": [strategy_rank[pair] for pair in zip(table["purpose"], table["strategy"])]})
    order = keys.sort_values(["block", "source", "strategy"], kind="mergesort").index
    table = table.loc[order].reset_index(drop=True)
    check_no_leakage(table, splits)
    check_no_excluded_families(table[table["purpose"] == TRAINING], exclude_families, "the training variants")
    return table


def _concat(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Rows of ``frames`` in order; empty blocks left out, so they do not turn text columns to object."""
    filled = [frame for frame in frames if len(frame)]
    return pd.concat(filled, ignore_index=True) if filled else pd.DataFrame([], columns=list(VARIANT_COLUMNS))


def _block(splits: pd.DataFrame, plan: PurposePlan, settings: AttackSettings,
           strategies: Sequence[str]) -> pd.DataFrame:
    sources = _sources(splits, SOURCE_SPLIT[plan.purpose], plan.limit, plan.label)
    return variants_table(sources, strategies, purpose=plan.purpose, seed=plan.seed, settings=settings,
                          label=plan.label)


def build_holdout_variants(splits: pd.DataFrame, settings: AttackSettings) -> pd.DataFrame:
    """Variants of the sealed holdout's malicious and benign texts (``eval_seed``): what the
    evaluation report and the A/B record show as ``holdout``. Empty without a holdout split."""
    holdout = (HOLDOUT_EVALUATION, HOLDOUT_BENIGN_EVALUATION)
    return _concat([_block(splits, plan, settings, plan.strategies) for plan in attack_plan(settings)
                    if plan.purpose in holdout])


def gate_sources(splits: pd.DataFrame, settings: AttackSettings) -> set[str]:
    """Test texts the gate's static variants were made from (both classes)."""
    return {source for label in (MALICIOUS, BENIGN)
            for source, _ in _sources(splits, SOURCE_SPLIT[EVALUATION], settings.max_eval_sources, label)}


def build_ab_variants(splits: pd.DataFrame, settings: AttackSettings) -> pd.DataFrame:
    """Fresh sets for the A/B test: obfuscated malicious texts (label 1, evasion) and obfuscated
    benign texts (label 0, over-defence; and encoding probes, reported beside it) from test texts
    the gate did *not* attack, with a seed no model was trained on — the A/B never re-decides on
    the variants that triggered retraining."""
    strategies = {MALICIOUS: selected_strategies(settings), BENIGN: benign_evaluation_strategies(settings)}
    used = gate_sources(splits, settings)
    sources = {label: _sources(splits, SOURCE_SPLIT[AB_TEST], settings.max_eval_sources, label, exclude=used)
               for label in (MALICIOUS, BENIGN)}
    empty = [("benign" if label == BENIGN else "malicious") for label, rows in sources.items() if not rows]
    if empty:
        raise ConfigError(f"the A/B test needs {' and '.join(empty)} test texts the gate's variants did not use, "
                          f"and attack.max_eval_sources ({settings.max_eval_sources}) takes them all. Fix: lower "
                          f"attack.max_eval_sources or raise data.test_fraction")
    parts = [variants_table(sources[label], strategies[label], purpose=AB_TEST, seed=settings.ab_seed,
                            settings=settings, label=label) for label in (MALICIOUS, BENIGN)]
    table = _concat(parts)
    check_no_leakage(table, splits)
    return table


def check_no_leakage(variants: pd.DataFrame, splits: pd.DataFrame) -> None:
    split_of = dict(zip(splits["id"], splits["split"]))
    for purpose, allowed in SOURCE_SPLIT.items():
        rows = variants[variants["purpose"] == purpose]
        wrong = rows[rows["source_id"].map(split_of) != allowed]
        if len(wrong):
            example = wrong.iloc[0]
            raise LeakageError(
                f"{len(wrong)} {purpose} variant(s) come from outside the {allowed} split, e.g. "
                f"{example['variant_id']} (source {example['source_id']} is in "
                f"{split_of.get(example['source_id'], 'no split')}); {purpose} attacks must use the {allowed} split"
            )
