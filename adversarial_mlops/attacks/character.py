"""Character-level attacks: swap individual characters for lookalikes or typos."""

from __future__ import annotations

import functools
import random
import string
import unicodedata
from collections.abc import Callable
from typing import ClassVar

from adversarial_mlops.attacks.base import WORD_RE, Strategy, sample_indices

_ASCII_ALNUM = frozenset(string.ascii_letters + string.digits)


def _replace_at(text: str, positions: list[int], pick: Callable[[str], str]) -> str:
    chars = list(text)
    for pos in positions:
        chars[pos] = pick(chars[pos])
    return "".join(chars)


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
    from adversarial_mlops.normalization import normalize_text

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


class Homoglyph(Strategy):
    """Replace letters with Unicode lookalikes (Cyrillic, Greek, math alphanumerics)."""

    name = "homoglyph"
    family = "character"

    def _transform(self, text: str, rng: random.Random) -> str:
        table = homoglyph_table()
        eligible = [i for i, ch in enumerate(text) if ch in table]
        chosen = [eligible[i] for i in sample_indices(rng, len(eligible), self.intensity)]
        return _replace_at(text, chosen, lambda ch: rng.choice(table[ch]))


_LEET: dict[str, tuple[str, ...]] = {
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
}


class Leetspeak(Strategy):
    """Replace letters with look-alike digits and symbols (l33tsp34k)."""

    name = "leetspeak"
    family = "character"

    def _transform(self, text: str, rng: random.Random) -> str:
        eligible = [i for i, ch in enumerate(text) if ch.lower() in _LEET]
        chosen = [eligible[i] for i in sample_indices(rng, len(eligible), self.intensity)]
        return _replace_at(text, chosen, lambda ch: rng.choice(_LEET[ch.lower()]))


# ASCII '!'..'~' sit at a fixed offset from the fullwidth block U+FF01..U+FF5E.
_FULLWIDTH_OFFSET = 0xFF01 - 0x21


class Fullwidth(Strategy):
    """Replace ASCII characters with their fullwidth forms (ｉｇｎｏｒｅ)."""

    name = "fullwidth"
    family = "character"

    def _transform(self, text: str, rng: random.Random) -> str:
        eligible = [i for i, ch in enumerate(text) if "!" <= ch <= "~"]
        chosen = [eligible[i] for i in sample_indices(rng, len(eligible), self.intensity)]
        return _replace_at(text, chosen, lambda ch: chr(ord(ch) + _FULLWIDTH_OFFSET))


# U+0300..U+036F minus the grapheme joiner (U+034F), which renders nothing.
_COMBINING_MARKS = tuple(chr(cp) for cp in range(0x0300, 0x0370) if cp != 0x034F)


class Diacritics(Strategy):
    """Stack combining diacritical marks on letters (zalgo-lite)."""

    name = "diacritics"
    family = "character"

    def _transform(self, text: str, rng: random.Random) -> str:
        eligible = [i for i, ch in enumerate(text) if ch.isalpha()]
        chosen = [eligible[i] for i in sample_indices(rng, len(eligible), self.intensity)]
        # Higher intensity also means taller stacks, up to 3 marks per letter.
        max_marks = 1 + round(2 * self.intensity)
        return _replace_at(text, chosen, lambda ch: ch + self._marks(rng, max_marks))

    @staticmethod
    def _marks(rng: random.Random, max_marks: int) -> str:
        return "".join(rng.choice(_COMBINING_MARKS) for _ in range(rng.randint(1, max_marks)))


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


def _match_case(template: str, ch: str) -> str:
    return ch.upper() if template.isupper() else ch


class KeyboardTypo(Strategy):
    """Introduce realistic typos: swap, insert, delete or substitute QWERTY neighbours."""

    name = "keyboard_typo"
    family = "character"
    default_intensity = 0.2
    _edits: ClassVar[tuple[str, ...]] = ("swap", "insert", "delete", "substitute")

    def _transform(self, text: str, rng: random.Random) -> str:
        # Words of 2+ letters: a typo in a single letter reads as a different word.
        spans = [m.span() for m in WORD_RE.finditer(text) if m.end() - m.start() >= 2]
        chosen = [spans[i] for i in sample_indices(rng, len(spans), self.intensity)]
        # Edit right-to-left so earlier spans keep their offsets.
        for start, end in reversed(chosen):
            text = text[:start] + self._typo(text[start:end], rng) + text[end:]
        return text

    def _typo(self, word: str, rng: random.Random) -> str:
        edit = rng.choice(self._edits)
        pos = rng.randrange(len(word))
        if edit == "swap" and pos + 1 < len(word) and word[pos] != word[pos + 1]:
            return word[:pos] + word[pos + 1] + word[pos] + word[pos + 2 :]
        if edit == "delete" and len(word) >= 3:
            return word[:pos] + word[pos + 1 :]
        near = qwerty_neighbours().get(word[pos].lower())
        if not near:
            return word
        typo = _match_case(word[pos], rng.choice(near))
        if edit == "insert":
            return word[: pos + 1] + typo + word[pos + 1 :]
        return word[:pos] + typo + word[pos + 1 :]
