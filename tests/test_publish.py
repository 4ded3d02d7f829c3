"""Write-audit-publish: atomic replacement, refusal of unfit builds, readers keep their snapshot."""

from __future__ import annotations

import subprocess
import sys

import duckdb
import pytest

from pipeline.warehouse.lock import WarehouseBusyError, write_lock
from pipeline.warehouse.publish import REQUIRED_RELATIONS, PublishError, publish
from tests.conftest import write_marts


def test_publish_replaces_the_file_and_reports_row_counts(tmp_path):
    build, published = tmp_path / "build.duckdb", tmp_path / "defence.duckdb"
    write_marts(build, "first", rows=2)
    counts = publish(build, published)
    assert counts == {relation: 2 for relation in REQUIRED_RELATIONS}
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("select distinct marker from marts.dim_country").fetchone() == ("first",)
    assert not list(tmp_path.glob(".defence.duckdb.*.tmp"))


@pytest.mark.parametrize("rows", [0, None], ids=["empty-mart", "missing-mart"])
def test_an_unfit_build_is_refused_and_the_published_file_is_untouched(tmp_path, rows):
    build, published = tmp_path / "build.duckdb", tmp_path / "defence.duckdb"
    write_marts(build, "good")
    publish(build, published)
    before = published.read_bytes()
    if rows is None:
        with duckdb.connect(str(build)) as con:
            con.execute("drop table marts.fct_target_status")
    else:
        write_marts(build, "bad", rows=rows)
    # The audit reads the marts in name order: an empty build fails on the first one.
    first = (
        "marts.fct_target_status missing" if rows is None else "marts.agg_alliance_year is empty"
    )
    with pytest.raises(PublishError, match=first):
        publish(build, published)
    assert published.read_bytes() == before
    assert not list(tmp_path.glob(".defence.duckdb.*.tmp"))


def test_a_reader_keeps_its_snapshot_and_new_readers_see_the_new_file(tmp_path):
    build, published = tmp_path / "build.duckdb", tmp_path / "defence.duckdb"
    write_marts(build, "old")
    publish(build, published)
    reader = duckdb.connect(str(published), read_only=True)
    try:
        write_marts(build, "new")
        publish(build, published)  # must not fail although a reader holds the old file
        assert reader.execute("select distinct marker from marts.dim_country").fetchone() == (
            "old",
        )
        # A new reader is another process (in one process DuckDB reuses the open instance).
        query = (
            "import duckdb, sys; con = duckdb.connect(sys.argv[1], read_only=True); "
            "print(con.execute('select distinct marker from marts.dim_country').fetchone()[0])"
        )
        fresh = subprocess.run(
            [sys.executable, "-c", query, str(published)],
            capture_output=True,
            text=True,
            check=True,
        )
        assert fresh.stdout.strip() == "new"
    finally:
        reader.close()


def test_a_second_writer_is_refused_clearly(tmp_path):
    with (
        write_lock(tmp_path),
        pytest.raises(WarehouseBusyError, match="another pipeline run"),
        write_lock(tmp_path, timeout_s=0.5),
    ):
        pass
    with write_lock(tmp_path):  # released after the first holder leaves
        pass
