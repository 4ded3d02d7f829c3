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
        "select aggregate_name, year, share_gdp_pct_published, abs(difference_pp) "
        "from marts.agg_alliance_year where share_gdp_pct_published is not null",
    )
    assert len(rows) == 22  # NATO publishes aggregates only in the 2024 workbook we hold
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
    releases = query(
        published,
        "select release_id, file_sha256, price_base_year, cutoff_date, is_latest, "
        "is_original_publisher_file from marts.dim_release order by source, release_date",
    )
    assert [(r[0], r[4], r[5]) for r in releases] == [
        ("nato_2019-06-25", False, False),
        ("nato_2023-07-07", False, False),
        ("nato_2024-06-17", True, True),
        ("sipri_2024-04-22", False, True),
        ("sipri_2025-04-28", True, True),
    ]
    release = releases[2]
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
    counts = dict(
        query(published, "select is_nato_ally, count(*) from marts.dim_country group by 1")
    )
    assert counts == {True: 32, False: 140}  # SIPRI's 174 entities less allies and 2 without code


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
    shutil.copytree(paths.PROJECT_ROOT / "data" / "raw" / "sipri", tmp_path / "raw" / "sipri")
    result = run_pipeline(tmp_path, warehouse, raw=tmp_path / "raw")
    assert result.returncode == 1
    assert "gx_raw_nato failed" in result.stderr
    assert "TABLE3!N32" in result.stderr
    assert (warehouse / paths.PUBLISHED_DB_NAME).read_bytes() == before


def test_revisions_show_the_figures_that_crossed_2pct_between_2019_and_2024(published):
    rows = query(
        published,
        "select country_code, year, crossing_direction_2pct, is_estimate_to_actual "
        "from marts.fct_revisions where release_id_from = 'nato_2019-06-25' "
        "and release_id_to = 'nato_2024-06-17' and crosses_2pct order by year, country_code",
    )
    # Bulgaria's 2019 jet purchase revised it far above 2%; Poland and Romania 2019 fell below.
    assert rows == [
        ("POL", 2016, "up", False),
        ("BGR", 2019, "up", True),
        ("LTU", 2019, "up", True),
        ("POL", 2019, "down", True),
        ("ROU", 2019, "down", True),
    ]
    (count,) = query(
        published,
        "select count(*) from marts.fct_revisions where release_id_from = 'nato_2019-06-25' "
        "and release_id_to = 'nato_2024-06-17'",
    )[0]
    assert count == 168  # 28 allies with armed forces x 2014-2019


def test_sipri_and_nato_side_by_side_with_wartime_figures_loaded(published):
    (poland,) = query(
        published,
        "select round(nato_share_gdp_pct, 2), round(sipri_share_gdp_pct, 2) "
        "from marts.fct_nato_vs_sipri where country_code = 'POL' and year = 2024",
    )
    assert poland == (4.12, 4.15)
    ukraine = dict(
        query(
            published,
            "select year, round(share_gdp_pct, 2) from marts.fct_sipri_expenditure "
            "where country_code = 'UKR' and is_latest_edition and year >= 2022",
        )
    )
    assert ukraine == {2022: 25.64, 2023: 36.53, 2024: 34.48}
    (allies_2024,) = query(
        published,
        "select count(*) from marts.fct_nato_vs_sipri where year = 2024 "
        "and nato_share_gdp_pct is not null and sipri_share_gdp_pct is not null",
    )[0]
    assert allies_2024 == 31
    (first_us_year,) = query(
        published,
        "select min(year) from marts.fct_nato_vs_sipri where country_code = 'USA'",
    )[0]
    assert first_us_year == 1949


def test_path_milestones_and_cohorts(published):
    (poland,) = query(
        published,
        "select base_year, round(historical_pp_per_year, 4), is_on_track_3_5pct, "
        "is_on_track_5pct from marts.fct_path_to_2035 where country_code = 'POL'",
    )
    assert poland == (2024, 0.2245, True, True)
    milestones = dict(
        query(
            published,
            "select country_code, first_year_at_2pct from marts.fct_two_percent_milestones "
            "where has_stayed_at_2pct order by 1",
        )
    )
    assert milestones["GRC"] == 2014 and milestones["EST"] == 2015 and "POL" not in milestones
    cohorts = dict(
        query(
            published,
            "select cohort_name, allies_meeting_2pct from marts.agg_cohort_year where year = 2024",
        )
    )
    assert cohorts["Eastern flank"] == 10 and cohorts["Ottawa withdrawal group (2025)"] == 5
