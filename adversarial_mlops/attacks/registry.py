"""Strategy discovery, lookup, and deterministic variant generation.

Strategies are discovered, never hand-listed: every module of this package is
scanned for concrete ``Strategy`` subclasses that declare their own ``name``.
Adding a strategy means adding a class; nothing here changes.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import inspect
import pkgutil
import random
from collections.abc import Sequence
from dataclasses import dataclass

from adversarial_mlops.attacks.base import AttackConfigError, Strategy

__all__ = [
    "Variant",
    "available_strategies",
    "strategy_names",
    "get_strategy",
    "describe_strategies",
    "variant_rng",
    "generate_variants",
]

# Modules holding infrastructure rather than strategies.
_NOT_STRATEGY_MODULES = frozenset({"base", "registry"})


@dataclass(frozen=True)
class Variant:
    """One adversarial rewrite of a source text, with everything needed to redo it."""

    source_id: str
    strategy: str
    family: str
    params: dict
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


def describe_strategies() -> list[tuple[str, str, str]]:
    """(name, family, one-line description) per strategy, for ``attack --list``."""
    return [(cls.name, cls.family, cls.description()) for cls in _discover()]


def variant_rng(seed: int, strategy: str, source_id: str, index: int = 0) -> random.Random:
    """A Random seeded from sha256 of the parts: identical in every process.

    Python's ``hash()`` is salted per process, so it must never feed a seed.
    """
    # A separator that cannot appear in the decimal ints keeps ("a:b", "c")
    # and ("a", "b:c") apart; the lengths make it unambiguous for strings too.
    parts = (str(seed), strategy, source_id, str(index))
    key = "\x1f".join(f"{len(part)}:{part}" for part in parts)
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return random.Random(int.from_bytes(digest[:16], "big"))


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
    typo fails before any work is done.
    """
    if isinstance(variants_per_strategy, bool) or not isinstance(variants_per_strategy, int) or variants_per_strategy < 1:
        raise AttackConfigError(f"variants_per_strategy must be an integer >= 1, got {variants_per_strategy!r}")
    strategies = [get_strategy(name, intensity) for name in strategy_names]
    variants = []
    for source_id, text in sources:
        if not text:
            continue
        for strategy in strategies:
            variants.extend(_variants_for(strategy, source_id, text, seed, variants_per_strategy))
    return variants


def _variants_for(strategy: Strategy, source_id: str, text: str, seed: int, count: int) -> list[Variant]:
    out = []
    for index in range(count):
        rewritten = strategy.apply(text, variant_rng(seed, strategy.name, source_id, index))
        if rewritten != text:
            out.append(
                Variant(
                    source_id=source_id,
                    strategy=strategy.name,
                    family=strategy.family,
                    params=strategy.params(),
                    seed=seed,
                    index=index,
                    text=rewritten,
                    variant_id=f"{source_id}:{strategy.name}:{seed}:{index}",
                )
            )
    return out
