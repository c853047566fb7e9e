from pathlib import Path

import pytest

from adversarial_mlops.config import BUNDLED_DATASET, DEFAULT_CONFIG_FILE, ConfigError, load_config, parse_override


def test_shipped_yaml_equals_the_code_defaults():
    from adversarial_mlops.config import PipelineConfig

    assert load_config(DEFAULT_CONFIG_FILE) == PipelineConfig()


def test_yaml_keys_follow_the_plan(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("quality_gate:\n  max_evasion_rate: 0.1\n  min_f1_score: 0.9\n  min_f1_drop: 0.02\n")
    gate = load_config(path).quality_gate
    assert (gate.max_evasion_rate, gate.min_f1_score, gate.min_f1_drop) == (0.1, 0.9, 0.02)


def test_overrides_are_parsed_as_yaml_and_validated():
    config = load_config(None, ["quality_gate.min_f1_score=0.9", "attack.strategies=[leetspeak, rot13]"])
    assert config.quality_gate.min_f1_score == 0.9
    assert config.attack.strategies == ["leetspeak", "rot13"]
    with pytest.raises(ConfigError, match="quality_gate.min_f1_score"):
        load_config(None, ["quality_gate.min_f1_score=1.5"])


def test_unknown_key_is_named(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("quality_gate:\n  max_evasion: 0.1\n")
    with pytest.raises(ConfigError, match="quality_gate.max_evasion"):
        load_config(path)


@pytest.mark.parametrize("text, message", [("- a\n- b\n", "mapping"), ("a: [1,\n", "not valid YAML")])
def test_bad_yaml_is_explained(tmp_path, text, message):
    path = tmp_path / "c.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_config(path)


def test_missing_file_and_bad_override_form():
    with pytest.raises(ConfigError, match="does not exist"):
        load_config("/nonexistent/config.yaml")
    with pytest.raises(ConfigError, match="key=value"):
        parse_override("quality_gate.min_f1_score")


def test_relative_paths_resolve_against_the_config_file(tmp_path):
    (tmp_path / "mydata.csv").write_text("text,label\n")
    path = tmp_path / "c.yaml"
    path.write_text("state_dir: state\ndata:\n  source: mydata.csv\n")
    config = load_config(path)
    assert Path(config.data.source) == tmp_path / "mydata.csv"
    assert config.resolved_state_dir() == tmp_path / "state"


def test_bundled_dataset_is_the_default_source():
    assert load_config(None).data.resolved_source() == str(BUNDLED_DATASET)


def test_state_dir_env_var(tmp_path, monkeypatch):
    monkeypatch.setenv("ADVERSARIAL_MLOPS_HOME", str(tmp_path / "home"))
    assert load_config(None).resolved_state_dir() == tmp_path / "home"


@pytest.mark.parametrize("key, value, fragment", [
    ("seed", -1, "greater than or equal to 0"), ("training.seed", True, "valid integer"),
    ("attack.ab_seed", 2**32, "less than 4294967296"), ("data.split_seed", "7", "valid integer"),
    ("attack.strategies", ["homoglyph", "nope"], "unknown attack strategy 'nope'"),
    ("attack.strategies", [], "nothing would be attacked"),
    ("data.label_map", {"ham": 0, "spam": 2}, "must be 0 (benign) or 1 (malicious)"),
])
def test_values_that_would_fail_minutes_into_a_run_are_refused_when_the_config_is_read(key, value, fragment):
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")) as error:
        load_config(None, {key: value})
    assert fragment in str(error.value)


@pytest.mark.parametrize("content, fragment", [
    (b"seed: 13\nseed: 14\n", "duplicate key(s) seed"),
    (b"quality_gate:\n  min_f1_score: \xff\xfe\n", "not UTF-8"),
    (b"state_dir: ''\n", "state_dir is empty"),
])
def test_config_files_are_read_strictly(tmp_path, content, fragment):
    path = tmp_path / "bad.yaml"
    path.write_bytes(content)
    with pytest.raises(ConfigError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        load_config(path)


def bomb(levels: int, width: int) -> str:
    lines = ['a0: &a0 ["lol"]'] + [f"a{i}: &a{i} [{', '.join(['*a' + str(i - 1)] * width)}]"
                                   for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


def test_an_alias_expansion_bomb_is_refused_before_it_expands(tmp_path):
    # Nine levels of twelve aliases each would expand to 12^9 strings.
    path = tmp_path / "bomb.yaml"
    path.write_text(bomb(9, 12))
    with pytest.raises(ConfigError, match="more than 100 YAML aliases"):
        load_config(path)


def test_a_small_shared_structure_under_the_alias_limit_is_named_without_expanding_it(tmp_path):
    path = tmp_path / "bomb.yaml"
    path.write_text(bomb(9, 10))  # 90 aliases: allowed, and 10^9 strings if anything expanded it
    with pytest.raises(ConfigError, match="a9: Extra inputs are not permitted"):
        load_config(path)


def test_a_broken_override_value_is_a_message_not_a_traceback():
    with pytest.raises(ConfigError, match=r"attack.strategies=\[a,.*not valid YAML"):
        parse_override("attack.strategies=[a,")


def test_the_training_launcher_is_pipes_by_default_and_an_unknown_one_is_refused_with_the_fix():
    from adversarial_mlops.config import build_config

    assert build_config({}).training.launcher == "pipes"
    assert build_config({}, {"training.launcher": "in_process"}).training.launcher == "in_process"
    for wrong in ("k8s", "subprocess", "", True):
        with pytest.raises(ConfigError, match="training.launcher") as refused:
            build_config({}, {"training.launcher": wrong})
        if isinstance(wrong, str):
            assert "use pipes" in str(refused.value) and "docs/deploy.md" in str(refused.value)
