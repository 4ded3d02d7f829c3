"""Incremental loads: a run after a change to one source re-parses and re-validates that source
only; the other sources' validated raw tables are reused (per-source fingerprints).

The record behind the reuse is tested here; a real incremental run, launched by the daemon, is
in ``tests/test_daemon_run.py``, and CLI runs that reuse NATO's table in
``tests/test_publisher_down.py``."""

from __future__ import annotations

import duckdb
import pandas as pd

from pipeline.warehouse.build import write_table
from pipeline.warehouse.validated import RawLoad, last_load, mark_validated, record_load


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
