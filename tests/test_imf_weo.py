"""The IMF's World Economic Outlook as the third source (issue 21): the parser reads the copy as
printed and refuses what the WEO does not print, naming the file, the line and the rule; the GX gate
fails on drifted data; the spending paths follow from the files by the stated method."""

from __future__ import annotations

import csv
import math
import shutil
from pathlib import Path

import duckdb
import pytest

from pipeline import paths
from pipeline.provenance import ProvenanceError, sha256_of
from pipeline.quality.imf_weo_suite import validate_weo_frame
from pipeline.sources.load import load_source
from pipeline.sources.workbook import WorkbookLayoutError

WEO_DIR = paths.PROJECT_ROOT / "data" / "raw" / "imf_weo"
RELEASE = WEO_DIR / "2026-04-14"


@pytest.fixture(scope="module")
def weo():
    frame, stats, releases = load_source(WEO_DIR)
    return frame


def _weo_value(code: str, year: int, variable: str) -> float:
    with (RELEASE / "weo_allies.csv").open() as handle:
        for row in csv.DictReader(handle):
            if (row["iso3"], int(row["year"]), row["variable"]) == (code, year, variable):
                return float(row["value"])
    raise LookupError((code, year, variable))


def test_the_april_2026_weo_parses_whole(weo):
    assert len(weo) == 32 * 8 * 5 + 32  # allies x 2024-2031 x five measures, and the starts
    usa = weo.query("country_code == 'USA' and year == 2026")
    by_measure = dict(zip(usa["measure"], usa["value"], strict=True))
    assert by_measure["real_gdp_growth_pct"] == 2.324  # the WEO's Table A2: 2.3
    assert by_measure["gdp_usd_bn"] == 32383.92
    deu = weo.query("country_code == 'DEU' and year == 2031 and measure == 'gdp_usd_bn'")
    assert deu["value"].tolist() == [6351.962]
    starts = weo.query("measure == 'first_projection_year'").set_index("country_code")["year"]
    assert starts["BEL"] == 2025 and starts["POL"] == 2026 and len(starts) == 32
    assert set(weo["release_id"]) == {"imf_weo_2026-04-14"}
    assert validate_weo_frame(weo).success


def _staged(tmp_path: Path, edit) -> Path:
    """A copy of the WEO release whose weo_allies.csv ``edit`` changed, sidecar updated."""
    folder = tmp_path / "imf_weo" / RELEASE.name
    shutil.copytree(RELEASE, folder)
    target = folder / "weo_allies.csv"
    lines = target.read_text().splitlines(keepends=True)
    target.write_text("".join(edit(lines)))
    sidecar = folder / "weo_allies.csv.meta.yml"
    text = sidecar.read_text()
    text = text.replace(sha256_of(RELEASE / "weo_allies.csv"), sha256_of(target))
    text = text.replace(
        f"bytes: {(RELEASE / 'weo_allies.csv').stat().st_size}", f"bytes: {target.stat().st_size}"
    )
    sidecar.write_text(text)
    return folder.parent


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda ls: [ls[0].replace("variable", "code"), *ls[1:]], r"weo_allies\.csv:1: header"),
        (
            lambda ls: [ls[0], ls[1].replace("ALB", "RUS"), *ls[2:]],
            r"weo_allies\.csv:2: 'RUS' is not one of the 32 allies",
        ),
        (
            lambda ls: [ls[0], ls[1].replace("4.046", "4.046 (e)"), *ls[2:]],
            r"weo_allies\.csv:2: expected a number",
        ),
        (
            lambda ls: [ls[0], ls[1].replace("NGDP_RPCH", "NGDP_PC"), *ls[2:]],
            r"weo_allies\.csv:2: WEO code 'NGDP_PC'",
        ),
        (
            lambda ls: [ls[0], ls[1], ls[1], *ls[2:]],
            r"weo_allies\.csv:3: ALB 2024 NGDP_RPCH is listed twice",
        ),
        (
            lambda ls: [ls[0], ls[1].replace("April 2026", "October 2026"), *ls[2:]],
            r"weo_allies\.csv:2: edition .* is not the sidecar's",
        ),
    ],
    ids=["header", "not-an-ally", "text-in-a-number", "unknown-code", "duplicate", "other-edition"],
)
def test_a_malformed_weo_copy_is_refused_naming_file_line_and_rule(tmp_path, edit, message):
    with pytest.raises((WorkbookLayoutError, ProvenanceError), match=message):
        load_source(_staged(tmp_path, edit))


def test_a_weo_copy_with_years_beyond_its_horizon_is_refused(tmp_path):
    shifted = _staged(
        tmp_path, lambda ls: [ls[0], *(row.replace(",2031,", ",2032,") for row in ls[1:])]
    )
    with pytest.raises(
        ProvenanceError, match=r"figures for 2032, after the projection horizon 2031"
    ):
        load_source(shifted)


@pytest.mark.parametrize(
    ("damage", "column"),
    [
        (
            lambda f: f.assign(
                value=f["value"].where(f["measure"] != "real_gdp_growth_pct", f["value"] * 100)
            ),
            "growth_value",
        ),
        (lambda f: f[~((f.country_code == "POL") & (f.year == 2029))], "years_missing"),
        (lambda f: f[f.country_code != "EST"], "allies_in_release"),
        (
            lambda f: f[~((f.measure == "first_projection_year") & (f.country_code == "LVA"))],
            "projection_starts",
        ),
        (
            lambda f: f.assign(value=f["value"].where(f["measure"] != "gdp_usd_bn", -f["value"])),
            "level_value",
        ),
    ],
    ids=["growth-x100", "a-year-missing", "an-ally-missing", "no-projection-start", "negative-gdp"],
)
def test_the_weo_gate_fails_on_drifted_data(weo, damage, column):
    outcome = validate_weo_frame(damage(weo))
    assert not outcome.success
    assert column in {f["kwargs"].get("column") for f in outcome.failures}, outcome.summary()


@pytest.mark.e2e
def test_the_paths_follow_from_the_files_by_the_stated_method(published):
    """Germany, Poland and the United States recomputed from the raw inputs: NATO's own 2026 GDP in
    2021 prices (the session's published fct_defence_expenditure), grown by the WEO's real growth
    2027-2031, then by its 2031 rate held to 2035; 3.5% of that, less 2026 spending."""
    with duckdb.connect(str(published), read_only=True) as con:
        for code in ("DEU", "POL", "USA"):
            gdp_2026, spending_2026 = con.sql(
                "select gdp_usd_const_m, spending_usd_const_m from marts.fct_defence_expenditure "
                "where country_code = ? and year = 2026 and is_latest_release",
                params=[code],
            ).fetchone()
            gdp = gdp_2026
            for year in range(2027, 2036):
                gdp *= 1 + _weo_value(code, min(year, 2031), "NGDP_RPCH") / 100
            row = con.sql(
                "select weo_release_id, projected_gdp_2035_usd_const_m, "
                "required_core_spending_2035_usd_const_m, "
                "spending_increase_needed_3_5pct_usd_const_m from marts.fct_path_to_2035 "
                "where country_code = ?",
                params=[code],
            ).fetchone()
            assert row[0] == "imf_weo_2026-04-14"
            assert math.isclose(row[1], gdp, rel_tol=1e-12), code
            assert math.isclose(row[2], 3.5 * gdp / 100, rel_tol=1e-12), code
            assert math.isclose(row[3], max(3.5 * gdp / 100 - spending_2026, 0), rel_tol=1e-9), code
        poland = con.sql(
            "select spending_increase_needed_3_5pct_usd_const_m from marts.fct_path_to_2035 "
            "where country_code = 'POL'"
        ).fetchone()
        assert poland == (0.0,)  # already above 3.5%: nothing more needed
        bases = con.sql(
            "select gdp_basis, min(year), max(year) from marts.fct_spending_path_2035 "
            "where country_code = 'DEU' group by 1 order by 2"
        ).fetchall()
        assert bases == [
            ("nato", 2026, 2026),
            ("imf_weo", 2027, 2031),
            ("extrapolated", 2032, 2035),
        ]
        release = con.sql(
            "select citation, is_latest, defence_definition from marts.dim_release "
            "where source = 'imf_weo'"
        ).fetchall()
        assert release == [
            (
                "Source: International Monetary Fund, World Economic Outlook Database, April 2026, "
                "https://data.imf.org/en/datasets/IMF.RES:WEO",
                True,
                "not_applicable",
            )
        ]


@pytest.mark.e2e
def test_the_imfs_citation_and_terms_travel_with_every_export(published, tmp_path, monkeypatch):
    from pipeline.cli import main as cli

    monkeypatch.setenv(paths.WAREHOUSE_DIR_ENV, str(published.parent))
    assert cli.main(["export", "--to", str(tmp_path)]) == 0
    readme = (tmp_path / "README.md").read_text()
    assert "### IMF_WEO" in readme and "`imf_weo_2026-04-14`" in readme
    assert (
        "Citation: Source: International Monetary Fund, World Economic Outlook Database, April "
        "2026, https://data.imf.org/en/datasets/IMF.RES:WEO" in readme
    )
    assert "this must be stated explicitly along with the required source citation" in readme
    assert "Transformation in this warehouse: real GDP growth applied" in " ".join(readme.split())
