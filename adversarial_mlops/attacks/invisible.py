"""Invisible-character attacks: insert code points that render as nothing.

They split tokens for the classifier's tokenizer while the text looks unchanged
to a human (and to the LLM behind the classifier, which mostly ignores them).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import ClassVar

from adversarial_mlops.attacks.base import Strategy, sample_indices


def insertion_points(text: str) -> list[int]:
    """Offsets strictly inside words; any offset if the text has no such gap."""
    inside = [i for i in range(1, len(text)) if text[i - 1].isalnum() and text[i].isalnum()]
    return inside or list(range(len(text) + 1))


def insert_invisibles(text: str, rng: random.Random, intensity: float, make: Callable[[random.Random], str]) -> str:
    """Insert ``make(rng)`` at ``intensity`` share of the in-word gaps."""
    points = insertion_points(text)
    chosen = {points[i] for i in sample_indices(rng, len(points), intensity)}
    out = []
    for i, ch in enumerate(text):
        if i in chosen:
            out.append(make(rng))
        out.append(ch)
    if len(text) in chosen:
        out.append(make(rng))
    return "".join(out)


class _InsertionStrategy(Strategy):
    """Insert characters from ``alphabet`` at in-word gaps."""

    family = "invisible"
    alphabet: ClassVar[tuple[str, ...]] = ()

    def _transform(self, text: str, rng: random.Random) -> str:
        return insert_invisibles(text, rng, self.intensity, self._filler)

    def _filler(self, rng: random.Random) -> str:
        return rng.choice(self.alphabet)


class ZeroWidth(_InsertionStrategy):
    """Insert zero-width characters (ZWSP, ZWNJ, ZWJ, word joiner) inside words."""

    name = "zero_width"
    alphabet = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff")


class UnicodeTags(_InsertionStrategy):
    """Insert invisible Unicode tag characters (U+E0000 block, 'ASCII smuggling')."""

    name = "unicode_tags"
    # Tag versions of printable ASCII: an invisible copy of text an LLM may read.
    alphabet = tuple(chr(0xE0000 + cp) for cp in range(0x20, 0x7F))

    def _filler(self, rng: random.Random) -> str:
        # Short tag runs look like smuggled words rather than single stray marks.
        return "".join(rng.choice(self.alphabet) for _ in range(rng.randint(1, 4)))


class VariationSelectors(_InsertionStrategy):
    """Attach invisible variation selectors (VS1-VS16, VS17-VS256) to characters."""

    name = "variation_selectors"
    alphabet = tuple(chr(cp) for cp in range(0xFE00, 0xFE10)) + tuple(chr(cp) for cp in range(0xE0100, 0xE01F0))


class BidiControls(_InsertionStrategy):
    """Insert bidirectional control characters (LRM, RLM, isolates, embeddings) inside words."""

    name = "bidi_controls"
    alphabet = ("\u200e", "\u200f", "\u061c")
    # Paired controls are inserted balanced so the visible order does not change.
    pairs: ClassVar[tuple[tuple[str, str], ...]] = (
        ("\u2066", "\u2069"),  # LRI ... PDI
        ("\u2068", "\u2069"),  # FSI ... PDI
        ("\u202a", "\u202c"),  # LRE ... PDF
    )

    def _filler(self, rng: random.Random) -> str:
        if rng.random() < 0.5:
            return rng.choice(self.alphabet)
        opener, closer = rng.choice(self.pairs)
        return opener + closer
