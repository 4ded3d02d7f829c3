"""The SIPRI parser on SIPRI's real 2024 and 2025 workbooks, and on crafted bad variants.

Every figure is cross-checked against long CSVs produced independently from the same workbooks
(``../shared/data/sipri_milex_*_release_long.csv`` beside the checkout); never parser input.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pycountry
import pytest
from openpyxl.styles import Font

from pipeline import paths
from pipeline.sources.sipri.countries import (
    SIPRI_CODE_OVERRIDES,
    SIPRI_UNCODED,
    UnknownCountryError,
    pycountry_code,
    sipri_country_code,
)
from pipeline.sources.sipri.workbook import COLUMNS, REGIONS, parse_release, read_footnotes
from pipeline.sources.workbook import WorkbookLayoutError
from tests.conftest import once_per_session

# The workbooks the pipeline loads: not in git (SIPRI's terms), fetched into data/raw by their
# sidecars before the tests run (tests/conftest.py, pytest_configure); the independent
# reference tables sit in the team's shared folder beside the checkout (developer machines, CI).
RAW = paths.PROJECT_ROOT / "data" / "raw" / "sipri"
SHARED = paths.PROJECT_ROOT.parent / "shared" / "data"
FILES = {
    "2025": RAW / "2025-04-28" / "SIPRI-Milex-data-1949-2024_2.xlsx",
    "2024": RAW / "2024-04-22" / "SIPRI-Milex-data-1949-2023.xlsx",
    "2026": RAW / "2026-04-27" / "SIPRI-Milex-data-1949-2025_v1.2.xlsx",
}
REFERENCE = {
    "2025": SHARED / "sipri_milex_2025_release_long.csv",
    "2024": SHARED / "sipri_milex_2024_release_long.csv",
}
PRICE_BASE = {"2025": 2023, "2024": 2022, "2026": 2024}
SKIPPED_IN_CRAFTED = (
    "Local currency financial years",
    "Local currency calendar years",
    "Regional totals",
)

ROWS_BY_MEASURE = {
    "2025": {
        "per_capita_usd": 5324,
        "share_gdp_pct": 8245,
        "share_govt_spending_pct": 4705,
        "spending_usd_const_m": 8329,
        "spending_usd_m": 8846,
    },
    "2024": {
        "per_capita_usd": 5172,
        "share_gdp_pct": 8083,
        "share_govt_spending_pct": 4556,
        "spending_usd_const_m": 8187,
        "spending_usd_m": 8691,
    },
}

# The reference CSVs name indicators and units their own way; mapped here, not guessed.
REFERENCE_INDICATORS = {
    "military_expenditure_share_gdp": ("share_gdp_pct", "percent of GDP"),
    "military_expenditure_current_usd": (
        "spending_usd_m",
        "million US dollars, current prices and exchange rates",
    ),
    "military_expenditure_per_capita_current_usd": (
        "per_capita_usd",
        "US dollars per person, current",
    ),
    "military_expenditure_share_govt_spending": (
        "share_govt_spending_pct",
        "percent of general government expenditure",
    ),
}
_REFERENCE_CONSTANT = re.compile(r"^military_expenditure_constant_(\d{4})_usd$")

pytestmark = [
    pytest.mark.filterwarnings("ignore:Workbook contains no default style"),
    pytest.mark.sipri,
]


@pytest.fixture(scope="module")
def parsed(tmp_path_factory, worker_id) -> dict:
    """Each real workbook parsed once for the whole test session (both workers)."""
    return once_per_session(tmp_path_factory, worker_id, "sipri_parsed", _parse_each_edition)


def _parse_each_edition(_folder: Path) -> dict:
    return {edition: parse_release(path, f"sipri_{edition}") for edition, path in FILES.items()}


@pytest.fixture(scope="module")
def sipri_2025(parsed):
    return parsed["2025"].frame


def _reference(edition: str) -> pd.DataFrame:
    if not REFERENCE[edition].exists() and not os.environ.get("CI"):
        pytest.skip(f"reference table {REFERENCE[edition]} not beside this checkout")
    ref = pd.read_csv(REFERENCE[edition], keep_default_na=False, na_values={"iso3": [""]})
    measures = []
    for indicator, unit in zip(ref["indicator"], ref["unit"], strict=True):
        if match := _REFERENCE_CONSTANT.match(indicator):
            assert int(match.group(1)) == PRICE_BASE[edition], indicator
            assert (
                unit == f"million US dollars, constant {match.group(1)} prices and exchange rates"
            )
            measures.append("spending_usd_const_m")
        else:
            measure, expected_unit = REFERENCE_INDICATORS[indicator]
            assert unit == expected_unit, (indicator, unit)
            measures.append(measure)
    ref["measure"] = measures
    return ref


def _value(frame, code, year, measure="share_gdp_pct"):
    rows = frame[(frame.country_code == code) & (frame.year == year) & (frame.measure == measure)]
    assert len(rows) == 1, (code, year, measure)
    return rows.iloc[0]


# --- the real workbooks ----------------------------------------------------------------------


@pytest.mark.parametrize("edition", ["2025", "2024"])
def test_each_edition_parses_five_measures(parsed, edition):
    result = parsed[edition]
    frame = result.frame
    assert list(frame.columns) == COLUMNS
    counts = frame.measure.value_counts().to_dict()
    print(f"SIPRI {edition} edition rows per measure: {dict(sorted(counts.items()))}")
    assert counts == ROWS_BY_MEASURE[edition]
    assert result.stats["rows_by_measure"] == ROWS_BY_MEASURE[edition]
    assert result.stats["rows"] == len(frame) == result.stats["cells_value"]
    assert result.stats["countries"] == frame.country_name.nunique() == 174
    assert frame.duplicated(["country_name", "year", "measure"]).sum() == 0
    assert frame.duplicated(["sheet", "cell"]).sum() == 0
    assert frame.value.notna().all()


@pytest.mark.parametrize("edition", ["2025", "2024"])
def test_frame_types_and_price_base(parsed, edition):
    frame = parsed[edition].frame
    assert frame.year.dtype == "int64"
    assert frame.value.dtype == "float64"
    assert frame.is_sipri_estimate.dtype == bool
    assert frame.is_highly_uncertain.dtype == bool
    assert frame.price_base_year.dtype == "Int64"
    constant = frame.measure == "spending_usd_const_m"
    assert (frame.loc[constant, "price_base_year"] == PRICE_BASE[edition]).all()
    assert frame.loc[~constant, "price_base_year"].isna().all()
    assert set(frame.loc[constant, "sheet"]) == {f"Constant ({PRICE_BASE[edition]}) US$"}
    assert frame.reporting_year_basis.isna().all()  # the column is blank in both editions


@pytest.mark.parametrize("edition", ["2025", "2024"])
def test_stats_count_cells_that_are_not_data(parsed, edition):
    stats = parsed[edition].stats
    expected = {
        "2025": {"cells_unavailable": 15977, "cells_not_independent": 1122},
        "2024": {"cells_unavailable": 15892, "cells_not_independent": 1097},
    }[edition]
    assert {k: stats[k] for k in expected} == expected
    assert stats["cells_blank"] == 0
    assert stats["sheets_skipped"] == [
        "Front page",
        "Regional totals",
        "Local currency financial years",
        "Local currency calendar years",
        "Footnotes",
    ]


@pytest.mark.parametrize("edition", ["2025", "2024"])
def test_every_value_and_flag_agrees_with_the_reference_csv(parsed, edition):
    frame = parsed[edition].frame
    ref = _reference(edition)
    merged = frame.merge(
        ref,
        how="outer",
        left_on=["country_name", "year", "measure"],
        right_on=["country", "year", "measure"],
        indicator=True,
    )
    ours_only = merged[merged._merge == "left_only"]
    theirs_only = merged[merged._merge == "right_only"]
    # The 2024 reference holds three indicators only; the parser reads all five sheets.
    assert set(ours_only.measure) <= (
        {"per_capita_usd", "share_govt_spending_pct"} - set(ref.measure)
    )
    assert theirs_only.empty, theirs_only[["country", "year", "indicator"]].head()
    both = merged[merged._merge == "both"]
    assert len(both) == len(ref)

    ours, theirs = both.value_x.to_numpy(), both.value_y.to_numpy()
    scale = np.maximum(np.abs(ours), np.abs(theirs))
    assert (np.abs(ours - theirs) <= 1e-9 * scale).all()
    assert (both.is_sipri_estimate == both.sipri_estimate_blue).all()
    assert (both.is_highly_uncertain == both.sipri_highly_uncertain_red).all()
    assert (both.notes.fillna("") == both.sipri_notes).all()
    assert (both.region_x == both.region_y).all()
    assert (both.subregion_x.fillna("") == both.subregion_y).all()
    assert (both.country_code.fillna("-") == both.iso3.fillna("-")).all()


def test_ukraine_and_russia_wartime_shares(parsed, sipri_2025):
    ukraine = {y: _value(sipri_2025, "UKR", y).value for y in (2022, 2023, 2024)}
    assert ukraine == pytest.approx({2022: 25.64241, 2023: 36.528173, 2024: 34.48153}, rel=1e-6)
    russia = {y: _value(sipri_2025, "RUS", y).value for y in (2022, 2023, 2024)}
    assert russia == pytest.approx({2022: 4.607289, 2023: 5.402318, 2024: 7.052339}, rel=1e-6)
    for code in ("UKR", "RUS"):
        for year in (2022, 2023, 2024):
            row = _value(sipri_2025, code, year)
            assert row.is_sipri_estimate and not row.is_highly_uncertain
            assert row.region == "Europe" and row.subregion == "Eastern Europe"
    assert _value(sipri_2025, "UKR", 2023).notes == "84"
    # The earlier edition printed a slightly different 2023 figure for Ukraine.
    previous = parsed["2024"].frame
    assert _value(previous, "UKR", 2023).value == pytest.approx(36.653110, rel=1e-6)
    assert previous[previous.year == 2024].empty


def test_poland_shares_as_quoted_in_sources_md(sipri_2025):
    poland_2024 = _value(sipri_2025, "POL", 2024)
    assert round(poland_2024.value, 2) == 4.15
    assert poland_2024.value == pytest.approx(4.154394, rel=1e-6)
    assert (poland_2024.sheet, poland_2024.cell) == ("Share of GDP", "BZ146")
    assert (poland_2024.region, poland_2024.subregion) == ("Europe", "Central Europe")
    assert poland_2024.notes == "78"
    assert not poland_2024.is_sipri_estimate
    assert round(_value(sipri_2025, "POL", 2014).value, 2) == 1.91


@pytest.mark.parametrize(
    ("code", "first_year"),
    [("USA", 1949), ("CHN", 1989), ("BLR", 1992), ("RUS", 1992), ("UKR", 1993)],
)
def test_countries_present_from_their_first_sipri_year(sipri_2025, code, first_year):
    years = sipri_2025.loc[
        (sipri_2025.country_code == code) & (sipri_2025.measure == "share_gdp_pct"), "year"
    ]
    assert years.min() == first_year
    assert years.max() == 2024
    assert sorted(years) == list(range(first_year, 2025))  # no gaps


def test_historical_and_uncoded_entities(sipri_2025):
    codes = sipri_2025.groupby("country_name").country_code.first()
    assert codes["USSR"] == "SUN"
    assert codes["Czechoslovakia"] == "CSK"
    assert codes["German Democratic Republic"] == "DDR"
    assert codes["Yugoslavia"] == "YUG"
    assert codes["Kosovo"] == "XKX"
    uncoded = set(sipri_2025.loc[sipri_2025.country_code.isna(), "country_name"])
    assert uncoded == {"European Union", "Yemen, North"}


def test_regions_and_subregions(sipri_2025):
    assert set(sipri_2025.region) == set(REGIONS)
    middle_east = sipri_2025[sipri_2025.region == "Middle East"]
    assert middle_east.subregion.isna().all()
    assert sipri_2025.loc[sipri_2025.region != "Middle East", "subregion"].notna().all()
    europe = set(sipri_2025.loc[sipri_2025.region == "Europe", "subregion"])
    assert europe == {"Central Europe", "Eastern Europe", "Western Europe"}


def test_shares_are_percentages_and_colours_are_flags(sipri_2025):
    shares = sipri_2025[sipri_2025.measure.isin(["share_gdp_pct", "share_govt_spending_pct"])]
    assert shares.value.min() >= 0
    assert shares.value.max() > 30  # stored as fractions; a missed x100 would stay below 1
    flags = sipri_2025.groupby("measure")[["is_sipri_estimate", "is_highly_uncertain"]].sum()
    assert flags.loc["share_gdp_pct"].tolist() == [1829, 147]
    assert not (sipri_2025.is_sipri_estimate & sipri_2025.is_highly_uncertain).any()
    red = _value(sipri_2025, "DZA", 2017)
    assert red.is_highly_uncertain and red.cell == "BS10"


def test_per_capita_and_govt_share_of_the_2024_edition(parsed):
    frame = parsed["2024"].frame
    algeria = _value(frame, "DZA", 1988, "per_capita_usd")
    assert algeria.value == pytest.approx(42.42921359965081, rel=1e-12)
    assert (algeria.sheet, algeria.cell) == ("Per capita", "C10")
    assert algeria.unit == "US dollars per person, current prices"
    govt = _value(frame, "DZA", 1990, "share_govt_spending_pct")
    assert govt.unit == "percent of general government expenditure"
    assert 0 < govt.value < 100


@pytest.mark.parametrize("edition", ["2025", "2024"])
def test_footnotes(parsed, edition):
    notes = read_footnotes(FILES[edition])
    assert len(notes) == 109 == parsed[edition].stats["footnotes"]
    assert set("†‡§¶‖") <= set(notes)
    assert notes["§"].startswith("Figures for these countries are for the adopted budget")
    assert notes["84"].startswith("Ukraine:")
    assert set(notes) - set("†‡§¶‖") == {str(n) for n in range(1, 105)}
    used = set()
    for text in parsed[edition].frame.notes.dropna().unique():
        used.update(re.findall(r"\d+|\S", text))
    assert used <= set(notes)


# --- country names ---------------------------------------------------------------------------


def test_overrides_are_only_names_pycountry_cannot_resolve():
    for name, code in SIPRI_CODE_OVERRIDES.items():
        assert pycountry_code(name) is None, name
        if code in {"CSK", "DDR", "SUN", "YUG"}:
            assert pycountry.historic_countries.get(alpha_3=code) is not None
        elif code != "XKX":
            assert pycountry.countries.get(alpha_3=code) is not None, code
    assert not set(SIPRI_CODE_OVERRIDES) & SIPRI_UNCODED


def test_country_lookup():
    assert sipri_country_code("United States of America") == "USA"
    assert sipri_country_code("Türkiye") == "TUR"
    assert sipri_country_code("Korea, South") == "KOR"
    assert sipri_country_code("European Union") is None
    with pytest.raises(UnknownCountryError, match="'Absurdistan'"):
        sipri_country_code("Absurdistan")


# --- crafted bad variants --------------------------------------------------------------------


@pytest.fixture(scope="module")
def crafted_base(tmp_path_factory, worker_id) -> Path:
    """The real 2025 workbook re-saved by openpyxl without the sheets the parser skips, once for
    the whole test session (both workers).

    Dropping the two local-currency sheets and Regional totals (which the parser never reads)
    keeps each crafted copy quick to save and parse.
    """
    return once_per_session(tmp_path_factory, worker_id, "sipri_base", _slimmed_2025)


def _slimmed_2025(folder: Path) -> Path:
    book = openpyxl.load_workbook(FILES["2025"])
    for title in SKIPPED_IN_CRAFTED:
        book.remove(book[title])
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / FILES["2025"].name
    book.save(target)
    return target


@pytest.fixture
def crafted(tmp_path, crafted_base) -> Callable[[Callable[[openpyxl.Workbook], None]], Path]:
    """Copy the (slimmed) real workbook, apply ``edit(workbook)``, save, return the new path."""

    def make(edit: Callable[[openpyxl.Workbook], None]) -> Path:
        book = openpyxl.load_workbook(crafted_base)
        edit(book)
        target = tmp_path / FILES["2025"].name
        book.save(target)
        return target

    return make


def test_slimmed_copy_still_parses_identically(crafted_base, sipri_2025):
    frame = parse_release(crafted_base, "sipri_2025").frame
    pd.testing.assert_frame_equal(frame, sipri_2025)


def test_missing_share_of_gdp_sheet(crafted):
    path = crafted(lambda book: book.remove(book["Share of GDP"]))
    with pytest.raises(WorkbookLayoutError, match=r"SIPRI-Milex.*'Share of GDP'.*not found"):
        parse_release(path, "bad")


def test_text_in_a_numeric_cell_names_the_cell(crafted, sipri_2025):
    cell = _value(sipri_2025, "POL", 2024).cell

    def edit(book):
        book["Share of GDP"][cell] = "4,15"

    with pytest.raises(WorkbookLayoutError, match=rf"sheet Share of GDP, cell {cell}.*'4,15'"):
        parse_release(crafted(edit), "bad")


def test_unknown_country_name_is_named(crafted):
    def edit(book):
        sheet = book["Current US$"]
        (cell,) = [row[0] for row in sheet.iter_rows() if row[0].value == "Poland"]
        cell.value = "Polandia"

    with pytest.raises(WorkbookLayoutError, match=r"Current US\$, cell A146.*'Polandia'"):
        parse_release(crafted(edit), "bad")


def test_missing_header_row(crafted):
    def edit(book):
        sheet = book["Per capita"]
        for row in sheet.iter_rows(max_row=30):
            for cell in row:
                if cell.value == "Country":
                    cell.value = "Nation"

    with pytest.raises(WorkbookLayoutError, match=r"sheet Per capita: no header row.*'Country'"):
        parse_release(crafted(edit), "bad")


def test_unexpected_font_colour_on_a_figure(crafted, sipri_2025):
    cell = _value(sipri_2025, "POL", 2024).cell

    def edit(book):
        book["Share of GDP"][cell].font = Font(color="FF00B050")  # green: not in the legend

    with pytest.raises(WorkbookLayoutError, match=rf"cell {cell}: font colour #00B050"):
        parse_release(crafted(edit), "bad")


def test_not_a_workbook(tmp_path):
    path = tmp_path / "SIPRI-Milex-data.xlsx"
    path.write_bytes(b"not a zip file")
    with pytest.raises(WorkbookLayoutError, match="not a readable .xlsx"):
        parse_release(path, "bad")
    with pytest.raises(WorkbookLayoutError, match="not a readable .xlsx"):
        read_footnotes(path)


# --- the 2026 edition (data 1949-2025, v1.2) -------------------------------------------------


@pytest.fixture(scope="module")
def sipri_2026(parsed):
    return parsed["2026"].frame


@pytest.mark.parametrize(
    ("code", "year", "share"),
    [
        ("POL", 2024, 3.75),  # the April 2025 edition printed 4.15 (revised)
        ("POL", 2025, 4.50),
        ("RUS", 2024, 6.87),
        ("RUS", 2025, 7.50),
        ("UKR", 2024, 33.96),
        ("UKR", 2025, 39.56),
        ("USA", 2025, 3.12),
        ("DEU", 2025, 2.27),
    ],
)
def test_2026_edition_shares_of_gdp_as_quoted_in_sources_md(sipri_2026, code, year, share):
    row = _value(sipri_2026, code, year)
    assert round(row.value, 2) == share  # stored as a fraction; the parser multiplies by 100
    assert row.sheet == "Share of GDP" and row.unit == "percent of GDP"
    assert row.release_id == "sipri_2026"


def test_2026_edition_revises_poland_2024(parsed, sipri_2026):
    assert round(_value(parsed["2025"].frame, "POL", 2024).value, 2) == 4.15
    assert round(_value(sipri_2026, "POL", 2024).value, 2) == 3.75


def test_2026_edition_constant_prices_are_2024_dollars(parsed, sipri_2026):
    constant = sipri_2026[sipri_2026.measure == "spending_usd_const_m"]
    assert set(constant.sheet) == {"Constant (2024) US$"}  # found by pattern, not by name
    assert (constant.price_base_year == 2024).all()
    others = sipri_2026[sipri_2026.measure != "spending_usd_const_m"]
    assert others.price_base_year.isna().all()
    assert parsed["2026"].stats["sheets_parsed"] == [
        "Constant (2024) US$",
        "Current US$",
        "Share of GDP",
        "Per capita",
        "Share of Govt. spending",
    ]
    assert sipri_2026.year.max() == 2025 and sipri_2026.country_name.nunique() == 174


def test_2026_edition_not_data_markers_yield_no_rows(parsed, sipri_2026):
    """`. .` (new in v1.2) and the one-character ellipsis mean "data unavailable", like `...`."""
    book = openpyxl.load_workbook(FILES["2026"], read_only=True, data_only=True)
    try:
        markers: dict[str, list[tuple[str, str]]] = {". .": [], "\u2026": []}
        for title in ("Constant (2024) US$", "Per capita", "Share of Govt. spending"):
            for row in book[title].iter_rows(min_row=7):
                for cell in row[2:]:
                    if cell.value in markers:
                        markers[cell.value].append((title, cell.coordinate))
    finally:
        book.close()
    assert markers[". ."] == [("Share of Govt. spending", c) for c in ("W44", "Z44", "AA44")]
    assert len(markers["\u2026"]) == 85
    cells = set(zip(sipri_2026.sheet, sipri_2026.cell, strict=True))
    assert not cells & set(markers[". ."] + markers["\u2026"])
    mauritania = sipri_2026[
        (sipri_2026.country_name == "Mauritania")
        & (sipri_2026.measure == "share_govt_spending_pct")
    ]
    assert {2007, 2010, 2011} & set(mauritania.year) == set()  # the three `. .` cells
    assert {2006, 2008, 2009, 2012} <= set(mauritania.year)
    stats = parsed["2026"].stats
    assert stats["cells_unavailable"] == 8870 and stats["cells_not_independent"] == 8192
    assert stats["notes_unavailable"] == 14  # "..." typed in Notes cells: no notes
    assert stats["heading_rows_with_markers"] == 3  # East Asia in Current US$ holds "..."


def test_2026_edition_rows_regions_and_flags(sipri_2026):
    assert sipri_2026.measure.value_counts().to_dict() == {
        "share_gdp_pct": 8541,
        "spending_usd_m": 8761,
        "spending_usd_const_m": 8435,
        "per_capita_usd": 5611,
        "share_govt_spending_pct": 4972,
    }
    assert sipri_2026.duplicated(["country_name", "year", "measure"]).sum() == 0
    east_asia = sipri_2026[sipri_2026.subregion == "East Asia"]
    assert {"China", "Japan"} <= set(east_asia.country_name)
    assert set(east_asia.region) == {"Asia & Oceania"}
    russia = _value(sipri_2026, "RUS", 2025)
    assert russia.is_sipri_estimate and not russia.is_highly_uncertain
    # 21 figures in the theme's text colour (Excel's default black) are ordinary figures.
    dominican = _value(sipri_2026, "DOM", 2019, "per_capita_usd")  # Per capita!AH67
    assert not dominican.is_sipri_estimate and not dominican.is_highly_uncertain
