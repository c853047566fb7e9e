"""Character-level attacks: swap individual characters for lookalikes or typos.

All five run vectorised over a batch (``batch.BatchStrategy``): eligible characters are found
with per-code-point tables, ``intensity`` share of them is chosen per text (at least one), and
the replacements, insertions and deletions are applied to the batch's code-point array.
"""

from __future__ import annotations

import functools
import string
import unicodedata
from collections.abc import Mapping
from types import MappingProxyType

import numpy as np

from adversarial_mlops.attacks.base import WORD_RE
from adversarial_mlops.attacks.batch import (COUNT, EDIT, NEAR, PICK, POSITION, BatchStrategy, CharBatch, CodeTable,
                                             SubstitutionStrategy, TableSubstitution, below, options_table)

_ASCII_ALNUM = frozenset(string.ascii_letters + string.digits)


@functools.lru_cache(maxsize=1)
def homoglyph_table() -> dict[str, tuple[str, ...]]:
    """ASCII letter/digit -> visible Unicode confusables whose skeleton is that letter.

    A candidate must be listed as confusable with some ASCII letter/digit in the
    Unicode confusables data, and it is filed under its skeleton (NFKC + prototype
    fold) rather than under that data entry: the data is ambiguous for a few glyphs
    (Greek Iota is listed under "l" only), and a substitution must never turn one
    letter into another.
    """
    # Lazy import: normalization loads its own tables only when first used.
    from adversarial_mlops.models.normalization import normalize_text

    table: dict[str, set[str]] = {}
    for glyph in _glyphs_confusable_with_ascii():
        target = normalize_text(glyph)
        if target in _ASCII_ALNUM:
            table.setdefault(target, set()).add(glyph)
    return {char: tuple(sorted(glyphs)) for char, glyphs in sorted(table.items())}


def _glyphs_confusable_with_ascii() -> set[str]:
    """Visible non-ASCII glyphs the Unicode data pairs with an ASCII letter/digit."""
    # Lazy import: the package parses a 1 MB JSON file at import time.
    from confusable_homoglyphs import confusables

    glyphs = set()
    for key, entries in confusables.confusables_data.items():
        for entry in entries:
            # RTL glyphs are wrapped in LEFT-TO-RIGHT MARKs for display; drop them.
            other = entry["c"].replace("\u200e", "")
            glyphs.update(g for a, g in ((key, other), (other, key)) if a in _ASCII_ALNUM and _is_visible_single(g))
    return glyphs


def _is_visible_single(glyph: str) -> bool:
    return len(glyph) == 1 and not glyph.isascii() and unicodedata.category(glyph)[0] in "LNS"



@functools.lru_cache(maxsize=1)
def _homoglyph_options():
    return options_table(homoglyph_table())


class Homoglyph(TableSubstitution):
    """Replace letters with Unicode lookalikes (Cyrillic, Greek, math alphanumerics)."""

    name = "homoglyph"
    family = "character"

    def _options(self):
        return _homoglyph_options()


_LEET: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "a": ("4", "@"),
    "b": ("8",),
    "e": ("3",),
    "g": ("9", "6"),
    "i": ("1", "!"),
    "l": ("1", "|"),
    "o": ("0",),
    "s": ("5", "$"),
    "t": ("7", "+"),
    "z": ("2",),
})


@functools.lru_cache(maxsize=1)
def _leet_options():
    _, starts, counts, flat = options_table(_LEET)
    index = {key: i + 1 for i, key in enumerate(sorted(_LEET))}
    # Filed under the lower-case form, as "A" -> "4".
    return CodeTable(lambda ch: index.get(ch.lower(), 0)), starts, counts, flat


class Leetspeak(TableSubstitution):
    """Replace letters with look-alike digits and symbols (l33tsp34k)."""

    name = "leetspeak"
    family = "character"

    def _options(self):
        return _leet_options()


# ASCII '!'..'~' sit at a fixed offset from the fullwidth block U+FF01..U+FF5E.
_FULLWIDTH_OFFSET = 0xFF01 - 0x21


class Fullwidth(SubstitutionStrategy):
    """Replace ASCII characters with their fullwidth forms (ｉｇｎｏｒｅ)."""

    name = "fullwidth"
    family = "character"

    def _eligible(self, codes: np.ndarray) -> np.ndarray:
        return (codes >= 0x21) & (codes <= 0x7E)

    def _replacements(self, codes: np.ndarray, u: np.ndarray) -> np.ndarray:
        return codes + np.uint32(_FULLWIDTH_OFFSET)


# U+0300..U+036F minus the grapheme joiner (U+034F), which renders nothing.
_COMBINING_MARKS = tuple(chr(cp) for cp in range(0x0300, 0x0370) if cp != 0x034F)
_MARK_CODES = np.array([ord(mark) for mark in _COMBINING_MARKS], dtype=np.uint32)
_IS_ALPHA = CodeTable(str.isalpha)


class Diacritics(BatchStrategy):
    """Stack combining diacritical marks on letters (zalgo-lite)."""

    name = "diacritics"
    family = "character"

    def _transform_many(self, batch: CharBatch, attempt: int) -> list[str]:
        chosen, owner, local = batch.choose_chars(_IS_ALPHA.mask(batch.points), self.intensity, attempt)
        # Higher intensity also means taller stacks, up to 3 marks per letter.
        max_marks = 1 + round(2 * self.intensity)
        marks = 1 + below(batch.draws(owner, local, COUNT, attempt), max_marks)
        # Mark j on a letter uses counter 4 * offset + j: unique per text (j < 4).
        item = np.repeat(np.arange(len(chosen)), marks)
        j = np.arange(len(item)) - np.repeat(np.cumsum(marks) - marks, marks)
        u = batch.draws(owner[item], local[item] * 4 + j, PICK, attempt)
        return batch.rebuild(ins_at=chosen[item] + 1, ins_val=_MARK_CODES[below(u, len(_MARK_CODES))],
                             ins_owner=owner[item])


_QWERTY_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


@functools.lru_cache(maxsize=1)
def qwerty_neighbours() -> dict[str, str]:
    """Lower-case letter -> letters adjacent on a QWERTY keyboard."""
    # Treating rows as aligned (they are staggered by about half a key) gives
    # each key its left/right keys and up to three keys above and below.
    position = {key: (row, col) for row, keys in enumerate(_QWERTY_ROWS) for col, key in enumerate(keys)}

    def adjacent(a: str, b: str) -> bool:
        (ra, ca), (rb, cb) = position[a], position[b]
        return a != b and abs(ra - rb) <= 1 and abs(ca - cb) <= 1

    return {key: "".join(sorted(other for other in position if adjacent(key, other))) for key in position}


@functools.lru_cache(maxsize=1)
def _neighbour_options():
    _, starts, counts, flat = options_table(qwerty_neighbours())
    index = {key: i + 1 for i, key in enumerate(sorted(qwerty_neighbours()))}
    # Keyed by the lower-case form; a typo of an upper-case letter is upper-case.
    return CodeTable(lambda ch: index.get(ch.lower(), 0)), starts, counts, flat


_IS_WORD_LETTER = CodeTable(lambda ch: WORD_RE.fullmatch(ch) is not None)
_IS_UPPER = CodeTable(str.isupper)
_SWAP, _INSERT, _DELETE, _SUBSTITUTE = range(4)


class KeyboardTypo(BatchStrategy):
    """Introduce realistic typos: swap, insert, delete or substitute QWERTY neighbours."""

    name = "keyboard_typo"
    family = "character"
    default_intensity = 0.2
    chunk_scale = 4  # words are sparse: bigger chunks amortise the per-call cost (measured)

    def _transform_many(self, batch: CharBatch, attempt: int) -> list[str]:
        codes = batch.points
        # Words (runs of WORD_RE letters) of 2+ letters: a typo in a single letter reads as a
        # different word. Runs never cross a text boundary.
        letter = _IS_WORD_LETTER.mask(codes)
        step = np.diff(letter.view(np.int8), prepend=np.int8(0), append=np.int8(0))
        word_start, word_end = np.flatnonzero(step == 1), np.flatnonzero(step == -1)
        # A run that goes on from one text into the next is two words: split it at the boundary.
        inner = batch.starts[1:]
        joined = inner[letter[inner - 1] & letter[inner]]
        if len(joined):
            word_start = np.sort(np.concatenate([word_start, joined]))
            word_end = np.sort(np.concatenate([word_end, joined]))
        word_len = word_end - word_start
        long_enough = word_len >= 2
        word_start, word_len = word_start[long_enough], word_len[long_enough]
        owner = batch.owner_of(word_start)
        local = word_start - batch.starts[owner]
        chosen = batch.choose(owner, local, self.intensity, attempt)
        word_start, word_len, owner, local = word_start[chosen], word_len[chosen], owner[chosen], local[chosen]

        # One typo per chosen word: an edit kind, a position and a neighbouring key, all drawn.
        u_edit, u_position, u_near = batch.draws_for(owner, local, (EDIT, POSITION, NEAR), attempt)
        edit = below(u_edit, 4)
        at = word_start + below(u_position, word_len)
        char = codes[at]
        has_next = at + 1 < word_start + word_len
        following = codes[at + has_next]  # the next letter, or the letter itself at a word's end
        swap = (edit == _SWAP) & has_next & (char != following)
        delete = (edit == _DELETE) & (word_len >= 3)
        # Everything else (and a swap or delete that cannot apply) types a neighbouring key.
        table, starts, counts, flat = _neighbour_options()
        kind = table(char).astype(np.intp)
        typed = ~swap & ~delete & (counts[kind] > 0)
        near = flat[starts[kind] + below(u_near, np.maximum(counts[kind], 1))]
        near = np.where(_IS_UPPER.mask(char), near - np.uint32(32), near)  # ASCII lower -> upper
        insert = typed & (edit == _INSERT)
        substitute = typed & (edit != _INSERT)
        return batch.rebuild(
            sub_pos=np.concatenate([at[swap], at[swap] + 1, at[substitute]]),
            sub_val=np.concatenate([following[swap], char[swap], near[substitute]]),
            del_pos=at[delete],
            ins_at=at[insert] + 1,
            ins_val=near[insert],
            ins_owner=owner[insert],
        )
