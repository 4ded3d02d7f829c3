"""Parse NATO's *Defence Expenditure of NATO Countries* release workbook into one tidy frame.

One row per printed cell: table × section × country (or aggregate) × year. Nothing is dropped or
repaired: ``#REF!`` and blank cells become NULL with their status kept, the ``e`` on a year header
becomes ``is_estimate``, the ``*`` after a name becomes ``has_national_2pct_law``. Tables are found
by their titles and header rows (see :mod:`pipeline.sources.nato.tables`), so a release with more
year columns parses, and a workbook whose layout is not recognised fails naming sheet and cell.
This module finds each sheet's table; :mod:`pipeline.sources.nato.blocks` reads its rows, in the
June 2024 layout and in the 2025/2026 one (sheets ``Table 1``, title in A1, a header per block).
Tables 1-3 and 5-8b must be present; Table 4 is read when printed.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from pipeline.sources.nato.blocks import (
    BlockReader,
    SheetTable,
    ValueColumn,
    header_columns,
    row_label,
)
from pipeline.sources.nato.frame import ParseResult, to_frame
from pipeline.sources.nato.tables import REQUIRED_TABLES, TABLES, TableSpec
from pipeline.sources.workbook import WorkbookLayoutError, cell_ref, open_workbook

_TITLE = re.compile(r"^\s*table\s+(\w+)\s*:\s*(.+?)\s*$", re.IGNORECASE)
_CORE = re.compile(r"\bcore defence expenditure\b", re.IGNORECASE)
_HEADER_SEARCH_ROWS = 30


def parse_release(path: Path, release_id: str) -> ParseResult:
    """Parse every table of the workbook at ``path``; see the module docstring."""
    records: list[dict] = []
    stats: Counter = Counter()
    with open_workbook(path) as book:
        titles = _read_sheets(book, path.name, release_id, records, stats)
    _check_required(path.name, titles)
    frame = to_frame(records)
    stats.update(rows=len(frame), tables=len(titles))
    return ParseResult(
        frame=frame,
        stats={**stats, "defence_definition": defence_definition(titles.values())},
    )


def _read_sheets(book, file_name: str, release_id: str, records, stats) -> dict[str, str]:
    """Read every sheet's table; return the title of each table id (one sheet per table)."""
    titles: dict[str, str] = {}
    sheet_of: dict[str, str] = {}
    for sheet in book.worksheets:
        rows = [tuple(row) for row in sheet.iter_rows(values_only=True)]
        where = f"{file_name}, sheet {sheet.title}"
        base = {"release_id": release_id, "source_file": file_name, "sheet": sheet.title}
        table_id, title = read_table(rows, where, base, records, stats)
        if table_id in titles:
            raise WorkbookLayoutError(
                f"{where}: Table {table_id} appears again (first in {sheet_of[table_id]})"
            )
        titles[table_id], sheet_of[table_id] = title, sheet.title
    return titles


def _check_required(file_name: str, titles: dict[str, str]) -> None:
    missing = sorted(set(REQUIRED_TABLES) - set(titles))
    if missing:
        raise WorkbookLayoutError(
            f"{file_name}: table(s) {', '.join(missing)} not found; expected Tables "
            f"{', '.join(sorted(REQUIRED_TABLES))} each on its own sheet (Table 4 optional)"
        )


def defence_definition(titles) -> str:
    """``core_defence`` when NATO's titles say "Core defence expenditure" (2026), else NATO's old
    definition; the values are those of the sidecars' ``defence_definition``.

    2026 titles its tables "Core defence expenditure" where 2024 and 2025 say "Defence
    expenditure": the series may be defined differently under the same measure names, so the
    pipeline compares this with the release's sidecar rather than trust the names.
    """
    if any(_CORE.search(title) for title in titles):
        return "core_defence"
    return "nato_defence_expenditure"


def read_table(
    rows, where: str, base: dict, records: list[dict], stats: Counter
) -> tuple[str, str]:
    """Append a record per value cell of the sheet's table; return the table's id and title."""
    title_idx, table_id, title, title_cell = find_title(rows, where)
    spec = table_spec(table_id, f"{where}, cell {title_cell}")
    header_idx, columns = find_header(rows, title_idx, spec, where)
    between = rows[title_idx + 1 : header_idx]
    table = SheetTable(
        where=where,
        spec=spec,
        title=title,
        base={**base, "table_id": table_id, "table_title": title},
        subtitle=" ".join(str(v) for row in between for v in row if isinstance(v, str)),
        heading_above=_last_text_row(between, title_idx + 1),
    )
    BlockReader(table, columns, records, stats).read(rows, header_idx + 1)
    return table_id, title


def _last_text_row(rows, first_index: int) -> tuple[str, str] | None:
    """Text and cell of the last row with text among ``rows`` (which start at ``first_index``)."""
    for offset in range(len(rows) - 1, -1, -1):
        label, col = row_label(rows[offset], len(rows[offset]))
        if label is not None:
            return label, cell_ref(first_index + offset, col)
    return None


def find_title(rows, where) -> tuple[int, str, str, str]:
    """Row index, table id, title text and cell of the first ``Table N: ...`` in 40 rows."""
    for r, row in enumerate(rows[:40]):
        for c, value in enumerate(row):
            if isinstance(value, str) and (match := _TITLE.match(value)):
                return r, match.group(1).lower(), match.group(2), cell_ref(r, c)
    raise WorkbookLayoutError(f"{where}: no title of the form 'Table N : ...' in the first 40 rows")


def table_spec(table_id: str, where: str) -> TableSpec:
    """The spec of a table id; an id not in :data:`TABLES` is an unknown table, not a skip."""
    spec = TABLES.get(table_id)
    if spec is None:
        raise WorkbookLayoutError(
            f"{where}: unrecognised 'Table {table_id}'; expected one of {', '.join(sorted(TABLES))}"
        )
    return spec


def find_header(rows, start, spec: TableSpec, where) -> tuple[int, list[ValueColumn]]:
    """The first year header row under the title, and the value columns it defines."""
    for r in range(start + 1, min(len(rows), start + _HEADER_SEARCH_ROWS)):
        if columns := header_columns(rows[r], r, spec, where):
            return r, columns
    raise WorkbookLayoutError(
        f"{where}: no header row of years (e.g. 2014 ... 2024e) within 30 rows of the title"
    )
