"""The bundled-data generator (scripts/generate_dataset.py): deterministic, split-disjoint pools,
class-balanced fillers, both classes in every language and document kind, and leakage under 5 %."""

import gzip
import os
import random
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pandas as pd
import pytest

from adversarial_mlops import data
from adversarial_mlops.config import BUNDLED_DATASET, DataSettings
from scripts import generate_dataset as generator

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def rows():
    return generator.build_rows()


@pytest.fixture(scope="module")
def frame(rows):
    return pd.DataFrame(rows)


def generate(out: Path, hash_seed: str) -> Path:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    subprocess.run([sys.executable, str(ROOT / "scripts" / "generate_dataset.py"), "--output", str(out)],
                   check=True, env=env, capture_output=True)
    return out


def test_the_committed_data_is_what_the_generator_writes(tmp_path):
    # The CSV inside, compared byte for byte: the gzip stream itself may differ between zlib builds.
    out = generate(tmp_path / "generated.csv.gz", hash_seed="123")
    assert gzip.decompress(out.read_bytes()) == gzip.decompress(BUNDLED_DATASET.read_bytes())


def test_two_runs_write_the_same_bytes(tmp_path):
    first = generate(tmp_path / "a.csv.gz", hash_seed="1")
    second = generate(tmp_path / "b.csv.gz", hash_seed="2")
    assert first.read_bytes() == second.read_bytes()
    plain = generate(tmp_path / "c.csv", hash_seed="3")
    assert plain.read_bytes() == gzip.decompress(first.read_bytes())


def test_two_builds_are_identical(rows):
    assert generator.build_rows() == rows


def test_pool_slices_are_disjoint_and_cover_the_pool():
    content = generator.load_content()
    sliced = generator.slice_pools(content.pools, generator.SEED)
    for name, values in content.pools.items():
        if len(values) < len(generator.SPLITS):
            continue
        parts = [set(sliced[name][split]) for split in generator.SPLITS]
        assert all(parts), name
        assert sum(map(len, parts)) == len(set(values)) and set().union(*parts) == set(values), name


def test_no_multiword_attacker_phrase_reaches_two_splits(frame):
    content = generator.load_content()
    malicious = frame[frame["label"] == "malicious"]
    for pool in ("payload", "override", "harmful", "sys_override"):
        for value in content.pools[pool]:
            if "{" in value or len(value.split()) < 4:
                continue
            splits = set(malicious.loc[malicious["text"].str.contains(value, regex=False), "split"])
            assert len(splits) <= 1, (pool, value, splits)


def test_fillers_do_not_predict_the_label(frame):
    """Within a split, each class draws a shared pool's values equally often."""
    filler = generator.Filler(generator.slice_pools({"topic": [f"t{i}" for i in range(20)]}, 1), random.Random(0))
    drawn = defaultdict(Counter)
    for _ in range(40):
        for label in ("benign", "malicious"):
            drawn[label][filler.pick("topic", "train", label)] += 1
    assert set(drawn["benign"].values()) == {5} and drawn["benign"] == drawn["malicious"]


def test_every_template_and_document_is_in_one_split(frame):
    assert frame.groupby("template_group")["split"].nunique().max() == 1
    assert set(frame["split"]) == set(generator.SPLITS)


def test_both_classes_in_every_language_and_document_kind(frame):
    for language, labels in frame.groupby("language")["label"]:
        assert set(labels) == {"benign", "malicious"}, language
    documents = frame[frame["template_group"].str.startswith("document-")]
    kinds = documents["template_group"].str.split("-").str[1]
    assert set(kinds) >= {"email", "web_page", "code", "log", "tool_output", "chat_transcript"}
    for kind, labels in documents.groupby(kinds)["label"]:
        assert set(labels) == {"benign", "malicious"}, kind


def test_long_documents_carry_their_payload_span(frame):
    documents = frame[frame["template_group"].str.startswith("document-")]
    lengths = documents["text"].str.len()
    assert lengths.min() >= 1000 and lengths.max() <= 6000
    attacks = documents[documents["label"] == "malicious"]
    assert (attacks["payload_start"] != "").all()
    positions = []
    for text, start, end in zip(attacks["text"], attacks["payload_start"], attacks["payload_end"]):
        start, end = int(start), int(end)
        assert 0 < start < end <= len(text) and text[start - 2:start] == "\n\n"
        positions.append(start / len(text))
    assert min(positions) < 0.3 and max(positions) > 0.7  # payloads early, late and between
    assert (documents.loc[documents["label"] == "benign", "payload_start"] == "").all()


def test_trigger_word_over_defence_set_has_300_texts(frame):
    assert (frame["family"] == "benign_trigger_word").sum() >= 300
    assert set(frame.loc[frame["family"] == "benign_trigger_word", "label"]) == {"benign"}


def test_the_bundled_data_leaks_at_most_5_percent():
    splits = data.load_splits(DataSettings())
    report = data.phrase_leakage(splits)
    assert report["test"]["share"] <= 0.05 and report["holdout"]["share"] <= 0.05, report


def test_no_shared_filler_is_used_by_one_class_only(rows):
    """Shared pools are filled by both classes; today's widest skew is 18 % / 82 % (framework)."""
    for pool, count in generator.filler_balance(rows).items():
        total = count["benign"] + count["malicious"]
        if total >= 50:
            assert 0.15 <= count["malicious"] / total <= 0.70, (pool, count)


# Speaker labels that delimiter and multi-turn attacks put at the start of a line (fake turns, fake system
# messages, instruction-tuning and ChatML markers).
SPEAKER_STYLES = {"Human:": r"(?m)^\W*human\s?:", "System:": r"(?m)^\W*system\s?:",
                  "### Instruction": r"(?m)^#+\s*instruction\b", "ChatML": r"<\|(?:im_start\|>)?(?:user|assistant)\b"}


# The shapes of set-up prompts ("act as ... reply only with ... my first request is"), which jailbreaks share
# with harmless tool and persona set-ups (persona_prompts_en); before that module the hand-over and the
# output rule opened only malicious training texts (6 of 6 each).
SETUP_SHAPES = {"my first request": r"\bmy first (?:request|query|input)\b|\bfirst input:|\byour first task:",
                "reply only": r"\b(?:reply|respond|answer) only\b", "act as": r"\bact as\b"}


def assert_benign_in_training_too(frame, pattern: str, what: str) -> None:
    uses = frame[frame["text"].str.contains(pattern, case=False, regex=True)]
    assert (uses["label"] == "malicious").any(), f"no attack uses {what} any more: drop it from the list"
    in_training = uses[uses["split"] == "train"]
    if (in_training["label"] == "malicious").any():
        assert (in_training["label"] == "benign").mean() >= 0.15, in_training.groupby("label").size().to_dict()


@pytest.mark.parametrize("style", SPEAKER_STYLES)
def test_attack_transcript_formats_open_benign_transcripts_too(frame, style):
    """A format the attacks use is not a label shortcut: where attacks in the training split use it, at
    least 15 % of the training texts in it are benign (before the speaker_styles module: 0 % for each)."""
    assert_benign_in_training_too(frame, SPEAKER_STYLES[style], style)


@pytest.mark.parametrize("shape", SETUP_SHAPES)
def test_set_up_prompt_shapes_serve_benign_set_ups_too(frame, shape):
    assert_benign_in_training_too(frame, SETUP_SHAPES[shape], shape)


# Surface features any text may have. Before links_questions_en and the contact-line and closing-question
# noise, the minority class's share of the training texts showing them was: URL 10 %, e-mail address 18 %,
# markdown link 5 %, markdown or HTML image 7 %, closing question mark 8 % (malicious); before agent_tools_en,
# an agent tool named in the text (run_shell, send_email, next_action ...) 5 % (benign), and markdown links
# and images were back to 12 and 18 % once its templates re-dealt the splits (the contact lines now carry both).
@pytest.mark.parametrize("cue", generator.SURFACE_CUES)
def test_surface_cues_are_shared_by_both_classes_in_training(frame, cue):
    """Each class makes at least 15 % of the training texts that show a surface cue, so a link, an address
    or a question mark does not stand for a label."""
    training = frame[frame["split"] == "train"]
    shown = training[training["text"].str.contains(generator.SURFACE_CUES[cue], case=False, regex=True)]
    shares = shown["label"].value_counts(normalize=True)
    assert len(shown) >= 50 and min(shares.get("benign", 0), shares.get("malicious", 0)) >= 0.15, shares.to_dict()
