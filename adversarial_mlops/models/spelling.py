"""Keyboard typos read back: the ``spelled`` view's word-by-word correction.

The adaptive attack wins mostly with one keyboard typo in each of a few words ("ignroe all
prevoius instrucitons"): on the baseline, 175 of the 188 words it edited were typos. A WordPiece
tokenizer splits a misspelled word into pieces the detector never learned, while the LLM behind
it reads the word as meant. Reading such words back (robust word recognition, Pruthi et al.
2019) leaves the attacker one-edit typos only where the correction is ambiguous.

A word is corrected only when it is not a word (English, or a frequent word of Spanish, French,
German, Portuguese, Italian or Dutch) and one keyboard edit away from an English word that is far
likelier than it and clearly likelier than every other candidate: a noisy channel (Kernighan,
Church and Gale 1990) with word frequencies from ``wordfreq`` and a keyboard model of typos. Real
words are never replaced ("bot" stays "bot"), nor identifiers (a word run into others, as in
"getPasswrod" or "read_passwrod") and words inside URLs, paths or e-mail addresses. The decision
is made on the word's lower-case form: its case never changes it. Plain Python, no model.
"""

from __future__ import annotations

import functools
import re

# Channel weights: how readily a typist produces the typo from the meant word. Keyboard typos are
# a neighbouring key pressed instead of or next to the right one, two letters swapped, or a letter
# left out (Damerau 1964); any other one-letter edit is fifty times rarer.
_LIKELY, _DROPPED, _UNLIKELY = 1.0, 0.5, 0.02
_PRIOR = 1e3  # a string found in the word lists is meant unless a candidate is this much likelier
_MARGIN = 3.0  # the best candidate must be this much likelier than the next, or the word stays
_MIN_LENGTH = 3  # shorter words have too many one-edit neighbours to tell which was meant
_MIN_MEANT = 1e-6  # a correction's word is a common one (Zipf >= 3): a rare word's one-edit neighbour is jargon
_OTHER_LANGUAGES = ("es", "fr", "de", "pt", "it", "nl")
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
# A run of ASCII letters that is a word of prose: not part of an identifier, a number, a path, a
# URL or an e-mail address ("example" in "user@example.com", "utils" in "src/utils.py").
_WORD = re.compile(r"(?<![\w@./\\'-])[A-Za-z]+(?![\w@/\\'-]|\.\w)")


def spell_corrected(text: str) -> str:
    """``text`` with each misspelled prose word read as the word its typist meant, where that is
    clear (see the module's docstring); everything else as it is."""
    return _WORD.sub(lambda match: _corrected(match, text), text)


def _corrected(match: re.Match, text: str) -> str:
    word = match.group()
    meant = corrected_word(word.lower()) if len(word) >= _MIN_LENGTH else None
    if meant is None:
        return word
    # Decided on the lower-case form, so a change of case alone never changes what an uncased
    # model reads (random_case stays a no-op); written back in the word's own case where it has one.
    if word.isupper():
        return meant.upper()
    return meant.capitalize() if word[0].isupper() and word[1:].islower() else meant


@functools.lru_cache(maxsize=65536)
def corrected_word(word: str) -> str | None:
    """The English word a lower-case ``word`` is a keyboard typo of, or None when it is a word or
    no single candidate stands out."""
    english, other = _word_lists()
    own = max(english.get(word, 0.0), other.get(word, 0.0))
    if _PRIOR * own >= _most_frequent():  # most words of a text: no candidate could be likely enough
        return None
    ranked = sorted(((english[candidate] * weight, candidate)
                     for candidate, weight in _typo_sources(word, english).items()), reverse=True)
    if not ranked or ranked[0][0] <= _PRIOR * own or english[ranked[0][1]] < _MIN_MEANT:
        return None
    if len(ranked) > 1 and ranked[0][0] < _MARGIN * ranked[1][0]:
        return None
    return ranked[0][1]


def _typo_sources(typo: str, english: dict[str, float]) -> dict[str, float]:
    """English words one edit from ``typo`` -> the channel weight of that edit (the likeliest one)."""
    # The keyboard the attack types on; imported here, not at load: views are imported by serving,
    # which needs no attack machinery until a word actually needs reading back.
    from adversarial_mlops.attacks.character import qwerty_neighbours

    neighbours = qwerty_neighbours()
    sources: dict[str, float] = {}

    def consider(word: str, weight: float) -> None:
        if word in english and weight > sources.get(word, 0.0):
            sources[word] = weight

    for i, char in enumerate(typo):
        before, after = typo[i - 1:i], typo[i + 1:i + 2]
        # ``char`` typed as well: likely when it is a key next to a letter beside it, or doubled.
        extra = char in neighbours.get(before, "") or char in neighbours.get(after, "") or char in (before, after)
        consider(typo[:i] + typo[i + 1:], _LIKELY if extra else _UNLIKELY)
        for meant in _LETTERS:  # ``char`` typed instead of ``meant``
            if meant != char:
                consider(typo[:i] + meant + typo[i + 1:], _LIKELY if char in neighbours.get(meant, "") else _UNLIKELY)
        if after and after != char:  # two letters swapped
            consider(typo[:i] + after + char + typo[i + 2:], _LIKELY)
    for i in range(len(typo) + 1):  # a letter left out
        for meant in _LETTERS:
            consider(typo[:i] + meant + typo[i:], _DROPPED)
    return sources


@functools.lru_cache(maxsize=1)
def common_english_words() -> tuple[str, ...]:
    """The English words a correction may read as (Zipf >= 3: 28k words of letters only)."""
    return tuple(word for word, frequency in _word_lists()[0].items()
                 if frequency >= _MIN_MEANT and word.isascii() and word.isalpha())


def english_frequency(word: str) -> float:
    """How often the lower-case ``word`` occurs in English (wordfreq; 0 when never)."""
    return _word_lists()[0].get(word, 0.0)


@functools.lru_cache(maxsize=1)
def _most_frequent() -> float:
    return max(_word_lists()[0].values())


@functools.lru_cache(maxsize=1)
def _word_lists() -> tuple[dict[str, float], dict[str, float]]:
    """English word frequencies (wordfreq's large list, 321k words) and, to leave them alone, the
    frequent words of the other languages the bundled data holds (small lists, about 35k each)."""
    from wordfreq import get_frequency_dict

    english = get_frequency_dict("en", wordlist="large")
    other: dict[str, float] = {}
    for language in _OTHER_LANGUAGES:
        for word, frequency in get_frequency_dict(language, wordlist="small").items():
            if frequency > other.get(word, 0.0):
                other[word] = frequency
    return english, other
