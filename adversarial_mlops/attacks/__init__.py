"""Adversarial text attacks against a prompt-injection / jailbreak classifier.

Public API: ``Strategy`` (one base class; one module per family), discovery and
lookup (``available_strategies``, ``strategy_names``, ``get_strategy``,
``describe_strategies``) and reproducible generation (``variant_key``,
``generate_variants`` -> ``Variant``, ``regenerate_variant``; ``variant_rng`` for per-text
searches). Strategy modules are imported lazily on the first registry call, so importing
this package is cheap.
"""

from adversarial_mlops.attacks.base import AttackConfigError, Strategy
from adversarial_mlops.attacks.discovery import (
    Variant,
    available_strategies,
    describe_strategies,
    family_names,
    generate_variants,
    get_strategy,
    regenerate_variant,
    strategy_families,
    strategy_names,
    variant_key,
    variant_rng,
)

__all__ = (
    "AttackConfigError",
    "Strategy",
    "Variant",
    "available_strategies",
    "describe_strategies",
    "family_names",
    "generate_variants",
    "get_strategy",
    "regenerate_variant",
    "strategy_families",
    "strategy_names",
    "variant_key",
    "variant_rng",
)
