"""NATO's 2025/2026 workbook layout, built by rewriting the real June 2024 workbook.

The 2025 and 2026 workbooks are not available here. What is known of their layout (sheets
``Table N``, title in A1 without a space before the colon, a unit row in A2, each block a subtitle
row, its own year header and rows labelled in column A, ``Sweden (Kronor)``) is applied to every
number of the real 2024 file, so the rewritten workbook must parse back to the 2024 figures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import openpyxl.cell._writer
import pandas as pd
import pytest
from openpyxl.compat import safe_string
from openpyxl.utils import get_column_letter

from pipeline.sources.nato.frame import COLUMNS
from pipeline.sources.nato.workbook import ParseResult, parse_release
from pipeline.sources.workbook import WorkbookLayoutError
from tests.conftest import table3_share

FILE_NAME = "def-exp-2026-en.xlsx"
SHARE = "Share of real GDP (%)"
# Columns that must survive the new layout unchanged (sheet, cell, titles and labels move).
MOVED = {"release_id", "source_file", "sheet", "table_title", "cell", "country_label"}
KEY = [column for column in COLUMNS if column not in MOVED]
ORDER = ["table_id", "section", "country_name", "year", "measure"]
UNSECTIONED = {"4", "7"}
# Row A2 of each table: the 2024 unit rows (B6; TABLE4 B18, TABLE7 C18).
UNITS = {
    "1": "Million national currency units",
    "2": "Million US dollars",
    "3": "Based on 2015 prices",
    "4": "Million US dollars (2015 prices and exchange rates)",
    "5": "Million US dollars",
    "6": "2015 prices and exchange rates",
    "7": "Thousands",
    "8a": "Percentage of total defence expenditure",
    "8b": "Percentage of total defence expenditure",
}
TITLES = {
    "1": "Core defence expenditure",
    "2": "Core defence expenditure",
    "3": "Core defence expenditure as a share of GDP and annual real change",
    "4": "Core defence expenditure real change 2014-2024e",
    "5": "GDP",
    "6": "GDP per capita and core defence expenditure per capita",
    "7": "Military personnel",
    "8a": "Distribution of core defence expenditure by main category",
    "8b": "Distribution of core defence expenditure by main category",
}
# After the last block: "Notes" alone (2024 wrote "Notes: ..."; both forms end a table), then text
# rows that are neither headings nor countries.
NOTES = (
    "Notes",
    "Figures for 2023 and 2024 are estimates.",
    "* These Allies have national laws ...",
)


@dataclass
class Rewritten:
    """A rewritten workbook, where it put each figure and subtitle, and its parse."""

    path: Path
    cells: dict  # (table, 2024 section, country, header) -> value cell; (table, section) -> A-cell
    result: ParseResult | None = None


def rewrite(frame: pd.DataFrame, path: Path, core: bool = True, base_year: int = 2015) -> Rewritten:
    """Write the tables of a parsed frame as a workbook in the 2025/2026 layout."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    cells: dict = {}
    for table_id, table in frame.groupby("table_id", sort=False):
        sheet = book.create_sheet(f"Table {table_id}")
        title = TITLES[table_id] if core else _uncore(TITLES[table_id])
        sheet.append([f"Table {table_id}: {title}"])
        sheet.append([_text(UNITS[table_id], core, base_year)])
        blocks = (
            [(None, table)] if table_id in UNSECTIONED else table.groupby("section", sort=False)
        )
        for section, block in blocks:
            if section is not None:
                sheet.append([_text(section, core, base_year)])
                cells[(table_id, section)] = f"A{sheet.max_row}"
            _write_block(sheet, table_id, section, block, cells)
            sheet.append([])
        for note in NOTES:
            sheet.append([note])
    save_exactly(book, path)
    return Rewritten(path, cells)


def _write_block(sheet, table_id: str, section, block: pd.DataFrame, cells: dict) -> None:
    """A header row (A empty, B = 2014 as a number), then one row per label, in 2024's order."""
    records = list(block.itertuples())
    headers = list(dict.fromkeys(_header(table_id, rec) for rec in records))
    sheet.append([None, *headers])
    cells[(table_id, section, "header")] = sheet.max_row
    values = {(rec.country_label, _header(table_id, rec)): rec for rec in records}
    for label in dict.fromkeys(block.country_label):
        row = [values[(label, h)].value for h in headers]
        sheet.append([re.sub(r"\s+\(", " (", label), *[None if pd.isna(v) else v for v in row]])
        name = values[(label, headers[0])].country_name
        for i, header in enumerate(headers):
            cells[(table_id, section, name, header)] = f"{get_column_letter(i + 2)}{sheet.max_row}"


def _header(table_id: str, rec) -> int | str:
    """The header cell of a record's column: the year (``2024e`` if estimated) or Table 4's text."""
    if table_id == "4" and rec.measure != "defence_exp_usd_const_m":
        return rec.section
    return f"{rec.year}e" if rec.is_estimate else rec.year


def _text(text: str, core: bool, base_year: int) -> str:
    """A 2024 subtitle or unit as the new edition prints it."""
    text = text.replace("2015", str(base_year))
    return (
        re.sub(r"^Defence expenditure per", "Core defence expenditure per", text) if core else text
    )


def _uncore(title: str) -> str:
    """A 2026 title as 2025 words it: 'Defence expenditure', no 'Core'."""
    return title.replace("Core defence", "Defence").replace("core defence", "defence")


def save_exactly(book: openpyxl.Workbook, path: Path) -> None:
    """Save so every float round-trips: openpyxl writes numbers as '%.16g', which would turn
    NATO's 3.7139172994177043 (United States, 2014, Table 3) into 3.713917299417704."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(openpyxl.cell._writer, "safe_string", _exact_string)
        book.save(path)


def _exact_string(value) -> str:
    return repr(float(value)) if isinstance(value, float) else safe_string(value)


def expected(frame: pd.DataFrame, core: bool = True, base_year: int = 2015) -> pd.DataFrame:
    """The KEY columns a rewritten workbook must parse to: subtitles and base year as written."""
    out = frame[KEY].copy()
    out["section"] = out["section"].map(lambda s: _text(s, core, base_year))
    out["price_base_year"] = out["price_base_year"].where(out["price_base_year"].isna(), base_year)
    return out.sort_values(ORDER).reset_index(drop=True)


def parsed(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[KEY].sort_values(ORDER).reset_index(drop=True)


def _cell(built: Rewritten, table: str, section, country: str, header) -> str:
    return built.cells[(table, section, country, header)]


def _next_header_cell(built: Rewritten, table: str, section: str) -> str:
    row = built.cells[(table, section, "header")]
    return f"M{row}"  # B-L hold 2014 ... 2024e


def _edited(built: Rewritten, tmp_path: Path, edit) -> Path:
    """A copy of a rewritten workbook after ``edit(book)``."""
    book = openpyxl.load_workbook(built.path)
    edit(book)
    target = tmp_path / FILE_NAME
    save_exactly(book, target)
    return target


@pytest.fixture(scope="module")
def layout_2026(nato_2024, tmp_path_factory) -> Rewritten:
    """2026 as known: 'Core defence expenditure' titles, no Table 4 (2015 prices kept)."""
    frame = nato_2024.frame[nato_2024.frame.table_id != "4"]
    built = rewrite(frame, tmp_path_factory.mktemp("nato2026") / FILE_NAME)
    built.result = parse_release(built.path, "nato_2026_rewritten")
    return built


@pytest.fixture(scope="module")
def layout_2025(nato_2024, tmp_path_factory) -> Rewritten:
    """2025 as known: 'Defence expenditure' titles, constant 2021 prices; Table 4 kept (2025 has
    nine worksheets, so it may still print it)."""
    built = rewrite(nato_2024.frame, tmp_path_factory.mktemp("nato2025") / FILE_NAME, False, 2021)
    built.result = parse_release(built.path, "nato_2025_rewritten")
    return built


def test_the_2026_layout_parses_to_every_2024_figure(nato_2024, layout_2026):
    original = nato_2024.frame[nato_2024.frame.table_id != "4"]
    pd.testing.assert_frame_equal(
        parsed(layout_2026.result.frame), expected(original), check_exact=True
    )
    assert len(layout_2026.result.frame) == 5501 - 155  # Table 4: 31 allies x 5 value columns
    # No junk: every repeated header was read as a header, not skipped as an unlabelled row.
    assert layout_2026.result.stats == {
        "cells_value": 5346,
        "rows": 5346,
        "tables": 8,
        "defence_definition": "core_defence",
    }
    assert set(layout_2026.result.frame.sheet) == {f"Table {t}" for t in TITLES if t != "4"}


def test_poland_2024e_share_is_read_from_column_a_and_its_own_header(layout_2026):
    poland = table3_share(layout_2026.result.frame, "POL", 2024)
    assert poland.value == 4.120190989357147
    assert poland.is_estimate
    assert poland.price_base_year == 2015  # from "Based on 2015 prices" in A2
    assert poland.section == SHARE  # from the subtitle in A3, above the first header
    assert poland.country_label == "Poland*"
    assert poland.table_title == TITLES["3"]
    assert (poland.sheet, poland.cell) == ("Table 3", "L26")
    assert layout_2026.cells[("3", SHARE, "Poland", "2024e")] == "L26"


def test_united_states_2014_share_as_in_2024(nato_2024, layout_2026):
    us = table3_share(layout_2026.result.frame, "USA", 2014)
    assert us.value == 3.7139172994177043 == table3_share(nato_2024.frame, "USA", 2014).value
    assert not us.is_estimate


def test_stars_currencies_and_aggregates_are_kept(layout_2026):
    frame = layout_2026.result.frame
    table1 = frame[frame.table_id == "1"].drop_duplicates("country_name").set_index("country_code")
    assert table1.loc["SWE", ["country_label", "currency"]].tolist() == [
        "Sweden (Kronor)",
        "Kronor",
    ]
    assert table1.loc["POL", ["country_label", "currency"]].tolist() == [
        "Poland* (Zlotys)",
        "Zlotys",
    ]
    starred = set(frame.loc[frame.has_national_2pct_law, "country_code"])
    assert starred == {"CZE", "EST", "LVA", "LTU", "POL", "ROU"}
    aggregates = frame[frame.is_aggregate]
    assert set(aggregates.table_id) == {"2", "3", "5", "6", "7"}
    assert aggregates.country_code.isna().all()
    europe = aggregates[
        (aggregates.measure == "defence_exp_share_gdp_pct") & (aggregates.year == 2024)
    ]
    assert europe.set_index("country_name").value["NATO Europe and Canada"] == pytest.approx(
        2.0155, abs=1e-4
    )


def test_a_star_after_the_currency_is_read_too(layout_2026, tmp_path):
    first = _cell(layout_2026, "1", "Current prices", "Sweden", 2014)  # B32
    label = f"A{first[1:]}"  # the order of star and currency is not known for 2025/2026

    def star_after_currency(book):
        book["Table 1"][label] = "Sweden (Kronor)*"

    path = _edited(layout_2026, tmp_path, star_after_currency)
    frame = parse_release(path, "crafted").frame
    sweden = frame[(frame.country_code == "SWE") & (frame.table_id == "1")].iloc[0]
    assert (sweden.cell, sweden.currency, sweden.has_national_2pct_law) == (first, "Kronor", True)


def test_core_per_capita_subtitle_maps_to_the_existing_measure(layout_2026):
    frame = layout_2026.result.frame
    per_capita = frame[frame.measure == "defence_exp_per_capita_usd_const"]
    assert set(per_capita.section) == {"Core defence expenditure per capita (US dollars)"}
    assert len(per_capita) == 33 * 11  # 31 allies and 2 aggregates, 2014-2024e
    assert layout_2026.result.stats["defence_definition"] == "core_defence"


def test_the_2025_layout_reads_2021_prices_and_table_4(nato_2024, layout_2025):
    frame = layout_2025.result.frame
    pd.testing.assert_frame_equal(
        parsed(frame), expected(nato_2024.frame, False, 2021), check_exact=True
    )
    constant = frame[frame.measure == "defence_exp_usd_const_m"]
    assert set(constant.price_base_year) == {2021}
    assert set(constant[constant.table_id == "2"].section) == {
        "Constant 2021 prices and exchange rates"
    }
    assert (frame.table_id == "4").sum() == 155
    assert layout_2025.result.stats["tables"] == 9
    assert layout_2025.result.stats["defence_definition"] == "nato_defence_expenditure"


def test_the_2024_workbook_reports_the_old_definition(nato_2024):
    assert nato_2024.stats["defence_definition"] == "nato_defence_expenditure"


def _with_2025e_and_2026e(frame: pd.DataFrame) -> pd.DataFrame:
    """Two more estimated years (rounded like 2026's stored values); NL and PT leave Personnel
    (Table 8a) and Table 8b empty for 2026, as the 2026 workbook does."""
    last = frame[frame.year == 2024]
    extra = [
        last.assign(year=year, value=(last.value * factor).round(2))
        for year, factor in ((2025, 1.1), (2026, 1.2))
    ]
    out = pd.concat([frame, *extra], ignore_index=True)
    blank = (
        (out.year == 2026)
        & out.country_code.isin(["NLD", "PRT"])
        & out.measure.isin(["personnel_share_pct", "infrastructure_share_pct", "other_share_pct"])
    )
    out.loc[blank, ["value", "cell_status"]] = [float("nan"), "blank"]
    return out


def test_2026e_column_and_empty_cells_parse_as_blank(nato_2024, tmp_path):
    frame = _with_2025e_and_2026e(nato_2024.frame[nato_2024.frame.table_id != "4"])
    result = parse_release(rewrite(frame, tmp_path / FILE_NAME).path, "nato_2026_rewritten")
    pd.testing.assert_frame_equal(parsed(result.frame), expected(frame), check_exact=True)
    out = result.frame
    assert out.loc[out.year >= 2025, "is_estimate"].all()
    blanks = out[out.cell_status == "blank"]
    assert len(blanks) == 6 == result.stats["cells_blank"]
    assert blanks.value.isna().all() and set(blanks.year) == {2026}
    assert set(blanks.country_code) == {"NLD", "PRT"}
    equipment = out[(out.measure == "equipment_share_pct") & (out.year == 2026)]
    assert equipment.value.notna().all()
    assert table3_share(out, "POL", 2026).value == 4.94  # round(4.1201... x 1.2, 2)


ANNUAL = "Annual real change (%)"
CONST_USD = "Constant 2015 prices and exchange rates"
# id: (sheet, the cell to change (given the rewritten layout), new value, expected message)
CELL_EDITS = {
    "dots-in-a-number": (
        "Table 3",
        lambda c: _cell(c, "3", SHARE, "Poland", "2024e"),
        "..",
        r"cell {cell}: expected a number, found text '\.\.'",
    ),
    "dash-in-a-number": (
        "Table 8a",
        lambda c: _cell(c, "8a", "Personnel (b)", "Netherlands", "2024e"),
        "-",
        r"cell {cell}: expected a number, found text '-'",
    ),
    "unknown-first-subtitle": (
        "Table 3",
        lambda c: c.cells[("3", SHARE)],  # A3, above the first header
        "Share of nominal GDP (%)",
        r"cell {cell}: unrecognised section heading 'Share of nominal GDP \(%\)'",
    ),
    "unknown-second-subtitle": (
        "Table 2",
        lambda c: c.cells[("2", CONST_USD)],
        "Constant 2021 PPPs",
        r"cell {cell}: unrecognised section heading 'Constant 2021 PPPs'",
    ),
    "missing-second-subtitle": (
        "Table 3",
        lambda c: c.cells[("3", ANNUAL)],
        None,
        r"row \d+: 'Albania' appears twice in section 'Share of real GDP \(%\)'",
    ),
    "unknown-header-cell": (
        "Table 3",
        lambda c: _next_header_cell(c, "3", ANNUAL),
        "2025 (plan)",
        r"cell {cell}: unexpected header '2025 \(plan\)'",
    ),
    "unknown-country": (
        "Table 1",
        lambda c: f"A{_cell(c, '1', 'Current prices', 'Poland', 2014)[1:]}",
        "Polska* (Zlotys)",
        r"cell {cell}: unknown country 'Polska'",
    ),
    "unknown-table": (
        "Table 6",
        lambda c: "A1",
        "Table 9: Defence investment",
        r"cell {cell}: unrecognised 'Table 9'",
    ),
}


@pytest.mark.parametrize("case", list(CELL_EDITS))
def test_a_changed_cell_fails_naming_file_sheet_and_cell(layout_2026, tmp_path, case):
    sheet, locate, value, message = CELL_EDITS[case]
    ref = locate(layout_2026)
    path = _edited(layout_2026, tmp_path, lambda book: book[sheet].__setitem__(ref, value))
    where = rf"{re.escape(FILE_NAME)}, sheet {sheet}, "
    with pytest.raises(WorkbookLayoutError, match=where + message.format(cell=ref)):
        parse_release(path, "crafted")


def test_a_missing_table_3_fails_by_name(layout_2026, tmp_path):
    path = _edited(layout_2026, tmp_path, lambda book: book.remove(book["Table 3"]))
    message = r"def-exp-2026-en\.xlsx: table\(s\) 3 not found; expected Tables 1, 2, 3, 5, 6, 7, 8a"
    with pytest.raises(WorkbookLayoutError, match=message):
        parse_release(path, "crafted")


def test_a_table_printed_twice_fails_by_sheet(layout_2026, tmp_path):
    def copy_table_5(book):
        book.copy_worksheet(book["Table 5"]).title = "Table 5b"

    path = _edited(layout_2026, tmp_path, copy_table_5)
    message = r"sheet Table 5b: Table 5 appears again \(first in Table 5\)"
    with pytest.raises(WorkbookLayoutError, match=message):
        parse_release(path, "crafted")
