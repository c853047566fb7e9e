import json

import dagster as dg
import pandas as pd
import pytest

from adversarial_mlops.dagster_defs.io_manager import MissingAssetValueError, StateDirIOManager
from adversarial_mlops.storage.run_values import RunValueStore

RUN = dg.build_output_context(asset_key=dg.AssetKey("x")).run_id  # the id a context built outside a run gets


def test_tables_go_to_parquet_and_reports_to_json_in_the_runs_folder(tmp_path):
    manager = StateDirIOManager(base_dir=str(tmp_path))
    frame = pd.DataFrame({"text": ["a", "b"], "label": [0, 1]})
    manager.handle_output(dg.build_output_context(asset_key=dg.AssetKey("table")), frame)
    manager.handle_output(dg.build_output_context(asset_key=dg.AssetKey("report")), {"f1": float("nan"), "n": 2})
    assert (tmp_path / "runs" / RUN / "table.parquet").exists()
    assert json.loads((tmp_path / "runs" / RUN / "report.json").read_text()) == {"f1": None, "n": 2}  # no NaN in JSON
    assert json.loads((tmp_path / "latest" / "table.json").read_text())["run_id"] == RUN
    loaded = manager.load_input(dg.build_input_context(asset_key=dg.AssetKey("table")))
    pd.testing.assert_frame_equal(loaded, frame, check_dtype=False)
    assert not list(tmp_path.rglob(".*.tmp"))  # temp files renamed, none left behind


def test_missing_value_names_the_command_to_run_first(tmp_path):
    manager = StateDirIOManager(base_dir=str(tmp_path))
    with pytest.raises(MissingAssetValueError, match="run the whole loop first.*adversarial-mlops run"):
        manager.load_input(dg.build_input_context(asset_key=dg.AssetKey("challenger_model")))


def test_failed_write_keeps_the_previous_value(tmp_path, monkeypatch):
    store = RunValueStore(tmp_path)
    store.write("run-a", "report", {"version": 1})

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("os.replace", crash)
    with pytest.raises(OSError):
        store.write("run-b", "report", {"version": 2})
    monkeypatch.undo()
    assert store.latest("report").load() == {"version": 1} and store.latest("report").run_id == "run-a"


def test_a_run_reads_its_own_values_and_otherwise_the_latest_with_its_origin(tmp_path):
    store = RunValueStore(tmp_path)
    store.write("run-a", "challenger_model", {"version": "v0002"})
    store.write("run-a", "deployed_champion", {"version": "v0001"})
    store.write("run-b", "deployed_champion", {"version": "v0003"})  # run b stopped before its challenger
    own = store.for_run("run-b", "deployed_champion")
    assert own.run_id == "run-b" and own.load() == {"version": "v0003"}
    earlier = store.for_run("run-c", "challenger_model")  # a partial run reads the latest, and knows whose
    assert earlier.run_id == "run-a" and earlier.load() == {"version": "v0002"}
    assert store.of_run("run-b", "challenger_model") is None
    # Two runs never share a file: run a's deployed champion is still there.
    assert store.of_run("run-a", "deployed_champion").load() == {"version": "v0001"}


def test_values_of_the_layout_before_runs_are_still_read(tmp_path):
    (tmp_path / "evaluation_report.json").write_text('{"gate": "old"}')
    stored = RunValueStore(tmp_path).latest("evaluation_report")
    assert stored.run_id is None and stored.load() == {"gate": "old"}


def test_prune_keeps_the_newest_runs_and_every_run_a_pointer_names(tmp_path):
    import os

    store = RunValueStore(tmp_path)
    store.write("oldest", "labeled_dataset", {"n": 0})  # still the latest labeled_dataset
    for index in range(5):
        store.write(f"run-{index}", "report", {"n": index})
    for index, folder in enumerate(["oldest"] + [f"run-{i}" for i in range(5)]):
        os.utime(tmp_path / "runs" / folder, (1_000 + index, 1_000 + index))
    removed = store.prune(keep=2)
    assert sorted(removed) == ["run-0", "run-1", "run-2"]
    assert sorted(p.name for p in (tmp_path / "runs").iterdir()) == ["oldest", "run-3", "run-4"]


def test_unsupported_value_type_is_refused(tmp_path):
    manager = StateDirIOManager(base_dir=str(tmp_path))
    with pytest.raises(TypeError, match="DataFrames"):
        manager.handle_output(dg.build_output_context(asset_key=dg.AssetKey("x")), object())
