"""The one base class of every attack strategy, plus helpers the families share.

A strategy is a class: metadata in class attributes, description in the first
docstring line, behaviour in ``_transform``. ``apply`` is the only public entry
point; it validates input and guarantees a changed output where one is possible.
"""

from __future__ import annotations

import abc
import inspect
import math
import random
import re
from typing import ClassVar

__all__ = ["AttackConfigError", "Strategy", "FAMILIES", "validate_intensity", "sample_indices", "WORD_RE"]

FAMILIES = ("character", "invisible", "spacing", "case", "encoding", "lexical", "structural", "composite")

# A "word" for word-level perturbations: a run of letters (any script).
WORD_RE = re.compile(r"[^\W\d_]+")


class AttackConfigError(ValueError):
    """A strategy name or parameter is invalid; the message lists what is valid."""


def validate_intensity(value: object) -> float:
    """Return ``value`` as a float in (0, 1] or raise AttackConfigError."""
    # bool is an int subclass; "intensity=True" is a caller bug, not 1.0.
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise AttackConfigError(f"intensity must be a number in the range 0 < intensity <= 1, got {value!r}")
    if math.isnan(value) or not 0 < value <= 1:
        raise AttackConfigError(f"intensity must be in the range 0 < intensity <= 1, got {value!r}")
    return float(value)


def sample_indices(rng: random.Random, n: int, intensity: float) -> list[int]:
    """Pick ``intensity`` share of ``range(n)`` (at least one), sorted."""
    if n <= 0:
        return []
    k = min(n, max(1, round(n * intensity)))
    return sorted(rng.sample(range(n), k))


class Strategy(abc.ABC):
    """Base class of all attack strategies."""

    name: ClassVar[str]
    family: ClassVar[str]
    default_intensity: ClassVar[float] = 0.3
    # A hook may miss by chance (a typo swapping two equal letters); a few more
    # draws from the same rng keep the output deterministic and usually changed.
    max_attempts: ClassVar[int] = 3

    def __init__(self, intensity: float | None = None):
        self.intensity = validate_intensity(self.default_intensity if intensity is None else intensity)

    def apply(self, text: str, rng: random.Random) -> str:
        """Return a perturbed copy of ``text``; identical only when unavoidable."""
        _check_inputs(text, rng)
        result = text
        for _ in range(self.max_attempts):
            result = self._transform(text, rng)
            if result != text:
                break
        return result

    @abc.abstractmethod
    def _transform(self, text: str, rng: random.Random) -> str:
        """Perturb ``text`` using only ``rng`` for randomness."""

    def params(self) -> dict:
        """Parameters recorded with each variant, enough to reproduce it."""
        return {"intensity": self.intensity}

    @classmethod
    def description(cls) -> str:
        """First line of the class docstring."""
        doc = inspect.getdoc(cls) or ""
        return doc.strip().splitlines()[0] if doc.strip() else ""

    def __repr__(self) -> str:
        args = ", ".join(f"{key}={value!r}" for key, value in self.params().items())
        return f"{type(self).__name__}({args})"


def _check_inputs(text: object, rng: object) -> None:
    if not isinstance(text, str):
        raise TypeError(f"text must be str, got {type(text).__name__}")
    if not text:
        raise ValueError("text must be a non-empty string")
    if not isinstance(rng, random.Random):
        raise TypeError(f"rng must be random.Random, got {type(rng).__name__}")
