"""Case attacks: perturb letter case, which breaks cased tokenizers and keyword rules."""

from __future__ import annotations

import random

from adversarial_mlops.attacks.base import Strategy, sample_indices


def _can_flip(ch: str) -> bool:
    # Skip letters whose other case changes length ("ß" -> "SS").
    flipped = ch.swapcase()
    return flipped != ch and len(flipped) == 1


class RandomCase(Strategy):
    """Flip the case of random letters (iGnORe aLL)."""

    name = "random_case"
    family = "case"
    default_intensity = 0.5

    def _transform(self, text: str, rng: random.Random) -> str:
        eligible = [i for i, ch in enumerate(text) if _can_flip(ch)]
        chosen = {eligible[i] for i in sample_indices(rng, len(eligible), self.intensity)}
        return "".join(ch.swapcase() if i in chosen else ch for i, ch in enumerate(text))
