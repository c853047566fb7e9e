"""Font-generator attacks: Latin text written in symbols that look like letters, or upside down.

"Fancy text" generators (the sites that write a bio in ₵ØØⱠ or 卂乃匚) map each Latin letter to a
symbol of another block — currency signs, CJK ideographs, Ethiopic or Cherokee syllables, Canadian
syllabics, small capitals, squared letters — that a reader still reads as the letter and a tokenizer
reads as unknown pieces; Unicode's compatibility forms and confusables data know few of them. The
alphabets below are the ones such generators offer, written here letter by letter. The defence's
reading of them (``models/fancy_letters.tsv``, built from decancer) is a separate source on
purpose: the attack measures how much of what generators write the views read back, instead of
replaying the defence's own table.
"""

from __future__ import annotations

import random
import re
import string
from types import MappingProxyType

from adversarial_mlops.attacks.base import Strategy, sample_indices

# One symbol per letter a..z; case is dropped, as the generators drop it.
FONT_ALPHABETS = MappingProxyType({
    "currency": "₳฿₵ĐɆ₣₲ⱧłJ₭Ⱡ₥₦Ø₱QⱤ₴₮ɄV₩ӾɎⱫ",
    "cjk_lookalike": "卂乃匚ᗪ乇千Ꮆ卄丨ﾌҜㄥ爪几ㄖ卩Ɋ尺丂ㄒㄩᐯ山乂ㄚ乙",
    "ethiopic_lookalike": "ልጌርዕቿቻኗዘጎጋጕረጠክዐየዒዪነፕሁሀሠሸሃጊ",
    "cherokee": "ᏗᏰፈᎴᏋᎦᎶᏂᎥᏠᏦᏝᎷᏁᎧᎮᎤᏒᏕᏖᏬᏉᏇጀᎩፚ",
    "canadian_syllabics": "ᗩᗷᑕᗪEᖴGᕼIᒍKᒪᗰᑎOᑭᑫᖇᔕTᑌᐯᗯ᙭Yᘔ",
    "small_caps": "ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘǫʀꜱᴛᴜᴠᴡxʏᴢ",
    "greek_cyrillic_mix": "αв¢∂єƒgнιנкℓмησρqяѕтυνωχуz",
    "faux_cyrillic": "ДБҀↁЁҒGНЇЈКLМИФРQЯЅТЦVШХЧZ",
    "negative_squared": "".join(chr(0x1F170 + i) for i in range(26)),
})
FONT_TABLES = MappingProxyType({
    font: MappingProxyType(dict(zip(string.ascii_lowercase, alphabet))) for font, alphabet in FONT_ALPHABETS.items()})

# Upside-down text: each letter turned half a circle, then the line reversed so it reads from the
# other end (ɐqɔpǝ); mirrored text: each letter mirrored, the line reversed. Letters without such a
# form (l, o, s, x, z; i, l, m, o, v, w, x, z) stay as they are.
TURNED_ALPHABETS = MappingProxyType({
    "upside_down": MappingProxyType(dict(zip(string.ascii_lowercase + "?!.", "ɐqɔpǝɟƃɥᴉɾʞlɯuodbɹsʇnʌʍxʎz¿¡˙"))),
    "mirrored": MappingProxyType(dict(zip(string.ascii_lowercase + "?", "ɒdɔbɘꟻϱʜiįʞlmᴎoqpɿꙅƚυvwxγz⸮"))),
})

_ASCII_WORD = re.compile(r"[A-Za-z]+")


class FancyFont(Strategy):
    """Write words in a font generator's look-alike symbols (₵ØØⱠ, 卂乃匚, ᏗᏰፈ, 🅰🅱🅲), one font per text."""

    name = "fancy_font"
    family = "character"
    default_intensity = 1.0  # share of words; a generator writes the whole text in its font

    def _transform(self, text: str, rng: random.Random) -> str:
        table = FONT_TABLES[rng.choice(sorted(FONT_TABLES))]
        spans = [m.span() for m in _ASCII_WORD.finditer(text)]
        chosen = {spans[i] for i in sample_indices(rng, len(spans), self.intensity)}
        return _ASCII_WORD.sub(lambda m: _written_in(m.group(), table) if m.span() in chosen else m.group(), text)


def _written_in(word: str, table) -> str:
    return "".join(table[ch] for ch in word.lower())


class UpsideDown(Strategy):
    """Write lines upside down or mirrored: letters turned, the line reversed (ʇxǝʇ uʍop ǝpᴉsdn)."""

    name = "upside_down"
    family = "character"
    default_intensity = 1.0  # share of non-empty lines; a generator turns the whole text

    def _transform(self, text: str, rng: random.Random) -> str:
        table = TURNED_ALPHABETS[rng.choice(sorted(TURNED_ALPHABETS))]
        lines = text.split("\n")
        filled = [i for i, line in enumerate(lines) if line.strip()]
        for i in sample_indices(rng, len(filled), self.intensity):
            lines[filled[i]] = turned_line(lines[filled[i]], table)
        return "\n".join(lines)


def turned_line(line: str, table=TURNED_ALPHABETS["upside_down"]) -> str:
    """``line`` as a generator writes it: lower-cased, letters turned (or mirrored), reversed."""
    return "".join(table.get(ch, ch) for ch in line.lower())[::-1]
