"""Parse NATO's *Defence Expenditure of NATO Countries* release workbook into one tidy frame.

One row per printed cell: table × section × country (or aggregate) × year. Nothing is dropped or
repaired: ``#REF!`` and blank cells become NULL with their status kept, the ``e`` on a year header
becomes ``is_estimate``, the ``*`` after a name becomes ``has_national_2pct_law``. Tables are found
by their titles and header rows (see :mod:`pipeline.sources.nato_tables`), so a release with more
year columns parses, and a workbook whose layout is not recognised fails naming sheet and cell.
"""

from __future__ import annotations

import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pandas as pd

from pipeline.sources.countries import NATO_AGGREGATES, nato_country_code
from pipeline.sources.nato_tables import TABLES, ColumnRule, Measure, TableSpec
from pipeline.sources.workbook import (
    EXCEL_ERRORS,
    WorkbookLayoutError,
    cell_ref,
    check_size,
    parse_year,
    read_number,
)

_TITLE = re.compile(r"^\s*table\s+(\w+)\s*:\s*(.+?)\s*$", re.IGNORECASE)
_LABEL = re.compile(r"^\s*(?P<name>.+?)\s*(?P<star>\*)?\s*(?:\((?P<currency>[^)]*)\))?\s*$")
_NOTES = re.compile(r"^\s*notes?\s*:", re.IGNORECASE)
_PRICE_BASE = re.compile(r"\b(\d{4}) prices\b", re.IGNORECASE)

COLUMNS = [
    "release_id",
    "source_file",
    "sheet",
    "table_id",
    "table_title",
    "section",
    "cell",
    "country_label",
    "country_name",
    "country_code",
    "is_aggregate",
    "has_national_2pct_law",
    "currency",
    "year",
    "is_estimate",
    "measure",
    "unit",
    "price_base_year",
    "value",
    "cell_status",
]


@dataclass
class ParseResult:
    """The tidy frame and what the load should report about it."""

    frame: pd.DataFrame
    stats: dict = field(default_factory=dict)


@dataclass(frozen=True)
class _ValueColumn:
    col: int
    year: int
    is_estimate: bool
    rule: ColumnRule | None  # None: an ordinary year column


def parse_release(path: Path, release_id: str) -> ParseResult:
    """Parse every table of the workbook at ``path``; see the module docstring."""
    check_size(path)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise WorkbookLayoutError(f"{path}: not a readable .xlsx workbook ({exc})") from exc
    records: list[dict] = []
    stats: Counter = Counter()
    seen_tables: dict[str, str] = {}
    try:
        for sheet in book.worksheets:
            rows = [tuple(row) for row in sheet.iter_rows(values_only=True)]
            where = f"{path.name}, sheet {sheet.title}"
            table_id = _parse_sheet(rows, where, release_id, path.name, sheet.title, records, stats)
            if table_id in seen_tables:
                raise WorkbookLayoutError(
                    f"{where}: Table {table_id} appears again (first in {seen_tables[table_id]})"
                )
            seen_tables[table_id] = sheet.title
    finally:
        book.close()
    missing = sorted(set(TABLES) - set(seen_tables))
    if missing:
        raise WorkbookLayoutError(
            f"{path.name}: table(s) {', '.join(missing)} not found; expected Tables "
            f"{', '.join(sorted(TABLES))} each on its own sheet"
        )
    frame = _to_frame(records)
    stats.update(rows=len(frame), tables=len(seen_tables))
    return ParseResult(frame=frame, stats=dict(stats))


def _parse_sheet(rows, where, release_id, file_name, sheet_name, records, stats) -> str:
    title_idx, table_id, title = _find_title(rows, where)
    spec = TABLES.get(table_id)
    if spec is None:
        raise WorkbookLayoutError(
            f"{where}: unrecognised 'Table {table_id}'; expected one of {', '.join(sorted(TABLES))}"
        )
    header_idx, columns = _find_header(rows, title_idx, spec, where)
    subtitle = " ".join(
        str(v) for row in rows[title_idx + 1 : header_idx] for v in row if isinstance(v, str)
    )
    first_value_col = min(c.col for c in columns)
    base = {
        "release_id": release_id,
        "source_file": file_name,
        "sheet": sheet_name,
        "table_id": table_id,
        "table_title": title,
    }
    measure = None if spec.has_sections else spec.sections[0]
    section = subtitle if measure else None
    seen_labels: dict[tuple, str] = {}
    for r in range(header_idx + 1, len(rows)):
        row = rows[r]
        label, label_col = _label(row, first_value_col)
        if label is not None and _NOTES.match(label):
            break
        raw_values = [row[c.col] if c.col < len(row) else None for c in columns]
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in raw_values):
            if label is not None:
                measure, section = _heading(spec, label, f"{where}, cell {cell_ref(r, label_col)}")
            continue
        if label is None:
            # NATO's own file has aggregate rows whose labels and formulas broke (#REF!).
            stats["unlabelled_rows_skipped"] += 1
            stats["excel_error_cells_in_unlabelled_rows"] += sum(
                isinstance(v, str) and v.strip() in EXCEL_ERRORS for v in raw_values
            )
            continue
        if measure is None:
            raise WorkbookLayoutError(
                f"{where}, row {r + 1}: data row {label!r} before any section heading"
            )
        country = _country(label, f"{where}, cell {cell_ref(r, label_col)}")
        key = (section, country["country_name"])
        if key in seen_labels:
            raise WorkbookLayoutError(
                f"{where}, row {r + 1}: {country['country_name']!r} appears twice in section "
                f"{section!r} (first at row {seen_labels[key]}); rule: one row per country"
            )
        seen_labels[key] = str(r + 1)
        price_base = _price_base(section, subtitle)
        for column, raw in zip(columns, raw_values, strict=True):
            cell = cell_ref(r, column.col)
            value, status = read_number(raw, f"{where}, cell {cell}")
            stats[f"cells_{status}"] += 1
            target = column.rule or measure
            records.append(
                {
                    **base,
                    **country,
                    "section": section
                    if column.rule is None
                    else str(rows[header_idx][column.col]),
                    "cell": cell,
                    "year": column.year,
                    "is_estimate": column.is_estimate,
                    "measure": target.measure,
                    "unit": target.unit,
                    "price_base_year": price_base if target.uses_price_base else None,
                    "value": value,
                    "cell_status": status,
                }
            )
    return table_id


def _find_title(rows, where) -> tuple[int, str, str]:
    for r, row in enumerate(rows[:40]):
        for value in row:
            if isinstance(value, str) and (match := _TITLE.match(value)):
                return r, match.group(1).lower(), match.group(2)
    raise WorkbookLayoutError(f"{where}: no title of the form 'Table N : ...' in the first 40 rows")


def _find_header(rows, start, spec: TableSpec, where) -> tuple[int, list[_ValueColumn]]:
    """The first row under the title with two or more year cells; every header cell must parse."""
    for r in range(start + 1, min(len(rows), start + 30)):
        years = [(c, parse_year(v)) for c, v in enumerate(rows[r]) if parse_year(v)]
        if len(years) < 2:
            continue
        columns = [_ValueColumn(c, y.year, y.is_estimate, None) for c, y in years]
        for c, value in enumerate(rows[r]):
            if value is None or parse_year(value) or c < years[0][0]:
                continue
            columns.append(_column_rule(spec, str(value), f"{where}, cell {cell_ref(r, c)}", c))
        return r, sorted(columns, key=lambda col: col.col)
    raise WorkbookLayoutError(
        f"{where}: no header row of years (e.g. 2014 ... 2024e) within 30 rows of the title"
    )


def _column_rule(spec: TableSpec, header: str, where: str, col: int) -> _ValueColumn:
    for rule in spec.columns:
        if match := re.match(rule.pattern, header.strip().lower()):
            year = int(match.group("year"))
            return _ValueColumn(col, year, header.strip().lower().endswith("e (%)"), rule)
    raise WorkbookLayoutError(f"{where}: unexpected header {header!r}; expected a year like 2024e")


def _label(row, first_value_col) -> tuple[str | None, int]:
    for c, value in enumerate(row[:first_value_col]):
        if isinstance(value, str) and value.strip():
            return value.strip(), c
    return None, -1


def _heading(spec: TableSpec, label: str, where: str) -> tuple[Measure, str]:
    for measure in spec.sections:
        if measure.pattern and measure.matches(label):
            return measure, label
    expected = "; ".join(m.pattern for m in spec.sections if m.pattern) or "no section headings"
    raise WorkbookLayoutError(
        f"{where}: unrecognised section heading {label!r} in Table {spec.table_id}; "
        f"expected one of: {expected}"
    )


def _country(label: str, where: str) -> dict:
    match = _LABEL.match(label)
    name = match.group("name") if match else label
    try:
        code = nato_country_code(name)
    except KeyError:
        raise WorkbookLayoutError(
            f"{where}: unknown country {name!r}; rule: every row must be a NATO ally or aggregate "
            "listed in pipeline/sources/countries.py"
        ) from None
    return {
        "country_label": label,
        "country_name": name,
        "country_code": code,
        "is_aggregate": name in NATO_AGGREGATES,
        "has_national_2pct_law": bool(match and match.group("star")),
        "currency": match.group("currency") if match else None,
    }


def _price_base(section: str | None, subtitle: str) -> int | None:
    for text in (section or "", subtitle):
        if match := _PRICE_BASE.search(text):
            return int(match.group(1))
    return None


def _to_frame(records: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(records, columns=COLUMNS)
    # The '*' is printed only in Tables 1-3; it is a fact about the ally in this release.
    starred = set(frame.loc[frame["has_national_2pct_law"], "country_name"])
    frame["has_national_2pct_law"] = frame["country_name"].isin(starred)
    frame["year"] = frame["year"].astype("int64")
    frame["price_base_year"] = frame["price_base_year"].astype("Int64")
    frame["value"] = frame["value"].astype("float64")
    return frame
