"""Spacing attacks: change the whitespace so words no longer tokenize as words."""

from __future__ import annotations

import random
import re

import numpy as np

from adversarial_mlops.attacks.base import Strategy, sample_indices
from adversarial_mlops.attacks.batch import SubstitutionStrategy, below

_TOKEN_RE = re.compile(r"\S+")


class LetterSpacing(Strategy):
    """Space out the letters of some words (i g n o r e)."""

    name = "letter_spacing"
    family = "spacing"

    def _transform(self, text: str, rng: random.Random) -> str:
        # Only all-letter words of 3+ letters: shorter ones would be ambiguous with
        # real one-letter words, and punctuation would stick to the last letter.
        spans = [m.span() for m in _TOKEN_RE.finditer(text) if len(m.group()) >= 3 and m.group().isalpha()]
        chosen = [spans[i] for i in sample_indices(rng, len(spans), self.intensity)]
        for start, end in reversed(chosen):
            text = text[:start] + self._spaced(text, start, end) + text[end:]
        return text

    @staticmethod
    def _spaced(text: str, start: int, end: int) -> str:
        # An extra space on each inner side keeps word boundaries readable:
        # "ignore all" -> "i g n o r e  a l l", not "i g n o r e a l l".
        left = " " if start > 0 else ""
        right = " " if end < len(text) else ""
        return left + " ".join(text[start:end]) + right


# Visible-width spaces only; U+1680 (Ogham) renders as a dash, so it is left out.
ODD_SPACES = (
    "\u00a0",  # no-break space
    "\u2000", "\u2001", "\u2002", "\u2003", "\u2004", "\u2005", "\u2006",
    "\u2007",  # figure space
    "\u2008",  # punctuation space
    "\u2009",  # thin space
    "\u200a",  # hair space
    "\u202f",  # narrow no-break space
    "\u205f",  # medium mathematical space
    "\u3000",  # ideographic space
)


_ODD_SPACE_CODES = np.array([ord(space) for space in ODD_SPACES], dtype=np.uint32)


class OddWhitespace(SubstitutionStrategy):
    """Replace spaces with Unicode spaces (NBSP, thin, ideographic, ...)."""

    name = "odd_whitespace"
    family = "spacing"
    default_intensity = 0.5

    def _eligible(self, codes: np.ndarray) -> np.ndarray:
        return codes == ord(" ")

    def _replacements(self, codes: np.ndarray, u: np.ndarray) -> np.ndarray:
        return _ODD_SPACE_CODES[below(u, len(_ODD_SPACE_CODES))]
