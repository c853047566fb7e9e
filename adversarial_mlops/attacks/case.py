"""Case attacks: perturb letter case, which breaks cased tokenizers and keyword rules."""

from __future__ import annotations

import numpy as np

from adversarial_mlops.attacks.batch import CodeTable, SubstitutionStrategy


def _can_flip(ch: str) -> bool:
    # Skip letters whose other case changes length ("ß" -> "SS").
    flipped = ch.swapcase()
    return flipped != ch and len(flipped) == 1


# Code point of the other case, or -1 where the case cannot flip one for one.
_FLIPPED = CodeTable(lambda ch: ord(ch.swapcase()) if _can_flip(ch) else -1, dtype=np.int32)


class RandomCase(SubstitutionStrategy):
    """Flip the case of random letters (iGnORe aLL)."""

    name = "random_case"
    family = "case"
    default_intensity = 0.5

    def _eligible(self, codes: np.ndarray) -> np.ndarray:
        return _FLIPPED(codes) >= 0

    def _replacements(self, codes: np.ndarray, u: np.ndarray) -> np.ndarray:
        return _FLIPPED(codes).astype(np.uint32)
