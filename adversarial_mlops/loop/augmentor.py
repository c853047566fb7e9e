"""Build the challenger's training set: clean data + failure bank + fresh variants of both classes.

The obfuscation must carry no information about the label. Obfuscating only malicious texts
teaches "odd characters = attack" (false alarms rise); obfuscating only benign texts teaches
"odd characters = benign" (evasion rises — measured: +30 points on the bundled data). So the
same share of each class gets the same random strategies, labels kept, next to the failures.

The failures themselves are malicious and obfuscated, so they tilt it again: measured on the
bundled data, 1,409 obfuscated malicious rows against 694 obfuscated benign ones, and a challenger
17 pts harder to evade raised false alarms on obfuscated benign texts by 8 pts. So every
content-preserving strategy is finally topped up with benign examples until it is used on at least
as many benign rows as malicious ones (``balance_obfuscations``): no such obfuscation predicts
"malicious". The adaptive attack's mined successes get the same counterweight: benign texts with a
few words edited by its edit operator (``balance_adaptive``). Encodings and structural tricks stay
malicious-only: they are attack techniques.
"""

from __future__ import annotations

import functools
import random
from collections import defaultdict
from typing import Sequence

import pandas as pd

from adversarial_mlops.loop.attack_runner import (benign_strategies, check_no_excluded_families, drop_excluded, is_excluded,
                                             is_rewritten_in_place, selected_strategies, training_strategies)
from adversarial_mlops.attacks import generate_variants
from adversarial_mlops.attacks.adaptive import ADAPTIVE, sparse_word_edits
from adversarial_mlops.config import AugmentationSettings, PipelineConfig, TrainingSettings
from adversarial_mlops.data import BENIGN, MALICIOUS, PAYLOAD_SPAN_COLUMNS
from adversarial_mlops.loop.collector import dedupe_key

AUGMENTED_COLUMNS = ("text", "label", "origin", "strategy")


def _variants_with_random_strategies(sources: Sequence[tuple[str, str]], strategies: Sequence[str], per_source: int,
                                     *, seed: int) -> list[tuple[str, str]]:
    """(text, strategy) pairs: each source gets ``per_source`` distinct strategies picked at random."""
    rng = random.Random(seed)
    by_strategy: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for source in sources:
        for name in rng.sample(list(strategies), min(per_source, len(strategies))):
            by_strategy[name].append(source)
    pairs = []
    for name in sorted(by_strategy):  # sorted: the output order must not depend on dict history
        pairs += [(v.text, name) for v in generate_variants(by_strategy[name], [name], seed=seed)]
    return pairs


def build_augmented_dataset(train: pd.DataFrame, bank: pd.DataFrame, strategies: Sequence[str],
                            settings: AugmentationSettings, obfuscations: Sequence[str] | None = None,
                            *, case_sensitive: bool = False) -> pd.DataFrame:
    """``train``: clean training split (id, text, label); ``bank``: the cumulative failure bank.

    ``strategies`` make new variants of the failures; ``obfuscations`` (default: the same) are
    applied to the same share of each class — pass only content-preserving ones
    (``attack_runner.benign_strategies``), so no benign text is taught to hide a payload.
    Strategies of ``settings.exclude_families`` are left out of all three, failure-bank rows
    included: the bank is cumulative, so earlier loops may have mined a now-held-out family.
    ``case_sensitive`` (does the model read case? ``modeling.tokenizer_reads_case``) decides whether texts
    differing only in case are duplicates.
    """
    if not strategies:
        raise ValueError("augmentation needs at least one attack strategy; set attack.strategies")
    excluded = settings.exclude_families
    obfuscations = [name for name in (strategies if obfuscations is None else obfuscations)
                    if not is_excluded(name, excluded)]
    strategies = training_strategies(list(strategies), excluded)
    bank = drop_excluded(bank, excluded)
    clean = pd.DataFrame({"text": train["text"], "label": train["label"], "origin": "clean", "strategy": None})
    for column in PAYLOAD_SPAN_COLUMNS:  # where a long text's payload sits: the trainer picks its window
        if column in train.columns:
            clean[column] = train[column]
    parts = [clean,
             pd.DataFrame({"text": bank["text"], "label": bank["label"], "origin": "failure_bank",
                           "strategy": bank["strategy"]})]
    malicious = bank[bank["label"] == MALICIOUS]
    sources = [(f"bank-{i}", text) for i, text in enumerate(malicious["text"])]
    pairs = _variants_with_random_strategies(sources, strategies, settings.variants_per_failure, seed=settings.seed)
    parts.append(pd.DataFrame({"text": [t for t, _ in pairs], "label": MALICIOUS, "origin": "failure_variant",
                               "strategy": [s for _, s in pairs]}))
    pairs_of_class = ((BENIGN, "benign_obfuscation"), (MALICIOUS, "malicious_obfuscation")) if obfuscations else ()
    for offset, (label, origin) in enumerate(pairs_of_class):
        texts = train[train["label"] == label].sort_values("id")
        if "payload_start" in texts.columns:  # an obfuscated copy would lose the payload's position
            texts = texts[texts["payload_start"].isna()]
        chosen = texts.sample(frac=settings.obfuscation_share, random_state=settings.seed) if len(texts) else texts
        pairs = _variants_with_random_strategies(list(zip(chosen["id"], chosen["text"])), obfuscations, 1,
                                                 seed=settings.seed + 1 + offset)
        parts.append(pd.DataFrame({"text": [t for t, _ in pairs], "label": label, "origin": origin,
                                   "strategy": [s for _, s in pairs]}))
    columns = list(AUGMENTED_COLUMNS) + [c for c in PAYLOAD_SPAN_COLUMNS if c in clean.columns]
    combined = _deduplicated(pd.concat(parts, ignore_index=True)[columns], case_sensitive)
    balance = [balance_obfuscations(train, combined, obfuscations, seed=settings.seed + 3)]
    if not is_excluded(ADAPTIVE, excluded):
        balance.append(balance_adaptive(train, combined, seed=settings.seed + 4))
    combined = _deduplicated(pd.concat([combined, *balance], ignore_index=True), case_sensitive)
    check_no_excluded_families(combined, excluded, "the augmented training set")
    return with_payload_spans(combined, train)


# Shorter texts fit one window of any configured model length, so where the payload sits cannot matter.
SPAN_SEARCH_MIN_CHARS = 500


def with_payload_spans(dataset: pd.DataFrame, train: pd.DataFrame) -> pd.DataFrame:
    """Fill ``payload_start``/``payload_end`` of long malicious rows that lack them, where a known
    payload occurs verbatim: a training text's own span, or a malicious training text (or a long
    document's payload) embedded whole by a structural attack (context wrap, long-document
    dilution). Training then learns from the window that holds it (``trainer.training_windows``);
    a row whose payload was obfuscated keeps no span and trains on its first window."""
    if "payload_start" not in train.columns:
        return dataset
    spans = {text: (int(a), int(b)) for text, a, b in zip(train["text"], train["payload_start"], train["payload_end"])
             if not pd.isna(a)}
    malicious = train[train["label"] == MALICIOUS]
    payloads = {text[a:b] for text, (a, b) in spans.items()} | set(malicious.loc[malicious["payload_start"].isna(),
                                                                                 "text"])
    payloads = sorted(payloads, key=len, reverse=True)  # the longest match is the most specific
    result = dataset.copy()
    for column in PAYLOAD_SPAN_COLUMNS:
        if column not in result.columns:
            result[column] = pd.NA
    for index in result.index[(result["label"] == MALICIOUS) & result["payload_start"].isna()]:
        text = result.at[index, "text"]
        if len(text) < SPAN_SEARCH_MIN_CHARS:
            continue
        span = spans.get(text) or _find_payload(text, payloads)
        if span is not None:
            result.at[index, "payload_start"], result.at[index, "payload_end"] = span
    return result.astype({column: "Int64" for column in PAYLOAD_SPAN_COLUMNS})


def _find_payload(text: str, payloads: Sequence[str]) -> tuple[int, int] | None:
    for payload in payloads:
        start = text.find(payload)
        if start >= 0:
            return start, start + len(payload)
    return None


def _deduplicated(frame: pd.DataFrame, case_sensitive: bool) -> pd.DataFrame:
    keys = frame["text"].map(lambda text: dedupe_key(text, case_sensitive=case_sensitive))
    return frame.loc[~keys.duplicated()].reset_index(drop=True)


def balance_obfuscations(train: pd.DataFrame, dataset: pd.DataFrame, obfuscations: Sequence[str], *,
                         seed: int) -> pd.DataFrame:
    """Benign training texts put through each content-preserving strategy of ``obfuscations`` that
    ``dataset`` uses on more malicious rows than benign ones, as many as the difference (at most
    every benign training text once per strategy), labelled benign, origin ``benign_balance``."""
    counts = dataset.dropna(subset=["strategy"]).groupby(["strategy", "label"]).size()
    benign = train[train["label"] == BENIGN].sort_values("id")
    frames = []
    for offset, name in enumerate(sorted(obfuscations)):
        deficit = int(counts.get((name, MALICIOUS), 0)) - int(counts.get((name, BENIGN), 0))
        if deficit <= 0 or benign.empty:
            continue
        chosen = benign.sample(n=min(deficit, len(benign)), random_state=seed + offset)
        variants = generate_variants(list(zip(chosen["id"], chosen["text"])), [name], seed=seed + offset)
        frames.append(pd.DataFrame({"text": [v.text for v in variants], "label": BENIGN, "origin": "benign_balance",
                                    "strategy": name}))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(AUGMENTED_COLUMNS))


def balance_adaptive(train: pd.DataFrame, dataset: pd.DataFrame, *, seed: int) -> pd.DataFrame:
    """As many benign training texts as ``dataset`` has more malicious rows of the adaptive attack
    than benign ones, each with a few words edited the way that attack edits them
    (``attacks.adaptive.sparse_word_edits``), labelled benign, origin ``benign_balance``: its mined
    successes then teach "this edited trigger still means an attack", not "edited words mean one"."""
    adaptive = dataset[dataset["strategy"] == ADAPTIVE]
    deficit = int((adaptive["label"] == MALICIOUS).sum()) - int((adaptive["label"] == BENIGN).sum())
    benign = train[train["label"] == BENIGN].sort_values("id")
    if deficit <= 0 or benign.empty:
        return pd.DataFrame(columns=list(AUGMENTED_COLUMNS))
    chosen = benign.sample(n=min(deficit, len(benign)), random_state=seed)
    texts = sparse_word_edits(list(zip(chosen["id"], chosen["text"])), seed=seed)
    return pd.DataFrame({"text": texts, "label": BENIGN, "origin": "benign_balance", "strategy": ADAPTIVE})


def epoch_word_edits(texts: Sequence[str], labels: Sequence[int], epoch: int, *, share: float, max_word_share: float,
                     transformations: Sequence[str], seed: int) -> list[str]:
    """How the training texts read in ``epoch``: ``share`` of each class (the same share, so an
    edited word says nothing about the label), drawn afresh per epoch, with up to ``max_word_share``
    of their content words edited by the adaptive attack's operator (``sparse_word_edits``); the
    others unchanged. Every text is read clean in some epochs and edited in others."""
    rng = random.Random(f"{seed}:{epoch}")
    out = list(texts)
    for label in sorted(set(int(x) for x in labels)):
        members = [i for i, x in enumerate(labels) if int(x) == label]
        chosen = sorted(rng.sample(members, round(share * len(members))))
        edited = sparse_word_edits([(str(i), out[i]) for i in chosen], seed=seed + epoch,
                                   transformations=transformations, max_word_share=max_word_share)
        for i, text in zip(chosen, edited):
            out[i] = text
    return out


def word_edit_noise(settings: TrainingSettings):
    """The trainer's per-epoch reading of its texts (``epoch_word_edits`` with ``settings``), or
    None when ``training.word_edit_share`` is 0."""
    if settings.word_edit_share <= 0:
        return None
    return functools.partial(epoch_word_edits, share=settings.word_edit_share,
                             max_word_share=settings.word_edit_max_share,
                             transformations=tuple(settings.word_edit_transformations), seed=settings.seed)


def epoch_obfuscations(texts: Sequence[str], labels: Sequence[int], epoch: int, *, share: float,
                       strategies: Sequence[str], seed: int) -> list[str]:
    """How the training texts read in ``epoch``: ``share`` of each class (the same share, so an
    obfuscation says nothing about the label), drawn afresh per epoch, through one content-preserving
    strategy each, picked at random with fresh keys; the others (and any the strategy leaves
    unchanged) as they are. Every text is read clean in some epochs and obfuscated in others."""
    rng = random.Random(f"obfuscations:{seed}:{epoch}")
    out = list(texts)
    for label in sorted(set(int(x) for x in labels)):
        members = [i for i, x in enumerate(labels) if int(x) == label]
        chosen = sorted(rng.sample(members, round(share * len(members))))
        by_strategy: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for i in chosen:
            by_strategy[rng.choice(list(strategies))].append((str(i), out[i]))
        for name in sorted(by_strategy):
            for variant in generate_variants(by_strategy[name], [name], seed=seed + epoch):
                out[int(variant.source_id)] = variant.text
    return out


def epoch_obfuscation_strategies(config: PipelineConfig) -> list[str]:
    """The strategies ``training.obfuscation_share`` reads training texts through: the configured
    content-preserving ones whose every step rewrites characters, spacing, case or words in place
    (``is_rewritten_in_place``), less ``augmentation.exclude_families``. Carriers (context_wrap) are
    left out: they lengthen a text past its first window, and the payload of a malicious one would
    then be trained on a window that does not hold it (27 of 100 wrapped bundled attacks)."""
    return [name for name in benign_strategies(config.attack)
            if is_rewritten_in_place(name) and not is_excluded(name, config.augmentation.exclude_families)]


def training_noise(config: PipelineConfig):
    """The trainer's per-epoch reading of its texts (``trainer.EpochTexts``): obfuscations
    (``training.obfuscation_share``), then word edits (``training.word_edit_share``); None when
    both are off."""
    steps = []
    if config.training.obfuscation_share > 0:
        steps.append(functools.partial(epoch_obfuscations, share=config.training.obfuscation_share,
                                       strategies=tuple(epoch_obfuscation_strategies(config)),
                                       seed=config.training.seed))
    edits = word_edit_noise(config.training)
    if edits is not None:
        steps.append(edits)
    return functools.partial(_in_turn, steps=tuple(steps)) if steps else None


def _in_turn(texts: Sequence[str], labels: Sequence[int], epoch: int, *, steps) -> list[str]:
    for step in steps:
        texts = step(texts, labels, epoch)
    return list(texts)


def augment_for_config(train: pd.DataFrame, bank: pd.DataFrame, config: PipelineConfig, *,
                       case_sensitive: bool = False) -> pd.DataFrame:
    """The loop's augmented set: the configured strategies make failure variants, only the
    content-preserving ones obfuscate, and ``augmentation.exclude_families`` is held out of both."""
    return build_augmented_dataset(train, bank, selected_strategies(config.attack), config.augmentation,
                                   obfuscations=benign_strategies(config.attack), case_sensitive=case_sensitive)


def class_balance(dataset: pd.DataFrame) -> dict:
    counts = dataset["label"].value_counts().to_dict()
    total = max(len(dataset), 1)
    by_origin = dataset.groupby(["origin", "label"]).size().unstack(fill_value=0)
    return {"n": int(len(dataset)), "benign": int(counts.get(BENIGN, 0)), "malicious": int(counts.get(MALICIOUS, 0)),
            "malicious_share": counts.get(MALICIOUS, 0) / total,
            "by_origin": {origin: {("benign" if int(k) == BENIGN else "malicious"): int(v) for k, v in row.items()}
                          for origin, row in by_origin.iterrows()}}
