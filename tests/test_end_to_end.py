"""The whole job on the real NATO workbook, into a temporary warehouse; then failed runs.

Runs ``python -m pipeline run`` as a user would, in a subprocess with its own DAGSTER_HOME and
warehouse folder, and checks the published marts against NATO's figures.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import openpyxl
import pytest

from pipeline import paths
from tests.conftest import NATO_FILE, run_pipeline, stage_release

pytestmark = pytest.mark.e2e


def query(db: Path, sql: str, *params):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def test_three_allies_met_two_percent_in_2014_and_23_in_2024(published):
    met_2014 = query(
        published,
        "select country_code from marts.fct_target_status "
        "where year = 2014 and meets_2pct order by country_code",
    )
    assert [r[0] for r in met_2014] == ["GBR", "GRC", "USA"]
    counts = dict(
        query(
            published,
            "select year, count(*) filter (where meets_2pct) "
            "from marts.fct_target_status where is_member_in_year "
            "group by year",
        )
    )
    assert counts[2024] == 23


def test_recomputed_aggregates_match_nato_within_a_hundredth_of_a_point(published):
    rows = query(
        published,
        "select aggregate_name, year, share_gdp_pct_published, "
        "abs(difference_pp) from marts.agg_alliance_year",
    )
    assert len(rows) == 22
    assert max(r[3] for r in rows) < 0.01
    europe = {r[1]: r[2] for r in rows if r[0] == "NATO Europe and Canada"}
    assert round(europe[2014], 2) == 1.43 and round(europe[2024], 4) == 2.0155


def test_poland_leads_and_gaps_are_in_money_too(published):
    (poland,) = query(
        published,
        "select share_gdp_pct, meets_3_5pct_core, gap_to_5pct_pp, "
        "gap_to_5pct_usd_m, is_estimate from marts.fct_target_status "
        "where country_code = 'POL' and year = 2024",
    )
    assert poland[0] == pytest.approx(4.120190989357147)
    assert poland[1] is True and poland[4] is True
    assert poland[2] == pytest.approx(5 - 4.120190989357147)
    assert poland[3] > 0


def test_iceland_is_never_assessed(published):
    rows = query(
        published,
        "select meets_2pct, gap_to_2pct_pp from marts.fct_target_status where country_code = 'ISL'",
    )
    assert rows and all(r == (None, None) for r in rows)


def test_dimensions_and_release_provenance(published):
    (release,) = query(
        published,
        "select release_id, file_sha256, price_base_year, cutoff_date, "
        "is_latest from marts.dim_release",
    )
    assert release[:3] == (
        "nato_2024-06-17",
        "1897e2ead4be252c5c9a9d2f2696a65398c51375c88a2e7425339a8d368a600b",
        2015,
    )
    assert str(release[3]) == "2024-06-12" and release[4] is True
    withdrawing = query(
        published,
        "select country_code from marts.dim_country where "
        "ottawa_status = 'withdrawal_announced_2025' order by 1",
    )
    assert [r[0] for r in withdrawing] == ["EST", "FIN", "LTU", "LVA", "POL"]
    assert query(published, "select count(*) from marts.dim_country")[0][0] == 32


def test_membership_years_follow_accession(published):
    rows = dict(
        query(
            published,
            "select year, is_member_in_year from "
            "marts.fct_defence_expenditure where country_code = 'SWE'",
        )
    )
    assert rows[2023] is False and rows[2024] is True


def _copy_published(published: Path, tmp: Path) -> Path:
    warehouse = tmp / "warehouse"
    warehouse.mkdir()
    shutil.copyfile(published, warehouse / paths.PUBLISHED_DB_NAME)
    return warehouse


def test_a_file_not_matching_its_sidecar_fails_and_publishes_nothing(published, tmp_path):
    warehouse = _copy_published(published, tmp_path)
    before = (warehouse / paths.PUBLISHED_DB_NAME).read_bytes()
    staged = stage_release(tmp_path / "raw", NATO_FILE)
    staged.write_bytes(NATO_FILE.read_bytes()[:-10])  # a half-downloaded file
    result = run_pipeline(tmp_path, warehouse, raw=tmp_path / "raw")
    assert result.returncode == 1
    assert "does not match the sidecar" in result.stderr
    assert (warehouse / paths.PUBLISHED_DB_NAME).read_bytes() == before


def test_a_share_times_100_is_stopped_by_the_gx_gate(published, tmp_path):
    warehouse = _copy_published(published, tmp_path)
    before = (warehouse / paths.PUBLISHED_DB_NAME).read_bytes()
    book = openpyxl.load_workbook(NATO_FILE)
    book["TABLE3"]["N32"] = book["TABLE3"]["N32"].value * 100  # Poland 2024e: 412 "percent"
    crafted = tmp_path / "crafted.xlsx"
    book.save(crafted)
    stage_release(tmp_path / "raw", crafted)
    result = run_pipeline(tmp_path, warehouse, raw=tmp_path / "raw")
    assert result.returncode == 1
    assert "gx_raw_nato failed" in result.stderr
    assert "TABLE3!N32" in result.stderr
    assert (warehouse / paths.PUBLISHED_DB_NAME).read_bytes() == before
