"""One publisher down does not stop the other (issue 19, item 5).

SIPRI's workbooks are kept out of git (its terms) and fetched on demand. When no location has them
(the publisher unreachable, an edition withdrawn, no mirror), the run publishes NATO's figures as
they are, lists SIPRI's editions as unavailable in ``dim_release`` with what was tried, warns on the
empty SIPRI tables, says so in its summary and in ``status``, and the next run tries again. The
mirror here is a server on 127.0.0.1; the build warehouse is a copy of the session's real run, so
NATO's validated raw table is reused as a scheduled run would.

One edition withdrawn while the others are there takes the same path, edition by edition: the
fetch (tests/test_acquire.py, one file unavailable does not stop the others), the load below, and
the ranking that skips it (the dbt unit test ``an_unavailable_release_is_listed_but_never_ranked``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from pipeline import paths
from pipeline.acquire.on_demand import MIRROR_ENV
from pipeline.cli import main as cli
from pipeline.provenance import unavailable_releases
from pipeline.sources.load import load_source
from tests.conftest import run_pipeline
from tests.local_http import Route

SIPRI_DIR = paths.PROJECT_ROOT / "data" / "raw" / "sipri"
WORKBOOKS = {
    "sipri_2024-04-22": SIPRI_DIR / "2024-04-22" / "SIPRI-Milex-data-1949-2023.xlsx",
    "sipri_2025-04-28": SIPRI_DIR / "2025-04-28" / "SIPRI-Milex-data-1949-2024_2.xlsx",
    "sipri_2026-04-27": SIPRI_DIR / "2026-04-27" / "SIPRI-Milex-data-1949-2025_v1.2.xlsx",
}
NATO_MARTS = ("fct_target_status", "fct_path_to_2035", "fct_two_percent_milestones")


def _setup(tmp: Path, published: Path, monkeypatch, mirror: str) -> tuple[Path, Path]:
    """A copy of yesterday's warehouse folder and of data/raw with SIPRI's sidecars only."""
    warehouse = tmp / "warehouse"
    shutil.copytree(published.parent, warehouse, ignore=shutil.ignore_patterns("*.lock", "logs"))
    raw = tmp / "raw"
    shutil.copytree(paths.raw_dir(), raw, ignore=shutil.ignore_patterns(".*", "SIPRI-Milex-*.xlsx"))
    monkeypatch.setenv(MIRROR_ENV, mirror)
    return warehouse, raw


def _query(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.sql(sql).fetchall()


def _status(tmp: Path, warehouse: Path, raw: Path, monkeypatch, capsys) -> str:
    """``status`` on the run's warehouse, instance and inputs (in this process: the run above
    already went through the command line)."""
    monkeypatch.setenv("DEFENCE_WAREHOUSE_DIR", str(warehouse))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp / "dagster_home"))
    monkeypatch.setenv("DEFENCE_RAW_DIR", str(raw))
    capsys.readouterr()
    assert cli.main(["status"]) == 0
    return capsys.readouterr().out


@pytest.mark.e2e
@pytest.mark.slow
def test_sipri_unreachable_publishes_nato_and_says_what_is_missing(
    end_to_end, tmp_path, monkeypatch, server, capsys
):
    server.routes["/SIPRI-Milex-data-1949-2023.xlsx"] = Route(503, b"down for maintenance")
    warehouse, raw = _setup(tmp_path, end_to_end.published, monkeypatch, server.base)

    result = run_pipeline(tmp_path, warehouse, raw=raw)

    assert result.returncode == 0, result.stderr[-3000:]
    ids = ", ".join(WORKBOOKS)
    assert f"Not in this warehouse: {ids} (their files are kept out of git" in result.stdout
    assert "warnings (caveats, not errors): gx_sipri__military_expenditure" in result.stderr
    db = warehouse / paths.PUBLISHED_DB_NAME
    rows = _query(
        db,
        "select release_id, is_available, is_latest, unavailable_reason from marts.dim_release "
        "where source = 'sipri' order by release_id",
    )
    assert [r[:3] for r in rows] == [(r, False, False) for r in WORKBOOKS]
    reasons = {r[0]: r[3] for r in rows}
    assert f"{server.base}/SIPRI-Milex-data-1949-2023.xlsx: HTTP 503" in reasons["sipri_2024-04-22"]
    assert (
        f"{server.base}/SIPRI-Milex-data-1949-2024_2.xlsx: HTTP 404" in reasons["sipri_2025-04-28"]
    )
    assert all(f"Set {MIRROR_ENV}" in reason for reason in reasons.values())
    assert _query(db, "select count(*) from marts.fct_sipri_expenditure") == [(0,)]
    for mart in NATO_MARTS:  # NATO's figures exactly as the full run published them
        sql = f"select * from marts.{mart} order by all"  # noqa: S608 - names from this file
        assert _query(db, sql) == _query(end_to_end.published, sql), mart
    assert not list(raw.rglob("SIPRI-Milex-*.xlsx"))  # nothing half-fetched

    status = _status(tmp_path, warehouse, raw, monkeypatch, capsys)
    assert f"Not in this warehouse: {ids}" in status
    assert "failed: none; warnings (caveats, not errors): gx_sipri__military_expenditure" in status


@pytest.mark.sipri
def test_an_edition_withdrawn_is_left_out_of_the_load_and_the_others_still_load(tmp_path):
    """SIPRI's 2025 workbook could not be had, the 2024 and 2026 ones are here: the load takes
    both, oldest first, passes the rule that a newer edition covers the years of the one before
    it (2026 follows 2024 now), and lists 2025 as unavailable for ``dim_release``."""
    sipri = tmp_path / "sipri"
    shutil.copytree(SIPRI_DIR, sipri, ignore=shutil.ignore_patterns(".*"))
    (sipri / "2025-04-28" / WORKBOOKS["sipri_2025-04-28"].name).unlink()

    frame, stats, releases = load_source(sipri)

    assert [r.release_id for r in releases] == ["sipri_2024-04-22", "sipri_2026-04-27"]
    assert [r.release_id for r in unavailable_releases(sipri)] == ["sipri_2025-04-28"]
    assert sorted(frame.release_id.unique()) == ["sipri_2024-04-22", "sipri_2026-04-27"]
    assert set(stats) == {
        f"{release_id}/{path.name}"
        for release_id, path in WORKBOOKS.items()
        if release_id != "sipri_2025-04-28"
    }
    assert frame.groupby("release_id").year.max().to_dict() == {
        "sipri_2024-04-22": 2023,
        "sipri_2026-04-27": 2025,
    }
