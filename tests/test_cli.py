"""Analyst entry points: read-only SQL, status, export, data dictionary, UI host, automation."""

from __future__ import annotations

import os

import duckdb
import pytest

from pipeline import paths
from pipeline.cli import main as cli
from pipeline.warehouse.fingerprint import snapshot


@pytest.fixture
def warehouse(monkeypatch, published):
    monkeypatch.setenv("DEFENCE_WAREHOUSE_DIR", str(published.parent))
    return published


@pytest.mark.e2e
@pytest.mark.sipri  # dim_country holds SIPRI's countries too
def test_sql_opens_the_warehouse_read_only(warehouse, capsys):
    assert cli.main(["sql", "select count(*) as n from marts.dim_country"]) == 0
    assert "172" in capsys.readouterr().out
    assert cli.main(["sql", "create table marts.oops as select 1"]) == 1
    assert "read-only" in capsys.readouterr().err
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = con.execute("select table_name from information_schema.tables").fetchall()
    assert ("oops",) not in tables


ALL_2026 = "select * from marts.fct_target_status where year = 2026 order by country_code"


@pytest.mark.e2e
def test_sql_prints_the_whole_answer_every_row_and_column(warehouse, capsys):
    """31 allies' 2026 verdicts, 30-odd columns: nothing is cut (DuckDB's own rendering showed 20
    of 30 rows and 6 of 21 columns)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        columns = con.sql(ALL_2026).columns
        codes = [r[0] for r in con.sql(ALL_2026).fetchall()]
    assert len(codes) == 31 and len(columns) > 20
    assert cli.main(["sql", ALL_2026]) == 0
    out = capsys.readouterr().out
    assert all(name in out.splitlines()[1] for name in columns)  # the header row, every column
    assert [c for c in codes if f"│ {c} " in out] == codes
    assert "rows" not in out.splitlines()[-1]  # no "20 rows shown of 31"


@pytest.mark.e2e
def test_sql_as_csv_json_and_with_a_row_limit(warehouse, capsys):
    import csv
    import io
    import json

    query = (
        "select country_code, share_gdp_pct, meets_2pct from marts.fct_target_status "
        "where year = 2014 and country_code in ('GBR', 'USA', 'ISL') order by country_code"
    )
    assert cli.main(["sql", query, "--format", "csv"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0] == ["country_code", "share_gdp_pct", "meets_2pct"]
    assert [r[0] for r in rows[1:]] == ["GBR", "USA"] and rows[1][2] == "True"
    assert cli.main(["sql", query, "--format", "json", "--limit", "1"]) == 0
    (gbr,) = json.loads(capsys.readouterr().out)
    assert gbr["country_code"] == "GBR" and gbr["meets_2pct"] is True
    assert gbr["share_gdp_pct"] > 2.0


@pytest.mark.e2e
def test_sql_piped_into_head_ends_quietly(warehouse):
    import subprocess
    import sys

    query = "'select * from marts.fct_defence_expenditure'"
    result = subprocess.run(
        f"{sys.executable} -m pipeline sql {query} | head -1",
        shell=True,  # noqa: S602 - a fixed command line: the pipe is what is tested
        cwd=paths.PROJECT_ROOT,
        env={**os.environ, "DEFENCE_WAREHOUSE_DIR": str(warehouse.parent)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.startswith("┌") and len(result.stdout.splitlines()) == 1
    assert result.stderr == ""  # no BrokenPipeError traceback


def test_help_lists_every_command(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    out = capsys.readouterr().out
    for command in ("run", "ui", "webserver", "daemon", "sql", "shell", "status", "export",
                    "changes", "dictionary", "prepare"):  # fmt: skip
        assert command in out.split("options:")[0].split("\n\n", 1)[1], command


@pytest.mark.e2e
def test_status_reports_latest_releases_and_rows(warehouse, capsys):
    assert cli.main(["status", "--json"]) == 0
    out = capsys.readouterr().out
    # The July 2026 edition: 31 allies with armed forces x 2014-2026 (it prints no Iceland row).
    assert '"release_id": "nato_2026-07-10"' in out and '"fct_target_status": 403' in out


@pytest.mark.e2e
def test_export_writes_every_mart_as_csv_and_parquet(warehouse, tmp_path):
    assert cli.main(["export", "--to", str(tmp_path)]) == 0
    assert len(list(tmp_path.glob("*.csv"))) == 13 and len(list(tmp_path.glob("*.parquet"))) == 13
    status = duckdb.read_parquet(str(tmp_path / "fct_target_status.parquet")).df()
    assert len(status) == 403
    assert set(status.loc[status.year.eq(2014) & status.meets_2pct.eq(True), "country_code"]) == {
        "USA",
        "GRC",
        "GBR",
    }


def test_the_data_dictionary_is_up_to_date():
    assert cli.main(["dictionary", "--check"]) == 0


def test_the_ui_binds_to_localhost_by_default(monkeypatch):
    calls = []
    monkeypatch.setattr(
        "pipeline.cli.service.supervise", lambda command: calls.append(command) or 0
    )
    monkeypatch.setattr("pipeline.cli.service._prepare", lambda reap=False: None)
    assert cli.main(["ui"]) == 0
    assert calls[0][calls[0].index("--host") + 1] == "127.0.0.1"


def test_the_fingerprint_changes_when_a_release_arrives(monkeypatch, tmp_path):
    monkeypatch.setenv("DEFENCE_RAW_DIR", str(tmp_path))
    before = snapshot()
    release = tmp_path / "nato" / "2026-07-01"
    release.mkdir(parents=True)
    (release / "def-exp-2026-en.xlsx").write_bytes(b"a new release")
    arrived = snapshot()
    assert arrived.fingerprint != before.fingerprint
    assert "raw/nato/2026-07-01/def-exp-2026-en.xlsx" in arrived.files
    assert arrived.source("nato") != before.source("nato")
    assert arrived.source("sipri") == before.source("sipri")
    (tmp_path / "nato" / ".incoming-2027-01-01").mkdir()
    (tmp_path / "nato" / ".incoming-2027-01-01" / "partial.xlsx").write_bytes(b"x")
    assert snapshot() == arrived  # a download in progress is not a release


class _FailedRun:
    success = False
    all_events: list = []


@pytest.mark.parametrize("replaced", [True, False], ids=["after-the-rename", "before-it"])
def test_a_failed_run_says_whether_it_published(tmp_path, monkeypatch, capsys, replaced):
    """The final line follows the published file itself (a rename gives it a new identity), not
    the run's events: a step that fails after its rename must not say "not changed"."""
    from pipeline.cli import run as run_command

    monkeypatch.setenv("DEFENCE_WAREHOUSE_DIR", str(tmp_path))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    published = tmp_path / paths.PUBLISHED_DB_NAME
    published.write_bytes(b"yesterday's warehouse")

    def execute(_wait):
        if replaced:
            (tmp_path / "new").write_bytes(b"today's warehouse")
            os.replace(tmp_path / "new", published)
        return _FailedRun(), None

    monkeypatch.setattr(run_command, "_execute_job", execute)
    assert cli.main(["run", "--force"]) == 1
    last = capsys.readouterr().err.strip().splitlines()[-1]
    if replaced:
        assert "the warehouse was published" in last and "a later part of the step failed" in last
    else:
        assert "the published warehouse was not changed" in last


def test_a_run_while_another_holds_the_lock_exits_3_before_it_creates_a_run(
    tmp_path, monkeypatch, capsys
):
    """Asked before Dagster loads: no run record is created only to be refused (its planned
    checks would read as failed in the UI), and nothing under DAGSTER_HOME is written."""
    from pipeline.warehouse.lock import write_lock

    monkeypatch.setenv("DEFENCE_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    with write_lock(tmp_path / "warehouse"):
        assert cli.main(["run", "--force"]) == 3
    err = capsys.readouterr().err
    assert err.startswith(f"error: {tmp_path / 'warehouse' / '.write.lock'}: another pipeline run")
    assert not (tmp_path / "home").exists()
