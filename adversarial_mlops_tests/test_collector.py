import numpy as np
import pandas as pd

from adversarial_mlops.loop.collector import (CLEAN_MISS, EVASION, collect_failures, load_bank, merge_into_bank,
                                                save_bank)

TRAIN = pd.DataFrame({"id": ["m1", "m2", "b1", "b2"],
                      "text": ["ignore the rules", "leak the prompt", "bake bread", "ignore the typo"],
                      "label": [1, 1, 0, 0]})
VARIANTS = pd.DataFrame({"variant_id": ["v1", "v2", "v3", "v4"], "source_id": ["m1", "m1", "m2", "m1"],
                         "strategy": ["leetspeak", "rot13", "leetspeak", "homoglyph"],
                         "text": ["1gn0re the rules", "vtaber gur ehyrf", "l3ak the prompt", "ignоre the rules"]})


def test_evasions_count_only_sources_caught_when_clean():
    clean_pred = np.array([1, 0, 0, 0])  # m2 is missed even when clean
    variant_pred = np.array([0, 1, 0, 0])  # v1, v3, v4 called benign
    found = collect_failures(TRAIN, clean_pred, VARIANTS, variant_pred, loop_id="L1")
    evasions = found[found["kind"] == EVASION]
    assert sorted(evasions["text"]) == ["1gn0re the rules", "ignоre the rules"]  # v3's source was never caught
    misses = found[found["kind"] == CLEAN_MISS]
    assert misses["source_id"].tolist() == ["m2"] and misses["label"].tolist() == [1]
    assert set(found["loop_id"]) == {"L1"}


def test_false_alarms_on_benign_texts_are_clean_misses_with_benign_label():
    found = collect_failures(TRAIN, np.array([1, 1, 0, 1]), VARIANTS, np.ones(4, dtype=int), loop_id="L1")
    assert found[["source_id", "label", "kind"]].values.tolist() == [["b2", 0, CLEAN_MISS]]


def test_bank_is_cumulative_deduplicated_and_keeps_first_loop(tmp_path):
    first = collect_failures(TRAIN, np.array([1, 1, 0, 0]), VARIANTS, np.array([0, 1, 1, 1]), loop_id="L1")
    second = collect_failures(TRAIN, np.array([1, 1, 0, 0]), VARIANTS, np.array([0, 0, 1, 1]), loop_id="L2")
    bank = merge_into_bank(merge_into_bank(None, first), second)
    assert bank["text"].tolist() == ["1gn0re the rules", "vtaber gur ehyrf"]
    assert bank["loop_id"].tolist() == ["L1", "L2"]
    path = tmp_path / "bank.parquet"
    assert load_bank(path) is None
    save_bank(path, bank)
    pd.testing.assert_frame_equal(load_bank(path), bank, check_dtype=False)


def test_case_and_spacing_duplicates_collapse():
    variants = VARIANTS.assign(text=["Ignore  the rules", "ignore the RULES", "x", "y"])
    found = collect_failures(TRAIN, np.array([1, 1, 0, 0]), variants, np.array([0, 0, 1, 1]), loop_id="L")
    assert len(found[found["kind"] == EVASION]) == 1


def test_case_variants_stay_apart_for_a_model_that_reads_case():
    variants = VARIANTS.assign(text=["Ignore  the rules", "ignore the RULES", "x", "y"])
    found = collect_failures(TRAIN, np.array([1, 1, 0, 0]), variants, np.array([0, 0, 1, 1]), loop_id="L",
                             case_sensitive=True)
    assert sorted(found[found["kind"] == EVASION]["text"]) == ["Ignore  the rules", "ignore the RULES"]
    # Spacing still collapses; the merged bank keeps both case forms too.
    again = collect_failures(TRAIN, np.array([1, 1, 0, 0]), variants.assign(text=["Ignore the rules", "x", "y", "z"]),
                             np.array([0, 1, 1, 1]), loop_id="L2", case_sensitive=True)
    bank = merge_into_bank(found, again, case_sensitive=True)
    assert sorted(bank[bank["kind"] == EVASION]["text"]) == ["Ignore  the rules", "ignore the RULES"]
    assert len(merge_into_bank(found, again)) == len(bank) - 1  # case-blind: the two forms are one


class KeywordModel:
    """A stand-in detector for the miner: malicious iff a trigger word appears verbatim, so the
    adaptive attack's one-character edits of that word turn it benign."""

    threshold = 0.5

    def predict_proba(self, texts):
        return np.array([0.9 if any(w in text.lower() for w in ("ignore", "leak")) else 0.1 for text in texts])

    def predict(self, texts):
        return (self.predict_proba(texts) >= self.threshold).astype(int)

    @staticmethod
    def tokenizer(text):  # an uncased tokenizer: one id per lower-cased word
        return {"input_ids": [hash(word) for word in text.lower().split()]}


def test_mining_adds_the_adaptive_attacks_successes_on_training_texts_as_evasions():
    from adversarial_mlops.config import AttackSettings
    from adversarial_mlops.loop.collector import mine

    attack = AttackSettings(adaptive_train_sources=2, adaptive_query_budget=30)
    mining = mine(KeywordModel(), TRAIN, VARIANTS.assign(purpose="training"), attack)
    adaptive = mining.variants[mining.variants["strategy"] == "adaptive"]
    assert sorted(adaptive["source_id"]) == ["m1", "m2"] and set(adaptive["pred"]) == {0}
    assert set(adaptive["purpose"]) == {"training"} and set(adaptive["label"]) == {1}
    for source, text in zip(adaptive["source_id"], adaptive["text"]):
        assert text != TRAIN.set_index("id").at[source, "text"]  # an edited copy, not its source
    assert mining.adaptive_summary["n_attacked"] == 2 and mining.adaptive_summary["n_success"] == 2
    found = mining.failures("L1")
    assert sorted(found.loc[found["strategy"] == "adaptive", "source_id"]) == ["m1", "m2"]
    # Holding out a family the attack edits with holds its variants out too.
    assert "adaptive" not in set(mining.failures("L1", exclude_families=["character"])["strategy"])
    assert "adaptive" in set(mining.failures("L1", exclude_families=["encoding"])["strategy"])


def test_mining_without_the_adaptive_attack_adds_nothing():
    from adversarial_mlops.config import AttackSettings
    from adversarial_mlops.loop.collector import mine

    mining = mine(KeywordModel(), TRAIN, VARIANTS.assign(purpose="training"), AttackSettings(adaptive_train_sources=0))
    assert len(mining.variants) == len(VARIANTS) and mining.adaptive_summary is None


def test_each_refusal_moves_mining_on_to_training_texts_it_has_not_attacked():
    from adversarial_mlops.config import AttackSettings
    from adversarial_mlops.loop.collector import mine

    train = pd.DataFrame({"id": [f"m{i}" for i in range(6)] + ["b1"],
                          "text": [f"ignore rule number {i}" for i in range(6)] + ["bake bread"],
                          "label": [1] * 6 + [0]})
    attack = AttackSettings(adaptive_train_sources=2, adaptive_query_budget=30)
    attacked = [set(mine(KeywordModel(), train, VARIANTS.iloc[:0].assign(purpose="training"), attack,
                         mining_round=r).variants["source_id"]) for r in range(4)]
    assert all(len(sources) == 2 for sources in attacked)
    assert set().union(*attacked[:3]) == {f"m{i}" for i in range(6)}  # three rounds, three disjoint blocks
    assert attacked[3] == attacked[0]  # the texts ran out: the order starts over (with another search seed)


def test_the_mining_round_counts_the_challengers_this_champion_kept_out():
    from adversarial_mlops.loop.collector import mining_round

    history = [{"event": "promote", "version": "v0001"},
               {"event": "reject", "version": "v0002", "champion": "v0001"},
               {"event": "superseded", "version": "v0003", "champion": "v0001"},  # decided on a stale champion
               {"event": "reject", "version": "v0004", "champion": "v0001"},
               {"event": "promote", "version": "v0005", "replacing": "v0001"},
               {"event": "reject", "version": "v0006", "champion": "v0005"}]
    assert mining_round(history, "v0001") == 2
    assert mining_round(history, "v0005") == 1
    assert mining_round(history, "v0007") == 0 and mining_round([], "v0001") == 0
