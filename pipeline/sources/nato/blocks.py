"""Read the rows of one table of NATO's release workbook: year headers, headings, country rows.

Two layouts are known:

* June 2024: title ``Table 1 : ...`` in B4, a unit row, ONE year header, then blocks each opened
  by a section heading under that header; labels in column C, aggregates in column B.
* 2025/2026: title ``Table 1: ...`` in A1, a unit row in A2, then blocks of a section heading,
  the block's OWN year header and its rows, every label (aggregates too) in column A.

One reader takes both without asking which edition it holds: a year header row sets the value
columns of the rows under it, a text-only row sets the section, and a data row that comes before
any heading under the first header takes the last text row above that header as its heading (the
2025/2026 order). Anything not recognised fails naming the cell, so a third layout cannot slip by.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from pipeline.sources.nato.frame import country_fields
from pipeline.sources.nato.tables import ColumnRule, Measure, TableSpec
from pipeline.sources.workbook import (
    EXCEL_ERRORS,
    WorkbookLayoutError,
    cell_ref,
    is_blank,
    parse_year,
    read_number,
)

# NATO prints the star before the currency ("Poland*   (Zlotys)"); after it is read as well.
_LABEL = re.compile(
    r"^\s*(?P<name>.+?)\s*(?P<star>\*)?\s*(?:\((?P<currency>[^)]*)\))?\s*(?P<star_after>\*)?\s*$"
)
_NOTES = re.compile(r"^\s*notes?\b", re.IGNORECASE)  # "Notes: Figures for 2023 ..." ends a table
_PRICE_BASE = re.compile(r"\b(\d{4}) prices\b", re.IGNORECASE)


@dataclass(frozen=True)
class ValueColumn:
    """One value column of a block: its year, the ``e`` of an estimate, and its header text."""

    col: int
    year: int
    is_estimate: bool
    header: str
    rule: ColumnRule | None = None  # None: an ordinary year column


@dataclass(frozen=True)
class SheetTable:
    """A table found on a sheet: where it is, which spec it follows, and what it is called."""

    where: str  # "file, sheet S": the prefix of every error message
    spec: TableSpec
    title: str
    base: dict  # the record fields every row of the table shares
    subtitle: str  # the text between the title and the first year header (units, price base)
    heading_above: tuple[str, str] | None  # (text, cell) of the last text row above that header


def header_columns(row, r, spec: TableSpec, where) -> list[ValueColumn] | None:
    """The columns a row of two or more year cells defines (``None`` if it has fewer).

    Every other cell right of the first year must be a header the spec knows (Table 4's
    ``Real change 2014-2024e (%)``); anything else fails naming the cell.
    """
    years = [(c, year) for c, value in enumerate(row) if (year := parse_year(value))]
    if len(years) < 2:
        return None
    columns = [ValueColumn(c, y.year, y.is_estimate, str(row[c])) for c, y in years]
    for c, value in enumerate(row):
        if value is None or parse_year(value) or c < years[0][0]:
            continue
        columns.append(_column_rule(spec, str(value), f"{where}, cell {cell_ref(r, c)}", c))
    return sorted(columns, key=lambda col: col.col)


def _column_rule(spec: TableSpec, header: str, where: str, col: int) -> ValueColumn:
    for rule in spec.columns:
        if match := re.match(rule.pattern, header.strip().lower()):
            estimate = header.strip().lower().endswith("e (%)")
            return ValueColumn(col, int(match.group("year")), estimate, header, rule)
    raise WorkbookLayoutError(f"{where}: unexpected header {header!r}; expected a year like 2024e")


def row_label(row, first_value_col) -> tuple[str | None, int]:
    """The first text left of the value columns, and its column (``None, -1`` if none)."""
    for c, value in enumerate(row[:first_value_col]):
        if isinstance(value, str) and value.strip():
            return value.strip(), c
    return None, -1


def heading(spec: TableSpec, label: str, where: str) -> tuple[Measure, str]:
    """The measure a section heading opens; an unknown heading fails naming its cell."""
    for measure in spec.sections:
        if measure.pattern and measure.matches(label):
            return measure, label
    expected = "; ".join(m.pattern for m in spec.sections if m.pattern) or "no section headings"
    raise WorkbookLayoutError(
        f"{where}: unrecognised section heading {label!r} in Table {spec.table_id}; "
        f"expected one of: {expected}"
    )


def label_country_fields(label: str, where: str) -> dict:
    """The country columns of a row labelled ``label`` as NATO prints it (``Poland*   (Zlotys)``):
    the star and the currency split off, the name resolved by :func:`nato_frame.country_fields`."""
    match = _LABEL.match(label)
    return country_fields(
        match.group("name") if match else label,
        label,
        where,
        has_national_2pct_law=bool(match and (match.group("star") or match.group("star_after"))),
        currency=match.group("currency") if match else None,
    )


def price_base(section: str | None, subtitle: str) -> int | None:
    """The constant-price base year: from the section heading, else from the table's subtitle."""
    for text in (section or "", subtitle):
        if match := _PRICE_BASE.search(text):
            return int(match.group(1))
    return None


@dataclass
class BlockReader:
    """Walks a table's rows below its first year header, appending one record per value cell."""

    table: SheetTable
    columns: list[ValueColumn]
    records: list[dict]
    stats: Counter
    measure: Measure | None = None
    section: str | None = None
    seen: dict[tuple, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.table.spec.has_sections:
            self.measure, self.section = self.table.spec.sections[0], self.table.subtitle

    def read(self, rows, start: int) -> None:
        """Read rows from ``start`` until a ``Notes`` row or the end of the sheet."""
        for r in range(start, len(rows)):
            row = rows[r]
            label, label_col = row_label(row, self.columns[0].col)
            if label is not None and _NOTES.match(label):
                return
            raw = [row[c.col] if c.col < len(row) else None for c in self.columns]
            if label is None and (columns := header_columns(row, r, self.table.spec, self._at())):
                self.columns = columns  # 2025/2026: every block repeats its year header
            elif all(is_blank(v) for v in raw):
                if label is not None:
                    self.measure, self.section = heading(
                        self.table.spec, label, self._at(r, label_col)
                    )
            elif label is None:
                self._skip_unlabelled(raw)
            else:
                self._data_row(r, label, label_col, raw)

    def _at(self, r: int | None = None, c: int = 0) -> str:
        return self.table.where if r is None else f"{self.table.where}, cell {cell_ref(r, c)}"

    def _skip_unlabelled(self, raw) -> None:
        # NATO's 2024 file has aggregate rows whose labels and formulas broke (#REF!).
        self.stats["unlabelled_rows_skipped"] += 1
        self.stats["excel_error_cells_in_unlabelled_rows"] += sum(
            isinstance(v, str) and v.strip() in EXCEL_ERRORS for v in raw
        )

    def _data_row(self, r: int, label: str, label_col: int, raw) -> None:
        if self.measure is None:
            self._take_heading_above_header(r, label)
        country = label_country_fields(label, self._at(r, label_col))
        key = (self.section, country["country_name"])
        if key in self.seen:
            raise WorkbookLayoutError(
                f"{self.table.where}, row {r + 1}: {country['country_name']!r} appears twice in "
                f"section {self.section!r} (first at row {self.seen[key]}); "
                "rule: one row per country"
            )
        self.seen[key] = r + 1
        base_year = price_base(self.section, self.table.subtitle)
        for column, value in zip(self.columns, raw, strict=True):
            self.records.append(self._record(r, column, value, country, base_year))

    def _take_heading_above_header(self, r: int, label: str) -> None:
        """2025/2026 put a table's first heading above its header, not below it."""
        if self.table.heading_above is None:
            raise WorkbookLayoutError(
                f"{self.table.where}, row {r + 1}: data row {label!r} before any section heading"
            )
        text, cell = self.table.heading_above
        where = f"{self.table.where}, cell {cell}"
        self.measure, self.section = heading(self.table.spec, text, where)

    def _record(self, r: int, column: ValueColumn, raw, country: dict, base_year) -> dict:
        cell = cell_ref(r, column.col)
        value, status = read_number(raw, f"{self.table.where}, cell {cell}")
        self.stats[f"cells_{status}"] += 1
        target = column.rule or self.measure
        return {
            **self.table.base,
            **country,
            "section": self.section if column.rule is None else column.header,
            "cell": cell,
            "year": column.year,
            "is_estimate": column.is_estimate,
            "measure": target.measure,
            "unit": target.unit,
            "price_base_year": base_year if target.uses_price_base else None,
            "value": value,
            "cell_status": status,
        }
