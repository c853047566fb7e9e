import numpy as np

from adversarial_mlops.config import PromotionSettings
from adversarial_mlops.judging.promotion import ABSet, PairedPredictions, compare_models, meets_f1_floor

RNG = np.random.default_rng(0)
N = 400
Y = np.array([1] * 200 + [0] * 200)
IDS = [f"t{i}" for i in range(N)]
SOURCES = [f"t{i}" for i in range(200) for _ in range(3)]  # three variants per malicious text
BENIGN_SOURCES = [f"t{i}" for i in range(200, 400) for _ in range(2)]  # two obfuscations per benign text
# Two families of variants: the first of each text's three variants is "spacing", the others "character".
FAMILIES = [frozenset({"spacing"}) if i % 3 == 0 else frozenset({"character"}) for i in range(len(SOURCES))]
SETTINGS = PromotionSettings(bootstrap_resamples=300, max_evasion_increase=0.01, max_fpr_increase=0.01)


def preds(clean_error_rate, evasion_rate, seed, false_alarm_rate=0.05):
    rng = np.random.default_rng(seed)
    clean = np.where(rng.random(N) < clean_error_rate, 1 - Y, Y)
    variants = (rng.random(len(SOURCES)) >= evasion_rate).astype(int)
    benign = (rng.random(len(BENIGN_SOURCES)) < false_alarm_rate).astype(int)
    return PairedPredictions(clean=clean, variants=variants, benign_variants=benign)


def with_(base, **changes):
    return PairedPredictions(**{"clean": base.clean.copy(), "variants": base.variants.copy(),
                                "benign_variants": base.benign_variants.copy(), "adaptive": base.adaptive.copy(),
                                **changes})


def decide(champion, challenger, floor=0.85, adaptive_sources=(), strategies=()):
    ab = ABSet(y_true=Y, test_ids=IDS, variant_sources=SOURCES, variant_families=FAMILIES,
               benign_sources=BENIGN_SOURCES, adaptive_sources=list(adaptive_sources), variant_strategies=strategies)
    return compare_models(ab, champion, challenger, settings=SETTINGS, f1_floor=floor, seed=1)


def test_promotes_when_evasion_falls_significantly_and_clean_holds():
    champion = preds(0.03, 0.40, seed=1)
    challenger = with_(champion, variants=preds(0.03, 0.10, seed=2).variants)
    decision = decide(champion, challenger)
    assert decision.promote, decision.reasons
    assert decision.statistics["delta_evasion"]["high"] < 0
    assert decision.statistics["mcnemar"]["p_value"] == 1.0


def test_keeps_champion_when_evasion_gain_is_noise():
    champion = preds(0.03, 0.20, seed=1)
    decision = decide(champion, with_(champion))
    assert not decision.promote
    assert any(r.startswith("blocked: significantly more robust somewhere") for r in decision.reasons)


def test_keeps_champion_when_clean_f1_falls_beyond_tolerance():
    champion = preds(0.02, 0.40, seed=1)
    challenger = with_(champion, clean=preds(0.15, 0.0, seed=3).clean, variants=preds(0.02, 0.05, seed=4).variants)
    decision = decide(champion, challenger, floor=0.0)
    assert not decision.promote
    blocked = [r for r in decision.reasons if r.startswith("blocked")]
    assert any("ΔF1" in r for r in blocked) and any("McNemar" in r for r in blocked)


def test_more_false_alarms_block_promotion():
    champion = preds(0.0, 0.40, seed=1)
    clean = champion.clean.copy()
    clean[200:220] = 1  # 20 extra false positives on benign texts, every malicious text still caught
    challenger = with_(champion, clean=clean, variants=preds(0.0, 0.05, seed=2).variants)
    decision = decide(champion, challenger, floor=0.0)
    assert not decision.promote
    assert any(r.startswith("blocked: Δclean FPR") for r in decision.reasons)
    assert decision.statistics["delta_fpr"]["estimate"] == 0.1


def test_promotes_when_over_defence_falls_and_evasion_holds():
    champion = preds(0.03, 0.05, seed=1, false_alarm_rate=0.50)
    challenger = with_(champion, benign_variants=preds(0.03, 0.05, seed=5, false_alarm_rate=0.10).benign_variants)
    decision = decide(champion, challenger)
    assert decision.promote, decision.reasons
    assert decision.statistics["delta_obfuscated_benign_fpr"]["high"] < 0


def test_trading_evasion_for_fewer_false_alarms_is_refused():
    champion = preds(0.03, 0.05, seed=1, false_alarm_rate=0.50)
    challenger = with_(champion, benign_variants=preds(0.0, 0.0, seed=5, false_alarm_rate=0.05).benign_variants,
                       variants=preds(0.0, 0.35, seed=6).variants)  # the failure mode measured on real data
    decision = decide(champion, challenger)
    assert not decision.promote
    assert any(r.startswith("blocked: Δevasion upper 95% bound") for r in decision.reasons)


def test_a_family_that_got_worse_blocks_promotion_although_the_pooled_rate_improves():
    # Champion: every "character" variant evades, no "spacing" one does (pooled 2/3). Challenger:
    # every "character" variant caught, but 30 % of "spacing" ones evade (pooled 0.1): a large pooled
    # gain that hides a family going 0 -> 30 %.
    spacing = np.array(["spacing" in f for f in FAMILIES])
    champion = preds(0.0, 0.0, seed=1)
    champion = with_(champion, variants=np.where(spacing, 1, 0))
    challenger_variants = np.where(spacing, (np.random.default_rng(3).random(len(SOURCES)) >= 0.3).astype(int), 1)
    decision = decide(champion, with_(champion, variants=challenger_variants), floor=0.0)
    table = decision.statistics["evasion_by_family"]
    assert decision.statistics["delta_evasion"]["high"] < 0  # pooled: significantly better
    assert table["character"]["champion"] == 1.0 and table["character"]["challenger"] == 0.0
    assert table["spacing"]["champion"] == 0.0 and table["spacing"]["delta"]["low"] > 0.01
    assert not decision.promote
    blocked = [r for r in decision.reasons if r.startswith("blocked")]
    assert len(blocked) == 1 and "worse in: spacing" in blocked[0]


def test_a_blocked_family_is_named_with_the_strategies_that_moved_it():
    # "character" is two strategies: homoglyph (every second character variant) stays caught by both
    # models, leetspeak goes from caught to evading half the time: the family's rule names leetspeak.
    strategies = ["letter_spacing" if i % 3 == 0 else ("homoglyph" if i % 3 == 1 else "leetspeak")
                  for i in range(len(SOURCES))]
    leet = np.array([name == "leetspeak" for name in strategies])
    champion = with_(preds(0.0, 0.0, seed=1), variants=np.ones(len(SOURCES), dtype=int))
    challenger = with_(champion, variants=np.where(leet, np.arange(len(SOURCES)) % 2, 1))
    decision = decide(champion, challenger, floor=0.0, strategies=strategies)
    table = decision.statistics["evasion_by_strategy"]
    assert set(table) == {"letter_spacing", "homoglyph", "leetspeak"}
    assert table["leetspeak"]["families"] == ["character"] and table["leetspeak"]["n_variants"] == 200
    assert (table["leetspeak"]["champion"], table["leetspeak"]["challenger"]) == (0.0, 0.5)
    assert table["homoglyph"]["delta"]["estimate"] == 0.0 and table["leetspeak"]["delta"]["low"] > 0.3
    assert decision.statistics["evasion_by_family"]["character"]["challenger"] == 0.25
    blocked = [r for r in decision.reasons if r.startswith("blocked: Δevasion")]
    assert len(blocked) == 1 and "worse in: character" in blocked[0]
    assert "[by strategy: leetspeak +0.5000 (200 variants)]" in blocked[0] and "homoglyph" not in blocked[0]
    assert decide(champion, challenger, floor=0.0).statistics["evasion_by_strategy"] == {}  # no strategies known


def test_the_adaptive_attack_is_in_the_ab_and_a_regression_there_blocks_promotion():
    champion = preds(0.0, 0.40, seed=1)
    sources = IDS[:100]  # one adaptive outcome per attacked source, per model
    champion = with_(champion, adaptive=np.ones(100, dtype=int))  # the attack never beat the champion
    challenger = with_(champion, variants=preds(0.0, 0.05, seed=2).variants,
                       adaptive=(np.arange(100) % 2).astype(int))  # ... and beats the challenger half the time
    decision = decide(champion, challenger, adaptive_sources=sources)
    adaptive = decision.statistics["evasion_by_family"]["adaptive"]
    assert (adaptive["champion"], adaptive["challenger"], adaptive["n_variants"]) == (0.0, 0.5, 100)
    assert not decision.promote
    assert any(r.startswith("blocked: Δevasion upper 95% bound") and "adaptive" in r for r in decision.reasons)


def test_f1_floor_rule():
    assert meets_f1_floor(0.85, 0.85)[0] and not meets_f1_floor(0.849, 0.85)[0]


def test_paired_ab_deltas_resample_whole_templates():
    from adversarial_mlops.judging.metrics import delta_evasion, delta_fpr

    # Clean texts: template G1 holds two benign texts the champion (a) flags and the challenger (b)
    # does not; G2 two benign texts neither flags; one caught malicious text each. FPR(b) - FPR(a) =
    # 0 - 0.5; resampling the two templates gives -1, -0.5 or 0 (1/4, 1/2, 1/4): CI -1..0.
    y = [0, 0, 1, 0, 0, 1]
    a, b = [1, 1, 1, 0, 0, 1], [0, 0, 1, 0, 0, 1]
    groups = ["G1", "G1", "G1", "G2", "G2", "G2"]
    grouped = delta_fpr(y, a, b, groups=groups, n_resamples=2000)
    assert (grouped.estimate, grouped.low, grouped.high) == (-0.5, -1.0, 0.0)

    # Variants: eight sources from two templates, all caught when clean by both. The challenger is
    # evaded on every variant of T1 and none of T2; the champion on none: Δ = +0.5, and with two
    # templates the CI cannot exclude 0, while eight "independent" sources would.
    sources = [f"s{i}" for i in range(8)]
    clean = {s: 1 for s in sources}
    champion, challenger = [1] * 8, [0] * 4 + [1] * 4
    templates = ["T1"] * 4 + ["T2"] * 4
    by_template = delta_evasion(sources, champion, challenger, clean, clean, clusters=templates, n_resamples=2000)
    by_source = delta_evasion(sources, champion, challenger, clean, clean, n_resamples=2000)
    assert by_template.estimate == by_source.estimate == 0.5
    assert (by_template.low, by_template.high) == (0.0, 1.0) and by_source.low > 0.0


def test_encoding_probes_are_compared_per_encoding_with_template_clusters():
    from adversarial_mlops.judging.promotion import encoding_probe_deltas

    # base64_raw: four benign texts from two templates; the champion flags none, the challenger
    # flags both of template A's: 0 -> 0.5, and resampling the two templates gives Δ 0, 0.5 or 1.
    strategies = ["base64_raw"] * 4 + ["hex_raw"] * 2
    clusters = ["A", "A", "B", "B", "A", "B"]
    champion = np.array([0, 0, 0, 0, 1, 0])
    challenger = np.array([1, 1, 0, 0, 1, 0])
    table = encoding_probe_deltas(strategies, clusters, champion, challenger, seed=0, n_resamples=2000)
    assert list(table) == ["base64_raw", "hex_raw"]
    row = table["base64_raw"]
    assert (row["champion"], row["challenger"], row["n"], row["n_groups"]) == (0.0, 0.5, 4, 2)
    assert (row["delta"]["estimate"], row["delta"]["low"], row["delta"]["high"]) == (0.5, 0.0, 1.0)
    assert table["hex_raw"]["champion"] == table["hex_raw"]["challenger"] == 0.5
    assert table["hex_raw"]["delta"]["estimate"] == 0.0


def test_a_family_whose_ci_is_wider_than_the_margin_is_named_as_too_small_to_show_non_inferiority():
    # Equal models, but on 40 texts they disagree on 12 (6 each way): Δ 0, and a paired CI wider
    # than a 0.10 margin. The rule still blocks (no weakening); the reason says why and what to raise.
    champion = with_(preds(0.0, 0.40, seed=1), adaptive=np.array([1] * 6 + [0] * 6 + [1] * 28))
    challenger = with_(champion, variants=preds(0.0, 0.05, seed=2).variants,
                       adaptive=np.array([0] * 6 + [1] * 6 + [1] * 28))
    ab = ABSet(y_true=Y, test_ids=IDS, variant_sources=SOURCES, variant_families=FAMILIES,
               benign_sources=BENIGN_SOURCES, adaptive_sources=IDS[:40])
    settings = PromotionSettings(bootstrap_resamples=300, max_evasion_increase=0.10, max_adaptive_evasion_increase=0.10)
    decision = compare_models(ab, champion, challenger, settings=settings, f1_floor=0.85, seed=1)
    adaptive = decision.statistics["evasion_by_family"]["adaptive"]
    assert adaptive["delta"]["estimate"] == 0.0 and adaptive["delta"]["high"] > settings.max_adaptive_evasion_increase
    [reason] = [r for r in decision.reasons if "Δevasion upper 95% bound" in r]
    assert reason.startswith("blocked") and "too few texts" in reason and "adaptive (±" in reason
    assert "40 variants" in reason and "attack.ab_adaptive_sources" in reason
    assert "character (±" not in reason and "spacing (±" not in reason  # 400 and 200 variants resolve 0.10


def test_the_ab_tells_a_threshold_placed_elsewhere_from_a_model_that_orders_texts_worse():
    # Same scores, the challenger's threshold set higher: it flags fewer benign texts and misses more
    # malicious ones, so its F1 falls while its ROC-AUC and recall at 1 % / 5 % FPR are the champion's.
    rng = np.random.default_rng(5)
    scores = np.clip(np.where(Y == 1, rng.normal(0.75, 0.15, N), rng.normal(0.3, 0.15, N)), 0.0, 1.0)
    base = preds(0.0, 0.2, seed=1)
    champion = with_(base, clean=(scores >= 0.5).astype(int), clean_scores=scores, threshold=0.5)
    challenger = with_(base, clean=(scores >= 0.7).astype(int), clean_scores=scores, threshold=0.7)
    stats = decide(champion, challenger, floor=0.0).statistics
    ranking = stats["ranking"]
    assert stats["delta_f1"]["estimate"] < -0.05
    assert ranking["delta_roc_auc"] == {"estimate": 0.0, "low": 0.0, "high": 0.0}
    assert ranking["delta_recall_at_1pct_fpr"]["estimate"] == ranking["delta_recall_at_5pct_fpr"]["estimate"] == 0.0
    assert ranking["champion"]["threshold"] == 0.5 and ranking["challenger"]["threshold"] == 0.7
    assert ranking["challenger"]["fpr"] < ranking["champion"]["fpr"]
    assert stats["challenger_clean"]["roc_auc"] == ranking["challenger"]["roc_auc"] > 0.9


def test_a_challenger_that_orders_texts_worse_shows_a_negative_roc_auc_delta():
    rng = np.random.default_rng(6)
    good = np.clip(np.where(Y == 1, rng.normal(0.8, 0.1, N), rng.normal(0.2, 0.1, N)), 0.0, 1.0)
    noisy = np.clip(good + rng.normal(0.0, 0.4, N), 0.0, 1.0)
    base = preds(0.0, 0.2, seed=1)
    champion = with_(base, clean=(good >= 0.5).astype(int), clean_scores=good, threshold=0.5)
    challenger = with_(base, clean=(noisy >= 0.5).astype(int), clean_scores=noisy, threshold=0.5)
    ranking = decide(champion, challenger, floor=0.0).statistics["ranking"]
    assert ranking["delta_roc_auc"]["high"] < 0
    assert ranking["delta_recall_at_1pct_fpr"]["high"] < 0


def test_without_scores_the_ab_has_no_ranking_block():
    champion = preds(0.03, 0.40, seed=1)
    assert decide(champion, with_(champion)).statistics["ranking"] is None


def test_the_adaptive_attack_is_judged_against_its_own_margin_and_the_static_families_against_theirs():
    # The same paired outcome — on 100 texts the challenger evades 5 more (Δ +0.05) — put once under the
    # adaptive attack, once in a static family: its upper bound lies between the two margins.
    outcome_a, outcome_b = np.ones(100, dtype=int), np.array([0] * 5 + [1] * 95)
    settings = PromotionSettings(bootstrap_resamples=300, max_evasion_increase=0.05, max_adaptive_evasion_increase=0.15)
    base = preds(0.0, 0.0, seed=1)
    ab = ABSet(y_true=Y, test_ids=IDS, variant_sources=SOURCES, variant_families=FAMILIES,
               benign_sources=BENIGN_SOURCES, adaptive_sources=IDS[:100])
    adaptive = compare_models(ab, with_(base, adaptive=outcome_a), with_(base, adaptive=outcome_b),
                              settings=settings, f1_floor=0.0, seed=1)
    row = adaptive.statistics["evasion_by_family"]["adaptive"]
    assert row["delta"]["estimate"] == 0.05 and 0.05 < row["delta"]["high"] <= 0.15
    [rule] = [r for r in adaptive.reasons if "Δevasion upper 95% bound" in r]
    assert rule.startswith("ok") and "(+0.15 there)" in rule
    # the same rise in a static family (10 more of its 200 variants evade: Δ +0.05), margin 0.05: blocked
    spacing = [i for i, f in enumerate(FAMILIES) if f == frozenset({"spacing"})]
    static_a, static_b = base.variants.copy(), base.variants.copy()
    static_b[spacing[:10]] = 0
    static_ab = ABSet(y_true=Y, test_ids=IDS, variant_sources=SOURCES, variant_families=FAMILIES,
                      benign_sources=BENIGN_SOURCES)
    static = compare_models(static_ab, with_(base, variants=static_a), with_(base, variants=static_b),
                            settings=settings, f1_floor=0.0, seed=1)
    [rule] = [r for r in static.reasons if "Δevasion upper 95% bound" in r]
    assert static.statistics["evasion_by_family"]["spacing"]["delta"]["estimate"] == 0.05
    assert rule.startswith("blocked") and "spacing" in rule.split("worse in:")[1]
