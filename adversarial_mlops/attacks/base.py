"""The one base class of every attack strategy, plus helpers the families share.

A strategy is a class: metadata in class attributes, description in the first
docstring line, behaviour in ``_transform``. ``apply(text, rng)`` is the per-text entry
point; it validates input and guarantees a changed output where one is possible.
``apply_many(texts, keys)`` (and ``apply_seeded(text, key)``, a batch of one) generates
keyed variants: output ``i`` depends on ``texts[i]`` and ``keys[i]`` only. Its generic
version runs ``apply`` with a ``random.Random(key)`` per text; a strategy may override
``_apply_keys`` with a vectorised fast path (``batch.BatchStrategy``; composites chain their
steps' batch paths). Such a strategy's ``apply(text, rng)`` is its keyed path with the key
``rng.getrandbits(64)``, so the per-text and the batch behaviour are one implementation.
"""

from __future__ import annotations

import abc
import inspect
import math
import random
import re
from collections.abc import Iterable
from numbers import Integral
from typing import ClassVar

from adversarial_mlops.errors import InvalidInputError

__all__ = ("AttackConfigError", "Strategy", "KeyedStrategy", "FAMILIES", "validate_intensity", "sample_indices",
           "WORD_RE", "check_inputs", "KEY_BITS")

KEY_BITS = 64  # variant keys are integers in [0, 2**64)
_KEY_LIMIT = 1 << KEY_BITS

FAMILIES = ("character", "invisible", "spacing", "case", "encoding", "lexical", "structural", "smuggling", "composite")

# A "word" for word-level perturbations: a run of letters (any script).
WORD_RE = re.compile(r"[^\W\d_]+")


class AttackConfigError(InvalidInputError):
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
        """Return a perturbed copy of ``text``; identical only when unavoidable.

        The template method: inputs are checked here, then the ``_apply_one`` hook perturbs.
        """
        check_inputs(text, rng)
        return self._apply_one(text, rng)

    def _apply_one(self, text: str, rng: random.Random) -> str:
        """Per-text hook: ``_transform`` with up to ``max_attempts`` draws from ``rng``."""
        result = text
        for _ in range(self.max_attempts):
            result = self._transform(text, rng)
            if result != text:
                break
        return result

    def apply_seeded(self, text: str, key: int) -> str:
        """The variant of ``text`` for a 64-bit ``key``; equals ``apply_many([text], [key])[0]``."""
        return self.apply_many([text], [key])[0]

    def apply_many(self, texts: Iterable[str], keys: Iterable[int]) -> list[str]:
        """One perturbed copy per (text, key); each depends on its own text and key only."""
        texts, keys = list(texts), list(keys)
        if len(texts) != len(keys):
            raise ValueError(f"got {len(texts)} texts but {len(keys)} keys")
        # Fast checks first (C loops); the slow ones only to name the offending item.
        if not (set(map(type, texts)) <= {str} and all(texts)):
            for text in texts:
                _check_text(text)
        if keys and not (set(map(type, keys)) == {int} and 0 <= min(keys) and max(keys) < _KEY_LIMIT):
            for key in keys:
                _check_key(key)
            keys = [int(key) for key in keys]
        return self._apply_keys(texts, keys)

    def _apply_keys(self, texts: list[str], keys: list[int]) -> list[str]:
        """Generic batch path: each text through ``apply`` with ``random.Random(key)``.

        Strategies with a vectorised implementation override this (inputs are validated).
        """
        return [self._apply_one(text, random.Random(key)) for text, key in zip(texts, keys)]

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


class KeyedStrategy(Strategy):
    """A strategy whose variants are computed from 64-bit keys, many texts at a time.

    Subclasses implement ``_attempt(texts, keys, attempt)``: one try over a batch, where
    ``attempt`` selects fresh draws. The per-text path is a batch of one keyed with
    ``rng.getrandbits(64)``, so both paths run the same code.
    """

    def _apply_one(self, text: str, rng: random.Random) -> str:
        return self._apply_keys([text], [rng.getrandbits(KEY_BITS)])[0]

    def _transform(self, text: str, rng: random.Random) -> str:
        return self._attempt([text], [rng.getrandbits(KEY_BITS)], 0)[0]

    def _apply_keys(self, texts: list[str], keys: list[int]) -> list[str]:
        out = self._attempt(texts, keys, 0)
        # As Strategy._apply_one: an unchanged result is retried with fresh draws, all misses of
        # the batch at once.
        for attempt in range(1, self.max_attempts):
            redo = [i for i, (new, old) in enumerate(zip(out, texts)) if new == old]
            if not redo:
                break
            for i, new in zip(redo, self._attempt([texts[i] for i in redo], [keys[i] for i in redo], attempt)):
                out[i] = new
        return out

    @abc.abstractmethod
    def _attempt(self, texts: list[str], keys: list[int], attempt: int) -> list[str]:
        """One try at perturbing every text; ``attempt`` > 0 must draw afresh."""


def check_inputs(text: object, rng: object) -> None:
    """Raise TypeError/ValueError unless ``text`` is a non-empty str and ``rng`` a Random."""
    _check_text(text)
    if not isinstance(rng, random.Random):
        raise TypeError(f"rng must be random.Random, got {type(rng).__name__}")


def _check_text(text: object) -> None:
    if not isinstance(text, str):
        raise TypeError(f"text must be str, got {type(text).__name__}")
    if not text:
        raise ValueError("text must be a non-empty string")


def _check_key(key: object) -> None:
    if isinstance(key, bool) or not isinstance(key, Integral):
        raise TypeError(f"key must be an int, got {type(key).__name__}")
    if not 0 <= int(key) < 1 << KEY_BITS:
        raise ValueError(f"key must be in the range 0 <= key < 2**{KEY_BITS}, got {key!r}")
