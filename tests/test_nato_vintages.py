"""Older NATO vintages that survive only as derived tables: parsed into the same long frame."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline import paths
from pipeline.provenance import find_releases, verify_release
from pipeline.sources.registry import parse
from pipeline.sources.workbook import WorkbookLayoutError
from tests.conftest import table3_share

NATO_DIR = paths.PROJECT_ROOT / "data" / "raw" / "nato"


@pytest.fixture(scope="module")
def vintages() -> dict:
    return {r.release_id: parse(r).frame for r in find_releases(NATO_DIR)}


def _share(frame, code, year):
    row = table3_share(frame, code, year)
    return row.value, row.is_estimate


def test_five_vintages_oldest_first_one_per_release_date():
    releases = [r.release_id for r in find_releases(NATO_DIR)]
    assert list(dict.fromkeys(releases)) == [
        "nato_2019-06-25",
        "nato_2023-07-07",
        "nato_2024-06-17",
        "nato_2025-08-28",  # seven files, one per series
        "nato_2026-07-10",
    ]
    assert releases.count("nato_2025-08-28") == 7


def test_2019_release_matches_the_press_cross_checks(vintages):
    frame = vintages["nato_2019-06-25"]
    # SOURCES.md: UK 2019e 2.13, Poland 2019e 2.01, US 2019e 3.42 (armyrecognition.com's report).
    assert [round(_share(frame, c, 2019)[0], 2) for c in ("GBR", "POL", "USA")] == [
        2.13,
        2.01,
        3.42,
    ]
    assert bool(_share(frame, "GBR", 2019)[1]) and not bool(_share(frame, "GBR", 2017)[1])
    assert sorted(frame.year.unique()) == list(range(2012, 2020))
    assert frame.country_code.nunique() == 29


def test_2019_units_are_nato_table_units(vintages):
    frame = vintages["nato_2019-06-25"]
    albania = frame[(frame.country_code == "ALB") & (frame.year == 2012)].set_index("measure").value
    assert albania["military_personnel_k"] == pytest.approx(7.858)  # 7858 persons in the CSV
    assert albania["gdp_per_capita_usd_const_k"] == pytest.approx(3.736378342574967)


def test_2023_extract_uk_rows_and_2023_shares(vintages):
    frame = vintages["nato_2023-07-07"]
    assert _share(frame, "POL", 2023) == (pytest.approx(3.901121244), True)
    assert _share(frame, "GBR", 2014) == (pytest.approx(2.142015725), False)
    value, estimate = _share(frame, "GBR", 2022)
    assert value == pytest.approx(2.16269104)
    assert estimate is pd.NA  # the extract does not say whether 2022 was an estimate
    shares_2023 = frame[(frame.year == 2023) & (frame.sheet == "DFS%")]
    assert shares_2023.country_code.nunique() == 30


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("Poland*,3.901121244", "Polska,3.901121244", r"line \d+: unknown country 'Polska'"),
        ("Poland*,3.901121244", "Poland*,3.9x", r"line \d+, column DFS%: expected a number"),
        ("Country,DFS%,Target", "Land,DFS%,Target", r"unexpected row 'Land'"),
    ],
)
def test_a_changed_extract_fails_naming_the_line(tmp_path, old, new, message):
    release = verify_release(NATO_DIR / "2023-07-07" / "230707-def-exp-2023-TABLES-en.csv")
    crafted = tmp_path / release.path.name
    text = release.path.read_text(encoding="utf-8-sig")
    assert old in text
    crafted.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(WorkbookLayoutError, match=message):
        parse(type(release)(path=crafted, meta=release.meta))
