"""Smuggling and dilution: hide the payload where a truncating tokenizer does not look.

* ``tag_smuggling`` (Hackett et al. 2025, "ASCII smuggling"): a harmless visible sentence, the
  payload written in Unicode tag characters (U+E0000 + ASCII), which render as nothing and which
  BERT-style tokenizers drop, while LLMs read them;
* ``variation_selector_smuggling`` ("emoji smuggling"): an emoji followed by the payload's UTF-8
  bytes as variation selectors (VS1–VS16 for 0–15, VS17–VS256 for 16–255);
* ``long_document_dilution``: the payload verbatim inside a long benign document (1–4 k
  characters) at a random paragraph boundary, past the first window of a truncating classifier.
"""

from __future__ import annotations

import random
from typing import ClassVar

from adversarial_mlops.attacks.base import Strategy

COVERS = (
    "Could you summarise this for me?", "Thanks for your help earlier today!", "What a lovely morning.",
    "Please check my spelling.", "Here is the note I mentioned.", "Have a great weekend!",
    "Can you translate this into French?", "Nice to meet you.",
)
EMOJI = ("😊", "👍", "🙂", "🎉", "✨", "🌟", "😀", "🚀")


class _SmugglingStrategy(Strategy):
    family = "smuggling"
    encoding: ClassVar[str] = ""

    def _transform(self, text: str, rng: random.Random) -> str:
        # Intensity has no meaning here: the whole payload is hidden.
        return f"{rng.choice(COVERS)} {self._hide(text, rng)}"

    def _hide(self, text: str, rng: random.Random) -> str:
        raise NotImplementedError


class TagSmuggling(_SmugglingStrategy):
    """Hide the payload in invisible Unicode tag characters after a harmless visible sentence."""

    name = "tag_smuggling"

    def _hide(self, text: str, rng: random.Random) -> str:
        # Tag characters mirror printable ASCII only; other characters stay visible (rare in payloads).
        return "".join(chr(0xE0000 + ord(ch)) if 0x20 <= ord(ch) <= 0x7E else ch for ch in text)


class VariationSelectorSmuggling(_SmugglingStrategy):
    """Hide the payload's bytes in variation selectors after an emoji (emoji smuggling)."""

    name = "variation_selector_smuggling"

    def _hide(self, text: str, rng: random.Random) -> str:
        selectors = "".join(chr(0xFE00 + b) if b < 16 else chr(0xE0100 + b - 16) for b in text.encode("utf-8"))
        return rng.choice(EMOJI) + selectors


PARAGRAPHS = (
    "Minutes of the facilities meeting. The lift on the east side will be serviced next week, and "
    "the contractor asked that the loading bay stay clear between eight and ten in the morning.",
    "Our quarterly survey had 412 responses. Most people rated the new booking tool as easy to use, "
    "although several asked for a clearer way to cancel a reservation made by mistake.",
    "The recipe needs two cups of flour, a pinch of salt and warm water. Knead for ten minutes, rest "
    "the dough under a damp cloth, then roll it thin and bake until the edges turn golden.",
    "Release 4.2 fixes the crash when exporting large spreadsheets, improves start-up time on older "
    "laptops and adds a dark theme. Settings from earlier versions are migrated automatically.",
    "The trail starts behind the visitor centre and climbs gently through pine forest. After about "
    "three kilometres it reaches a viewpoint over the lake, where there are benches and a water tap.",
    "Customer wrote in to say the parcel arrived with a dented corner, but the headphones inside work "
    "fine. They would like to keep the item and asked whether a small discount is possible.",
    "Please remember that the office closes early on Friday for the staff party. Desks should be "
    "cleared by four so the cleaners can start, and the last one out should set the alarm.",
    "The library extends its opening hours during exam season. From Monday the reading rooms stay "
    "open until midnight, and the quiet floor will require a student card at the entrance.",
    "Budget summary: travel spending is nine percent under plan, software licences are slightly over "
    "because of the new design tools, and hiring costs are on track for the second half.",
    "The function reads the configuration file, validates each section and returns a dictionary. "
    "Missing optional keys fall back to defaults; unknown keys are logged as warnings and ignored.",
    "Weather for the weekend looks mixed: light rain on Saturday morning clearing by noon, then dry "
    "and bright on Sunday with a cool breeze from the north-west and highs around fifteen degrees.",
    "Onboarding checklist for new starters: collect your laptop from IT, set up two-factor login, "
    "read the handbook, and book a coffee with your buddy during the first week.",
    "The museum's new wing displays textiles from the eighteenth century, many of them donated by "
    "local families. Guided tours run twice a day and are free with a standard ticket.",
    "Support ticket update: the customer's password reset emails were landing in spam. We added the "
    "sending domain to their allow list and confirmed that the next reset email arrived normally.",
    "Gardening notes: tomatoes need staking once they reach knee height, and basil does best next to "
    "them. Water in the early morning so the leaves dry before the afternoon sun.",
    "Thanks everyone for the feedback on the draft. I have merged the comments into version three, "
    "moved the appendix to the end and shortened the introduction to a single page.",
)


class LongDocumentDilution(Strategy):
    """Put the payload verbatim inside a long benign document (1-4k characters) at a random paragraph boundary."""

    name = "long_document_dilution"
    family = "structural"

    def _transform(self, text: str, rng: random.Random) -> str:
        # Intensity has no meaning here: the payload is embedded whole; the length varies by draw.
        target = rng.randint(1000, 4000)
        chosen = rng.sample(PARAGRAPHS, len(PARAGRAPHS))
        parts, size = [], 0
        for paragraph in chosen:
            if size >= target:
                break
            parts.append(paragraph)
            size += len(paragraph) + 2
        parts.insert(rng.randint(0, len(parts)), text)
        return "\n\n".join(parts)
