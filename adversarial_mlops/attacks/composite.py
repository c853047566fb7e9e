"""Composite attacks: chain strategies from different families, applied in order.

Real attackers stack tricks; a defence that undoes each trick alone can still
miss the combination (e.g. synonyms inside a benign email).

A composite is keyed like every batch path: step ``i`` of a variant with key ``k`` runs with
``step_key(k, attempt, i)``, and a batch runs each step over all texts at once (vectorised
where the step is), so a variant alone equals the same variant in a batch.
"""

from __future__ import annotations

import random
from typing import ClassVar

from adversarial_mlops.attacks.base import Strategy, check_inputs
from adversarial_mlops.attacks.character import Homoglyph, Leetspeak
from adversarial_mlops.attacks.encoding import Base64
from adversarial_mlops.attacks.invisible import ZeroWidth
from adversarial_mlops.attacks.lexical import Synonym
from adversarial_mlops.attacks.spacing import LetterSpacing
from adversarial_mlops.attacks.structural import ContextWrap, DelimiterInjection


_MASK64 = (1 << 64) - 1


def step_key(key: int, attempt: int, step: int) -> int:
    """The key of step ``step`` (attempt ``attempt``) of a composite variant with ``key``."""
    z = (key + (attempt * 64 + step + 1) * 0x9E3779B97F4A7C15) & _MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
    return z ^ (z >> 31)


class Composite(Strategy):
    """Apply ``parts`` in order, each with this strategy's intensity."""

    family = "composite"
    parts: ClassVar[tuple[type[Strategy], ...]] = ()

    def __init__(self, intensity: float | None = None):
        super().__init__(intensity)
        self._steps = tuple(part(self.intensity) for part in self.parts)

    def apply(self, text: str, rng: random.Random) -> str:
        check_inputs(text, rng)
        return self._apply_keys([text], [rng.getrandbits(64)])[0]

    def _transform(self, text: str, rng: random.Random) -> str:
        return self._chain([text], [rng.getrandbits(64)], 0)[0]

    def _apply_keys(self, texts: list[str], keys: list[int]) -> list[str]:
        out = self._chain(texts, keys, 0)
        # As Strategy.apply: an unchanged result is retried with fresh keys.
        for attempt in range(1, self.max_attempts):
            redo = [i for i, (new, old) in enumerate(zip(out, texts)) if new == old]
            if not redo:
                break
            again = self._chain([texts[i] for i in redo], [keys[i] for i in redo], attempt)
            for i, new in zip(redo, again):
                out[i] = new
        return out

    def _chain(self, texts: list[str], keys: list[int], attempt: int) -> list[str]:
        for number, step in enumerate(self._steps):
            texts = step.apply_many(texts, [step_key(key, attempt, number) for key in keys])
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
