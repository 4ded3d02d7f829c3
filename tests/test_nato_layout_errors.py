"""Crafted variants of the real workbook: a new year parses; a changed layout fails by name."""

from __future__ import annotations

import pytest

from pipeline.sources.nato.workbook import parse_release
from pipeline.sources.workbook import WorkbookLayoutError


def test_a_release_with_an_extra_year_column_parses(crafted_workbook):
    def add_2025(book):
        sheet = book["TABLE3"]
        sheet["O8"] = "2025e"
        sheet["O32"] = 4.48  # any number: the test is about the layout, not the figure

    frame = parse_release(crafted_workbook(add_2025), "crafted").frame
    shares = frame[
        (frame.table_id == "3")
        & (frame.year == 2025)
        & (frame.measure == "defence_exp_share_gdp_pct")
    ]
    assert shares.is_estimate.all()
    assert len(shares) == 33  # 31 allies and 2 aggregates, like every other year
    assert shares.set_index("country_code").loc["POL", "value"] == 4.48
    assert shares.value.isna().sum() == 32  # the other cells are blank: NULL, not zero


def test_a_moved_table_still_parses(crafted_workbook):
    def insert_rows(book):
        book["TABLE3"].insert_rows(2, amount=3)

    frame = parse_release(crafted_workbook(insert_rows), "crafted").frame
    poland = frame[
        (frame.country_code == "POL")
        & (frame.year == 2024)
        & (frame.table_id == "3")
        & (frame.measure == "defence_exp_share_gdp_pct")
    ]
    assert poland.value.iloc[0] == pytest.approx(4.120190989357147)
    assert poland.cell.iloc[0] == "N35"


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda b: b.remove(b["TABLE5"]), r"table\(s\) 5 not found"),
        (
            lambda b: b["TABLE3"].__setitem__("B10", "Share of nominal GDP (%)"),
            r"sheet TABLE3, cell B10: unrecognised section heading 'Share of nominal GDP \(%\)'",
        ),
        (
            lambda b: b["TABLE3"].__setitem__("C32", "Polska"),
            r"sheet TABLE3, cell C32: unknown country 'Polska'",
        ),
        (
            lambda b: b["TABLE3"].__setitem__("N32", "4,12"),
            r"sheet TABLE3, cell N32: expected a number, found text '4,12'",
        ),
        (
            lambda b: b["TABLE3"].__setitem__("C33", "Poland*"),
            r"sheet TABLE3, row 33: 'Poland' appears twice",
        ),
        (
            lambda b: b["TABLE3"].__setitem__("B4", "Defence expenditure"),
            r"sheet TABLE3: no title of the form 'Table N : \.\.\.'",
        ),
        (
            lambda b: [b["TABLE3"].__setitem__(f"{c}8", None) for c in "DEFGHIJKLMN"],
            r"sheet TABLE3: no header row of years",
        ),
    ],
    ids=[
        "missing-table",
        "unknown-section",
        "unknown-country",
        "decimal-comma",
        "duplicate-country",
        "missing-title",
        "missing-year-header",
    ],
)
def test_layout_changes_fail_naming_sheet_and_cell(crafted_workbook, edit, message):
    with pytest.raises(WorkbookLayoutError, match=message):
        parse_release(crafted_workbook(edit), "crafted")


def test_not_a_workbook_is_refused_by_name(tmp_path):
    fake = tmp_path / "release.xlsx"
    fake.write_text("<html>404 Not Found</html>")
    with pytest.raises(WorkbookLayoutError, match=r"release.xlsx: not a readable .xlsx workbook"):
        parse_release(fake, "fake")


def test_empty_and_oversized_files_are_refused_before_parsing(tmp_path):
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    with pytest.raises(WorkbookLayoutError, match="empty.xlsx: file is empty"):
        parse_release(empty, "empty")
    big = tmp_path / "big.xlsx"
    with big.open("wb") as handle:
        handle.truncate(26 * 1024 * 1024)
    with pytest.raises(WorkbookLayoutError, match="exceeds the .*-byte limit"):
        parse_release(big, "big")
