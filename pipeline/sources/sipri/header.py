"""Find the header row of a SIPRI country sheet by its content, not its position.

The header is the first row holding ``Country`` and two or more year cells, so an edition with
more years or moved columns parses. Every other header cell must be ``Notes``, ``Reporting year``
(the government-spending sheet, 2026 edition) or blank; anything else is an error naming the cell.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.sources.workbook import WorkbookLayoutError, YearHeader, cell_ref, parse_year

HEADER_SEARCH_ROWS = 30


@dataclass(frozen=True)
class Header:
    """Where a sheet's columns are: 0-based row and column indexes."""

    row: int
    country_col: int
    notes_col: int
    reporting_year_col: int | None
    years: tuple[tuple[int, int], ...]  # (column, year)
    blank_cols: tuple[int, ...]  # columns with an empty header: must stay empty below


def find_header(rows, where: str) -> Header:
    """The first row holding ``Country`` and two or more year cells; every cell must be known."""
    for r, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        values = [cell.value for cell in row]
        labels = {c: v.strip().lower() for c, v in enumerate(values) if isinstance(v, str)}
        years = [(c, parse_year(v)) for c, v in enumerate(values) if parse_year(v) is not None]
        if "country" in labels.values() and len(years) >= 2:
            return _read_header(r, values, labels, years, where)
    raise WorkbookLayoutError(
        f"{where}: no header row found in the first {HEADER_SEARCH_ROWS} rows; expected a row "
        "with 'Country', 'Notes' and year cells (1949, 1950, ...)"
    )


def _read_header(r, values, labels, years: list[tuple[int, YearHeader]], where: str) -> Header:
    """Name every non-year cell of header row ``r``; then check the years."""
    named: dict[str, int] = {}
    blank_cols = []
    for c, value in enumerate(values):
        if parse_year(value) is not None:
            continue
        label = labels.get(c, "" if value is None else None)
        if label in ("country", "notes", "reporting year") and label not in named:
            named[label] = c
        elif label == "":
            blank_cols.append(c)
        else:
            raise WorkbookLayoutError(
                f"{where}, cell {cell_ref(r, c)}: unexpected header {value!r}; expected "
                "'Country', 'Notes', 'Reporting year' or a year"
            )
    if "notes" not in named:
        raise WorkbookLayoutError(
            f"{where}, row {r + 1}: header row has no 'Notes' column; expected "
            "'Country', 'Notes' and year columns"
        )
    _check_years(r, years, where)
    return Header(
        row=r,
        country_col=named["country"],
        notes_col=named["notes"],
        reporting_year_col=named.get("reporting year"),
        years=tuple((c, y.year) for c, y in years),
        blank_cols=tuple(blank_cols),
    )


def _check_years(r: int, years: list[tuple[int, YearHeader]], where: str) -> None:
    """Years must increase left to right and carry no ``e``: SIPRI marks estimates by colour."""
    for (_, prev), (c, cur) in zip(years, years[1:], strict=False):
        if cur.year <= prev.year:
            raise WorkbookLayoutError(
                f"{where}, cell {cell_ref(r, c)}: year {cur.year} after {prev.year}; "
                "expected increasing years"
            )
    if any(y.is_estimate for _, y in years):
        raise WorkbookLayoutError(
            f"{where}, row {r + 1}: year header with an 'e' suffix; SIPRI marks estimates "
            "by font colour, not in the header"
        )
