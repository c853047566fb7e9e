r"""Input normalisation: a cheap defence that undoes most character-level evasion.

``normalize_text`` maps a text to a canonical "skeleton" before it reaches the
classifier, so that ``іgnоrе`` (Cyrillic), ``ｉｇｎｏｒｅ``, ``ig\u200bnore``,
``i\u0334g\u0337n\u0336o\u0338r\u0335e`` and ``i g n o r e`` all read ``ignore``.

Steps, in order (the order is what makes the function idempotent):

0. letter-like symbols to their ASCII letter, found by Unicode name (small capitals, modifier
   letters, regional indicators, parenthesized / circled / squared / negative letters), before
   NFKD would turn ``⒜`` into ``(a)``;
1. NFKD, so compatibility forms (fullwidth, math alphanumerics, ligatures) and
   precomposed accents split into base + combining mark;
2. delete invisible/format characters (Cf: zero-width, word joiner, bidi controls,
   soft hyphen, tag characters), variation selectors, Hangul fillers and the
   script-agnostic combining-diacritic blocks (zalgo lives there);
3. NFKC, to recompose whatever is left (other scripts keep their marks);
4. fold Unicode confusables to their ASCII prototype (data from
   ``confusable_homoglyphs``) and map every whitespace character to a space;
5. join letter-spaced words (``i g n o r e`` -> ``ignore``) and collapse whitespace.

Trade-off: like any UTS #39 skeleton this is lossy for non-Latin text (Cyrillic
``р`` becomes ``p``); it is meant as classifier input, never for display.

All tables are built lazily on first use and cached; ASCII input skips the Unicode
steps entirely, which keeps the common case at a few microseconds per text.
"""

from __future__ import annotations

import functools
import re
import string
import unicodedata
from collections.abc import Iterable, Mapping

__all__ = ("normalize_text", "confusable_to_ascii", "whitespace_chars")

# Combining-mark blocks that carry no script of their own. Indic, Arabic or Hebrew
# marks are *not* stripped: they are meaningful there, and zalgo does not use them.
_DIACRITIC_BLOCKS = (
    (0x0300, 0x036F),  # Combining Diacritical Marks
    (0x0483, 0x0489),  # Cyrillic combining marks
    (0x1AB0, 0x1AFF),  # Combining Diacritical Marks Extended
    (0x1DC0, 0x1DFF),  # Combining Diacritical Marks Supplement
    (0x20D0, 0x20FF),  # Combining Diacritical Marks for Symbols
    (0xFE20, 0xFE2F),  # Combining Half Marks
)
_VARIATION_SELECTORS = ((0xFE00, 0xFE0F), (0xE0100, 0xE01EF))
# Letters (category Lo) that render as nothing; used as "invisible spaces".
_HANGUL_FILLERS = (0x115F, 0x1160, 0x3164, 0xFFA0)
# Format characters live only in these planes (BMP, SMP, SIP, SSP/tags); scanning
# them rather than all 1.1M code points keeps the one-off table build cheap.
_FORMAT_SCAN_RANGES = ((0x0000, 0x2FFFF), (0xE0000, 0xE0FFF))
_ASCII_ALNUM = frozenset(string.ascii_letters + string.digits)

# Runs of >= 3 single ASCII letters separated by exactly one space, bounded by
# a space or the text edge. ASCII only: joining other scripts could create new
# NFKC compositions (Hangul jamo) and break idempotence.
_SPACED_RUN = re.compile(r"(?<![^ ])[A-Za-z](?: [A-Za-z]){2,}(?![^ ])")


def normalize_text(text: str) -> str:
    """Return the canonical skeleton of ``text`` (idempotent)."""
    if not isinstance(text, str):
        raise TypeError(f"normalize_text expects str, got {type(text).__name__}")
    if not text.isascii():
        text = _fold_unicode(text)
    return _normalize_spacing(text)


def _fold_unicode(text: str) -> str:
    # Letter-like symbols first: NFKD would turn a parenthesized letter into "(a)".
    text = text.translate(_letterlike_table())
    text = unicodedata.normalize("NFKD", text).translate(_strip_table())
    text = unicodedata.normalize("NFKC", text)
    return text.translate(_fold_table())


def _normalize_spacing(text: str) -> str:
    # Join before collapsing: a double space is how a letter-spaced word keeps its
    # boundary from the next one ("i g n o r e  a l l" -> "ignore all").
    text = _join_spaced_runs(text.translate(_whitespace_table()))
    # Join again after collapsing so the result is a fixed point: collapsing can
    # turn "a  b c" into a fresh run "a b c".
    return _join_spaced_runs(" ".join(text.split()))


def _join_spaced_runs(text: str) -> str:
    if " " not in text:
        return text
    return _SPACED_RUN.sub(lambda m: m.group().replace(" ", ""), text)


def whitespace_chars() -> frozenset[str]:
    """Every character ``str.isspace`` accepts (the odd ones attacks use)."""
    return _whitespace_set()


@functools.lru_cache(maxsize=1)
def _whitespace_set() -> frozenset[str]:
    return frozenset(chr(cp) for cp in range(0x3001) if chr(cp).isspace())


@functools.lru_cache(maxsize=1)
def _whitespace_table() -> dict[int, int]:
    # 1:1 mapping (never collapsing here) so exact single-space gaps survive.
    return {ord(ch): ord(" ") for ch in _whitespace_set() if ch != " "}


def _code_points(ranges: Iterable[tuple[int, int]]) -> Iterable[int]:
    for lo, hi in ranges:
        yield from range(lo, hi + 1)


@functools.lru_cache(maxsize=1)
def _strip_table() -> dict[int, None]:
    """Translate table deleting invisible, format and diacritic characters."""
    drop = {cp for cp in _code_points(_FORMAT_SCAN_RANGES) if unicodedata.category(chr(cp)) == "Cf"}
    drop.update(_code_points(_DIACRITIC_BLOCKS))
    drop.update(_code_points(_VARIATION_SELECTORS))
    drop.update(_HANGUL_FILLERS)
    # U+034F (combining grapheme joiner) is in the diacritic block already; the
    # tag block U+E0000-E007F is Cf except unassigned U+E0000, so add it whole.
    drop.update(range(0xE0000, 0xE0080))
    return dict.fromkeys(drop)


# Unicode names of symbols that depict one Latin letter: small capitals, modifier letters, regional
# indicators, circled / squared / parenthesized / negative forms. NFKC folds some of them, not all.
_LETTERLIKE_NAME = re.compile(
    r"^(?:PARENTHESIZED |CIRCLED |NEGATIVE CIRCLED |SQUARED |NEGATIVE SQUARED |REGIONAL INDICATOR SYMBOL |MODIFIER )?"
    r"(?:LATIN )?(?P<before>CAPITAL |SMALL )?LETTER (?P<after>SMALL CAPITAL |CAPITAL |SMALL )?(?P<letter>[A-Z])$")
_LETTERLIKE_SCAN_RANGES = ((0x0080, 0x2FFF), (0xA700, 0xABFF), (0x1F100, 0x1F1FF))


@functools.lru_cache(maxsize=1)
def _letterlike_table() -> dict[int, str]:
    """Translate table mapping letter-like symbols (small capitals, modifier letters, regional
    indicators, parenthesized / circled / squared / negative letters) to their ASCII letter."""
    table = {}
    for cp in _code_points(_LETTERLIKE_SCAN_RANGES):
        match = _LETTERLIKE_NAME.match(unicodedata.name(chr(cp), ""))
        if match is not None:
            capital = "CAPITAL " in (match["before"], match["after"])
            table[cp] = match["letter"] if capital else match["letter"].lower()
    return table


@functools.lru_cache(maxsize=1)
def _fold_table() -> dict[int, str]:
    table: dict[int, str] = {ord(ch): target for ch, target in confusable_to_ascii().items()}
    table.update(_whitespace_table())
    return table


def confusable_to_ascii() -> Mapping[str, str]:
    """Map each non-ASCII character confusable with an ASCII letter/digit to it.

    Only NFKC-stable characters are keys: the pipeline applies NFKC before folding,
    so e.g. fullwidth forms never reach this table.
    """
    return _confusable_map()


@functools.lru_cache(maxsize=1)
def _confusable_map() -> dict[str, str]:
    targets = _confusable_targets()
    strip = _strip_table()
    mapping = {}
    for ch, ascii_targets in targets.items():
        # Characters that NFKD/strip/NFKC change never reach the fold step.
        if unicodedata.normalize("NFKC", unicodedata.normalize("NFKD", ch).translate(strip)) != ch:
            continue
        mapping[ch] = _pick_prototype(ch, ascii_targets | _case_partner_targets(ch, targets))
    return mapping


def _case_partner_targets(ch: str, targets: Mapping[str, set[str]]) -> set[str]:
    # The data lists Greek/Cyrillic capital I only under "l" (its UTS #39
    # prototype), which would fold "ІGNORE" to "lGNORE". If the other-case form
    # is confusable with an ASCII letter, that letter in this case is a candidate.
    partner = ch.swapcase()
    if len(partner) != 1:
        return set()
    return {t.swapcase() for t in targets.get(partner, ()) if t.isalpha()}


def _pick_prototype(ch: str, candidates: set[str]) -> str:
    # The data is ambiguous for a few characters (Cyrillic palochka looks like
    # l, I and 1): prefer a letter, then the letter of the same case.
    def rank(target: str) -> tuple[bool, bool, str]:
        return (not target.isalpha(), target.isupper() != ch.isupper(), target)

    return min(candidates, key=rank)


@functools.lru_cache(maxsize=1)
def _confusable_targets() -> dict[str, set[str]]:
    """Non-ASCII character -> ASCII alnum characters the Unicode data confuses it with."""
    # Imported here: the package parses a 1 MB JSON file at import time.
    from confusable_homoglyphs import confusables

    targets: dict[str, set[str]] = {}
    for key, entries in confusables.confusables_data.items():
        for entry in entries:
            _link(targets, key, _clean_glyph(entry["c"]))
    return targets


def _clean_glyph(glyph: str) -> str:
    # RTL entries are wrapped in LEFT-TO-RIGHT MARKs for display; drop them.
    return glyph.replace("\u200e", "")


def _link(targets: dict[str, set[str]], a: str, b: str) -> None:
    if len(a) != 1 or len(b) != 1:
        return
    if a in _ASCII_ALNUM and not b.isascii():
        targets.setdefault(b, set()).add(a)
    elif b in _ASCII_ALNUM and not a.isascii():
        targets.setdefault(a, set()).add(b)
