"""The GX runner keeps one file context per process and folder, saves each suite once per
validation and stores its latest result for the data docs (pipeline/quality/runner.py)."""

import json

import pandas as pd
import pytest

from pipeline.quality import runner

FRAME = pd.DataFrame({"x": [1, 2, 3]})


def _upto(high):
    return lambda e: [
        e.ExpectColumnValuesToNotBeNull(column="x"),
        e.ExpectColumnValuesToBeBetween(column="x", min_value=0, max_value=high),
    ]


@pytest.fixture
def saves(monkeypatch):
    """The suites the file context saves, by name."""
    saved: list[str] = []
    from great_expectations.core.factory.suite_factory import SuiteFactory

    original = SuiteFactory.add_or_update

    def counted(self, suite):
        saved.append(suite.name)
        return original(self, suite)

    monkeypatch.setattr(SuiteFactory, "add_or_update", counted)
    return saved


def test_a_suite_is_saved_once_and_only_its_latest_result_is_stored(tmp_path, saves):
    outcome = runner.run_suite("frame_suite", FRAME, _upto(5), tmp_path)
    assert outcome.success and outcome.evaluated == 2
    assert saves == ["frame_suite"]  # the validation definition's factory saves it, once
    runner.run_suite("frame_suite", FRAME, _upto(5), tmp_path)
    stored = list((tmp_path / "gx" / "uncommitted" / "validations" / "frame_suite").rglob("*.json"))
    assert len(stored) == 1


def test_changed_expectations_are_saved_and_used(tmp_path, saves):
    runner.run_suite("frame_suite", FRAME, _upto(5), tmp_path)
    outcome = runner.run_suite("frame_suite", FRAME, _upto(2), tmp_path, docs_on_failure=False)
    assert not outcome.success  # 3 is above the new maximum: the new suite ran
    assert saves == ["frame_suite", "frame_suite"]
    saved = json.loads((tmp_path / "gx" / "expectations" / "frame_suite.json").read_text())
    between = [
        e for e in saved["expectations"] if e["type"] == "expect_column_values_to_be_between"
    ]
    assert between[0]["kwargs"]["max_value"] == 2


def test_a_removed_context_folder_is_made_again(tmp_path, saves):
    import shutil

    runner.run_suite("frame_suite", FRAME, _upto(5), tmp_path)
    shutil.rmtree(tmp_path / "gx")  # a fresh warehouse folder
    assert runner.run_suite("frame_suite", FRAME, _upto(5), tmp_path).success
    assert saves == ["frame_suite", "frame_suite"]
    assert (tmp_path / "gx" / "expectations" / "frame_suite.json").exists()


def test_a_context_cut_short_by_a_killed_run_is_set_aside_and_made_again(tmp_path, caplog):
    """A run killed while GX rewrote great_expectations.yml leaves it cut short; the next run
    must not fail on it forever."""
    runner.run_suite("frame_suite", FRAME, _upto(5), tmp_path)
    config = tmp_path / "gx" / "great_expectations.yml"
    config.write_text(config.read_text()[: len(config.read_text()) // 2])
    runner._file_context.cache_clear()  # a new process: the next run's
    assert runner.run_suite("frame_suite", FRAME, _upto(5), tmp_path).success
    assert (tmp_path / "gx.unreadable" / "great_expectations.yml").exists()
    assert f"{config}: GX could not read its file context" in caplog.text
