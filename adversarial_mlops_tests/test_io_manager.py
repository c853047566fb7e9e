import json

import dagster as dg
import pandas as pd
import pytest

from adversarial_mlops.dagster_defs.io_manager import MissingAssetValueError, StateDirIOManager


def test_tables_go_to_parquet_and_reports_to_json(tmp_path):
    manager = StateDirIOManager(base_dir=str(tmp_path))
    frame = pd.DataFrame({"text": ["a", "b"], "label": [0, 1]})
    manager.handle_output(dg.build_output_context(asset_key=dg.AssetKey("table")), frame)
    manager.handle_output(dg.build_output_context(asset_key=dg.AssetKey("report")), {"f1": float("nan"), "n": 2})
    assert (tmp_path / "table.parquet").exists()
    assert json.loads((tmp_path / "report.json").read_text()) == {"f1": None, "n": 2}  # JSON has no NaN
    loaded = manager.load_input(dg.build_input_context(asset_key=dg.AssetKey("table")))
    pd.testing.assert_frame_equal(loaded, frame, check_dtype=False)
    assert not list(tmp_path.glob(".*.tmp"))  # temp files renamed, none left behind


def test_missing_value_names_the_command_to_run_first(tmp_path):
    manager = StateDirIOManager(base_dir=str(tmp_path))
    with pytest.raises(MissingAssetValueError, match="run the whole loop first.*adversarial-mlops run"):
        manager.load_input(dg.build_input_context(asset_key=dg.AssetKey("challenger_model")))


def test_failed_write_keeps_the_previous_value(tmp_path, monkeypatch):
    manager = StateDirIOManager(base_dir=str(tmp_path))
    key = dg.AssetKey("report")
    manager.handle_output(dg.build_output_context(asset_key=key), {"version": 1})

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("os.replace", crash)
    with pytest.raises(OSError):
        manager.handle_output(dg.build_output_context(asset_key=key), {"version": 2})
    assert json.loads((tmp_path / "report.json").read_text()) == {"version": 1}


def test_unsupported_value_type_is_refused(tmp_path):
    manager = StateDirIOManager(base_dir=str(tmp_path))
    with pytest.raises(TypeError, match="DataFrames and JSON-like"):
        manager.handle_output(dg.build_output_context(asset_key=dg.AssetKey("x")), object())
