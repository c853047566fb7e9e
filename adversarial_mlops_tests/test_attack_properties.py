"""Hypothesis properties: what each attack family promises about its output.

- character / invisible / spacing / case attacks fold back under normalize_text;
- encodings decode back to the payload exactly;
- wrappers keep the payload verbatim; split pieces concatenate to the payload.
"""

from __future__ import annotations

import random
import string

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from adversarial_mlops.attacks import get_strategy
from adversarial_mlops.attacks.character import homoglyph_table
from adversarial_mlops.attacks.encoding import EncodingStrategy
from adversarial_mlops.attacks.structural import PayloadSplit
from adversarial_mlops.normalization import normalize_text

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
ENCODINGS = ["base64", "rot13", "hex", "url_encoding"]
WRAPPERS = ["context_wrap", "delimiter_injection"]


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


@pytest.mark.parametrize("name", ["homoglyph", "fullwidth", "diacritics", "zero_width", "unicode_tags"])
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
    variant = strategy.apply(text, random.Random(seed))
    assert strategy.decode_payload(variant) == text
    assert strategy.encoded_payload(variant) == strategy.encode(text)


@pytest.mark.parametrize("name", ["base64", "hex", "url_encoding"])
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
    # The chain's first step runs on the same rng, so replay it to find the payload.
    rng_a, rng_b = random.Random(seed), random.Random(seed)
    variant = get_strategy("synonym+context_wrap").apply(text, rng_a)
    paraphrased = get_strategy("synonym", 0.3).apply(text, rng_b)
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
