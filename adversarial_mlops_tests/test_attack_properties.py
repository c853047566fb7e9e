"""Hypothesis properties: what each attack family promises about its output.

- character / invisible / spacing / case attacks fold back under normalize_text;
- encodings decode back to the payload exactly;
- wrappers keep the payload verbatim; split pieces concatenate to the payload;
- the vectorised batch path gives each text the variant it gets alone, with the same guarantees.
"""

from __future__ import annotations

import random
import string

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from adversarial_mlops.attacks import Strategy, available_strategies, get_strategy
from adversarial_mlops.attacks.character import homoglyph_table
from adversarial_mlops.attacks.encoding import EncodingStrategy
from adversarial_mlops.attacks.structural import PayloadSplit
from adversarial_mlops.models.normalization import normalize_text

PROPERTY_SETTINGS = settings(max_examples=60, deadline=None)

# ASCII words and spaces, like most real prompts; the normaliser promises no
# more than that (it is lossy for other scripts by design).
words = st.text(alphabet=string.ascii_letters, min_size=1, max_size=12)
ascii_texts = st.lists(words, min_size=1, max_size=12).flatmap(
    lambda ws: st.lists(st.sampled_from([" ", "  ", "\t", "\n"]), min_size=len(ws) - 1, max_size=len(ws) - 1).map(
        lambda seps: "".join(w + s for w, s in zip(ws, seps + [""]))
    )
)
any_texts = st.text(min_size=1, max_size=200)
seeds = st.integers(min_value=0, max_value=2**32 - 1)
intensities = st.sampled_from([0.05, 0.3, 0.7, 1.0])

FOLDING = ["homoglyph", "fullwidth", "diacritics", "zero_width", "unicode_tags", "variation_selectors",
           "bidi_controls", "letter_spacing", "odd_whitespace", "homoglyph+zero_width"]  # fmt: skip
CASE_CHANGING = ["random_case"]
ENCODINGS = ["base64", "rot13", "hex", "url_encoding", "base64_raw", "rot13_raw", "hex_raw", "url_encoding_raw"]
WRAPPERS = ["context_wrap", "addressed_to_ai", "delimiter_injection"]


@pytest.mark.parametrize("name", FOLDING)
@PROPERTY_SETTINGS
@given(text=ascii_texts, seed=seeds, intensity=intensities)
def test_folds_back_under_normalization(name: str, text: str, seed: int, intensity: float) -> None:
    variant = get_strategy(name, intensity).apply(text, random.Random(seed))
    assert normalize_text(variant) == normalize_text(text)


@pytest.mark.parametrize("name", CASE_CHANGING)
@PROPERTY_SETTINGS
@given(text=ascii_texts, seed=seeds, intensity=intensities)
def test_case_folds_back(name: str, text: str, seed: int, intensity: float) -> None:
    variant = get_strategy(name, intensity).apply(text, random.Random(seed))
    assert variant != text
    assert normalize_text(variant).casefold() == normalize_text(text).casefold()


ALWAYS_CHANGE = ["homoglyph", "fullwidth", "diacritics", "zero_width", "unicode_tags"]


@pytest.mark.parametrize("name", ALWAYS_CHANGE)
@PROPERTY_SETTINGS
@given(text=ascii_texts, seed=seeds)
def test_character_attacks_always_change_letter_text(name: str, text: str, seed: int) -> None:
    # The confusables data has no single-glyph lookalike for a few letters ("m").
    assume(name != "homoglyph" or any(ch in homoglyph_table() for ch in text))
    assert get_strategy(name).apply(text, random.Random(seed)) != text


@pytest.mark.parametrize("name", ENCODINGS)
@PROPERTY_SETTINGS
@given(text=any_texts, seed=seeds)
def test_encodings_decode_back_exactly(name: str, text: str, seed: int) -> None:
    strategy = get_strategy(name)
    assert isinstance(strategy, EncodingStrategy)
    # A bare ROT13 text that itself reads "Encoded: …\nDecoded:" is the framed form: ambiguous by design.
    assume(name != "rot13_raw" or not (strategy.encode(text).startswith("Encoded: ")
                                       and strategy.encode(text).endswith("\nDecoded:")))
    variant = strategy.apply(text, random.Random(seed))
    assert strategy.decode_payload(variant) == text
    assert strategy.encoded_payload(variant) == strategy.encode(text)


@pytest.mark.parametrize("name", ["base64", "hex", "url_encoding", "base64_raw", "hex_raw", "url_encoding_raw"])
@PROPERTY_SETTINGS
@given(text=ascii_texts, seed=seeds)
def test_opaque_encodings_hide_the_words(name: str, text: str, seed: int) -> None:
    encoded = get_strategy(name).encoded_payload(get_strategy(name).apply(text, random.Random(seed)))
    longest_word = max(text.split(), key=len)
    if len(longest_word) >= 4:
        assert longest_word not in encoded


@pytest.mark.parametrize("name", WRAPPERS)
@PROPERTY_SETTINGS
@given(text=any_texts, seed=seeds)
def test_wrappers_keep_payload_verbatim(name: str, text: str, seed: int) -> None:
    variant = get_strategy(name).apply(text, random.Random(seed))
    assert text in variant and len(variant) > len(text)


@PROPERTY_SETTINGS
@given(text=any_texts, seed=seeds, intensity=intensities)
def test_payload_split_pieces_concatenate_to_payload(text: str, seed: int, intensity: float) -> None:
    variant = get_strategy("payload_split", intensity).apply(text, random.Random(seed))
    pieces = PayloadSplit.split_pieces(variant)
    assert "".join(pieces) == text
    assert all(pieces)
    assert len(pieces) == min(len(text), 2 + round(4 * intensity))


@PROPERTY_SETTINGS
@given(text=any_texts, seed=seeds)
def test_synonym_context_wrap_embeds_a_paraphrase(text: str, seed: int) -> None:
    # The chain's first step runs with step_keys([key], 0, 0), so replay it to find the payload.
    from adversarial_mlops.attacks.composite import step_keys

    variant = get_strategy("synonym+context_wrap").apply(text, random.Random(seed))
    key = random.Random(seed).getrandbits(64)
    paraphrased = get_strategy("synonym", 0.3).apply_seeded(text, step_keys([key], 0, 0)[0])
    assert paraphrased in variant


@PROPERTY_SETTINGS
@given(text=ascii_texts, seed=seeds)
def test_letter_spacing_base64_decodes_to_a_letter_spaced_payload(text: str, seed: int) -> None:
    from adversarial_mlops.attacks.encoding import Base64

    variant = get_strategy("letter_spacing+base64").apply(text, random.Random(seed))
    assert normalize_text(Base64.decode_payload(variant)) == normalize_text(text)


@pytest.mark.parametrize("name", ["keyboard_typo", "synonym", "leetspeak"])
@PROPERTY_SETTINGS
@given(text=any_texts, seed=seeds)
def test_word_level_attacks_never_crash(name: str, text: str, seed: int) -> None:
    assert isinstance(get_strategy(name, 1.0).apply(text, random.Random(seed)), str)


# --- the vectorised batch path ------------------------------------------------------------
# Strategies with their own batch path (vectorised ones, composites); the rest use the generic loop.
BATCHED = [cls.name for cls in available_strategies() if cls._apply_keys is not Strategy._apply_keys]
keys = st.integers(min_value=0, max_value=2**64 - 1)


@pytest.mark.parametrize("name", BATCHED)
@PROPERTY_SETTINGS
@given(items=st.lists(st.tuples(any_texts, keys), min_size=1, max_size=8), intensity=intensities)
def test_batch_equals_each_variant_alone(name: str, items: list, intensity: float) -> None:
    strategy = get_strategy(name, intensity)
    texts, batch_keys = [t for t, _ in items], [k for _, k in items]
    batch = strategy.apply_many(texts, batch_keys)
    assert batch == [strategy.apply_seeded(text, key) for text, key in items]
    assert strategy.apply_many(texts[::-1], batch_keys[::-1]) == batch[::-1]


@pytest.mark.parametrize("name", [n for n in FOLDING if n in BATCHED])
@PROPERTY_SETTINGS
@given(items=st.lists(st.tuples(ascii_texts, keys), min_size=1, max_size=8), intensity=intensities)
def test_batched_variants_fold_back_and_change(name: str, items: list, intensity: float) -> None:
    strategy = get_strategy(name, intensity)
    for (text, _), variant in zip(items, strategy.apply_many([t for t, _ in items], [k for _, k in items])):
        assert normalize_text(variant) == normalize_text(text)
        if name in ALWAYS_CHANGE and (name != "homoglyph" or any(ch in homoglyph_table() for ch in text)):
            assert variant != text


@pytest.mark.parametrize("name", ["homoglyph", "leetspeak", "fullwidth", "odd_whitespace"])
@PROPERTY_SETTINGS
@given(text=any_texts, key=keys, intensity=intensities)
def test_substitutions_change_the_intensity_share_of_eligible_characters(name: str, text: str, key: int,
                                                                         intensity: float) -> None:
    # The same share as sample_indices: round(n * intensity) of n eligible, at least one.
    strategy = get_strategy(name, intensity)
    variant = strategy.apply_many([text], [key])[0]  # one attempt suffices when anything is eligible
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    n = int(strategy._eligible(codes).sum())
    assert len(variant) == len(text)
    assert sum(a != b for a, b in zip(text, variant)) == (min(n, max(1, round(n * intensity))) if n else 0)


@PROPERTY_SETTINGS
@given(text=ascii_texts, key=keys)
def test_zero_width_at_full_intensity_fills_exactly_the_insertion_points(text: str, key: int) -> None:
    from adversarial_mlops.attacks.invisible import ZeroWidth, insertion_points

    variant = get_strategy("zero_width", 1.0).apply_seeded(text, key)
    offsets, seen = [], 0
    for ch in variant:
        if ch in ZeroWidth.alphabet:
            offsets.append(seen)
        else:
            seen += 1
    assert offsets == insertion_points(text)


@pytest.mark.parametrize("intensity", [0.05, 0.3, 1.0])
@PROPERTY_SETTINGS
@given(items=st.lists(st.tuples(any_texts, keys), min_size=1, max_size=6))
def test_keyboard_typos_only_touch_letters_one_edit_per_chosen_word(intensity: float, items: list) -> None:
    from adversarial_mlops.attacks.base import WORD_RE

    strategy = get_strategy("keyboard_typo", intensity)
    for (text, _), variant in zip(items, strategy.apply_many([t for t, _ in items], [k for _, k in items])):
        before, after = WORD_RE.findall(text), WORD_RE.findall(variant)
        assert WORD_RE.sub("", variant) == WORD_RE.sub("", text)  # everything but letters is kept
        assert len(after) == len(before)  # no word splits or merges (deletions keep 2+ letters)
        n = sum(len(word) >= 2 for word in before)
        k = min(n, max(1, round(n * intensity))) if n else 0
        changed = [(a, b) for a, b in zip(before, after) if a != b]
        assert len(changed) <= k
        assert all(len(a) >= 2 and abs(len(a) - len(b)) <= 1 for a, b in changed)


# --- font generators ----------------------------------------------------------------------
@PROPERTY_SETTINGS
@given(text=ascii_texts, seed=seeds)
def test_fancy_font_writes_every_word_in_one_font(text: str, seed: int) -> None:
    from adversarial_mlops.attacks.fonts import FONT_TABLES

    variant = get_strategy("fancy_font").apply(text, random.Random(seed))
    readings = []
    for table in FONT_TABLES.values():
        back = {symbol: letter for letter, symbol in table.items()}
        if all(ch in back or ch.isspace() for ch in variant):
            readings.append("".join(back.get(ch, ch) for ch in variant))
    assert text.lower() in readings  # one font read back gives the text (case dropped, as generators drop it)


@PROPERTY_SETTINGS
@given(text=ascii_texts, seed=seeds)
def test_upside_down_turns_back_to_the_lower_case_text(text: str, seed: int) -> None:
    from adversarial_mlops.attacks.fonts import TURNED_ALPHABETS

    variant = get_strategy("upside_down").apply(text, random.Random(seed))
    readings = []
    for table in TURNED_ALPHABETS.values():
        back = {turned: letter for letter, turned in table.items()}
        readings.append("\n".join(line if not line.strip() else "".join(back.get(ch, ch) for ch in line[::-1])
                                  for line in variant.split("\n")))
    assert text.lower() in readings
