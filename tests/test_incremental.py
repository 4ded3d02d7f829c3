"""Incremental loads: a run after a change to one source re-parses and re-validates that source
only; the other source's validated raw table is reused (per-source fingerprints)."""

from __future__ import annotations

import shutil

import duckdb
import pandas as pd
import pytest

from pipeline import paths
from pipeline.warehouse.build import write_table
from pipeline.warehouse.validated import RawLoad, last_load, mark_validated, record_load
from tests.conftest import run_pipeline


def test_a_load_is_reusable_only_once_its_gate_passed(tmp_path):
    db = tmp_path / "build.duckdb"
    assert last_load(db, "nato__defence_expenditure") is None  # no warehouse yet
    write_table(db, "raw", "nato__defence_expenditure", pd.DataFrame({"x": [1]}))
    assert last_load(db, "nato__defence_expenditure") is None  # a table with no record
    record_load(db, "nato__defence_expenditure", "abc")
    assert last_load(db, "nato__defence_expenditure") == RawLoad("abc", is_validated=False)
    mark_validated(db, "nato__defence_expenditure")
    assert last_load(db, "nato__defence_expenditure") == RawLoad("abc", is_validated=True)
    record_load(db, "nato__defence_expenditure", "def")  # rewritten: validated no more
    assert last_load(db, "nato__defence_expenditure") == RawLoad("def", is_validated=False)
    with duckdb.connect(str(db)) as con:
        con.execute("drop table raw.nato__defence_expenditure")
    assert last_load(db, "nato__defence_expenditure") is None  # the table is gone


@pytest.mark.e2e
@pytest.mark.sipri
def test_a_change_to_nato_reparses_nato_and_reuses_sipri(end_to_end, tmp_path):
    """Yesterday's build warehouse (the session's real run) and today's inputs minus NATO's July
    2026 edition: NATO is parsed and gated again, SIPRI's validated table is reused as it is."""
    warehouse = tmp_path / "warehouse"
    shutil.copytree(end_to_end.published.parent, warehouse, ignore=shutil.ignore_patterns("*.lock"))
    raw = tmp_path / "raw"
    shutil.copytree(paths.raw_dir(), raw, ignore=shutil.ignore_patterns(".*"))
    shutil.rmtree(raw / "nato" / "2026-07-10")
    result = run_pipeline(tmp_path, warehouse, raw=raw)
    assert result.returncode == 0, result.stderr[-3000:]
    log = (warehouse / "logs" / "last_run.log").read_text()
    assert "sipri unchanged since its validated load: reused" in log
    assert "imf_weo unchanged since its validated load: reused" in log
    assert "nato unchanged" not in log and "parsed nato:" in log
    with duckdb.connect(str(warehouse / paths.PUBLISHED_DB_NAME), read_only=True) as con:
        latest = con.sql("select release_id from marts.dim_release where is_latest").fetchall()
        # The August 2025 edition prints no constant-price GDP: no money path, said as NULL.
        money = con.sql(
            "select count(*), count(projected_gdp_usd_const_m) from marts.fct_spending_path_2035"
        ).fetchone()
    assert sorted(latest) == [("imf_weo_2026-04-14",), ("nato_2025-08-28",), ("sipri_2026-04-27",)]
    assert money[0] > 0 and money[1] == 0
