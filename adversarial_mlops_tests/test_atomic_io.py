import json
import os

import pytest

from adversarial_mlops.storage import atomic_io
from adversarial_mlops.storage.atomic_io import (
    append_jsonl,
    atomic_directory,
    atomic_write_bytes,
    atomic_write_json,
    atomic_write_text,
    read_jsonl,
)


def test_write_bytes_creates_parents_and_leaves_no_temp(tmp_path):
    target = tmp_path / "a" / "b" / "model.bin"
    atomic_write_bytes(target, b"\x00\x01")
    assert target.read_bytes() == b"\x00\x01"
    assert os.listdir(target.parent) == ["model.bin"]


def test_write_text_replaces_existing(tmp_path):
    target = tmp_path / "note.txt"
    atomic_write_text(target, "old")
    atomic_write_text(target, "new ✓")
    assert target.read_text(encoding="utf-8") == "new ✓"


def test_write_json_is_sorted_indented_with_newline(tmp_path):
    target = tmp_path / "x.json"
    atomic_write_json(target, {"b": 1, "a": [1, 2]})
    text = target.read_text()
    assert text == json.dumps({"a": [1, 2], "b": 1}, indent=2, sort_keys=True) + "\n"


def test_failure_mid_write_keeps_old_content_and_no_temp(tmp_path, monkeypatch):
    target = tmp_path / "state.json"
    atomic_write_json(target, {"v": 1})

    def crash(_fd):
        raise OSError("disk on fire")

    monkeypatch.setattr(atomic_io.os, "fsync", crash)
    with pytest.raises(OSError, match="disk on fire"):
        atomic_write_json(target, {"v": 2})
    assert json.loads(target.read_text()) == {"v": 1}
    assert os.listdir(tmp_path) == ["state.json"]


def test_failure_at_replace_leaves_no_file(tmp_path, monkeypatch):
    target = tmp_path / "fresh.bin"

    def crash(_src, _dst):
        raise OSError("replace failed")

    monkeypatch.setattr(atomic_io.os, "replace", crash)
    with pytest.raises(OSError):
        atomic_write_bytes(target, b"data")
    assert os.listdir(tmp_path) == []


def test_unserialisable_json_touches_nothing(tmp_path):
    target = tmp_path / "x.json"
    with pytest.raises(TypeError):
        atomic_write_json(target, {"bad": object()})
    assert not target.exists()


def test_atomic_directory_publishes_on_success(tmp_path):
    final = tmp_path / "out" / "v1"
    with atomic_directory(final) as work:
        assert work.parent == final.parent and not final.exists()
        (work / "f.txt").write_text("hi")
    assert (final / "f.txt").read_text() == "hi"
    assert os.listdir(final.parent) == ["v1"]


def test_atomic_directory_removes_temp_on_error(tmp_path):
    final = tmp_path / "v1"
    with pytest.raises(RuntimeError):
        with atomic_directory(final) as work:
            (work / "partial").write_text("x")
            raise RuntimeError("build failed")
    assert os.listdir(tmp_path) == []


def test_atomic_directory_refuses_existing(tmp_path):
    final = tmp_path / "v1"
    final.mkdir()
    with pytest.raises(FileExistsError, match="refusing to overwrite"):
        with atomic_directory(final):
            pass


def test_atomic_directory_refuses_target_created_meanwhile(tmp_path):
    final = tmp_path / "v1"
    with pytest.raises(FileExistsError):
        with atomic_directory(final) as work:
            (work / "mine").write_text("x")
            final.mkdir()
    assert os.listdir(tmp_path) == ["v1"]
    assert os.listdir(final) == []


def test_jsonl_roundtrip_and_missing_file(tmp_path):
    log = tmp_path / "sub" / "log.jsonl"
    assert read_jsonl(log) == []
    append_jsonl(log, {"n": 1})
    append_jsonl(log, {"n": 2, "s": "é"})
    assert read_jsonl(log) == [{"n": 1}, {"n": 2, "s": "é"}]
    assert log.read_text(encoding="utf-8").count("\n") == 2


def test_truncated_last_line_is_ignored(tmp_path):
    log = tmp_path / "log.jsonl"
    append_jsonl(log, {"n": 1})
    with open(log, "ab") as handle:
        handle.write(b'{"n": 2, "trunc')
    assert read_jsonl(log) == [{"n": 1}]


def test_append_after_crash_discards_fragment(tmp_path):
    log = tmp_path / "log.jsonl"
    append_jsonl(log, {"n": 1})
    with open(log, "ab") as handle:
        handle.write(b'{"n": 2, "tr')
    append_jsonl(log, {"n": 3})
    assert read_jsonl(log) == [{"n": 1}, {"n": 3}]


def test_complete_unterminated_last_line_is_kept(tmp_path):
    log = tmp_path / "log.jsonl"
    log.write_text('{"n": 1}\n{"n": 2}')
    assert read_jsonl(log) == [{"n": 1}, {"n": 2}]
    append_jsonl(log, {"n": 3})
    assert read_jsonl(log) == [{"n": 1}, {"n": 2}, {"n": 3}]


def test_corruption_in_the_middle_raises(tmp_path):
    log = tmp_path / "log.jsonl"
    log.write_text('{"n": 1}\nnot json\n{"n": 3}\n')
    with pytest.raises(ValueError, match="line 2"):
        read_jsonl(log)


def test_non_object_line_raises(tmp_path):
    log = tmp_path / "log.jsonl"
    log.write_text('{"n": 1}\n[1, 2]\n')
    with pytest.raises(ValueError, match="line 2"):
        read_jsonl(log)


def test_append_rejects_non_dict_and_unserialisable(tmp_path):
    log = tmp_path / "log.jsonl"
    with pytest.raises(ValueError, match="dict"):
        append_jsonl(log, [1, 2])
    with pytest.raises(TypeError):
        append_jsonl(log, {"x": object()})
    assert read_jsonl(log) == []


def test_published_files_and_directories_get_the_umasks_modes_not_private_temp_modes(tmp_path):
    import os
    import stat

    from adversarial_mlops.storage.atomic_io import atomic_directory, atomic_write_text, process_umask

    previous = os.umask(0o027)  # group may read, others nothing
    try:
        assert process_umask() == 0o027
        atomic_write_text(tmp_path / "champion.json", "{}")
        with atomic_directory(tmp_path / "v0001") as staging:
            (staging / "weights").write_text("w")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "champion.json").stat().st_mode) == 0o640  # mkstemp alone gives 0o600
    assert stat.S_IMODE((tmp_path / "v0001").stat().st_mode) == 0o750  # mkdtemp alone gives 0o700
