import json
import multiprocessing
import os
from concurrent.futures import ThreadPoolExecutor

import pytest

from adversarial_mlops.models.registry import ModelRegistry, ModelVersion, RegistryError


def writes(content: str = "weights"):
    """A build callback that writes one model file plus a nested config."""

    def build(directory):
        (directory / "model.bin").write_text(content)
        (directory / "config").mkdir()
        (directory / "config" / "params.json").write_text("{}")

    return build


def register(registry, content="weights", role="challenger"):
    return registry.register(writes(content), metrics={"f1": 0.9}, info={"role": role})


@pytest.fixture
def registry(tmp_path):
    return ModelRegistry(tmp_path / "registry")


def leftover_temp_dirs(registry):
    if not registry.versions_dir.exists():
        return []
    return [p.name for p in registry.versions_dir.iterdir() if p.name.startswith(".")]


# ----------------------------------------------------------------- registering


def test_fresh_registry_is_empty_and_untouched(registry):
    assert registry.list_versions() == []
    assert registry.champion() is None
    assert registry.history() == []
    assert not registry.root.exists()


def test_register_writes_files_and_metadata(registry):
    version = registry.register(writes(), metrics={"f1": 0.91}, info={"role": "baseline", "base": "tfidf"})
    assert isinstance(version, ModelVersion)
    assert version.version == "v0001"
    assert version.path == registry.versions_dir / "v0001"
    assert (version.path / "model.bin").read_text() == "weights"
    record = json.loads((version.path / "version.json").read_text())
    assert record["metrics"] == {"f1": 0.91} and record["info"]["role"] == "baseline"
    assert set(record["files"]) == {"model.bin", "config/params.json"}
    assert registry.get("v0001") == version


def test_version_ids_are_monotonic(registry):
    ids = [register(registry).version for _ in range(3)]
    assert ids == ["v0001", "v0002", "v0003"]
    assert [v.version for v in registry.list_versions()] == ids


def test_failed_build_registers_nothing_and_leaves_no_temp_dir(registry):
    register(registry)

    def broken(directory):
        (directory / "half.bin").write_text("partial")
        raise RuntimeError("training crashed")

    with pytest.raises(RuntimeError, match="training crashed"):
        registry.register(broken, metrics={}, info={})
    assert [v.version for v in registry.list_versions()] == ["v0001"]
    assert leftover_temp_dirs(registry) == []
    # The failed attempt's id is burned, never reused: ids stay unambiguous in logs.
    assert register(registry).version == "v0003"


def test_register_rejects_empty_build_and_reserved_file(registry):
    with pytest.raises(RegistryError, match="no files"):
        registry.register(lambda directory: None, metrics={}, info={})
    with pytest.raises(RegistryError, match="version.json"):
        registry.register(lambda d: (d / "version.json").write_text("{}"), metrics={}, info={})
    assert registry.list_versions() == [] and leftover_temp_dirs(registry) == []


def test_register_rejects_unserialisable_metadata(registry):
    with pytest.raises(RegistryError, match="metrics"):
        registry.register(writes(), metrics={"x": object()}, info={})
    assert registry.list_versions() == []


def test_registering_never_overwrites_existing_versions(registry):
    first = register(registry, content="first")
    register(registry, content="second")
    assert (first.path / "model.bin").read_text() == "first"
    registry.verify(first.version)


def test_published_files_are_read_only(registry):
    version = register(registry)
    assert not os.access(version.path / "model.bin", os.W_OK) or os.geteuid() == 0


def test_concurrent_registers_get_distinct_versions(registry):
    with ThreadPoolExecutor(max_workers=12) as pool:
        futures = [pool.submit(register, registry, f"model-{i}") for i in range(12)]
        results = [future.result() for future in futures]  # re-raises any worker error
    assert sorted(v.version for v in results) == [f"v{i:04d}" for i in range(1, 13)]
    for version in results:
        registry.verify(version.version)
        assert (version.path / "model.bin").read_text().startswith("model-")


# -------------------------------------------------------------------- reading


@pytest.mark.parametrize("bad", ["../x", "v1", "", "v001", "v0001/..", "V0001", "v0001\n", None, 1])
def test_invalid_version_ids_are_rejected(registry, bad):
    register(registry)
    with pytest.raises(RegistryError, match="invalid version id"):
        registry.get(bad)


def test_unknown_version_lists_known_ones(registry):
    register(registry)
    with pytest.raises(RegistryError, match="v0001"):
        registry.get("v0009")


def test_verify_detects_modified_added_and_missing_files(registry):
    version = register(registry)
    registry.verify(version.version)
    model_file = version.path / "model.bin"
    model_file.chmod(0o644)
    model_file.write_text("tampered")
    with pytest.raises(RegistryError, match="modified model.bin"):
        registry.verify(version.version)

    other = register(registry)
    (other.path / "extra.bin").write_text("x")
    (other.path / "config" / "params.json").unlink()
    with pytest.raises(RegistryError, match="missing config/params.json.*unexpected extra.bin"):
        registry.verify(other.version)


# --------------------------------------------------------- champion & history


def test_promote_swaps_pointer_and_logs(registry):
    v1, v2 = register(registry), register(registry)
    registry.promote(v1.version, reason="baseline")
    registry.promote(v2.version, reason="beats champion", details={"delta_f1": 0.02})
    assert registry.champion() == v2
    pointer = json.loads(registry.champion_file.read_text())
    assert pointer["version"] == "v0002" and pointer["reason"] == "beats champion" and "promoted_at" in pointer
    events = registry.history()
    assert [(e["event"], e["version"], e["previous"]) for e in events] == [
        ("promote", "v0001", None),
        ("promote", "v0002", "v0001"),
    ]
    assert events[1]["details"] == {"delta_f1": 0.02} and "at" in events[1]


def test_promote_refuses_tampered_or_unknown_version(registry):
    version = register(registry)
    (version.path / "model.bin").chmod(0o644)
    (version.path / "model.bin").write_text("tampered")
    with pytest.raises(RegistryError, match="integrity"):
        registry.promote(version.version, reason="x")
    with pytest.raises(RegistryError, match="unknown"):
        registry.promote("v0042", reason="x")
    assert registry.champion() is None and registry.history() == []


def test_history_is_append_only(registry):
    v1 = register(registry)
    registry.promote(v1.version, reason="baseline")
    before = registry.history_file.read_bytes()
    registry.record("reject", version="v0002", reason="evasion worse")
    after = registry.history_file.read_bytes()
    assert after.startswith(before)
    assert registry.history()[-1]["event"] == "reject"
    assert registry.history()[-1]["reason"] == "evasion worse"


def test_record_rejects_reserved_events_and_fields(registry):
    with pytest.raises(RegistryError, match="promote"):
        registry.record("promote", version="v0001")
    with pytest.raises(RegistryError, match="'at'"):
        registry.record("reject", at="yesterday")
    with pytest.raises(RegistryError, match="non-empty"):
        registry.record("")
    assert registry.history() == []


def test_rollback_walks_back_through_previous_champions(registry):
    v1, v2, v3 = (register(registry) for _ in range(3))
    for version in (v1, v2, v3):
        registry.promote(version.version, reason="better")
    assert registry.rollback(reason="prod regression") == v2
    assert registry.champion() == v2
    assert registry.rollback() == v1
    with pytest.raises(RegistryError, match="no earlier champion"):
        registry.rollback()
    last = registry.history()[-1]
    assert (last["event"], last["version"], last["previous"], last["reason"]) == (
        "rollback",
        "v0001",
        "v0002",
        "manual rollback",
    )


def test_rollback_skips_repeated_promotions_of_the_same_version(registry):
    v1, v2 = register(registry), register(registry)
    registry.promote(v1.version, reason="a")
    registry.promote(v2.version, reason="b")
    registry.promote(v2.version, reason="retry of b")
    assert registry.rollback() == v1


def test_rollback_to_named_version(registry):
    v1, v2, v3 = (register(registry) for _ in range(3))
    registry.promote(v2.version, reason="b")
    registry.promote(v3.version, reason="c")
    assert registry.rollback("v0001", reason="known good") == v1
    assert registry.champion() == v1
    with pytest.raises(RegistryError, match="already the champion"):
        registry.rollback("v0001")
    with pytest.raises(RegistryError, match="unknown"):
        registry.rollback("v0077")
    with pytest.raises(RegistryError, match="invalid"):
        registry.rollback("../v0001")


def test_rollback_without_champion_fails(registry):
    register(registry)
    with pytest.raises(RegistryError, match="no champion"):
        registry.rollback()


def _register_in_child(root, content):
    ModelRegistry(root).register(writes(content), metrics={}, info={})


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="needs fork")
def test_concurrent_registers_from_processes_get_distinct_versions(registry):
    context = multiprocessing.get_context("fork")
    children = [context.Process(target=_register_in_child, args=(registry.root, f"p{i}")) for i in range(4)]
    for child in children:
        child.start()
    for child in children:
        child.join(timeout=30)
    assert [child.exitcode for child in children] == [0, 0, 0, 0]
    contents = sorted((v.path / "model.bin").read_text() for v in registry.list_versions())
    assert contents == ["p0", "p1", "p2", "p3"]
    assert [v.version for v in registry.list_versions()] == ["v0001", "v0002", "v0003", "v0004"]


# ---------------------------------------------------------- compare-and-swap promotion


def test_promotion_judged_against_a_replaced_champion_is_refused(registry):
    from adversarial_mlops.models.registry import StaleChampionError

    v1, v2, v3 = (register(registry, content=f"w{i}").version for i in (1, 2, 3))
    registry.promote(v1, reason="baseline", replacing=None)
    registry.promote(v2, reason="loop 1", replacing=v1)
    registry.rollback(reason="operator: v2 misbehaves")  # back to v1 while a loop tests v3 against v2
    history_before = registry.history()
    with pytest.raises(StaleChampionError, match=f"judged against champion {v2}.*now {v1}"):
        registry.promote(v3, reason="loop 2", replacing=v2)
    assert registry.champion().version == v1 and registry.history() == history_before  # nothing changed
    with pytest.raises(StaleChampionError, match="judged against champion none"):
        registry.promote(v3, reason="a second baseline", replacing=None)
    registry.promote(v3, reason="loop 2, judged against v1", replacing=v1)
    assert registry.champion().version == v3


def test_decide_promotion_refuses_a_stale_champion_before_any_ab_test(registry):
    from adversarial_mlops.config import PipelineConfig
    from adversarial_mlops.loop.lifecycle import decide_promotion
    from adversarial_mlops.models.registry import StaleChampionError

    v1, v2, v3 = (register(registry, content=f"w{i}").version for i in (1, 2, 3))
    registry.promote(v1, reason="baseline", replacing=None)
    registry.promote(v2, reason="loop 1", replacing=v1)
    registry.rollback(reason="operator")
    history_before = registry.history()
    # The stored deployed_champion says v2; the registry says v1. The A/B is never run (these
    # "models" are not loadable), the champion stays, and the history says why v3 was not decided.
    for _ in range(2):
        with pytest.raises(StaleChampionError, match=f"registry's champion is now {v1}"):
            decide_promotion(registry, registry.get(v2), registry.get(v3), PipelineConfig(), None, None)
    history = registry.history()
    assert history[:-1] == history_before and registry.champion().version == v1
    assert history[-1]["event"] == "superseded" and history[-1]["version"] == v3  # recorded once
    assert f"judged against champion {v2}" in history[-1]["reason"]
