"""Letter-like symbols read as a substitution cipher: which letter each symbol stands for is the one
that makes the text's words English.

A font generator writes each Latin letter as one symbol of another block (Cherokee Ꮧ for "a",
Canadian syllabics ᔕ for "s", Cyrillic Д for "a"). A fixed table of look-alikes reads most of them,
but a table knows neither the symbols it lacks nor which of its readings a given generator meant
(Cherokee Ꮧ looks like a "j" to a table and is an "a" to the generator). Within one text every
symbol stands for one letter, so the text is a substitution cipher, and the reading that turns the
most of its words into English words is the one its writer meant: starting from the table's
reading, each symbol is moved to the letter that makes the most letters of its words English, until
no move gains (hill climbing, as for any substitution cipher). Only lines where most words hold
symbols are read so (a font writes every word; German or French carries a few accented words among
plain ones), and the reading is kept only when most of their symbol-bearing words end up English:
text in a real script does not turn into English words one character at a time, and a script no
table reads gives the climb no first step — no bundled Korean, Japanese, German, French, Spanish or
Portuguese text changes. Plain Python; the word list is the spelled view's (``spelling``).
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections import Counter

from adversarial_mlops.models.spelling import common_english_words, english_frequency

_TOKEN = re.compile(r"\S+")
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_MIN_WORD = 3  # shorter words are English under too many readings to tell which one was meant
_MIN_WORDS = 2  # symbol-bearing words a text needs before its reading can be told from chance
_MIN_ENGLISH_SHARE = 0.6  # of the symbol-bearing words of 3+ letters, this share must read as English
_MAX_MOVES = 30  # a font's symbols the tables misread or lack: faux Cyrillic has ten
_MIN_GAIN = 1.0  # a move must make a letter more English: one English word for another ("print" -> "point") is no gain
_MAX_EVIDENCE_WORDS = 48  # the most frequent distinct words decide the reading; a 4k-char document's all would be slow
_EDGE_PUNCTUATION = "\"'()[]{}<>.,;:!?*_-"
_MIN_FREQUENCY = 1e-6  # an English word of Zipf >= 3 (as the spelled view's corrections)


def deciphered(text: str, reading) -> str | None:
    """``text`` with each letter-like symbol of its symbol lines read as the letter that makes their
    words English, or None when it has no such lines or no reading makes most of their words English.

    A symbol line is one where most words hold symbols: a font generator writes every word, while
    a German or French line carries a few accented words among plain ones and is never read as a
    cipher. ``reading(symbol)`` is the table's reading of one symbol, the starting point ("" when
    none: the symbol starts unread). The climb moves one symbol at a time, so a text whose symbols
    no table reads gains nothing from a single move and stays as it is."""
    lines = text.split("\n")
    cipher_lines = [i for i, line in enumerate(lines) if _is_symbol_line(line)]
    words = Counter(word for i in cipher_lines for word in _words(lines[i]) if any(map(_is_symbol, word)))
    if sum(words.values()) < _MIN_WORDS:
        return None
    symbols = _by_frequency(words)
    mapping = {ord(symbol): reading(symbol) or symbol for symbol in symbols}  # a str.translate table
    evidence = Counter(dict(sorted(((w, c) for w, c in words.items() if len(w) >= _MIN_WORD),
                                   key=lambda item: -item[1])[:_MAX_EVIDENCE_WORDS]))
    mapping = _hill_climbed(evidence, symbols, mapping)
    if not _mostly_english(words, mapping):
        return None
    for i in cipher_lines:
        lines[i] = lines[i].translate(mapping)
    return "\n".join(lines)


def _words(line: str) -> list[str]:
    """A line's words: whitespace-separated, punctuation at their ends cut off, empty ones dropped."""
    return [word for word in (token.strip(_EDGE_PUNCTUATION) for token in _TOKEN.findall(line)) if word]


def _is_symbol_line(line: str) -> bool:
    if line.isascii():
        return False
    words = [word for word in _words(line) if any(ch.isalnum() or _is_symbol(ch) for ch in word)]
    return sum(any(map(_is_symbol, word)) for word in words) > len(words) / 2


def _by_frequency(words: Counter) -> list[str]:
    counts = Counter()
    for word, count in words.items():
        for ch in word:
            if _is_symbol(ch):
                counts[ch] += count
    return [symbol for symbol, _ in counts.most_common()]


def _mostly_english(words: Counter, mapping: dict[int, str]) -> bool:
    """True when most symbol-bearing words of 3+ letters read as English under ``mapping``."""
    decoded = [(_decode(word, mapping), count) for word, count in words.items()]
    long_words = [(word, count) for word, count in decoded if len(word) >= _MIN_WORD]
    total = sum(count for _, count in long_words)
    return total > 0 and sum(count for word, count in long_words if _is_english(word)) >= _MIN_ENGLISH_SHARE * total


def _is_symbol(ch: str) -> bool:
    """A visible non-ASCII letter, number or symbol (accented Latin letters too: small-capitals fonts
    write "q" as "ǫ", an "o" to normalisation)."""
    return not ch.isascii() and unicodedata.category(ch)[0] in "LNS"


def _hill_climbed(words: Counter, symbols: list[str], mapping: dict[int, str]) -> dict[int, str]:
    """Steepest ascent: each step makes the one move (a symbol to a letter) that gains most, so a
    symbol the table misreads ("ዕ" as "o" where the font meant "d") is settled before a weaker
    move could fit rare words around the misreading ("and" read "ano" invites "cnn", "cno")."""
    holding = {symbol: Counter({word: count for word, count in words.items() if symbol in word}) for symbol in symbols}
    current = {word: _word_score(word, mapping) for word in words}  # each word's score under ``mapping``
    for _ in range(_MAX_MOVES):
        gain, best = max((_moved(symbol, letter, mapping, holding, current)
                          for symbol in symbols for letter in _LETTERS if letter != mapping[ord(symbol)]),
                         key=lambda pair: pair[0])
        if gain < _MIN_GAIN:
            break
        mapping = best
        current = {word: _word_score(word, mapping) for word in words}
    return mapping


def _moved(symbol: str, letter: str, mapping: dict[int, str], holding: dict[str, Counter],
           current: dict[str, float]) -> tuple[float, dict]:
    """(gain, mapping) of reading ``symbol`` as ``letter``. Two symbols may read as one letter: a
    homoglyph attack writes "y" as Cyrillic у in one word and Greek γ in the next."""
    moved = {**mapping, ord(symbol): letter}
    return sum(count * (_word_score(word, moved) - current[word]) for word, count in holding[symbol].items()), moved


def _word_score(word: str, mapping: dict[int, str]) -> float:
    """A word's letters when it reads as English under ``mapping``, plus under one for how common
    the word is (of two readings that make as many letters English, "all" beats "add"); half its
    letters when it is English but for one still unread symbol (two symbols a font writes unlike
    the table, as in "r丨丂k丂", each gain only with the other read); else 0."""
    decoded = _decode(word, mapping)
    if len(decoded) < _MIN_WORD:
        return 0.0
    frequency = english_frequency(decoded)
    if frequency >= _MIN_FREQUENCY:
        return len(decoded) + math.log10(frequency / _MIN_FREQUENCY) / 10  # Zipf 3..9 -> +0..0.6
    return len(decoded) / 2 if _one_unread(decoded) in _english_with_one_unknown() else 0.0


def _one_unread(decoded: str) -> str | None:
    """``decoded`` with its one kind of unread symbol as "?" (None with none or several)."""
    unread = {ch for ch in decoded if not ch.isascii()}
    if len(unread) != 1 or len(decoded) < _MIN_WORD:
        return None
    return decoded.replace(unread.pop(), "?")


@functools.lru_cache(maxsize=1)
def _english_with_one_unknown() -> frozenset[str]:
    """Every common English word of 3+ letters with all occurrences of one of its letters as "?"
    ("ri?k?" for "risks"): 155k patterns, built when a text first needs one."""
    patterns = set()
    for word in common_english_words():
        if len(word) >= _MIN_WORD:
            patterns.update(word.replace(letter, "?") for letter in set(word))
    return frozenset(patterns)


def _decode(word: str, mapping: dict[int, str]) -> str:
    return word.translate(mapping).lower()


def _is_english(word: str) -> bool:
    return english_frequency(word) >= _MIN_FREQUENCY
