"""The whole job on the real NATO workbook, into a temporary warehouse; then failed runs.

Runs ``python -m pipeline run`` as a user would, in a subprocess with its own DAGSTER_HOME and
warehouse folder, and checks the published marts against NATO's figures.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import openpyxl
import pytest

from pipeline import paths
from tests.conftest import NATO_FILE, parsed_from_saved_state, run_pipeline, stage_release

pytestmark = pytest.mark.e2e


def query(db: Path, sql: str, *params):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def test_three_allies_met_two_percent_in_2014_and_who_meets_it_now(published):
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
    # The July 2026 edition (core defence): 28 of 31 in 2025e, 30 in 2026e (Slovenia 1.61).
    assert (counts[2024], counts[2025], counts[2026]) == (17, 28, 30)
    below_2026 = query(
        published,
        "select country_code, share_gdp_pct from marts.fct_target_status "
        "where year = 2026 and not meets_2pct",
    )
    assert below_2026 == [("SVN", 1.61)]
    # Each vintage keeps its own answer: the June 2024 release had 23 allies at 2% in 2024e.
    by_release = dict(
        query(
            published,
            "select release_id, count(*) filter (where share_gdp_pct >= 2) "
            "from marts.fct_defence_expenditure where year = 2024 and is_member_in_year "
            "and has_armed_forces group by release_id",
        )
    )
    assert by_release == {"nato_2024-06-17": 23, "nato_2025-08-28": 18, "nato_2026-07-10": 17}


def test_recomputed_aggregates_match_nato_within_a_hundredth_of_a_point(published):
    rows = query(
        published,
        "select aggregate_name, year, share_gdp_pct_published, abs(difference_pp) "
        "from marts.agg_alliance_year where share_gdp_pct_published is not null",
    )
    # Recomputable where a release has money tables: the 2024 workbook (22 aggregate-years) and
    # the 2026 edition (26); the 2025 copy has no money or GDP, so its rows stay NULL.
    assert len(rows) == 22 + 24 + 26
    differences = [r[3] for r in rows if r[3] is not None]
    assert len(differences) == 22 + 26 and max(differences) < 0.01
    europe = {r[1]: r[2] for r in rows if r[0] == "NATO Europe and Canada"}
    assert round(europe[2014], 2) == 1.40 and europe[2026] == 2.53
    (vintage_2024,) = query(
        published,
        "select share_gdp_pct_published from marts.agg_alliance_year "
        "where release_id = 'nato_2024-06-17' and aggregate_name = 'NATO Europe and Canada' "
        "and year = 2024",
    )
    assert round(vintage_2024[0], 4) == 2.0155


def test_poland_leads_and_gaps_are_in_money_too(published):
    (poland,) = query(
        published,
        "select share_gdp_pct, meets_3_5pct_core, gap_to_5pct_pp, "
        "gap_to_5pct_usd_m, is_estimate, is_core_defence_basis from marts.fct_target_status "
        "where country_code = 'POL' and year = 2026",
    )
    assert poland[0] == 4.68 and poland[1] is True and poland[4] is True and poland[5] is True
    assert poland[2] == pytest.approx(5 - 4.68)
    (gdp,) = query(
        published,
        "select gdp_usd_m from marts.fct_defence_expenditure "
        "where country_code = 'POL' and year = 2026 and is_latest_release",
    )[0]
    assert poland[3] == pytest.approx((5 - 4.68) / 100 * gdp)


def test_a_value_printed_2_00_meets_2pct_and_a_blank_estimate_is_unknown(published):
    (spain,) = query(
        published,
        "select share_gdp_pct, meets_2pct, gap_to_2pct_pp from marts.fct_target_status "
        "where country_code = 'ESP' and year = 2026",
    )
    assert spain == (2.0, True, 0.0)
    (germany,) = query(
        published,
        "select share_gdp_pct, is_estimate from marts.fct_defence_expenditure "
        "where country_code = 'DEU' and year = 2025 and release_id = 'nato_2025-08-28'",
    )
    assert germany == (None, True)
    # Germany is neither met nor missed: every other ally with armed forces reported >= 2%.
    counts = query(
        published,
        "select aggregate_name, allies_meeting_2pct, allies_with_data, member_allies "
        "from marts.agg_alliance_year where release_id = 'nato_2025-08-28' and year = 2025 "
        "order by 1",
    )
    # member_allies counts the allies the edition prints: the copy has no Iceland row.
    assert counts == [("NATO Europe and Canada", 29, 29, 30), ("NATO Total", 30, 30, 31)]


def test_the_core_defence_edition_puts_three_allies_below_2pct_for_2025(published):
    rows = query(
        published,
        "select country_code, share_gdp_pct_from, share_gdp_pct_to, revision_kind "
        "from marts.fct_revisions where release_id_from = 'nato_2025-08-28' "
        "and release_id_to = 'nato_2026-07-10' and year = 2025 "
        "and crossing_direction_2pct = 'down' order by 1",
    )
    assert [(r[0], r[2], r[3]) for r in rows] == [
        ("ALB", 1.48, "redefinition"),
        ("CZE", 1.86, "redefinition"),
        ("SVN", 1.57, "redefinition"),
    ]
    assert all(r[1] >= 2 for r in rows)
    kinds = dict(
        query(
            published,
            "select release_id_from || ' -> ' || release_id_to, any_value(revision_kind) "
            "from marts.fct_revisions where is_consecutive_pair group by 1",
        )
    )
    assert kinds == {
        "nato_2019-06-25 -> nato_2023-07-07": "revision",
        "nato_2023-07-07 -> nato_2024-06-17": "revision",
        "nato_2024-06-17 -> nato_2025-08-28": "rebasing",
        "nato_2025-08-28 -> nato_2026-07-10": "redefinition",
    }


def test_iceland_is_never_assessed(published):
    rows = query(
        published,
        "select meets_2pct, gap_to_2pct_pp from marts.fct_target_status where country_code = 'ISL'",
    )
    assert all(r == (None, None) for r in rows)  # the 2026 edition prints no Iceland row at all
    (path,) = query(
        published,
        "select base_share_gdp_pct, is_on_track_3_5pct from marts.fct_path_to_2035 "
        "where country_code = 'ISL'",
    )
    assert path == (None, None)


@pytest.mark.sipri
def test_dimensions_and_release_provenance(published):
    releases = query(
        published,
        "select release_id, file_sha256, price_base_year, cutoff_date, is_latest, "
        "is_original_publisher_file from marts.dim_release order by source, release_date",
    )
    assert [(r[0], r[4], r[5]) for r in releases] == [
        ("imf_weo_2026-04-14", True, False),  # a faithful copy, not the IMF's own file
        ("nato_2019-06-25", False, False),
        ("nato_2023-07-07", False, False),
        ("nato_2024-06-17", False, True),
        ("nato_2025-08-28", False, False),
        ("nato_2026-07-10", True, False),
        ("sipri_2024-04-22", False, True),
        ("sipri_2025-04-28", False, True),
        ("sipri_2026-04-27", True, True),
    ]
    release = releases[3]
    assert release[:3] == (
        "nato_2024-06-17",
        "1897e2ead4be252c5c9a9d2f2696a65398c51375c88a2e7425339a8d368a600b",
        2015,
    )
    assert str(release[3]) == "2024-06-12"
    bases = query(
        published,
        "select release_id, price_base_year, defence_definition, file_count, share_decimals "
        "from marts.dim_release where release_id in ('nato_2025-08-28', 'nato_2026-07-10') "
        "order by 1",
    )
    assert bases == [
        ("nato_2025-08-28", 2021, "nato_defence_expenditure", 7, None),
        ("nato_2026-07-10", 2021, "core_defence", 1, 2),
    ]
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


@pytest.mark.slow
def test_a_file_not_matching_its_sidecar_fails_and_publishes_nothing(published, tmp_path):
    warehouse = _copy_published(published, tmp_path)
    before = (warehouse / paths.PUBLISHED_DB_NAME).read_bytes()
    staged = stage_release(tmp_path / "raw", NATO_FILE)
    staged.write_bytes(NATO_FILE.read_bytes()[:-10])  # a half-downloaded file
    result = run_pipeline(tmp_path, warehouse, raw=tmp_path / "raw")
    assert result.returncode == 1
    assert "does not match the sidecar" in result.stderr
    assert (warehouse / paths.PUBLISHED_DB_NAME).read_bytes() == before


@pytest.mark.slow
def test_a_share_times_100_is_stopped_by_the_gx_gate(published, tmp_path):
    """NATO's crafted release alone: the gate that stops it is NATO's."""
    warehouse = _copy_published(published, tmp_path)
    before = (warehouse / paths.PUBLISHED_DB_NAME).read_bytes()
    book = openpyxl.load_workbook(NATO_FILE)
    book["TABLE3"]["N32"] = book["TABLE3"]["N32"].value * 100  # Poland 2024e: 412 "percent"
    crafted = tmp_path / "crafted.xlsx"
    book.save(crafted)
    stage_release(tmp_path / "raw", crafted)
    result = run_pipeline(tmp_path, warehouse, raw=tmp_path / "raw")
    assert result.returncode == 1
    assert "gx_nato__defence_expenditure failed" in result.stderr
    assert "TABLE3!N32" in result.stderr
    assert (warehouse / paths.PUBLISHED_DB_NAME).read_bytes() == before


def test_revisions_show_the_figures_the_2021_rebasing_moved_across_2pct(published):
    rows = query(
        published,
        "select country_code, year, crossing_direction_2pct, revision_kind "
        "from marts.fct_revisions where release_id_from = 'nato_2024-06-17' "
        "and release_id_to = 'nato_2025-08-28' and crosses_2pct order by year, country_code",
    )
    # Rebased from 2015 to 2021 prices, figures printed at or just above 2% fell below it.
    assert [r[:3] for r in rows] == [
        ("EST", 2015, "down"),
        ("POL", 2016, "down"),
        ("EST", 2017, "down"),
        ("EST", 2018, "down"),
        ("POL", 2018, "down"),
        ("LTU", 2019, "down"),
        ("FRA", 2020, "down"),
        ("ALB", 2024, "down"),
        ("BGR", 2024, "down"),
        ("MKD", 2024, "down"),
        ("MNE", 2024, "down"),
        ("SVK", 2024, "down"),
    ]
    assert {r[3] for r in rows} == {"rebasing"}
    pairs = dict(
        query(
            published,
            "select release_id_from || ' -> ' || release_id_to, count(*) from marts.fct_revisions "
            "where release_id_from in ('nato_2019-06-25', 'nato_2024-06-17') group by 1",
        )
    )
    assert pairs == {
        "nato_2019-06-25 -> nato_2023-07-07": 6,  # the 2023 extract has UK 2014-2019 only
        "nato_2019-06-25 -> nato_2026-07-10": 168,  # 28 allies with armed forces x 2014-2019
        "nato_2024-06-17 -> nato_2025-08-28": 341,  # 31 allies x 2014-2024
        "nato_2024-06-17 -> nato_2026-07-10": 341,
    }


@pytest.mark.sipri
def test_sipri_and_nato_side_by_side_with_wartime_figures_loaded(published):
    (poland,) = query(
        published,
        "select round(nato_share_gdp_pct, 2), round(sipri_share_gdp_pct, 2) "
        "from marts.fct_nato_vs_sipri where country_code = 'POL' and year = 2024",
    )
    # NATO's July 2026 edition and SIPRI's 2026 edition (which revised it from 4.15) agree.
    assert poland == (3.75, 3.75)
    ukraine = dict(
        query(
            published,
            "select year, round(share_gdp_pct, 2) from marts.fct_sipri_expenditure "
            "where country_code = 'UKR' and is_latest_edition and year >= 2022",
        )
    )
    assert ukraine == {2022: 25.64, 2023: 36.03, 2024: 33.96, 2025: 39.56}  # 2026 edition
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
    assert poland == (2026, 0.235, True, True)  # 1.86% (2014) to 4.68% (2026e), core basis
    milestones = dict(
        query(
            published,
            "select country_code, first_year_at_2pct from marts.fct_two_percent_milestones "
            "where has_stayed_at_2pct order by 1",
        )
    )
    assert milestones["GRC"] == 2014 and milestones["LVA"] == 2018 and milestones["ESP"] == 2025
    assert "POL" not in milestones and "EST" not in milestones  # both dipped below 2% after 2014
    cohorts = dict(
        query(
            published,
            "select cohort_name, allies_meeting_2pct from marts.agg_cohort_year where year = 2026",
        )
    )
    assert cohorts["Eastern flank"] == 10 and cohorts["Ottawa withdrawal group (2025)"] == 5


def test_what_changed_in_the_core_defence_edition(end_to_end):
    """The report per release under data/warehouse/changes/, the CLI, and the UI's metadata."""
    import dagster as dg

    warehouse = end_to_end.published.parent
    report = (warehouse / "changes" / "nato_2026-07-10.md").read_text(encoding="utf-8")
    assert sorted(p.name for p in (warehouse / "changes").iterdir()) == [
        f"nato_{d}.md"
        for d in ("2019-06-25", "2023-07-07", "2024-06-17", "2025-08-28", "2026-07-10")
    ]
    assert "**The definition changed between these releases**" in report
    assert "**New years:** 2026." in report
    # Allies moved below 2% for 2025 by the core-defence basis, each marked a redefinition.
    for ally, share in (("ALB", "1.48"), ("CZE", "1.86"), ("SVN", "1.57")):
        assert f"| {ally}            |   2025 |" in report and share in report
    # Poland 2018 crossed 2% upwards from 1.996: two decimals would print "2.00 -> 2.00".
    assert "| POL            |   2018 |                1.996 |              2.000 | 2%" in report
    # The aggregates say which release each column is; a year the older release lacks is n/a.
    assert "`before`: nato_2025-08-28; `now` and the counts of allies: nato_2026-07-10." in report
    assert "| NATO Total             |   2026 |                    n/a |" in report
    assert " nan " not in report
    cli = subprocess.run(
        [sys.executable, "-m", "pipeline", "changes"],
        cwd=paths.PROJECT_ROOT,
        env={**os.environ, "DEFENCE_WAREHOUSE_DIR": str(warehouse)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert cli.stdout == report
    older = subprocess.run(
        [sys.executable, "-m", "pipeline", "changes", "--release", "nato_2025-08-28"],
        cwd=paths.PROJECT_ROOT,
        env={**os.environ, "DEFENCE_WAREHOUSE_DIR": str(warehouse)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert "**The price base changed between these releases**" in older.stdout
    with dg.DagsterInstance.from_config(str(end_to_end.dagster_home)) as instance:
        records = instance.fetch_observations(
            dg.AssetKey(["sources", "nato_release_files"]), limit=1
        ).records
    metadata = records[0].asset_observation.metadata
    assert metadata["what_changed"].value == report


def test_a_run_that_loads_a_new_edition_says_what_changed(end_to_end, monkeypatch, capsys):
    from pipeline.cli.changes import print_new_release

    monkeypatch.setenv("DEFENCE_WAREHOUSE_DIR", str(end_to_end.published.parent))
    print_new_release({"nato_2024-06-17", "nato_2025-08-28"})  # the warehouse before July 2026
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == (
        "New NATO release nato_2026-07-10: Defence Investment of NATO Countries (2014-2026)"
    )
    assert "  note: definition changed since the last release" in lines
    assert "  crossing 3.5% in its newest years: up EST, LTU, LVA, GRC; down none" in lines
    print_new_release({"nato_2024-06-17", "nato_2025-08-28", "nato_2026-07-10"})
    assert capsys.readouterr().err == ""  # nothing new: nothing said


@pytest.mark.sipri
def test_dbt_artifacts_and_gx_data_docs_of_the_run_sit_beside_the_warehouse(end_to_end):
    """The latest run's dbt artifacts are in ``<warehouse>/dbt_target/`` (one folder, reused by
    every run: nothing piles up under ``dbt_project/target/``), and its GX data docs list every
    suite of the run."""
    import json

    warehouse = end_to_end.published.parent
    results = json.loads((warehouse / "dbt_target" / "run_results.json").read_text())
    statuses: dict[str, set] = {}
    for result in results["results"]:
        statuses.setdefault(result["unique_id"].split(".")[0], set()).add(result["status"])
    assert statuses["model"] == {"success"} and statuses["test"] <= {"pass", "warn"}
    manifest = json.loads((warehouse / "dbt_target" / "manifest.json").read_text())
    built = {i for i, n in manifest["nodes"].items() if n["resource_type"] != "unit_test"}
    assert {r["unique_id"] for r in results["results"]} == built  # seeds, models, data tests
    assert "unit_test" not in statuses  # tests of the SQL, run by tests/test_dbt_unit_tests.py
    # A new warehouse reuses the parse state `prepare` saved: dbt did not parse the project afresh
    # (dbt runs in the warehouse folder, so its profile reads the same: pipeline/cli/dbt_child.py).
    assert parsed_from_saved_state(warehouse / "dbt_target"), (
        "dbt parsed afresh: dbt_project/target/ holds parse state of another profile (a dbt "
        "command run there by hand?): rm dbt_project/target/manifest.json, then "
        "python -m pipeline prepare"
    )
    docs = warehouse / "gx" / "uncommitted" / "data_docs" / "local_site"
    pages = {p.name for p in (docs / "validations").iterdir()}
    assert {"marts__fct_target_status", "staging__stg_nato__defence_expenditure"} <= pages
    raw_pages = {"raw__nato__defence_expenditure", "raw__sipri__military_expenditure"}
    if (warehouse / "gx.unreadable").exists():
        # The killed run was killed while its GX process rewrote the file context: the winner
        # set it aside and made a new one, which holds what this run validated. It reused the
        # raw tables the killed run had validated, so their pages went with the old context.
        log = (warehouse / "logs" / "last_run.log").read_text()
        assert "nato unchanged since its validated load: reused" in log
        assert "GX could not read its file context" in log  # said in the run's log, not only
        # on its terminal (pipeline/defs/gx_worker.py)
        assert (warehouse / "gx" / "great_expectations.yml").exists()
    else:
        assert raw_pages <= pages


@pytest.mark.sipri
def test_every_view_in_the_published_file_can_be_queried(published):
    """The staging and intermediate views read the schemas of the file they are in: a view that
    named the build file's catalog ("build") failed in defence.duckdb."""
    with duckdb.connect(str(published), read_only=True) as con:
        views = con.sql(
            "select schema_name, view_name from duckdb_views() where not internal"
        ).fetchall()
        assert len(views) >= 10
        counts = {
            f"{s}.{v}": con.sql(f'select count(*) from "{s}"."{v}"').fetchone()[0]  # noqa: S608
            for s, v in views
        }
    assert counts["staging.stg_nato__defence_expenditure"] == 17_334
    assert counts["staging.stg_sipri__military_expenditure"] == 106_458
    assert all(n > 0 for n in counts.values()), counts


@pytest.mark.sipri
def test_the_publishing_run_evaluated_each_relation_suite_as_a_check_and_wrote_its_docs(end_to_end):
    """The real job's ``gx_relations`` step: one check per relation suite, each evaluated in the
    run that published (all passed but the comparison with SIPRI, a caveat that may warn), and a
    data-docs page for each. tests/test_relation_checks_step.py proves a failing one blocks."""
    import dagster as dg

    from pipeline.defs import REFRESH_JOB
    from pipeline.quality.relation_suites import SUITES

    with dg.DagsterInstance.from_config(str(end_to_end.dagster_home)) as instance:
        (run,) = instance.get_runs(
            dg.RunsFilter(job_name=REFRESH_JOB, statuses=[dg.DagsterRunStatus.SUCCESS])
        )
        evaluations = {
            entry.dagster_event.asset_check_evaluation_data.check_name: (
                entry.dagster_event.asset_check_evaluation_data.passed
            )
            for entry in instance.all_logs(
                run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION
            )
        }
    suites = {suite.check_name for suite in SUITES}
    assert suites <= set(evaluations)
    assert {name for name in suites if not evaluations[name]} <= {"gx_fct_nato_vs_sipri"}
    docs = end_to_end.published.parent / "gx" / "uncommitted" / "data_docs" / "local_site"
    assert (docs / "index.html").exists()
    assert {suite.name for suite in SUITES} <= {p.name for p in (docs / "validations").iterdir()}


def test_each_chart_is_written_and_shown_on_its_mart(end_to_end):
    """The publish step draws the charts from the audited build (pipeline/reports/previews.py)
    and shows them, with each mart's row count and preview, as an observation on the mart."""
    import dagster as dg

    charts = end_to_end.published.parent / "charts"
    names = {p.stem for p in charts.glob("*.png")}
    assert names == {
        "shares_against_targets",
        "allies_meeting_2pct",
        "europe_and_canada_vs_us",
        "path_to_2035",
        "spending_paths_2035",
    }
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in charts.glob("*.png"))
    home = end_to_end.dagster_home
    with dg.DagsterInstance.from_config(str(home)) as instance:
        observed = instance.fetch_observations(dg.AssetKey(["marts", "agg_alliance_year"]), 1)
        metadata = observed.records[0].asset_observation.metadata
    assert {"chart/allies_meeting_2pct", "chart/europe_and_canada_vs_us", "preview"} <= set(
        metadata
    )
    assert metadata["dagster/row_count"].value > 0
