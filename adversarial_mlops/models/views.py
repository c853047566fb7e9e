"""Decoded views: the readings of a text an attacker relies on the classifier not making.

A tokenizer drops Unicode tag characters and variation selectors, splits look-alike letters into
rare pieces and sees base64 as noise — while the LLM behind the classifier reads all of them.
``text_views`` returns the original text plus, only where they differ from it:

* ``smuggled``: the visible text followed by what is hidden in Unicode tag characters
  (U+E0020–U+E007E → ASCII, "ASCII smuggling": a run of them, not scattered single marks) and in
  variation-selector bytes (runs of VS1–VS256 after any character → bytes → UTF-8, "emoji smuggling");
* ``folded``: ``normalization.normalize_text`` — invisible characters stripped, NFKC, confusables
  (Cyrillic, Greek, fullwidth, mathematical, enclosed, ... letters) folded to ASCII, letter-spaced
  words joined — and leetspeak read back as letters (``fold_leetspeak``: "1gn0r3" -> "ignore");
* ``decoded``: the folded text with base64, hex and percent-encoded spans replaced by what they
  decode to when that is readable text, and lines read in ROT13 when that reads as clearly more English;
* ``spelled``: the folded text with keyboard typos read back where the meant word is clear
  (``spelling.spell_corrected``: "ignroe all prevoius instrucitons" -> "ignore all previous instructions").

The classifier scores every view and keeps the highest score, so a payload is found in whichever
reading carries it. A view longer than one model window is read only in the windows that hold its
``changed_spans`` (its unchanged words are read in the original's windows). Plain Python, no
model: the same views are built in training, evaluation, the A/B test and serving
(``TextClassifier.predict_proba``).
"""

from __future__ import annotations

import base64
import binascii
import codecs
import functools
import re
import urllib.parse
from difflib import SequenceMatcher
from pathlib import Path
from types import MappingProxyType

from adversarial_mlops.models.deciphering import deciphered
from adversarial_mlops.models.normalization import normalize_text
from adversarial_mlops.models.spelling import spell_corrected

ORIGINAL, SMUGGLED, FOLDED, DECODED, SPELLED = "original", "smuggled", "folded", "decoded", "spelled"
VIEW_NAMES = (ORIGINAL, SMUGGLED, FOLDED, DECODED, SPELLED)

TAG_BLOCK = (0xE0000, 0xE007F)  # the Unicode tags block: invisible, dropped by tokenizers
TAG_FIRST, TAG_LAST = 0xE0020, 0xE007E  # tag characters that mirror printable ASCII (tag - TAG_BLOCK[0])
_VS_BASIC = (0xFE00, 0xFE0F)  # VS1-VS16 -> bytes 0-15
_VS_SUPPLEMENT = (0xE0100, 0xE01EF)  # VS17-VS256 -> bytes 16-255

_BASE64 = re.compile(r"(?<![A-Za-z0-9+/=])[A-Za-z0-9+/]{16,}={0,2}(?![A-Za-z0-9+/=])")
_HEX = re.compile(r"(?<![0-9A-Fa-f])(?:[0-9A-Fa-f]{2}){8,}(?![0-9A-Fa-f])")
_PERCENT = re.compile(r"(?:%[0-9A-Fa-f]{2}){3,}")
# Frequent English words: a ROT13 reading counts as English when it holds clearly more of them.
_COMMON_WORDS = frozenset("the a an and or to of in on for is are be you your me my all any this that it with "
                          "what how do not now from as at by please tell give show print reveal ignore "
                          "previous instructions system prompt".split())
_WORD = re.compile(r"[a-z]{2,}")  # 2+: text with combining marks between letters reads as many "a"s and "i"s
# Regexes rather than per-character Python loops: views are built for every text a model scores.
_SELECTORS = "".join(f"{chr(first)}-{chr(last)}" for first, last in (_VS_BASIC, _VS_SUPPLEMENT))
_TAG_RUN = re.compile(f"[{chr(TAG_FIRST)}-{chr(TAG_LAST)}]+")
_MESSAGE_TAG_RUN = 8  # tag characters in a row that read as a hidden message wherever they are
_HIDDEN = re.compile(f"[{chr(TAG_BLOCK[0])}-{chr(TAG_BLOCK[1])}{_SELECTORS}]")  # the whole tag block and every selector
_SELECTOR_RUN = re.compile(f"[{_SELECTORS}]{{2,}}")


def text_views(text: str) -> list[tuple[str, str]]:
    """``[(name, view), ...]``, the original first; a view equal to an earlier one is left out."""
    views = [(ORIGINAL, text)]
    smuggled = smuggled_view(text)
    if smuggled is not None:
        views.append((SMUGGLED, smuggled))
    folded = _folded(text)
    read_as_letters = fold_leetspeak(folded)
    if read_as_letters != " ".join(text.split()):  # whitespace alone changes no token
        views.append((FOLDED, read_as_letters))
    decoded = decoded_view(text, folded)
    if decoded is not None:
        views.append((DECODED, decoded))
    spelled = spell_corrected(read_as_letters)
    if spelled != read_as_letters:
        views.append((SPELLED, spelled))
    seen, unique = set(), []
    for name, view in views:
        if view not in seen:
            seen.add(view)
            unique.append((name, view))
    return unique


_WORD_RUN = re.compile(r"\S+")


def changed_spans(source: str, view: str) -> list[tuple[int, int]]:
    """Character spans ``(start, end)`` of ``view`` where its words differ from ``source``'s (a
    word-level diff: whitespace alone changes no token). Words ``view`` lacks are marked by the span
    of the words either side of where they were, so the windows reading that join are found."""
    words = list(_WORD_RUN.finditer(view))
    matcher = SequenceMatcher(None, _WORD_RUN.findall(source), [word.group() for word in words], autojunk=False)
    spans = []
    for tag, _, _, first, stop in matcher.get_opcodes():
        if tag == "equal":
            continue
        if stop > first:
            spans.append((words[first].start(), words[stop - 1].end()))
        else:  # deleted: the neighbours of the gap
            end = words[first].end() if first < len(words) else len(view)
            spans.append((words[first - 1].start() if first else 0, end))
    return spans


def _folded(text: str) -> str:
    """``text`` with turned lines read back, look-alike letters read as Latin, invisibles stripped."""
    return fold_fancy_letters(normalize_text(read_as_cipher(turned_back(text))))


_NON_ASCII_WORD = re.compile(r"\S*[^\x00-\x7f]\S*")
_FANCY_LETTERS_FILE = Path(__file__).with_name("fancy_letters.tsv")


def fold_fancy_letters(text: str) -> str:
    """``text`` with every word that still holds non-ASCII characters read through the fancy-text
    table (``fancy_letters.tsv``: currency signs, CJK, Ethiopic, Cherokee, Canadian-syllabics and
    other look-alikes font generators use for Latin letters, which the Unicode confusables data
    mostly lacks) — only when the whole word then reads as ASCII: a word of a real script keeps its
    characters unless every one of them is in the table (a lossy skeleton, as folding already is
    for Cyrillic or Greek), and it needs two of them."""
    if text.isascii():
        return text
    table = _fancy_table()

    def read(match: re.Match) -> str:
        word = match.group()
        latin = word.translate(table)
        # Two table characters at least: a lone symbol ("£5", "œuvre") is no font.
        return latin if latin.isascii() and sum(ord(ch) in table for ch in word) >= 2 else word

    return _NON_ASCII_WORD.sub(read, text)


def read_as_cipher(text: str) -> str:
    """``text`` with its letter-like symbols read as the letters that make its words English
    (``deciphering.deciphered``, starting from the look-alike tables' reading), when that reading
    makes most of those words English; else ``text`` unchanged. It reads what no table lists (ᔕ, Д)
    and settles what a table reads otherwise than a font meant (Cherokee Ꮧ: a table's "j", a font's "a")."""
    if text.isascii():
        return text
    return deciphered(text, _symbol_reading) or text


@functools.lru_cache(maxsize=4096)
def _symbol_reading(symbol: str) -> str:
    """The look-alike tables' letter for one symbol: confusables and NFKC first, then the fancy-text
    table; "" when neither reads it as one Latin letter."""
    folded = normalize_text(symbol)
    if not (len(folded) == 1 and folded.isascii() and folded.isalpha()):
        folded = _fancy_table().get(ord(symbol), "")
    return folded.lower() if len(folded) == 1 and folded.isascii() and folded.isalpha() else ""


@functools.lru_cache(maxsize=1)
def _fancy_table() -> dict[int, str]:
    rows = _FANCY_LETTERS_FILE.read_text(encoding="utf-8").splitlines()
    return {int(code, 16): letters for code, letters in (row.split("\t") for row in rows if not row.startswith("#"))}


# Upside-down text (each letter turned half a circle, the line reversed) and mirrored text (each
# letter mirrored, the line reversed), as font generators write them. ASCII letters that are one
# another's turn or mirror (b/q, d/p, n/u) swap too when a line is read back.
_TURNED = MappingProxyType({
    "ɐ": "a", "ɔ": "c", "ǝ": "e", "ɟ": "f", "ƃ": "g", "ᵷ": "g", "ɥ": "h", "ı": "i", "ᴉ": "i", "ɾ": "j", "ʞ": "k",
    "ן": "l", "ɯ": "m", "ɹ": "r", "ʇ": "t", "ʌ": "v", "ʍ": "w", "ʎ": "y", "∀": "A", "ꓭ": "B", "Ɔ": "C", "ꓷ": "D",
    "Ǝ": "E", "Ⅎ": "F", "⅁": "G", "ſ": "J", "ꓘ": "K", "˥": "L", "Ԁ": "P", "ꓤ": "R", "ꓕ": "T", "∩": "U", "Λ": "V",
    "⅄": "Y", "˙": ".", "¿": "?", "¡": "!", "b": "q", "q": "b", "d": "p", "p": "d", "n": "u", "u": "n", "M": "W",
    "W": "M"})
_MIRRORED = MappingProxyType({
    "ɒ": "a", "ɔ": "c", "ɘ": "e", "ϱ": "g", "ʜ": "h", "į": "j", "ʞ": "k", "ɿ": "r", "ꙅ": "s", "ƚ": "t", "υ": "u",
    "γ": "y", "ᴎ": "N", "Я": "R", "Ǝ": "E", "ꟻ": "F", "⅃": "J", "Ꙅ": "S", "b": "d", "d": "b", "p": "q", "q": "p"})
_TURNED_TABLE = str.maketrans(dict(_TURNED))
_MIRRORED_TABLE = str.maketrans(dict(_MIRRORED))
_TURNED_SIGNS = re.compile("[" + re.escape("".join(ch for ch in _TURNED if not ch.isascii())) + "]")
_MIRRORED_SIGNS = re.compile("[" + re.escape("".join(ch for ch in _MIRRORED if not ch.isascii())) + "]")
_MIN_TURNED = 3  # turned or mirrored letters a line needs before its reversed reading is tried


def turned_back(text: str) -> str:
    """``text`` with each line written upside down or mirrored read back (reversed, letters turned),
    when that reading holds more common English words than the line; other lines unchanged."""
    if text.isascii():
        return text
    return "\n".join(_line_turned_back(line) for line in text.split("\n"))


def _line_turned_back(line: str) -> str:
    readings = [line[::-1].translate(table) for signs, table in ((_TURNED_SIGNS, _TURNED_TABLE),
                                                                  (_MIRRORED_SIGNS, _MIRRORED_TABLE))
                if len(signs.findall(line)) >= _MIN_TURNED]  # a regex scan: views are built on a hot path
    if not readings:
        return line
    best = max(readings, key=_english_words)
    return best if _english_words(best) > _english_words(line) else line


# The common leetspeak alphabet (digits and symbols standing for letters). "1" reads as "l" or "i" by
# its neighbours (``_one_as``). "2" for "z" is left out: it is far more often a number.
_LEET = MappingProxyType({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "6": "g", "7": "t", "8": "b",
                          "9": "g", "@": "a", "$": "s", "!": "i", "|": "l", "+": "t"})
_LEET_CHARS = re.escape("".join(_LEET))
_ANY_LEET = re.compile(f"[{_LEET_CHARS}]")
_LEET_TOKEN = re.compile(f"[A-Za-z{_LEET_CHARS}]+")
_INNER_LEET = re.compile(f"[A-Za-z][{_LEET_CHARS}]+[A-Za-z]")
_LEADING_LEET = re.compile(f"[{_LEET_CHARS}][A-Za-z]{{3,}}")
_LEET_NEXT_TO_LETTER = re.compile(f"[A-Za-z][{_LEET_CHARS}]|[{_LEET_CHARS}][A-Za-z]")
_LEET_SYMBOL = re.compile("[@$!|+]")
_NUMBER_OR_HEX = re.compile("[0-9]+|(?:0[xX])?[0-9A-Fa-f]{4,}")
_L_NEIGHBOURS = frozenset("aeiouAEIOUlL1")


def fold_leetspeak(text: str) -> str:
    """``text`` with leetspeak words read as letters ("1gn0r3 4ll pr3v10u5" -> "ignore all previous").

    A word is read when it is unmistakably leetspeak: 3-20 characters, three letters or more, with
    digits or symbols between letters or one in front of them ("pr3v10us", "1gnore"). Units,
    versions, years, hex, keys and e-mail addresses ("7pm", "k8s", "python3", "2024", "0x1f3a",
    "a@b.com") are not, so ordinary text gets no new view (a rare technical word such as "md5sum"
    changes one word of it). In a text with two such words or more, shorter words with a digit or
    symbol next to a letter, or with a leet symbol, are read too ("4ll", "th3", "4|1"). Trailing "!"
    is punctuation.
    """
    if not _ANY_LEET.search(text):  # most texts: one regex scan, no word loop
        return text
    words = list(_LEET_TOKEN.finditer(text))
    strict = [_leet_word(match, text, strict=True) for match in words]
    loose = sum(strict) >= 2
    pieces, last = [], 0
    for match, is_leet in zip(words, strict):
        if is_leet or (loose and _leet_word(match, text)):
            pieces += [text[last:match.start()], _fold_word(match.group())]
            last = match.end()
    return "".join(pieces) + text[last:] if pieces else text


def _leet_word(match: re.Match, text: str, *, strict: bool = False) -> bool:
    core = match.group().rstrip("!")
    if _NUMBER_OR_HEX.fullmatch(core) or ("@" in core and text[match.end():match.end() + 1] == "."):
        return False
    if strict:
        return (3 <= len(core) <= 20 and sum(ch.isalpha() for ch in core) >= 3
                and bool(_INNER_LEET.search(core) or _LEADING_LEET.fullmatch(core)))
    return bool(_LEET_NEXT_TO_LETTER.search(core) or _LEET_SYMBOL.search(core))  # "4|1": no letter left


def _fold_word(word: str) -> str:
    core = word.rstrip("!")
    letters = "".join(ch if ch == "1" else _LEET.get(ch, ch) for ch in core)  # a "1" needs its neighbours
    return "".join(_one_as(letters, i) if ch == "1" else ch for i, ch in enumerate(letters)) + word[len(core):]


def _one_as(word: str, i: int) -> str:
    """A "1" as "l" after a vowel or an "l" and before a vowel, another l or the word's end
    ("a11", "ru1es", "revea1"), else as "i" ("1gnore", "pr3v1ous")."""
    before = word[i - 1] if i else ""
    after = word[i + 1] if i + 1 < len(word) else ""
    return "l" if before and before in _L_NEIGHBOURS and (not after or after in _L_NEIGHBOURS) else "i"


def decoded_view(text: str, folded: str | None = None) -> str | None:
    """``text`` with its encoded spans decoded, folded (``DECODED``); None when nothing decodes.

    Lines first (ROT13 is judged per line), then the folded text (an encoding in look-alike letters);
    the result is folded too: a decoded payload may itself be letter-spaced or look-alike."""
    decoded = decode_spans(text)
    if decoded is None:  # the vowel test is for a text's own letters: folded Cyrillic is no language
        decoded = decode_spans(normalize_text(text) if folded is None else folded, rot13_by_vowels=False)
    return None if decoded is None else normalize_text(decoded)


def training_text(text: str, malicious: bool = False) -> str:
    """What a model learns a text as: the view that carries its payload — a smuggled payload made
    readable, else encoded spans decoded — or, for a malicious text written in look-alike letters,
    its folded reading; else the text itself.

    A smuggled variant's original view is its harmless cover sentence, an encoded one's is an opaque
    blob. Training on those with a malicious label teaches the cover, or "any encoded blob is an
    attack" (encodings are applied to malicious texts only): a MiniLM challenger trained on raw
    base64, hex, ROT13 and percent-encoded attacks flagged 91-100 % of benign test texts encoded the
    same way, where its parent flagged 9-29 %. Scoring reads the decoded view as well, so the
    payload is still seen.

    Look-alike text follows the max over views (a bag is malicious when one view is): a benign one is
    learned as it is — every reading of it must stay low, its raw look-alike soup included — a
    malicious one in its folded reading, the view that finds it (``_reads_better_folded``). Learning
    the soup in both classes (v0002) or folded in both (v0003) left challengers flagging 15-20 % of
    benign look-alike texts by their raw view (bench/README.md).
    """
    smuggled = smuggled_view(text)
    if smuggled is not None:
        return smuggled
    decoded = decoded_view(text)
    if decoded is not None:
        return decoded
    if malicious:
        folded = fold_leetspeak(_folded(text))
        if _reads_better_folded(text, folded):
            return folded
    return text


def _reads_better_folded(text: str, folded: str) -> bool:
    """Whether folding turned look-alike letters, leetspeak or letter-spaced words into words: more
    common English words than the text holds. Real scripts fold to soup (Cyrillic,
    Greek) or lose only accents (Spanish, German): they are learned as written."""
    return _english_words(folded) > _english_words(text)


def smuggled_view(text: str) -> str | None:
    """The visible text followed by what hides in it (``SMUGGLED``); None when nothing hides."""
    hidden = smuggled_text(text)
    return f"{visible_text(text)}\n{hidden}" if hidden else None


def smuggled_text(text: str) -> str:
    """What hides in tag characters and variation selectors, decoded ("" when nothing does)."""
    if text.isascii():
        return ""
    parts = [part for part in (_decode_tags(text), _decode_variation_selectors(text)) if part.strip()]
    return "\n".join(parts)


def visible_text(text: str) -> str:
    """``text`` without tag characters and variation selectors."""
    return _HIDDEN.sub("", text)


def _decode_tags(text: str) -> str:
    """The ASCII that tag characters mirror, when they carry a message: one run of them, or a run of
    at least ``_MESSAGE_TAG_RUN`` (then every run, in order: a payload with non-ASCII letters is cut
    into runs by them). Many short runs scattered through a text are noise, not a message, and
    reading them out appends a line of random symbols (measured on MiniLM: 43 of 46 false alarms
    on 150 benign texts with tag noise came from that line); an emoji flag's tag letters
    ("🏴" + "gbsct" + cancel tag) are a short run among visible text too."""
    runs = _TAG_RUN.findall(text)
    if len(runs) != 1 and not any(len(run) >= _MESSAGE_TAG_RUN for run in runs):
        return ""
    return "".join(chr(ord(ch) - TAG_BLOCK[0]) for run in runs for ch in run)


def _vs_byte(code: int) -> int | None:
    if _VS_BASIC[0] <= code <= _VS_BASIC[1]:
        return code - _VS_BASIC[0]
    if _VS_SUPPLEMENT[0] <= code <= _VS_SUPPLEMENT[1]:
        return code - _VS_SUPPLEMENT[0] + 16
    return None


def _decode_variation_selectors(text: str) -> str:
    """Runs of two or more variation selectors read as UTF-8 bytes (one selector after an emoji is
    ordinary emoji presentation, not a message)."""
    runs = (bytes(_vs_byte(ord(ch)) for ch in run) for run in _SELECTOR_RUN.findall(text))
    # No readability test: two selectors in a row carry a message in practice, never presentation.
    return "\n".join(run.decode("utf-8", errors="ignore") for run in runs)


_MAX_LAYERS = 3  # encodings peeled from one span (the attack engine stacks two; a bound, so decoding stays linear)


def decode_spans(text: str, *, rot13_by_vowels: bool = True) -> str | None:
    """``text`` with encoded spans decoded where they decode to readable text, or its ROT13 reading
    where that reads as a language; None when there is nothing to decode. Layers are peeled up to
    ``_MAX_LAYERS`` deep: the attack engine stacks encodings (base64 of hex, hex of percent-encoding)."""
    changed = text
    for _ in range(_MAX_LAYERS):
        layer = _decoded_once(changed, rot13_by_vowels)
        if layer == changed:
            break
        changed = layer
    return changed if changed != text else None


def _decoded_once(text: str, rot13_by_vowels: bool, depth: int = _MAX_LAYERS) -> str:
    """Every encoded span decoded where it reads as text (peeling up to ``depth`` layers of a span
    that decodes to another encoding), then lines read in ROT13 where that reads as a language."""
    for pattern, decode in ((_BASE64, _from_base64), (_HEX, _from_hex), (_PERCENT, _from_percent)):
        text = pattern.sub(lambda match: decode(match.group(), depth) or match.group(), text)
    return "\n".join(_rot13_if_readable(line, rot13_by_vowels) for line in text.split("\n"))


def _rot13_if_readable(line: str, by_vowels: bool) -> str:
    """A line read in ROT13 when that holds clearly more common English words, or — for other
    languages in Latin script — when it turns a line with few vowels into one with a natural share
    (ROT13 maps a, e, i, o, u to n, r, v, b, h: a rotated Spanish or French sentence has 15-25 %
    vowels, its reading 35-50 %; on the bundled data 15 of 29,543 plain lines of 20+ letters, log and
    code lines, get such a reading, which is one more view, not a replacement). A wrapper sentence
    around a ROT13 payload is usually on its own line."""
    rotated = codecs.encode(line, "rot13")
    words = _english_words(rotated)
    if words >= 3 and words >= 2 * _english_words(line) + 1:
        return rotated
    if by_vowels and _vowel_share(line) <= _ROTATED_VOWELS < _NATURAL_VOWELS <= _vowel_share(rotated):
        return rotated
    return line


_ROTATED_VOWELS, _NATURAL_VOWELS = 0.25, 0.33
_MIN_LETTERS_FOR_VOWELS = 20
_ASCII_LETTER = re.compile("[a-z]")


def _vowel_share(line: str) -> float:
    """Share of a, e, i, o, u among the line's ASCII letters; 0 under ``_MIN_LETTERS_FOR_VOWELS`` letters."""
    letters = _ASCII_LETTER.findall(line.casefold())
    if len(letters) < _MIN_LETTERS_FOR_VOWELS:
        return 0.0
    return sum(letter in "aeiou" for letter in letters) / len(letters)


def _from_base64(span: str, depth: int) -> str | None:
    try:
        raw = base64.b64decode(span + "=" * (-len(span) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None
    return _readable_utf8(raw, depth)


def _from_hex(span: str, depth: int) -> str | None:
    return _readable_utf8(bytes.fromhex(span), depth)


def _from_percent(span: str, depth: int) -> str | None:
    try:
        text = urllib.parse.unquote(span, errors="strict")
    except UnicodeDecodeError:
        return None
    return _revealed_if_readable(text, depth)


def _readable_utf8(raw: bytes, depth: int) -> str | None:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return _revealed_if_readable(text, depth)


def _revealed_if_readable(text: str, depth: int) -> str | None:
    """A decoded span, if it is readable — with any message smuggled in it decoded (folding would strip
    the invisible characters) — or, ``depth`` allowing, what it decodes to in turn (base64 of hex)."""
    hidden = smuggled_text(text)
    if hidden:
        text = f"{visible_text(text)}\n{hidden}"
    if _readable(text):
        return text
    if depth <= 1:
        return None
    inner = _decoded_once(text, rot13_by_vowels=False, depth=depth - 1)
    return None if inner == text else _revealed_if_readable(inner, depth=1)


def _readable(text: str) -> bool:
    """Mostly printable, with letters and at least one space: words, not bytes. A third letters,
    not a half: a payload that quotes a command or JSON (mined failures: 39-42 % letters) is text."""
    if len(text) < 4 or " " not in text:
        return False
    printable = sum(ch.isprintable() or ch in "\n\t" for ch in text)
    letters = sum(ch.isalpha() for ch in text)
    return printable >= 0.95 * len(text) and letters >= 0.3 * len(text)


def _english_words(text: str) -> int:
    return sum(map(_COMMON_WORDS.__contains__, _WORD.findall(text.casefold())))
