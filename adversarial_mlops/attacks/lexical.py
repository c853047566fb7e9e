"""Lexical attacks: paraphrase the words a classifier keys on, keep the intent."""

from __future__ import annotations

import functools
import random
import re
from collections.abc import Mapping
from types import MappingProxyType

from adversarial_mlops.attacks.base import Strategy, sample_indices

# Hand-curated, because there is no WordNet offline and generic synonyms miss the
# point: we want paraphrases an attacker would use for *injection intent*.
# Grouped by the role the word plays in a jailbreak. Keys are lower case; multi-word
# keys win over their single words ("system prompt" before "prompt").
_OVERRIDE_VERBS = MappingProxyType({
    "ignore": ("disregard", "overlook", "pay no attention to", "set aside", "skip"),
    "disregard": ("ignore", "dismiss", "set aside", "think nothing of"),
    "forget": ("erase from memory", "drop", "let go of", "no longer remember"),
    "override": ("overrule", "supersede", "take precedence over", "replace"),
    "bypass": ("get around", "circumvent", "sidestep", "work around", "skip past"),
    "ignoring": ("disregarding", "setting aside", "overlooking"),
})
_INSTRUCTION_NOUNS = MappingProxyType({
    "instructions": ("directions", "guidelines", "directives", "orders", "commands"),
    "instruction": ("direction", "guideline", "directive", "order", "command"),
    "rules": ("guidelines", "policies", "constraints", "restrictions", "regulations"),
    "rule": ("guideline", "policy", "constraint", "restriction"),
    "system prompt": ("initial directions", "hidden preamble", "setup message", "developer message", "base configuration"),
    "prompt": ("preamble", "setup text", "initial message"),
    "guidelines": ("rules", "policies", "directions"),
    "restrictions": ("limits", "constraints", "boundaries", "safeguards"),
    "filters": ("safeguards", "content checks", "moderation layers"),
    "safety": ("content policy", "moderation", "protective"),
})
_TEMPORAL = MappingProxyType({
    "previous": ("prior", "earlier", "preceding", "foregoing", "above"),
    "prior": ("previous", "earlier", "preceding"),
    "above": ("preceding", "earlier", "foregoing"),
    "all": ("every one of the", "any and all", "each of the"),
})
_DISCLOSURE = MappingProxyType({
    "reveal": ("disclose", "expose", "divulge", "share", "leak"),
    "show": ("display", "print out", "output"),
    "print": ("output", "echo", "write out"),
    "tell": ("inform", "let me know", "share with"),
    "repeat": ("echo back", "restate", "reproduce"),
})
_SECRETS = MappingProxyType({
    "password": ("passphrase", "passcode", "login credential", "access code"),
    "secret": ("confidential detail", "hidden value", "private information"),
    "confidential": ("private", "classified", "restricted"),
    "api key": ("access token", "auth credential", "secret token"),
})
_ROLE_PLAY = MappingProxyType({
    "pretend": ("act as if", "make believe", "imagine", "role-play that"),
    "act as": ("play the role of", "behave like", "impersonate"),
    "jailbreak": ("unrestricted mode", "liberated mode", "unlocked persona"),
    "unrestricted": ("unfiltered", "uncensored", "unbounded"),
    "developer mode": ("debug mode", "maintenance mode", "god mode"),
})
_SYNONYMS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    **_OVERRIDE_VERBS,
    **_INSTRUCTION_NOUNS,
    **_TEMPORAL,
    **_DISCLOSURE,
    **_SECRETS,
    **_ROLE_PLAY,
})


@functools.lru_cache(maxsize=1)
def _pattern() -> re.Pattern[str]:
    # Longest keys first so alternation prefers "system prompt" over "prompt".
    keys = sorted(_SYNONYMS, key=len, reverse=True)
    alternatives = "|".join(r"\s+".join(map(re.escape, key.split())) for key in keys)
    return re.compile(rf"\b(?:{alternatives})\b", re.IGNORECASE)


def _match_case(original: str, replacement: str) -> str:
    if original.isupper() and len(original) > 1:
        return replacement.upper()
    if original[0].isupper():
        return replacement[0].upper() + replacement[1:]
    return replacement


class Synonym(Strategy):
    """Paraphrase intent-carrying words (ignore -> disregard, password -> passphrase)."""

    name = "synonym"
    family = "lexical"
    default_intensity = 0.5

    def _transform(self, text: str, rng: random.Random) -> str:
        matches = list(_pattern().finditer(text))
        chosen = [matches[i] for i in sample_indices(rng, len(matches), self.intensity)]
        for match in reversed(chosen):
            start, end = match.span()
            text = text[:start] + self._paraphrase(match.group(), rng) + text[end:]
        return text

    @staticmethod
    def _paraphrase(word: str, rng: random.Random) -> str:
        # casefold, because IGNORECASE also matches e.g. the long s in "ſecret".
        options = _SYNONYMS.get(" ".join(word.casefold().split()))
        return _match_case(word, rng.choice(options)) if options else word
