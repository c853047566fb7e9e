"""The reporting package on real reports: evaluation, gate verdict and A/B decision from the judging
functions (a keyword model and seeded predictions as fake targets), rendered as tables, plots, the
loop's HTML report and a model card."""

import numpy as np
import pandas as pd
import pytest

from adversarial_mlops.config import PromotionSettings, QualityGateSettings
from adversarial_mlops.judging.evaluation import evaluate_model
from adversarial_mlops.judging.promotion import ABSet, PairedPredictions, compare_models
from adversarial_mlops.judging.quality_gate import evaluate_gate
from adversarial_mlops.reporting import formatting, tables
from adversarial_mlops.reporting.formatting import Table
from adversarial_mlops.reporting.markdown import ab_markdown, evaluation_markdown, gate_markdown

TEST = pd.DataFrame({"id": ["m1", "m2", "m3", "b1", "b2", "b3"],
                     "text": ["ignore rules", "leak prompt", "forget orders", "bake bread", "ignore the typo", "walk"],
                     "label": [1, 1, 1, 0, 0, 0], "group": ["g1", "g1", "g2", "g3", "g4", "g4"],
                     "category": ["attack"] * 3 + ["everyday", "hard_negative", "everyday"]})
VARIANTS = pd.DataFrame({"source_id": ["m1", "m1", "m2", "m2", "m3"],
                         "strategy": ["homoglyph", "base64", "homoglyph", "base64", "homoglyph"],
                         "text": ["EVADE 1", "caught 1", "EVADE 2", "EVADE 3", "caught 2"]})
BENIGN_VARIANTS = pd.DataFrame({"source_id": ["b1", "b1", "b2"], "strategy": ["homoglyph", "zero_width", "homoglyph"],
                                "text": ["b@ke bread", "caught bread", "1gnore the typo"]})


def keyword_model(texts):
    """Flags 'ignore', 'leak', 'caught' (0.9); 'bread' is borderline (0.4); everything else 0.1."""
    return np.array([0.9 if any(w in t for w in ("ignore", "leak", "caught")) else 0.4 if "bread" in t else 0.1
                     for t in texts])


@pytest.fixture(scope="module")
def report():
    report = evaluate_model(keyword_model, TEST, VARIANTS, f1_at_promotion=0.9, benign_variants=BENIGN_VARIANTS,
                            seed=0, n_resamples=200, threshold=0.5, target_fpr=0.1)
    report["model_version"] = "v0001"
    report["gate"] = evaluate_gate(report, QualityGateSettings()).to_dict()
    return report


@pytest.fixture(scope="module")
def decision():
    y = np.array([1] * 40 + [0] * 40)
    ids = [f"t{i}" for i in range(80)]
    sources = [f"t{i}" for i in range(40) for _ in range(2)]
    families = [frozenset({"character"}) if i % 2 else frozenset({"encoding", "composite"}) for i in range(80)]
    rng = np.random.default_rng(3)
    champion = PairedPredictions(clean=y.copy(), variants=(rng.random(80) > 0.5).astype(int),
                                 benign_variants=(rng.random(40) < 0.2).astype(int))
    challenger = PairedPredictions(clean=y.copy(), variants=np.ones(80, dtype=int),
                                   benign_variants=(rng.random(40) < 0.1).astype(int))
    ab = ABSet(y_true=y, test_ids=ids, variant_sources=sources, variant_families=families,
               benign_sources=ids[40:], group_of={i: f"g{int(i[1:]) // 4}" for i in ids})
    decision = compare_models(ab, champion, challenger, settings=PromotionSettings(bootstrap_resamples=200),
                              f1_floor=0.5, seed=0)
    return {"promoted": decision.promote, "champion_version": "v0002" if decision.promote else "v0001",
            "challenger_version": "v0002", "previous_champion": "v0001", "reasons": decision.reasons,
            "statistics": decision.statistics}


HISTORY = [{"event": "promote", "version": "v0001", "previous": None, "reason": "baseline: the registry had no champion",
            "at": "2026-12-01T03:44:10.123+00:00"},
           {"event": "reject", "version": "v0002", "champion": "v0001", "at": "2026-12-01T04:50:00+00:00",
            "details": {"reasons": ["ok: challenger clean F1 0.9 >= floor 0.85", "blocked: Δevasion | too high"]}}]


def test_numbers_are_rounded_for_people():
    assert formatting.pct(0.12345) == "12.3%" and formatting.ratio(0.91234) == "0.912"
    assert formatting.points(-0.0123) == "-1.2 pts" and formatting.rounded_pct(0.12345) == 12.3
    assert formatting.pct(None) == formatting.pct(float("nan")) == "n/a" and formatting.rounded(None) is None
    assert formatting.rate_with_ci({"rate": 0.2, "low": 0.1, "high": 0.3}) == "20.0% (10.0% to 30.0%)"
    assert formatting.rate_with_ci({"rate": 0.2, "low": None, "high": None}) == "20.0%"
    assert formatting.delta_with_ci({"estimate": -0.05, "low": -0.1, "high": 0.0}) == "-5.0 pts (-10.0 pts to +0.0 pts)"


def test_a_table_renders_as_markdown_html_and_aligned_text():
    table = Table.of(["name", "n"], [("a|b", "3"), ("<c>", "12")], numeric=["n"])
    assert table.markdown().splitlines() == ["| name | n |", "|---|---:|", "| a\\|b | 3 |", "| <c> | 12 |"]
    assert "<td>&lt;c&gt;</td>" in table.html() and '<td class="num">12</td>' in table.html()
    assert table.text().splitlines() == ["name   n", "a|b    3", "<c>   12"]
    with pytest.raises(ValueError, match="every row needs 2 cells"):
        Table.of(["name", "n"], [("only one",)])


def test_evaluation_tables_show_every_strategy_family_and_category(report):
    strategies = tables.strategy_table(report["evasion"])
    rows = {row[0]: row for row in strategies.rows}
    assert set(rows) == {"homoglyph", "base64", "overall"}
    # m3 is missed when clean: its homoglyph variant is generated but not counted; both m1/m2 variants evade
    assert rows["homoglyph"][1:6] == ("3", "3", "2", "2", "100.0% (100.0% to 100.0%)")
    assert rows["overall"][3:5] == ("4", "3")
    families = {row[0]: row for row in tables.family_table(report["evasion"]["by_family"]).rows}
    assert families["encoding"][1:3] == ("2", "1") and families["encoding"][3].startswith("50.0%")
    point = {row[0]: row[1] for row in tables.operating_point_table(report).rows}
    assert point["threshold"] == "0.500" and point["clean F1"] == "0.667" and point["clean FPR"] == "33.3%"
    over = {row[0]: row for row in tables.over_defense_table(report["over_defense"]).rows}
    assert over["clean: hard_negative"][1:] == ("1", "100.0%") and over["clean: everyday"][2] == "0.0%"
    assert over["obfuscated benign texts (pooled)"][1] == "3"


def test_gate_table_has_one_row_per_threshold_with_ci_limit_and_verdict(report):
    table = tables.gate_table(report["gate"])
    assert table.headers == ("threshold", "value", "95% CI", "limit", "verdict")
    rows = {row[0]: row for row in table.rows}
    assert {check["name"] for check in report["gate"]["checks"]} == set(rows)
    assert rows["evasion_rate"][1] == "75.0%" and rows["evasion_rate"][3] == "<= 15.0%"
    assert rows["evasion_rate"][4] == "FAIL" and rows["f1_score"][1] == "0.667" and rows["f1_score"][3] == ">= 0.850"
    assert "groups)" in rows["evasion_rate"][2]
    assert gate_markdown(report["gate"]).startswith("#### Quality gate: FAIL\n\n| threshold | value |")


def test_ab_table_puts_both_models_side_by_side_with_delta_and_ci(decision):
    table = tables.ab_table(decision["statistics"], "v0001", "v0002")
    rows = {row[0]: row for row in table.rows}
    assert {"clean F1", "clean FPR", "obfuscated-benign false alarms", "evasion, all families", "evasion: character",
            "evasion: composite", "evasion: encoding"} == set(rows)
    character = decision["statistics"]["evasion_by_family"]["character"]
    assert rows["evasion: character"][1:3] == (formatting.pct(character["champion"]), "0.0%")
    assert rows["evasion: character"][3] == formatting.delta_with_ci(character["delta"])
    assert rows["clean F1"][1:4] == ("1.000", "1.000", "+0.000 (+0.000 to +0.000)")
    assert decision["promoted"]
    assert tables.decision_line(decision).startswith("PROMOTED v0002 over v0001")


def test_the_ab_shows_false_alarms_per_encoding_and_its_holdout_comparison(report, decision):
    from adversarial_mlops.judging.promotion import encoding_probe_deltas
    from adversarial_mlops.reporting.html_report import LoopReport, render_html

    probes = encoding_probe_deltas(["base64_raw"] * 4, ["g1", "g1", "g2", "g3"], np.zeros(4), np.array([1, 1, 1, 0]),
                                   seed=0, n_resamples=200)
    statistics = {**decision["statistics"], "encoding_probes": probes}
    rows = {row[0]: row for row in tables.ab_table(statistics, "v0001", "v0002").rows}
    row = rows["false alarms, benign in base64_raw (reported, not decided on)"]
    assert row[1:3] == ("0.0%", "75.0%") and row[4] == "4"
    with_holdout = {**decision, "statistics": {**statistics, "holdout": statistics}}
    text = render_html(LoopReport("r1", report, tables.decision_line(decision), with_holdout), [])
    assert "A/B on the sealed holdout (reported only, never decided on)" in text
    assert text.count("false alarms, benign in base64_raw") == 2


def test_a_kept_champion_is_explained_by_its_blocking_reasons_in_one_line():
    line = tables.decision_line({"promoted": False, "champion_version": "v0001", "challenger_version": "v0002",
                                 "previous_champion": "v0001",
                                 "reasons": ["ok: F1 fine", "blocked: adaptive attack worse", "blocked: FPR up"]})
    assert line == "KEPT v0001: challenger v0002 not promoted — adaptive attack worse; FPR up" and "\n" not in line


def test_history_table_lists_the_latest_events_first():
    table = tables.history_table(HISTORY)
    assert [row[1] for row in table.rows] == ["reject", "promote"]
    assert table.rows[0][0] == "2026-12-01 04:50:00" and table.rows[0][3] == "v0001"
    assert table.rows[0][4] == "blocked: Δevasion | too high"
    assert "\\|" in table.markdown()  # a pipe inside a reason does not break the markdown table
    assert len(tables.history_table(HISTORY * 10, limit=5).rows) == 5


def test_markdown_documents_hold_the_tables(report, decision):
    text = evaluation_markdown(report)
    for heading in ("operating point", "Evasion per attack family", "Evasion per strategy", "Over-defence"):
        assert heading in text
    text = ab_markdown(decision, HISTORY)
    assert "#### Decision\n\nPROMOTED v0002" in text and "| measure | champion v0001 | challenger v0002 |" in text
    assert "Registry history" in text


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_evaluation_plots_come_from_the_reports_own_numbers(report):
    from adversarial_mlops.reporting.plots import evaluation_plots

    scores = report["clean_scores"]
    assert scores["ids"] == TEST["id"].tolist() and scores["labels"] == TEST["label"].tolist()
    assert scores["scores"] == keyword_model(TEST["text"]).tolist()
    plots = evaluation_plots(report)
    assert [plot.name for plot in plots] == ["evasion_by_family", "roc_curve", "score_histograms", "confusion_matrix"]
    assert all(plot.png.startswith(PNG_SIGNATURE) for plot in plots)
    assert evaluation_plots(report) == plots  # same numbers, same bytes
    text = evaluation_markdown(report, plots)
    assert text.count("](data:image/png;base64,") == 4 and "ROC curve with the operating point" in text


def test_a_plot_needs_something_measured():
    from adversarial_mlops.reporting import plots

    assert plots.evasion_by_family({"v1": {"character": {"rate": None, "low": None, "high": None}}}) is None
    assert plots.roc_curve([1, 1], [0.2, 0.9], 0.5) is None  # one class: no ROC curve
    assert plots.confusion_matrix([], [], 0.5) is None


def test_ab_plot_shows_both_models_with_their_own_ci(decision):
    from adversarial_mlops.reporting.plots import ab_plots

    row = decision["statistics"]["evasion_by_family"]["character"]
    assert row["champion_ci"]["low"] <= row["champion"] <= row["champion_ci"]["high"]
    assert row["challenger_ci"] == {"low": 0.0, "high": 0.0}
    [plot] = ab_plots(decision)
    assert plot.name == "ab_evasion_by_family" and plot.png.startswith(PNG_SIGNATURE)


def test_the_loop_report_is_one_self_contained_html_file_with_plots_beside_it(tmp_path, report, decision):
    import re

    from adversarial_mlops.reporting.html_report import LoopReport, render_html, write_loop_report
    from adversarial_mlops.reporting.plots import ab_plots, evaluation_plots

    plots = evaluation_plots(report) + ab_plots(decision)
    loop = LoopReport("0a1b2c3d-run", report, tables.decision_line(decision), decision, HISTORY)
    path = write_loop_report(tmp_path, loop, plots)
    assert path == tmp_path / "reports" / "0a1b2c3d-run" / "report.html"
    assert sorted(p.name for p in path.parent.iterdir()) == sorted([f"{p.name}.png" for p in plots] + ["report.html"])
    assert (path.parent / "roc_curve.png").read_bytes() == plots[1].png
    text = path.read_text(encoding="utf-8")
    assert "Outcome:</strong> PROMOTED v0002 over v0001" in text
    assert "<h2>Quality gate: FAIL</h2>" in text and "<td>evasion_rate</td>" in text and "75.0%" in text
    assert "champion v0001</th>" in text and "challenger v0002</th>" in text and "<td>evasion: character</td>" in text
    assert "<td>reject</td>" in text  # the registry's history
    assert text.count('src="data:image/png;base64,') == len(plots) == 5
    assert not re.search(r'(src|href)="(?!data:)', text)  # nothing loaded from elsewhere
    # no A/B yet: the report still has the gate, the evaluation and the outcome so far
    early = render_html(LoopReport("r1", report, "retraining (quality gate FAIL)"), evaluation_plots(report))
    assert "retraining (quality gate FAIL)" in early and "A/B" not in early


def test_a_report_path_cannot_leave_the_reports_folder(tmp_path):
    from adversarial_mlops.errors import InvalidInputError, NotFoundError
    from adversarial_mlops.reporting.html_report import existing_report, report_path

    with pytest.raises(InvalidInputError):
        report_path(tmp_path, "../../etc")
    with pytest.raises(NotFoundError, match="no loop report for run abc"):
        existing_report(tmp_path, "abc")


def test_cli_report_prints_where_a_runs_report_is(tmp_path, monkeypatch, capsys, report):
    from adversarial_mlops.cli import main
    from adversarial_mlops.reporting.html_report import LoopReport, write_loop_report

    monkeypatch.setenv("ADVERSARIAL_MLOPS_HOME", str(tmp_path))
    monkeypatch.delenv("ADVERSARIAL_MLOPS_CONFIG", raising=False)
    assert main(["report"]) == 2 and "no loop reports" in capsys.readouterr().err
    path = write_loop_report(tmp_path, LoopReport("run-1", report, "no retraining needed"), [])
    assert main(["report", "run-1"]) == 0 and capsys.readouterr().out.strip() == str(path)
    assert main(["report", "run-2"]) == 2 and "no loop report for run run-2" in capsys.readouterr().err


def _registered_facts(tmp_path):
    """Metrics and info as ``train_and_register`` records them, from a real clean report."""
    from adversarial_mlops.judging.evaluation import clean_report
    from adversarial_mlops.reporting.card import data_facts

    source = tmp_path / "data.csv"
    TEST.assign(split="test").to_csv(source, index=False)
    clean = clean_report(TEST["label"].to_numpy(), keyword_model(TEST["text"]), seed=0, n_resamples=200,
                         groups=TEST["group"].tolist(), threshold=0.5)
    metrics = {"clean_f1": clean["f1"], "clean": clean, "best_validation_f1": 0.7,
               "operating_point": {"threshold": 0.5, "target_fpr": 0.1}}
    info = {"role": "challenger", "parent": "v0001", "base_model": "minilm", "train_size": 120,
            "training": {"quantization": "none", "device": "cpu", "epochs_run": 3, "best_epoch": 2,
                         "best_validation_f1": 0.7, "seconds": 12.3},
            "config": {"training": {"lora_r": 16, "learning_rate": 0.0005}, "model": {"window_tokens": 128}},
            "excluded_families": ["encoding"], "data": data_facts(TEST.assign(split="test"), str(source))}
    return metrics, info


def test_data_facts_hash_the_content_and_the_file(tmp_path):
    from adversarial_mlops.reporting.card import data_facts

    splits = TEST.assign(split="test")
    source = tmp_path / "data.csv"
    splits.to_csv(source, index=False)
    facts = data_facts(splits, str(source))
    assert facts["rows_by_split"] == {"test": 6} and len(facts["content_sha256"]) == 64
    assert facts["file_sha256"] == __import__("hashlib").sha256(source.read_bytes()).hexdigest()
    assert data_facts(splits.iloc[::-1], "org/hub-dataset") == {**facts, "source": "org/hub-dataset",
                                                                 "file_sha256": None}  # row order does not matter
    changed = splits.assign(text=splits["text"].str.replace("bread", "cake"))
    assert data_facts(changed, str(source))["content_sha256"] != facts["content_sha256"]


def test_the_model_card_has_model_index_yaml_and_the_registration_facts(tmp_path):
    import yaml

    from adversarial_mlops.reporting.card import model_card

    metrics, info = _registered_facts(tmp_path)
    card = model_card("v0002", metrics=metrics, info=info)
    _, front, body = card.split("---\n", 2)
    meta = yaml.safe_load(front)
    assert meta["base_model"] == "sentence-transformers/all-MiniLM-L6-v2"
    [entry] = meta["model-index"]
    assert entry["name"] == "adversarial_mlops-v0002"
    [result] = entry["results"]
    assert result["dataset"]["revision"] == info["data"]["content_sha256"][:16]
    values = {m["type"]: m for m in result["metrics"]}
    assert values["f1"]["value"] == round(metrics["clean"]["f1"], 4) and "95% CI" in values["f1"]["name"]
    assert values["false_positive_rate"]["value"] == round(metrics["clean"]["fpr"], 4)
    assert "# adversarial_mlops v0002 (challenger)" in body and "challenger to v0001" in body
    assert info["data"]["content_sha256"] in body and info["data"]["file_sha256"] in body
    assert "| lora r | 16 |" in body and "| epochs run (best) | 3 (2) |" in body
    assert "## Held-out attack families\n\nencoding" in body
    assert f"| F1 | {formatting.ratio(metrics['clean']['f1'])} | 95% CI" in body
    assert "## Known limitations" in body and "Never trained on the encoding attack families" in body


def test_a_card_is_sealed_with_its_version_and_old_versions_have_none(tmp_path, monkeypatch, capsys):
    from adversarial_mlops.cli import main
    from adversarial_mlops.models.registry import ModelRegistry, RegistryError
    from adversarial_mlops.reporting.card import model_card

    metrics, info = _registered_facts(tmp_path)
    registry = ModelRegistry(tmp_path / "registry")
    old = registry.register(lambda d: (d / "weights.bin").write_bytes(b"old"), metrics=metrics, info=info)
    new = registry.register(lambda d: (d / "weights.bin").write_bytes(b"new"), metrics=metrics, info=info,
                            readme=lambda version: model_card(version, metrics=metrics, info=info))
    assert registry.readme(old.version) is None
    card = registry.readme(new.version)
    assert card == new.path / "README.md" and "adversarial_mlops-v0002" in card.read_text(encoding="utf-8")
    registry.verify(new.version)  # hashed with the model files
    card.chmod(0o644)
    card.write_text(card.read_text(encoding="utf-8") + "edited\n", encoding="utf-8")
    with pytest.raises(RegistryError, match="modified README.md"):
        registry.verify(new.version)

    monkeypatch.setenv("ADVERSARIAL_MLOPS_HOME", str(tmp_path))
    monkeypatch.delenv("ADVERSARIAL_MLOPS_CONFIG", raising=False)
    assert main(["models", "show", "v0001"]) == 0
    assert "model card: none" in capsys.readouterr().out
    assert main(["models", "show", "v0002"]) == 0
    out = capsys.readouterr().out
    assert f"model card: {card}" in out and "model-index:" in out and "## Known limitations" in out
    assert main(["models", "show", "v0002", "--json"]) == 0
    assert __import__("json").loads(capsys.readouterr().out)["model_card"] == str(card)


def test_models_list_and_history_print_aligned_tables_or_json(tmp_path, monkeypatch, capsys):
    import json

    from adversarial_mlops.cli import main
    from adversarial_mlops.models.registry import ModelRegistry

    metrics, info = _registered_facts(tmp_path)
    registry = ModelRegistry(tmp_path / "registry")
    for payload in (b"a", b"b"):
        registry.register(lambda d, p=payload: (d / "weights.bin").write_bytes(p), metrics=metrics, info=info)
    registry.promote("v0001", reason="baseline")
    registry.record("reject", version="v0002", champion="v0001", details={"reasons": ["blocked: worse | here"]})
    monkeypatch.setenv("ADVERSARIAL_MLOPS_HOME", str(tmp_path))
    monkeypatch.delenv("ADVERSARIAL_MLOPS_CONFIG", raising=False)
    assert main(["models", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["version", "role", "parent", "clean", "F1", "threshold", "held", "out", "created",
                                "(UTC)"]
    assert lines[1].split()[:2] == ["*", "v0001"] and lines[2].startswith("   v0002")
    assert lines[1].index("0.667") == lines[2].index("0.667")  # aligned columns
    assert main(["models", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [v["is_champion"] for v in listed] == [True, False] and listed[0]["clean_f1"] == metrics["clean_f1"]
    assert main(["models", "history"]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert rows[1].split()[2:4] == ["reject", "v0002"] and rows[1].endswith("blocked: worse | here")
    assert main(["models", "history", "--json"]) == 0
    assert [e["event"] for e in json.loads(capsys.readouterr().out)] == ["promote", "reject"]


def test_the_ab_table_shows_roc_auc_and_recall_at_fixed_false_positive_rates(decision):
    from adversarial_mlops.judging.promotion import ranking_comparison

    y = np.array([1] * 40 + [0] * 40)
    scores = np.linspace(1.0, 0.0, 80)  # every malicious text above every benign one
    champion = PairedPredictions(clean=(scores >= 0.5).astype(int), variants=np.ones(1), benign_variants=np.zeros(1),
                                 clean_scores=scores, threshold=0.5)
    challenger = PairedPredictions(clean=(scores >= 0.9).astype(int), variants=np.ones(1), benign_variants=np.zeros(1),
                                   clean_scores=scores[::-1].copy(), threshold=0.9)
    ranking = ranking_comparison(y, champion, challenger, [f"g{i // 4}" for i in range(80)], seed=0, n_resamples=100)
    rows = {row[0]: row for row in tables.ab_table({**decision["statistics"], "ranking": ranking}, "v0001", "v0002").rows}
    assert rows["clean ROC-AUC (reported, not decided on)"][1:4] == ("1.000", "0.000", "-1.000 (-1.000 to -1.000)")
    assert rows["clean recall at 1% FPR (reported, not decided on)"][1:3] == ("100.0%", "0.0%")
    assert rows["clean recall at 5% FPR (reported, not decided on)"][3].startswith("-100.0 pts")


def test_the_card_says_how_sure_the_threshold_is(tmp_path):
    from adversarial_mlops.judging.decision import calibrate_threshold
    from adversarial_mlops.reporting.card import model_card

    metrics, info = _registered_facts(tmp_path)
    labels, scores = TEST["label"].to_numpy(), keyword_model(TEST["text"])
    point = calibrate_threshold(labels, scores, 0.1, groups=TEST["group"].tolist(), confidence=0.9)
    body = model_card("v0002", metrics={**metrics, "operating_point": point}, info=info)
    groups = TEST["group"][TEST["label"] == 0].nunique()
    assert (f"calibrated on validation to 10.0% FPR, met in 90.0% of resamplings of its {groups} benign template "
            f"groups (plain quantile {formatting.ratio(point['plain_threshold'])})") in body
    assert "resamplings" not in model_card("v0002", metrics=metrics, info=info)  # plain quantile: no bound claimed
