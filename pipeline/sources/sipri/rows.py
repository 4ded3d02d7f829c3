"""Walk the rows of one SIPRI country sheet below its header, yielding one record per figure.

Countries sit under region headings (``Africa``, ... ``Middle East``, see ``REGIONS``) and
subregion headings (``North Africa``): rows with a label that is not a known country and no
figures or notes (a heading listed in ``SUBREGIONS`` may hold ``...`` markers, as East Asia's does
in the 2026 edition's Current US$ sheet). The Middle East has no subregion (``None``). What is not
a figure (blank rows, headings, markers) is counted in the walk's ``counts``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from pipeline.sources.sipri.cells import (
    UNAVAILABLE,
    cell_value,
    classify,
    flags,
    markers_only,
    notes_text,
    text,
)
from pipeline.sources.sipri.countries import (
    UnknownCountryError,
    is_sipri_country,
    sipri_country_code,
)
from pipeline.sources.sipri.footnotes import check_notes
from pipeline.sources.sipri.frame import country_fields, figure_record
from pipeline.sources.sipri.header import Header
from pipeline.sources.sipri.sheets import REGIONS, SUBREGIONS
from pipeline.sources.workbook import WorkbookLayoutError, cell_ref


@dataclass(frozen=True)
class SheetContext:
    """What every row of one country sheet shares."""

    where: str  # "file, sheet S": the prefix of every error message
    header: Header
    fields: dict  # the record columns of the sheet (:func:`sipri_frame.sheet_fields`)
    scale: float
    colours: list[str]  # the workbook's palette, for indexed font colours
    footnotes: dict[str, str]


@dataclass(frozen=True)
class Line:
    """One row below the header, read but not yet classified."""

    r: int  # 0-based row index
    cells: tuple
    label: str | None
    notes: str | None
    figures: list[tuple[int, int, object]]  # (column, year, value)
    has_values: bool


@dataclass
class SheetWalk:
    """One pass down a sheet: the region headings seen so far and the counts of non-figures."""

    sheet: SheetContext
    counts: Counter = field(default_factory=Counter)
    region: str | None = None
    subregion: str | None = None
    seen: dict[str, int] = field(default_factory=dict)  # country -> first row (1-based)

    def records(self, rows) -> Iterator[dict]:
        """A record per figure of every country row, in sheet order."""
        for r in range(self.sheet.header.row + 1, len(rows)):
            line = self._read(r, rows[r])
            if line.label is None:
                self._blank(line)
            elif self._is_heading(line):
                self._heading(line)
            else:
                yield from self._figures(line, self._country(line))

    def _at(self, r: int, c: int) -> str:
        return f"{self.sheet.where}, cell {cell_ref(r, c)}"

    def _read(self, r: int, row) -> Line:
        header = self.sheet.header
        notes = notes_text(cell_value(row, header.notes_col))
        if notes in UNAVAILABLE:  # 2026 edition: "..." in 14 Notes cells (two sheets): none
            self.counts["notes_unavailable"] += 1
            notes = None
        figures = [(c, y, cell_value(row, c)) for c, y in header.years]
        for c in header.blank_cols:
            if text(cell_value(row, c)) is not None:
                raise WorkbookLayoutError(
                    f"{self._at(r, c)}: unexpected content {cell_value(row, c)!r} in a column "
                    "with no header"
                )
        return Line(
            r=r,
            cells=row,
            label=text(cell_value(row, header.country_col)),
            notes=notes,
            figures=figures,
            has_values=any(text(v) is not None for _, _, v in figures),
        )

    def _blank(self, line: Line) -> None:
        if line.has_values or line.notes is not None:
            raise WorkbookLayoutError(
                f"{self.sheet.where}, row {line.r + 1}: figures or notes without a country name "
                f"in cell {cell_ref(line.r, self.sheet.header.country_col)}"
            )
        self.counts["blank_rows"] += 1

    def _is_heading(self, line: Line) -> bool:
        """No notes, not a country, and no figures (a subregion may hold markers only)."""
        marked = line.label in SUBREGIONS and markers_only(v for _, _, v in line.figures)
        return (
            line.notes is None
            and not is_sipri_country(line.label)
            and (not line.has_values or marked)
        )

    def _heading(self, line: Line) -> None:
        if line.has_values:  # 2026 edition: East Asia's heading row in Current US$ holds "..."
            self.counts["heading_rows_with_markers"] += 1
        if line.label in REGIONS:
            self.region, self.subregion = line.label, None
        elif self.region is None:
            raise WorkbookLayoutError(
                f"{self._at(line.r, self.sheet.header.country_col)}: heading {line.label!r} "
                f"before any region heading; expected one of {', '.join(REGIONS)} first"
            )
        else:
            self.subregion = line.label
        self.counts["heading_rows"] += 1

    def _country(self, line: Line) -> dict:
        """The country columns of a country row, after checking name, region, order and notes."""
        header, where, r = self.sheet.header, self.sheet.where, line.r
        try:
            code = sipri_country_code(line.label)
        except UnknownCountryError as exc:
            raise WorkbookLayoutError(f"{self._at(r, header.country_col)}: {exc}") from None
        if self.region is None:
            raise WorkbookLayoutError(
                f"{where}, row {r + 1}: country {line.label!r} before any region heading"
            )
        if line.label in self.seen:
            raise WorkbookLayoutError(
                f"{where}, row {r + 1}: {line.label!r} appears twice "
                f"(first at row {self.seen[line.label]})"
            )
        self.seen[line.label] = r + 1
        check_notes(line.notes, self.sheet.footnotes, self._at(r, header.notes_col))
        self.counts["country_rows"] += 1
        return country_fields(
            name=line.label,
            code=code,
            region=self.region,
            subregion=self.subregion,
            notes=line.notes,
            reporting_year_basis=text(cell_value(line.cells, header.reporting_year_col)),
        )

    def _figures(self, line: Line, country: dict) -> Iterator[dict]:
        """A record per number in the row; markers and blanks are only counted."""
        for c, year, value in line.figures:
            where = self._at(line.r, c)
            kind, number = classify(value, where)
            self.counts[f"cells_{kind}"] += 1
            if number is None:
                continue
            blue, red = flags(line.cells[c], self.sheet.colours, where)
            yield figure_record(
                sheet=self.sheet.fields,
                country=country,
                cell=cell_ref(line.r, c),
                year=year,
                value=number * self.sheet.scale,
                is_sipri_estimate=blue,
                is_highly_uncertain=red,
            )
