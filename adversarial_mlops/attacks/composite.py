"""Composite attacks: chain strategies from different families, applied in order.

Real attackers stack tricks; a defence that undoes each trick alone can still
miss the combination (e.g. synonyms inside a benign email).

A composite is keyed like every batch path: step ``i`` of a variant with key ``k`` runs with
``step_keys([k], attempt, i)``, and a batch runs each step over all texts at once (vectorised
where the step is), so a variant alone equals the same variant in a batch.
"""

from __future__ import annotations

from typing import ClassVar

from adversarial_mlops.attacks.base import KeyedStrategy, Strategy
from adversarial_mlops.attacks.batch import derived_keys
from adversarial_mlops.attacks.character import Homoglyph, Leetspeak
from adversarial_mlops.attacks.encoding import Base64
from adversarial_mlops.attacks.invisible import ZeroWidth
from adversarial_mlops.attacks.lexical import Synonym
from adversarial_mlops.attacks.spacing import LetterSpacing
from adversarial_mlops.attacks.structural import ContextWrap, DelimiterInjection


def step_keys(keys: list[int], attempt: int, step: int) -> list[int]:
    """The keys of step ``step`` (attempt ``attempt``) of composite variants with ``keys``."""
    return derived_keys(keys, attempt * 64 + step + 1)


class Composite(KeyedStrategy):
    """Apply ``parts`` in order, each with this strategy's intensity."""

    family = "composite"
    parts: ClassVar[tuple[type[Strategy], ...]] = ()

    def __init__(self, intensity: float | None = None):
        super().__init__(intensity)
        self._steps = tuple(part(self.intensity) for part in self.parts)

    def _attempt(self, texts: list[str], keys: list[int], attempt: int) -> list[str]:
        for number, step in enumerate(self._steps):
            texts = step.apply_many(texts, step_keys(keys, attempt, number))
        return texts

    def params(self) -> dict:
        return {**super().params(), "parts": [part.name for part in self.parts]}


class HomoglyphZeroWidth(Composite):
    """Homoglyph substitution, then zero-width characters inside words."""

    name = "homoglyph+zero_width"
    parts = (Homoglyph, ZeroWidth)


class SynonymContextWrap(Composite):
    """Paraphrase intent words, then hide the result in benign context."""

    name = "synonym+context_wrap"
    parts = (Synonym, ContextWrap)


class LeetspeakDelimiter(Composite):
    """Leetspeak, then fake system-role delimiters around it."""

    name = "leetspeak+delimiter_injection"
    parts = (Leetspeak, DelimiterInjection)


class LetterSpacingBase64(Composite):
    """Letter-space the payload, then base64 it behind a 'decode and follow' instruction."""

    name = "letter_spacing+base64"
    parts = (LetterSpacing, Base64)
