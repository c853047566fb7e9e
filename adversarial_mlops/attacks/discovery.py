"""Strategy discovery, lookup, and deterministic variant generation.

Strategies are discovered, never hand-listed: every module of this package is
scanned for concrete ``Strategy`` subclasses that declare their own ``name``.
Adding a strategy means adding a class; nothing here changes.

Generation is keyed: variant ``index`` of source ``source_id`` under ``strategy`` and ``seed``
is ``strategy.apply_seeded(text, variant_key(seed, strategy, source_id, index))``.
``generate_variants`` computes the same thing for all sources of a strategy in one
``apply_many`` call (vectorised for the character-level strategies), and
``regenerate_variant`` redoes one variant alone from its record.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import inspect
import pkgutil
import random
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import NamedTuple

from adversarial_mlops.attacks.base import AttackConfigError, Strategy

__all__ = (
    "Variant",
    "available_strategies",
    "strategy_names",
    "get_strategy",
    "describe_strategies",
    "strategy_families",
    "family_names",
    "variant_rng",
    "variant_key",
    "variant_keys",
    "generate_variants",
    "regenerate_variant",
)

# Modules holding infrastructure rather than strategies.
_NOT_STRATEGY_MODULES = frozenset({"adaptive", "base", "batch", "discovery"})  # modules without strategy plug-ins


class Variant(NamedTuple):
    """One adversarial rewrite of a source text, with everything needed to redo it.

    An immutable record (a named tuple: building one costs half as much as a frozen dataclass,
    which matters at hundreds of thousands of variants per second).
    """

    source_id: str
    strategy: str
    family: str
    params: Mapping  # read-only, shared by the variants of one strategy; dict(params) for a copy
    seed: int
    index: int
    text: str
    variant_id: str


def available_strategies() -> list[type[Strategy]]:
    """All discovered strategy classes, sorted by name."""
    return list(_discover())


@functools.lru_cache(maxsize=1)
def _discover() -> tuple[type[Strategy], ...]:
    # Lazy and cached: importing the package must stay cheap (CLI --help).
    package = importlib.import_module(__package__)
    found: dict[str, type[Strategy]] = {}
    for module_info in pkgutil.iter_modules(package.__path__):
        if module_info.name in _NOT_STRATEGY_MODULES:
            continue
        module = importlib.import_module(f"{__package__}.{module_info.name}")
        for cls in _strategies_defined_in(module):
            if cls.name in found:
                raise AttackConfigError(f"duplicate strategy name {cls.name!r}: {found[cls.name]} and {cls}")
            found[cls.name] = cls
    return tuple(found[name] for name in sorted(found))


def _strategies_defined_in(module) -> list[type[Strategy]]:
    # A class counts if it is concrete and names itself; intermediate bases
    # (Composite, EncodingStrategy) declare no name of their own. Checking the
    # defining module avoids counting re-imports (composite.py imports parts).
    return [
        cls
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, Strategy)
        and cls.__module__ == module.__name__
        and "name" in vars(cls)
        and not inspect.isabstract(cls)
    ]


def strategy_names() -> list[str]:
    """Names of all discovered strategies, sorted."""
    return [cls.name for cls in _discover()]


def get_strategy(name: str, intensity: float | None = None) -> Strategy:
    """Instantiate the strategy called ``name``."""
    by_name = {cls.name: cls for cls in _discover()}
    if name not in by_name:
        raise AttackConfigError(f"unknown strategy {name!r}; valid strategies: {', '.join(sorted(by_name))}")
    return by_name[name](intensity)


def strategy_families(name: str) -> frozenset[str]:
    """Every family the strategy ``name`` belongs to.

    A composite records ``family = "composite"`` on its variants, yet it also applies each of its
    parts: "homoglyph+zero_width" is a character *and* an invisible attack. Holding a family out
    of training must hold out the composites that use it too, so membership includes the parts'
    families (recursively, should a composite ever chain composites).
    """
    return _families_of(type(get_strategy(name)))


def _families_of(cls: type[Strategy]) -> frozenset[str]:
    parts = getattr(cls, "parts", ())
    return frozenset({cls.family}).union(*(_families_of(part) for part in parts))


def family_names() -> list[str]:
    """The families of the discovered strategies, sorted (composite included)."""
    return sorted({cls.family for cls in _discover()})


def describe_strategies() -> list[tuple[str, str, str]]:
    """(name, family, one-line description) per strategy, for ``attack --list``."""
    return [(cls.name, cls.family, cls.description()) for cls in _discover()]


def variant_rng(seed: int, strategy: str, source_id: str, index: int = 0) -> random.Random:
    """A Random seeded from sha256 of the parts: identical in every process.

    For per-text searches (``adaptive_attack``); batch generation uses ``variant_key``.
    Python's ``hash()`` is salted per process, so it must never feed a seed.
    """
    digest = hashlib.sha256(_join_parts(str(seed), strategy, source_id, str(index)).encode("utf-8")).digest()
    return random.Random(int.from_bytes(digest[:16], "big"))


def _join_parts(*parts: str) -> str:
    # A separator that cannot appear in the decimal ints keeps ("a:b", "c")
    # and ("a", "b:c") apart; the lengths make it unambiguous for strings too.
    return "\x1f".join(f"{len(part)}:{part}" for part in parts)


def variant_key(seed: int, strategy: str, source_id: str, index: int = 0) -> int:
    """The 64-bit key of one variant: identical in every process.

    A stable hash of ``source_id`` (``batch.source_hashes``) mixed with a hash of (seed,
    strategy, index), so a batch hashes each source once and derives all its keys at once.
    """
    return variant_keys(seed, strategy, [source_id], index)[0]


def variant_keys(seed: int, strategy: str, source_ids: Sequence[str], index: int = 0,
                 hashes=None) -> list[int]:
    """``variant_key`` for many sources (``hashes``: their ``source_hashes``, when known)."""
    from adversarial_mlops.attacks import batch  # numpy: only when generating

    if hashes is None:
        hashes = batch.source_hashes(source_ids)
    return batch.keyed(hashes, _key_context(seed, strategy, index)).tolist()


@functools.lru_cache(maxsize=1024)
def _key_context(seed: int, strategy: str, index: int) -> int:
    parts = _join_parts("variant_key/1", str(seed), strategy, str(index))
    return int.from_bytes(hashlib.blake2b(parts.encode("utf-8"), digest_size=8).digest(), "little")


def generate_variants(
    sources: Sequence[tuple[str, str]],
    strategy_names: Sequence[str],
    *,
    seed: int,
    variants_per_strategy: int = 1,
    intensity: float | None = None,
) -> list[Variant]:
    """One Variant per (source, strategy, index); deterministic for ``seed``.

    Variants whose text equals the source are dropped, and so are empty sources
    (nothing to perturb). Strategy names and parameters are checked up front so a
    typo fails before any work is done. Each strategy runs once per index over all
    sources (``Strategy.apply_many``); every variant equals ``regenerate_variant`` of it.
    """
    if isinstance(variants_per_strategy, bool) or not isinstance(variants_per_strategy, int) or variants_per_strategy < 1:
        raise AttackConfigError(f"variants_per_strategy must be an integer >= 1, got {variants_per_strategy!r}")
    strategies = [get_strategy(name, intensity) for name in strategy_names]
    sources = [(source_id, text) for source_id, text in sources if text]
    if not sources:
        return []
    from adversarial_mlops.attacks import batch  # numpy: only when generating

    ids = [source_id for source_id, _ in sources]
    texts = [text for _, text in sources]
    hashes = batch.source_hashes(ids)
    # outputs[s][i][j]: strategy s, index i, source j.
    outputs = [
        [strategy.apply_many(texts, variant_keys(seed, strategy.name, ids, index, hashes))
         for index in range(variants_per_strategy)]
        for strategy in strategies
    ]
    # Source-major order, as before batching: source, then strategy, then index. One read-only
    # params mapping per strategy, shared by its variants (a dict per variant was 15 % of a pass).
    plan = [(strategy.name, strategy.family, frozen_params(strategy), index, f":{strategy.name}:{seed}:{index}",
             texts_out)
            for strategy, per_index in zip(strategies, outputs) for index, texts_out in enumerate(per_index)]
    variants = []
    append, make = variants.append, Variant._make
    for j, (source_id, text) in enumerate(sources):
        for name, family, params, index, id_suffix, texts_out in plan:
            rewritten = texts_out[j]
            if rewritten != text:
                append(make((source_id, name, family, params, seed, index, rewritten, f"{source_id}{id_suffix}")))
    return variants


def frozen_params(strategy: Strategy) -> Mapping:
    """``strategy.params()`` as a read-only mapping (lists as tuples), safe to share between variants."""
    return MappingProxyType({key: tuple(value) if isinstance(value, list) else value
                             for key, value in strategy.params().items()})


def regenerate_variant(variant: Variant, source_text: str) -> str:
    """Redo one variant alone from its record (strategy, params, seed, source id, index)."""
    strategy = get_strategy(variant.strategy, variant.params["intensity"])
    key = variant_key(variant.seed, variant.strategy, variant.source_id, variant.index)
    return strategy.apply_seeded(source_text, key)
