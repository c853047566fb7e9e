"""Invisible-character attacks: insert code points that render as nothing.

They split tokens for the classifier's tokenizer while the text looks unchanged
to a human (and to the LLM behind the classifier, which mostly ignores them).
All four run vectorised over a batch (``batch.BatchStrategy``).
"""

from __future__ import annotations

import functools
from typing import ClassVar

import numpy as np

from adversarial_mlops.attacks.batch import COIN, COUNT, PICK, BatchStrategy, CharBatch, CodeTable, below

_IS_ALNUM = CodeTable(str.isalnum)


def insertion_points(text: str) -> list[int]:
    """Offsets strictly inside words; any offset if the text has no such gap."""
    inside = [i for i in range(1, len(text)) if text[i - 1].isalnum() and text[i].isalnum()]
    return inside or list(range(len(text) + 1))


def _insertion_points(batch: CharBatch) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``insertion_points`` of every text: (global offset to insert before, text, offset in text),
    in text order."""
    alnum = _IS_ALNUM.mask(batch.points)
    gap = np.zeros_like(alnum)
    gap[1:] = alnum[1:] & alnum[:-1]
    gap[batch.starts] = False  # offset 0 of a text is not inside a word
    at = np.flatnonzero(gap)
    owner = batch.owner[at]
    none = np.flatnonzero(np.bincount(owner, minlength=batch.n) == 0)
    if len(none):
        # No gap inside a word: every offset 0..len (len appends) qualifies.
        sizes = batch.lengths[none] + 1
        extra_owner = np.repeat(none, sizes)
        extra_local = np.arange(len(extra_owner)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        owner = np.concatenate([owner, extra_owner])
        at = np.concatenate([at, batch.starts[extra_owner] + extra_local])
        order = np.lexsort((at, owner))
        at, owner = at[order], owner[order]
    return at, owner, at - batch.starts[owner]


@functools.lru_cache(maxsize=None)
def _alphabet_codes(alphabet: tuple[str, ...]) -> np.ndarray:
    return np.array([ord(ch) for ch in alphabet], dtype=np.uint32)


class _InsertionStrategy(BatchStrategy):
    """Insert characters from ``alphabet`` at ``intensity`` share of the in-word gaps."""

    family = "invisible"
    alphabet: ClassVar[tuple[str, ...]] = ()

    def _transform_many(self, batch: CharBatch, attempt: int) -> list[str]:
        at, owner, local = _insertion_points(batch)
        chosen = batch.choose(owner, local, self.intensity, attempt)
        at, owner, local = at[chosen], owner[chosen], local[chosen]
        sizes, values = self._fillers(batch, owner, local, attempt)
        return batch.rebuild(ins_at=np.repeat(at, sizes), ins_val=values, ins_owner=np.repeat(owner, sizes))

    def _fillers(self, batch: CharBatch, owner: np.ndarray, local: np.ndarray,
                 attempt: int) -> tuple[np.ndarray, np.ndarray]:
        """(characters per chosen point, their code points in order); default: one from ``alphabet``."""
        codes = _alphabet_codes(self.alphabet)
        return np.ones(len(owner), dtype=np.int64), codes[below(batch.draws(owner, local, PICK, attempt), len(codes))]


class ZeroWidth(_InsertionStrategy):
    """Insert zero-width characters (ZWSP, ZWNJ, ZWJ, word joiner) inside words."""

    name = "zero_width"
    alphabet = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff")


class UnicodeTags(_InsertionStrategy):
    """Insert invisible Unicode tag characters (U+E0000 block, 'ASCII smuggling')."""

    name = "unicode_tags"
    # Tag versions of printable ASCII: an invisible copy of text an LLM may read.
    alphabet = tuple(chr(0xE0000 + cp) for cp in range(0x20, 0x7F))

    def _fillers(self, batch, owner, local, attempt):
        # Short tag runs (1-4) look like smuggled words rather than single stray marks.
        sizes = 1 + below(batch.draws(owner, local, COUNT, attempt), 4)
        item = np.repeat(np.arange(len(owner)), sizes)
        j = np.arange(len(item)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        codes = _alphabet_codes(self.alphabet)
        u = batch.draws(owner[item], local[item] * 4 + j, PICK, attempt)
        return sizes, codes[below(u, len(codes))]


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

    def _fillers(self, batch, owner, local, attempt):
        # Half the points get one mark, half a balanced pair.
        paired = below(batch.draws(owner, local, COIN, attempt), 2) == 1
        pick = batch.draws(owner, local, PICK, attempt)
        single = _alphabet_codes(self.alphabet)[below(pick, len(self.alphabet))]
        pairs = np.array([[ord(a), ord(b)] for a, b in self.pairs], dtype=np.uint32)[below(pick, len(self.pairs))]
        sizes = np.where(paired, 2, 1)
        values = np.stack([np.where(paired, pairs[:, 0], single), pairs[:, 1]], axis=1)
        # Row-major flatten, then drop the second column of the single ones.
        keep = np.stack([np.ones(len(owner), dtype=bool), paired], axis=1)
        return sizes, values[keep]
