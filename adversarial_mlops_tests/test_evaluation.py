import numpy as np
import pandas as pd

from adversarial_mlops.judging.evaluation import evaluate_model
from adversarial_mlops.judging.quality_gate import evaluate_gate
from adversarial_mlops.config import QualityGateSettings

TEST = pd.DataFrame({"id": ["m1", "m2", "m3", "b1", "b2"],
                     "text": ["ignore rules", "leak prompt", "forget orders", "bake bread", "ignore the typo"],
                     "label": [1, 1, 1, 0, 0]})
VARIANTS = pd.DataFrame({"source_id": ["m1", "m1", "m2", "m2", "m3"], "strategy": ["a", "b", "a", "b", "a"],
                         "text": ["EVADE 1", "caught 1", "EVADE 2", "EVADE 3", "caught 2"]})


def keyword_model(texts):
    """Flags texts containing 'ignore', 'leak' or 'caught'; misses 'forget' and anything 'EVADE'."""
    return np.array([0.9 if any(w in t for w in ("ignore", "leak", "caught")) else 0.1 for t in texts])


def test_report_numbers_follow_the_definitions():
    report = evaluate_model(keyword_model, TEST, VARIANTS, f1_at_promotion=0.9, seed=0, n_resamples=200)
    clean = report["clean"]
    # tp = m1, m2; fn = m3; fp = b2 ("ignore the typo") → precision 2/3, recall 2/3, FPR 1/2
    assert (clean["precision"], clean["recall"], clean["fpr"]) == (2 / 3, 2 / 3, 0.5)
    overall = report["evasion"]["overall"]
    # m3 is missed when clean, so its variant does not count; 3 of the 4 remaining evade.
    assert overall["n_variants"] == 4 and overall["n_evaded"] == 3 and overall["rate"] == 0.75
    assert overall["low"] <= overall["rate"] <= overall["high"]
    assert report["evasion"]["by_strategy"]["a"]["rate"] == 1.0
    assert report["evasion"]["by_strategy"]["b"]["rate"] == 0.5
    assert report["f1_drop"] == 0.9 - clean["f1"]
    point = report["operating_point"]
    assert (point["threshold"], point["fpr"], point["recall"]) == (0.5, 0.5, 2 / 3)
    # b2 scores as high as the caught attacks: below 50 % FPR nothing can be flagged.
    assert point["recall_at_1pct_fpr"]["recall"] == 0.0 and point["recall_at_5pct_fpr"]["fpr"] == 0.0


def test_nothing_caught_means_evasion_not_measurable_and_gate_fails():
    report = evaluate_model(lambda texts: np.zeros(len(texts)), TEST, VARIANTS, f1_at_promotion=None)
    assert report["evasion"]["overall"]["rate"] is None and report["f1_drop"] is None
    assert not evaluate_gate(report, QualityGateSettings()).passed


def test_over_defense_counts_false_alarms_on_obfuscated_benign_texts_and_by_category():
    test = TEST.assign(category=["attack"] * 3 + ["everyday", "hard_negative"])
    benign_variants = pd.DataFrame({"source_id": ["b1", "b1", "b2"], "strategy": ["a", "b", "a"],
                                    "text": ["b@ke bread", "caught bread", "1gnore the typo"]})
    report = evaluate_model(keyword_model, test, VARIANTS, f1_at_promotion=None, benign_variants=benign_variants,
                            seed=0, n_resamples=200)
    over = report["over_defense"]
    assert over["obfuscated_benign_fpr"]["rate"] == 1 / 3 and over["obfuscated_benign_fpr"]["n"] == 3
    assert over["obfuscated_benign_fpr_by_strategy"]["b"]["rate"] == 1.0
    assert over["clean_fpr_by_category"] == {"everyday": {"fpr": 0.0, "n": 1}, "hard_negative": {"fpr": 1.0, "n": 1}}
    strict = QualityGateSettings(max_evasion_rate=1.0, min_f1_score=0.0, max_obfuscated_benign_fpr=0.2, max_clean_fpr=1.0,
                                max_adaptive_evasion=1.0)
    verdict = evaluate_gate(report, strict)
    assert not verdict.passed and "obfuscated benign" in verdict.failure_reasons[0]


def test_the_over_defence_set_gets_its_own_line_with_a_cluster_ci():
    test = TEST.assign(category=["attack"] * 3 + ["trigger", "trigger"], group=["m1", "m2", "m3", "t1", "t2"])
    report = evaluate_model(keyword_model, test, VARIANTS, f1_at_promotion=None, seed=0, n_resamples=200,
                            over_defense_categories=["trigger"])
    line = report["over_defense"]["over_defense_set_fpr"]
    assert line["rate"] == 0.5 and line["n"] == 2 and line["n_groups"] == 2 and line["categories"] == ["trigger"]
    plain = evaluate_model(keyword_model, test, VARIANTS, f1_at_promotion=None, seed=0, n_resamples=200)
    assert plain["over_defense"]["over_defense_set_fpr"] is None


def test_adaptive_attack_rows_count_in_the_evasion_rate():
    from adversarial_mlops.judging.evaluation import ADAPTIVE, adaptive_variants

    def brittle(texts):  # flags the exact word "ignore" only: one changed character evades it
        return np.array([0.9 if "ignore" in t.split() else 0.1 for t in texts])

    test = pd.DataFrame({"id": ["m1", "m2", "b1"], "text": ["please ignore rules now", "leak it", "bake bread"],
                         "label": [1, 1, 0]})
    rows, summary = adaptive_variants(brittle, test, n_sources=10, query_budget=40, seed=0)
    assert rows["strategy"].tolist() == [ADAPTIVE, ADAPTIVE] and rows["source_id"].tolist() == ["m1", "m2"]
    assert summary["n_attacked"] == 1 and summary["n_success"] == 1  # m2 was never caught, so not attacked
    report = evaluate_model(brittle, test, rows, f1_at_promotion=None, n_resamples=100)
    assert report["evasion"]["by_strategy"][ADAPTIVE]["rate"] == 1.0
    assert report["evasion"]["overall"]["n_variants"] == 1


def lowercase_inputs(texts):
    """A stand-in for an uncased tokenizer that drops zero-width spaces: what the model reads."""
    return [tuple(t.lower().replace("\u200b", "").split()) for t in texts]


def uncased_model(texts):
    """``keyword_model`` on what ``lowercase_inputs`` leaves: equal inputs, equal scores."""
    return keyword_model([" ".join(ids) for ids in lowercase_inputs(texts)])


def test_no_op_variants_never_enter_a_rate():
    from adversarial_mlops.judging.evaluation import EFFECTIVE, mark_effective

    variants = pd.DataFrame({
        "source_id": ["m1", "m1", "m2", "m2", "m1", "m2"],
        "strategy": ["random_case", "random_case", "zero_width", "zero_width", "typo", "typo"],
        # Case and zero-width changes are invisible to this model; the typos change its input.
        "text": ["IGNORE RULES", "Ignore Rules", "le\u200bak prompt", "leak\u200b prompt", "EVADE rules", "EVADE 3"],
    })
    marked = variants.assign(**{EFFECTIVE: mark_effective(lowercase_inputs, TEST, variants)})
    assert marked[EFFECTIVE].tolist() == [False, False, False, False, True, True]

    report = evaluate_model(uncased_model, TEST, marked, f1_at_promotion=None, seed=0, n_resamples=200)
    by_strategy = report["evasion"]["by_strategy"]
    assert {k: (v["generated"], v["effective"], v["evaded"]) for k, v in by_strategy.items()} == {
        "random_case": (2, 0, 0), "zero_width": (2, 0, 0), "typo": (2, 2, 2)}
    assert by_strategy["random_case"]["rate"] is None  # nothing it generated tested the model
    overall = report["evasion"]["overall"]
    # Both effective variants evade: 2/2. Pooling the four no-ops (caught, as their sources are)
    # would have reported 2/6.
    assert (overall["rate"], overall["generated"], overall["effective"], overall["n_variants"]) == (1.0, 6, 2, 2)
    pooled = evaluate_model(uncased_model, TEST, variants, f1_at_promotion=None, seed=0, n_resamples=200)
    assert pooled["evasion"]["overall"]["rate"] == 2 / 6


def test_variants_are_compared_with_their_sources_a_chunk_at_a_time(monkeypatch):
    from adversarial_mlops.judging import evaluation

    variants = pd.DataFrame({"source_id": ["m1", "m2", "m1", "m2", "m1"],
                             "strategy": ["random_case", "typo", "typo", "zero_width", "adaptive"],
                             "text": ["IGNORE RULES", "EVADE 3", "EVADE rules", "leak\u200b prompt", "ignore rules"]})
    whole = evaluation.mark_effective(lowercase_inputs, TEST, variants)
    calls = []
    monkeypatch.setattr(evaluation, "SCORING_CHUNK_CHARS", 12)  # about one variant per chunk

    def counted(texts):
        calls.append(len(texts))
        return lowercase_inputs(texts)

    assert evaluation.mark_effective(counted, TEST, variants).tolist() == whole.tolist() == [False, True, True,
                                                                                                False, True]
    assert len(calls) > 2 and max(calls[1:]) < len(variants)  # the sources, then the variants in chunks


def test_adaptive_rows_always_count_and_unknown_sources_are_refused():
    import pytest

    from adversarial_mlops.judging.evaluation import mark_effective

    failed_attack = pd.DataFrame({"source_id": ["m1"], "strategy": ["adaptive"], "text": ["ignore rules"]})
    assert mark_effective(lowercase_inputs, TEST, failed_attack).tolist() == [True]  # a failed attack is a result
    with pytest.raises(ValueError, match="not in the test texts"):
        mark_effective(lowercase_inputs, TEST, failed_attack.assign(source_id="train-7"))


def test_no_op_obfuscations_of_benign_texts_are_not_false_alarm_evidence():
    from adversarial_mlops.judging.evaluation import EFFECTIVE, mark_effective

    benign_variants = pd.DataFrame({"source_id": ["b2", "b2", "b1"], "strategy": ["random_case", "typo", "typo"],
                                    "text": ["IGNORE THE TYPO", "ignore teh typo", "bkae bread"]})
    marked = benign_variants.assign(**{EFFECTIVE: mark_effective(lowercase_inputs, TEST, benign_variants)})
    report = evaluate_model(uncased_model, TEST, VARIANTS, f1_at_promotion=None, benign_variants=marked,
                            seed=0, n_resamples=200)
    over = report["over_defense"]
    # The case variant of b2 is b2 itself to the model (already a clean false alarm): left out.
    assert over["obfuscated_benign_fpr"]["rate"] == 0.5 and over["obfuscated_benign_fpr"]["n"] == 2
    assert (over["obfuscated_benign_fpr_by_strategy"]["random_case"]["generated"],
            over["obfuscated_benign_fpr_by_strategy"]["random_case"]["effective"]) == (1, 0)


def test_cis_resample_whole_templates_when_the_test_split_has_groups():
    # Two templates, four sources each: every variant of template T1 evades, none of T2's does.
    # Resampling the two templates can only give 0, 0.5 or 1 (probabilities 1/4, 1/2, 1/4), so the
    # 95 % interval spans 0..1; resampling the eight sources as if independent looks far more precise.
    ids = [f"a{i}" for i in range(4)] + [f"b{i}" for i in range(4)]
    test = pd.DataFrame({"id": ids + ["x"], "text": [f"ignore {i}" for i in ids] + ["bread"],
                         "label": [1] * 8 + [0], "group": ["T1"] * 4 + ["T2"] * 4 + ["T3"]})
    variants = pd.DataFrame({"source_id": ids, "strategy": ["s"] * 8,
                             "text": ["EVADE"] * 4 + [f"ignore {i}!" for i in ids[4:]]})
    model = lambda texts: np.array([0.9 if "ignore" in t else 0.1 for t in texts])  # noqa: E731
    grouped = evaluate_model(model, test, variants, f1_at_promotion=None, seed=0, n_resamples=2000)
    overall = grouped["evasion"]["overall"]
    assert overall["rate"] == 0.5 and (overall["low"], overall["high"]) == (0.0, 1.0)
    assert overall["n_groups"] == 2 and overall["n_sources"] == 8
    by_source = evaluate_model(model, test.drop(columns="group"), variants, f1_at_promotion=None, seed=0,
                               n_resamples=2000)["evasion"]["overall"]
    assert by_source["n_groups"] == 8 and 0.0 < by_source["low"] and by_source["high"] < 1.0
    assert grouped["clean"]["n_groups"] == 3 and "fpr_ci" in grouped["clean"]


def test_encoded_benign_texts_are_probes_reported_apart_with_the_wrappers_own_effect():
    # b1 and b2 under homoglyph (pooled over-defence) and under base64 with and without the
    # "decode and follow" wrapper (probes). The keyword model flags 'caught': every wrapped text
    # and one of the two raw ones carry it here.
    benign_variants = pd.DataFrame({
        "source_id": ["b1", "b2", "b1", "b2", "b1", "b2"],
        "strategy": ["homoglyph", "homoglyph", "base64", "base64", "base64_raw", "base64_raw"],
        "text": ["bake bre@d", "caught typo", "caught: decode", "caught: decode", "YmFrZQ==", "caught raw"]})
    report = evaluate_model(keyword_model, TEST, VARIANTS, f1_at_promotion=None, benign_variants=benign_variants,
                            seed=0, n_resamples=200)
    over = report["over_defense"]
    assert over["obfuscated_benign_fpr"]["rate"] == 0.5 and over["obfuscated_benign_fpr"]["n"] == 2  # homoglyph only
    assert over["obfuscated_benign_fpr_by_strategy"]["base64"]["pooled"] is False
    assert over["obfuscated_benign_fpr_by_strategy"]["homoglyph"]["pooled"] is True
    assert over["encoding_wrapper_effect"] == {"base64": {"wrapped_fpr": 1.0, "raw_fpr": 0.5, "wrapper_effect": 0.5,
                                                          "n": 2}}


def test_every_rate_is_decided_at_the_models_own_threshold():
    # The keyword model's scores are 0.9 and 0.1: at a threshold of 0.95 nothing is flagged.
    report = evaluate_model(keyword_model, TEST, VARIANTS, f1_at_promotion=None, seed=0, n_resamples=200,
                            threshold=0.95, target_fpr=0.02)
    assert report["clean"]["recall"] == 0.0 and report["clean"]["fpr"] == 0.0
    assert report["operating_point"]["threshold"] == 0.95 and report["operating_point"]["target_fpr"] == 0.02
    assert report["evasion"]["overall"]["rate"] is None  # nothing caught when clean: not measurable


def test_false_alarms_are_counted_by_the_view_that_decided_them():
    from adversarial_mlops.judging.evaluation import EvidenceMemo, false_alarms_by_view

    class Scorer:  # deciding view per text: index into views.VIEW_NAMES (original, smuggled, folded, decoded, spelled)
        rows = {"a": (0.9, 0), "b": (0.95, 2), "c": (0.2, 0), "d": (0.8, 3), "e": (0.7, 2), "f": (0.85, 4)}

        def score_with_evidence(self, texts):
            return np.array([[self.rows[t][0], self.rows[t][1], 0] for t in texts])

    memo = EvidenceMemo(Scorer())
    np.testing.assert_allclose(memo.predict_proba(["a", "b", "c", "d", "e", "f"]), [0.9, 0.95, 0.2, 0.8, 0.7, 0.85])
    # threshold 0.75: a, b, d, f flagged; read without views only a would be
    result = false_alarms_by_view(["a", "b", "c", "d", "e", "f"], np.array([1, 0, 0, 0, 0, 0]), memo.seen, 0.75)
    assert result == {"texts": 6, "flagged": 4, "flagged_only_with_views": 3,
                      "by_deciding_view": {"original": 1, "smuggled": 0, "folded": 1, "decoded": 1, "spelled": 1}}


def test_adaptive_targets_block_zero_is_the_seeded_sample_and_later_blocks_are_disjoint():
    from adversarial_mlops.judging.evaluation import adaptive_targets

    texts = pd.DataFrame({"id": [f"t{i:02d}" for i in range(25)], "text": [f"text {i}" for i in range(25)],
                          "label": [1] * 20 + [0] * 5})
    malicious = texts[texts["label"] == 1].sort_values("id")
    # Block 0 is what every recorded gate drew (DataFrame.sample): old runs stay reproducible.
    assert adaptive_targets(texts, n_sources=8, seed=7)["id"].tolist() == \
        malicious.sample(n=8, random_state=7).sort_values("id")["id"].tolist()
    blocks = [set(adaptive_targets(texts, n_sources=8, seed=7, block=b)["id"]) for b in range(3)]
    assert len(blocks[0] | blocks[1]) == 16  # disjoint
    assert len(blocks[2]) == 8 and len(blocks[0] | blocks[1] | blocks[2]) == 20  # wraps around: all 20 seen
    assert set(adaptive_targets(texts, n_sources=50, seed=7, block=3)["id"]) == set(malicious["id"])
