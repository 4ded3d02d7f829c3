"""Parse a SIPRI Military Expenditure Database workbook into one tidy frame.

One row per (country, year, measure) cell that holds a number, from five sheets:

- ``Constant (YYYY) US$`` -> ``spending_usd_const_m``, million US dollars, constant prices
- ``Current US$`` -> ``spending_usd_m``, million US dollars, current prices
- ``Share of GDP`` -> ``share_gdp_pct``, percent of GDP
- ``Per capita`` -> ``per_capita_usd``, US dollars per person, current prices
- ``Share of Govt. spending`` -> ``share_govt_spending_pct``, percent of general government
  expenditure

- All five sheets and ``Footnotes`` are required; a missing one is an error naming the file and
  the title expected.
  ``price_base_year`` (constant measure only) comes from the sheet title ``Constant (2023) US$``
  (``Constant (2024) US$`` in the 2026 edition): the sheet is found by that pattern, not by name.
- Sheets are found by title and the header row by content (a row with ``Country``, ``Notes`` and
  year cells), so an edition with more years or moved columns parses. A header cell that is not
  ``Country``, ``Notes``, ``Reporting year``, a year or blank is an error.
- Shares are stored as fractions formatted ``0.00%``; they are multiplied by 100.
- Countries sit under region headings (``Africa``, ... ``Middle East``, see ``REGIONS``) and
  subregion headings (``North Africa``): rows with a label that is not a known country and no
  figures or notes (a heading listed in ``SUBREGIONS`` may hold ``...`` markers, as East Asia's
  does in the 2026 edition's Current US$ sheet). The Middle East has no subregion (``None``).
- ``is_sipri_estimate`` / ``is_highly_uncertain`` come from the font colour of the cell, per the
  sheet legend "Figures in blue are SIPRI estimates. Figures in red indicate highly uncertain
  data." SIPRI's files use the indexed colours 12 (``0000FF``) and 10 (``FF0000``); colours are
  resolved to RGB through the workbook's palette, and any other colour on a number is an error.
  Black (indexed 8), the theme's text colour (theme 1, untinted) and no colour mean an ordinary
  figure.
- ``...`` / ``. .`` / ``..`` / ``…`` (data unavailable), ``xxx`` (country not independent) and
  blank cells are not data: no row is made, but they are counted in ``stats``. Any other text in a
  numeric cell is an error naming file, sheet and cell; so is a country name not known to
  :mod:`pipeline.sources.sipri.countries`, and a footnote symbol the Footnotes sheet does not
  define.
- A data-unavailable marker in the Notes column (14 rows of the 2026 edition, on its Constant
  and Share of GDP sheets) means no notes; it is counted as ``notes_unavailable``.
- ``notes`` holds the row's footnote symbols as printed (``"§‖1"``); :func:`read_footnotes` gives
  their meanings. ``reporting_year_basis`` is the ``Reporting year`` column of the government
  spending sheet, as printed (blank in the 2024 and 2025 editions).

Sheets skipped on purpose: ``Front page`` (no data), ``Regional totals`` (SIPRI's own aggregates,
in US$ b., partly estimated), ``Local currency financial years`` and ``Local currency calendar
years`` (national currencies, which would need a currency per row), and ``Footnotes`` (read by
:func:`read_footnotes`). The workbook is opened in read-only mode, which gives each cell's font
too (the flags depend on it) and skips the sheets not parsed: 0.4 s a workbook against 0.7 s in
full mode. When this changed (28 Nov 2026), both modes gave the same frame for all three
editions; ``tests/test_sipri_parser.py`` checks the flags against SIPRI's reference extract.

This module runs the parse; each job has its module: :mod:`~pipeline.sources.sipri.sheets` (the
sheets and regions), :mod:`~pipeline.sources.sipri.header` (the header row),
:mod:`~pipeline.sources.sipri.rows` (the rows), :mod:`~pipeline.sources.sipri.cells` (markers and
font colours), :mod:`~pipeline.sources.sipri.footnotes` and :mod:`~pipeline.sources.sipri.frame`.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from pipeline.sources.nato.frame import ParseResult
from pipeline.sources.sipri.cells import CELL_KINDS, palette
from pipeline.sources.sipri.footnotes import book_footnotes, read_footnotes
from pipeline.sources.sipri.frame import COLUMNS, sheet_fields, to_frame
from pipeline.sources.sipri.header import find_header
from pipeline.sources.sipri.rows import SheetContext, SheetWalk
from pipeline.sources.sipri.sheets import REGIONS, SHEETS, FoundSheet, check_price_base, find_sheets
from pipeline.sources.workbook import open_workbook

__all__ = ["COLUMNS", "REGIONS", "SHEETS", "ParseResult", "parse_release", "read_footnotes"]


def parse_release(path: Path, release_id: str) -> ParseResult:
    """Parse the five country sheets of the SIPRI workbook at ``path``; see the module docstring."""
    path = Path(path)
    records: list[dict] = []
    counts: Counter = Counter({f"cells_{kind}": 0 for kind in CELL_KINDS})
    with open_workbook(path) as book:
        sheets = find_sheets(book, path)
        footnotes = book_footnotes(book, path)
        for found in sheets:
            rows = list(found.sheet.iter_rows())
            context = _context(
                found, rows, path=path, release_id=release_id, book=book, footnotes=footnotes
            )
            walk = SheetWalk(context)
            records.extend(walk.records(rows))
            counts.update(walk.counts)
        parsed = {found.sheet.title for found in sheets}
        skipped = [s.title for s in book.worksheets if s.title not in parsed]
    frame = to_frame(records)
    return ParseResult(
        frame=frame,
        stats=_stats(frame, counts, footnotes=footnotes, sheets=sheets, skipped=skipped),
    )


def _stats(frame, counts: Counter, *, footnotes, sheets: list[FoundSheet], skipped) -> dict:
    """What the load reports: the cell and row counts, then the frame's shape and the sheets."""
    return {
        **dict(sorted(counts.items())),
        "rows": len(frame),
        "rows_by_measure": {
            k: int(v) for k, v in frame["measure"].value_counts().sort_index().items()
        },
        "countries": int(frame["country_name"].nunique()),
        "footnotes": len(footnotes),
        "sheets_parsed": [found.sheet.title for found in sheets],
        "sheets_skipped": skipped,
    }


def _context(
    found: FoundSheet, rows, *, path: Path, release_id: str, book, footnotes
) -> SheetContext:
    """What the rows of one sheet share; checks its header and its price base on the way."""
    where = f"{path.name}, sheet {found.sheet.title}"
    header = find_header(rows, where)
    check_price_base(rows[: header.row], found.base_year, where)
    return SheetContext(
        where=where,
        header=header,
        fields=sheet_fields(
            release_id=release_id,
            source_file=path.name,
            sheet=found.sheet.title,
            measure=found.spec.measure,
            unit=found.spec.unit,
            price_base_year=found.base_year,
        ),
        scale=found.spec.scale,
        colours=palette(book),
        footnotes=footnotes,
    )
