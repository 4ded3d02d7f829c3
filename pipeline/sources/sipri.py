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
  :mod:`pipeline.sources.sipri_countries`, and a footnote symbol the Footnotes sheet does not
  define.
- A data-unavailable marker in the Notes column (14 rows of the 2026 edition, on its Constant
  and Share of GDP sheets) means no notes; it is counted as ``notes_unavailable``.
- ``notes`` holds the row's footnote symbols as printed (``"§‖1"``); :func:`read_footnotes` gives
  their meanings. ``reporting_year_basis`` is the ``Reporting year`` column of the government
  spending sheet, as printed (blank in the 2024 and 2025 editions).

Sheets skipped on purpose: ``Front page`` (no data), ``Regional totals`` (SIPRI's own aggregates,
in US$ b., partly estimated), ``Local currency financial years`` and ``Local currency calendar
years`` (national currencies, which would need a currency per row), and ``Footnotes`` (read by
:func:`read_footnotes`). The workbook is opened in full mode (about 2 s for the 2025 edition):
in read-only mode openpyxl gives no font at all for some cells, and the flags depend on fonts.
"""

from __future__ import annotations

import re
import warnings
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pandas as pd
from openpyxl.styles.colors import COLOR_INDEX

from pipeline.sources.nato import ParseResult
from pipeline.sources.sipri_countries import (
    UnknownCountryError,
    is_sipri_country,
    sipri_country_code,
)
from pipeline.sources.workbook import (
    WorkbookLayoutError,
    cell_ref,
    check_size,
    parse_year,
)

__all__ = ["COLUMNS", "REGIONS", "ParseResult", "parse_release", "read_footnotes"]

COLUMNS = [
    "release_id",
    "source_file",
    "sheet",
    "cell",
    "country_name",
    "country_code",
    "region",
    "subregion",
    "year",
    "measure",
    "unit",
    "price_base_year",
    "value",
    "is_sipri_estimate",
    "is_highly_uncertain",
    "notes",
    "reporting_year_basis",
]

# SIPRI's five regions; any other heading row is a subregion of the region above it.
REGIONS = ("Africa", "Americas", "Asia & Oceania", "Europe", "Middle East")
# Subregion headings as printed (2024-2026 editions). A heading row normally holds nothing but its
# label; one listed here may also hold "not data" markers (never a number or a note).
SUBREGIONS = frozenset(
    {
        "North Africa",
        "sub-Saharan Africa",
        "Central America and the Caribbean",
        "North America",
        "South America",
        "Central Asia",
        "East Asia",
        "Oceania",
        "South Asia",
        "South East Asia",
        "Central Europe",
        "Eastern Europe",
        "Western Europe",
    }
)

# "data unavailable": the legend prints "..." (2024, 2025 editions) or ". ." (2026 edition v1.2,
# which also types 85 cells as the one-character ellipsis U+2026 on two of its sheets).
UNAVAILABLE = frozenset({"...", ". .", "..", ". . .", "\u2026"})
NOT_INDEPENDENT = frozenset({"xxx"})  # "country did not exist or was not independent"

_CELL_COUNTS = ("cells_value", "cells_unavailable", "cells_not_independent", "cells_blank")
_BLUE, _RED, _BLACK = "0000FF", "FF0000", "000000"
_THEME_TEXT_1 = 1  # theme colour "Text 1" (dk1, the system window text colour: black)
_HEADER_SEARCH_ROWS = 30
_FOOTNOTES_TITLE = re.compile(r"^\s*foot\s*notes\s*$", re.IGNORECASE)
_NOTE_TOKEN = re.compile(r"\d+|\S")
_CONSTANT_TEXT = re.compile(r"constant\s*\(?\s*(\d{4})\s*\)?", re.IGNORECASE)


@dataclass(frozen=True)
class _SheetSpec:
    title: re.Pattern
    description: str  # what the error says was expected
    measure: str
    unit: str
    scale: float
    has_price_base: bool = False


SHEETS = (
    _SheetSpec(
        re.compile(r"^\s*constant\s*\(\s*(?P<base>\d{4})\s*\)\s*US\s*\$\s*$", re.IGNORECASE),
        "'Constant (YYYY) US$'",
        "spending_usd_const_m",
        "million US dollars, constant prices",
        1.0,
        has_price_base=True,
    ),
    _SheetSpec(
        re.compile(r"^\s*current\s+US\s*\$\s*$", re.IGNORECASE),
        "'Current US$'",
        "spending_usd_m",
        "million US dollars, current prices",
        1.0,
    ),
    _SheetSpec(
        re.compile(r"^\s*share\s+of\s+GDP\s*$", re.IGNORECASE),
        "'Share of GDP'",
        "share_gdp_pct",
        "percent of GDP",
        100.0,
    ),
    _SheetSpec(
        re.compile(r"^\s*per\s+capita\s*$", re.IGNORECASE),
        "'Per capita'",
        "per_capita_usd",
        "US dollars per person, current prices",
        1.0,
    ),
    _SheetSpec(
        re.compile(r"^\s*share\s+of\s+govt\.?\s+spending\s*$", re.IGNORECASE),
        "'Share of Govt. spending'",
        "share_govt_spending_pct",
        "percent of general government expenditure",
        100.0,
    ),
)


@dataclass(frozen=True)
class _Header:
    row: int
    country_col: int
    notes_col: int
    reporting_year_col: int | None
    years: tuple[tuple[int, int], ...]  # (column, year)
    blank_cols: tuple[int, ...]  # columns with an empty header: must stay empty below


def parse_release(path: Path, release_id: str) -> ParseResult:
    """Parse the five country sheets of the SIPRI workbook at ``path``; see the module docstring."""
    path = Path(path)
    book = _open(path, read_only=False)
    records: list[dict] = []
    stats: Counter = Counter(dict.fromkeys(_CELL_COUNTS, 0))
    try:
        sheets = _find_sheets(book, path)
        footnotes = _footnotes(_footnotes_sheet(book, path), path)
        for spec, sheet, base_year in sheets:
            _parse_sheet(sheet, spec, base_year, path, release_id, book, footnotes, records, stats)
        parsed = {sheet.title for _, sheet, _ in sheets}
        skipped = [s.title for s in book.worksheets if s.title not in parsed]
    finally:
        book.close()
    frame = _to_frame(records)
    result_stats: dict = dict(sorted(stats.items()))
    result_stats.update(
        rows=len(frame),
        rows_by_measure={
            k: int(v) for k, v in frame["measure"].value_counts().sort_index().items()
        },
        countries=int(frame["country_name"].nunique()),
        footnotes=len(footnotes),
        sheets_parsed=[sheet.title for _, sheet, _ in sheets],
        sheets_skipped=skipped,
    )
    return ParseResult(frame=frame, stats=result_stats)


def read_footnotes(path: Path) -> dict[str, str]:
    """SIPRI's footnotes, symbol (``"§"``) or number (``"16"``) -> meaning, from sheet Footnotes."""
    path = Path(path)
    book = _open(path, read_only=True)
    try:
        return _footnotes(_footnotes_sheet(book, path), path)
    finally:
        book.close()


# --- workbook and sheets ---------------------------------------------------------------------


def _open(path: Path, read_only: bool):
    check_size(path)
    try:
        with warnings.catch_warnings():
            # SIPRI's files have no default cell style; openpyxl says so and applies its own.
            warnings.filterwarnings("ignore", message="Workbook contains no default style")
            return openpyxl.load_workbook(path, read_only=read_only, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise WorkbookLayoutError(f"{path}: not a readable .xlsx workbook ({exc})") from exc


def _find_sheets(book, path: Path) -> list[tuple[_SheetSpec, object, int | None]]:
    found = []
    titles = [sheet.title for sheet in book.worksheets]
    for spec in SHEETS:
        matches = [sheet for sheet in book.worksheets if spec.title.match(sheet.title)]
        if not matches:
            raise WorkbookLayoutError(
                f"{path.name}: required sheet {spec.description} not found (measure "
                f"{spec.measure}); sheets present: {', '.join(map(repr, titles))}"
            )
        if len(matches) > 1:
            raise WorkbookLayoutError(
                f"{path.name}: sheets {', '.join(repr(s.title) for s in matches)} all match "
                f"{spec.description}; expected exactly one"
            )
        sheet = matches[0]
        base_year = (
            int(spec.title.match(sheet.title).group("base")) if spec.has_price_base else None
        )
        found.append((spec, sheet, base_year))
    return found


def _footnotes_sheet(book, path: Path):
    for sheet in book.worksheets:
        if _FOOTNOTES_TITLE.match(sheet.title):
            return sheet
    raise WorkbookLayoutError(
        f"{path.name}: required sheet 'Footnotes' not found; sheets present: "
        f"{', '.join(repr(s.title) for s in book.worksheets)}"
    )


def _footnotes(sheet, path: Path) -> dict[str, str]:
    """Rows ``symbol | meaning`` (``†``) or ``number | | text`` (``16``), up to the country list."""
    where = f"{path.name}, sheet {sheet.title}"
    notes: dict[str, str] = {}
    for r, row in enumerate(sheet.iter_rows(values_only=True)):
        if not row:
            continue
        key = row[0]
        texts = [v.strip() for v in row[1:] if isinstance(v, str) and v.strip()]
        if isinstance(key, str) and key.strip().lower() == "country":
            break  # the list of countries and their symbols that closes the sheet
        if isinstance(key, int | float) and not isinstance(key, bool):
            if not float(key).is_integer():
                raise WorkbookLayoutError(f"{where}, cell {cell_ref(r, 0)}: footnote {key!r}")
            symbol = str(int(key))
        elif isinstance(key, str) and 0 < len(key.strip()) <= 3:
            symbol = key.strip()
        else:
            continue  # titles and running text ("The following special notes are used ...")
        if len(texts) != 1:
            raise WorkbookLayoutError(
                f"{where}, row {r + 1}: footnote {symbol!r} should have one text beside it, "
                f"found {len(texts)}"
            )
        if symbol in notes:
            raise WorkbookLayoutError(f"{where}, row {r + 1}: footnote {symbol!r} defined twice")
        notes[symbol] = texts[0]
    if not notes:
        raise WorkbookLayoutError(
            f"{where}: no footnotes found; expected rows 'symbol | meaning' (e.g. '§ | Figures for "
            "these countries are for the adopted budget ...')"
        )
    return notes


# --- one country sheet -----------------------------------------------------------------------


def _parse_sheet(sheet, spec, base_year, path, release_id, book, footnotes, records, stats):
    where = f"{path.name}, sheet {sheet.title}"
    rows = list(sheet.iter_rows())
    header = _find_header(rows, where)
    _check_price_base(rows[: header.row], base_year, where)
    palette = list(getattr(book, "_colors", None) or COLOR_INDEX)
    base = {
        "release_id": release_id,
        "source_file": path.name,
        "sheet": sheet.title,
        "measure": spec.measure,
        "unit": spec.unit,
        "price_base_year": base_year,
    }
    region: str | None = None
    subregion: str | None = None
    seen: dict[str, int] = {}
    for r in range(header.row + 1, len(rows)):
        row = rows[r]
        label = _text(_value(row, header.country_col))
        notes = _notes(_value(row, header.notes_col))
        if notes in UNAVAILABLE:  # 2026 edition: "..." in 14 Notes cells (two sheets): none
            stats["notes_unavailable"] += 1
            notes = None
        year_values = [(c, y, _value(row, c)) for c, y in header.years]
        for c in header.blank_cols:
            if _text(_value(row, c)) is not None:
                raise WorkbookLayoutError(
                    f"{where}, cell {cell_ref(r, c)}: unexpected content "
                    f"{_value(row, c)!r} in a column with no header"
                )
        has_values = any(_text(v) is not None for _, _, v in year_values)
        if label is None:
            if has_values or notes is not None:
                raise WorkbookLayoutError(
                    f"{where}, row {r + 1}: figures or notes without a country name in cell "
                    f"{cell_ref(r, header.country_col)}"
                )
            stats["blank_rows"] += 1
            continue
        marked_heading = label in SUBREGIONS and _markers_only(v for _, _, v in year_values)
        if notes is None and not is_sipri_country(label) and (not has_values or marked_heading):
            if has_values:  # 2026 edition: East Asia's heading row in Current US$ holds "..."
                stats["heading_rows_with_markers"] += 1
            if label in REGIONS:
                region, subregion = label, None
            elif region is None:
                raise WorkbookLayoutError(
                    f"{where}, cell {cell_ref(r, header.country_col)}: heading {label!r} before "
                    f"any region heading; expected one of {', '.join(REGIONS)} first"
                )
            else:
                subregion = label
            stats["heading_rows"] += 1
            continue
        try:
            code = sipri_country_code(label)
        except UnknownCountryError as exc:
            raise WorkbookLayoutError(
                f"{where}, cell {cell_ref(r, header.country_col)}: {exc}"
            ) from None
        if region is None:
            raise WorkbookLayoutError(
                f"{where}, row {r + 1}: country {label!r} before any region heading"
            )
        if label in seen:
            raise WorkbookLayoutError(
                f"{where}, row {r + 1}: {label!r} appears twice (first at row {seen[label]})"
            )
        seen[label] = r + 1
        _check_notes(notes, footnotes, f"{where}, cell {cell_ref(r, header.notes_col)}")
        reporting = (
            _text(_value(row, header.reporting_year_col))
            if header.reporting_year_col is not None
            else None
        )
        stats["country_rows"] += 1
        country = {
            "country_name": label,
            "country_code": code,
            "region": region,
            "subregion": subregion,
            "notes": notes,
            "reporting_year_basis": reporting,
        }
        for c, year, value in year_values:
            cell = cell_ref(r, c)
            number = _number(value, f"{where}, cell {cell}", stats)
            if number is None:
                continue
            blue, red = _flags(row[c], palette, f"{where}, cell {cell}")
            records.append(
                {
                    **base,
                    **country,
                    "cell": cell,
                    "year": year,
                    "value": number * spec.scale,
                    "is_sipri_estimate": blue,
                    "is_highly_uncertain": red,
                }
            )
            stats["cells_value"] += 1


def _find_header(rows, where: str) -> _Header:
    """The first row holding ``Country`` and two or more year cells; every cell must be known."""
    for r, row in enumerate(rows[:_HEADER_SEARCH_ROWS]):
        values = [cell.value for cell in row]
        labels = {c: v.strip().lower() for c, v in enumerate(values) if isinstance(v, str)}
        years = [(c, parse_year(v)) for c, v in enumerate(values) if parse_year(v) is not None]
        if "country" not in labels.values() or len(years) < 2:
            continue
        country_col = notes_col = reporting_col = None
        blank_cols = []
        for c, value in enumerate(values):
            if parse_year(value) is not None:
                continue
            label = labels.get(c, "" if value is None else None)
            if label == "country" and country_col is None:
                country_col = c
            elif label == "notes" and notes_col is None:
                notes_col = c
            elif label == "reporting year" and reporting_col is None:
                reporting_col = c
            elif label == "":
                blank_cols.append(c)
            else:
                raise WorkbookLayoutError(
                    f"{where}, cell {cell_ref(r, c)}: unexpected header {value!r}; expected "
                    "'Country', 'Notes', 'Reporting year' or a year"
                )
        if notes_col is None:
            raise WorkbookLayoutError(
                f"{where}, row {r + 1}: header row has no 'Notes' column; expected "
                "'Country', 'Notes' and year columns"
            )
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
        return _Header(
            row=r,
            country_col=country_col,
            notes_col=notes_col,
            reporting_year_col=reporting_col,
            years=tuple((c, y.year) for c, y in years),
            blank_cols=tuple(blank_cols),
        )
    raise WorkbookLayoutError(
        f"{where}: no header row found in the first {_HEADER_SEARCH_ROWS} rows; expected a row "
        "with 'Country', 'Notes' and year cells (1949, 1950, ...)"
    )


def _check_price_base(preamble_rows, base_year: int | None, where: str) -> None:
    """The constant-price year in the sheet's own description must match its title."""
    if base_year is None:
        return
    for row in preamble_rows:
        for cell in row:
            match = _CONSTANT_TEXT.search(cell.value) if isinstance(cell.value, str) else None
            if match and int(match.group(1)) != base_year:
                raise WorkbookLayoutError(
                    f"{where}, cell {cell.coordinate}: text says constant {match.group(1)} "
                    f"prices but the sheet title says {base_year}"
                )


# --- cells -----------------------------------------------------------------------------------


def _value(row, col: int | None):
    if col is None or col >= len(row):
        return None
    return row[col].value


def _text(value) -> str | None:
    """A label cell as stripped text; ``None`` when empty."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _notes(value) -> str | None:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a bare footnote number stored as a number
    return _text(value)


def _markers_only(values) -> bool:
    """True when every cell is blank or a 'not data' marker (``...``, ``xxx``)."""
    return all(
        (text := _text(v)) is None or text in UNAVAILABLE or text in NOT_INDEPENDENT for v in values
    )


def _check_notes(notes: str | None, footnotes: dict[str, str], where: str) -> None:
    if notes is None:
        return
    tokens = _NOTE_TOKEN.findall(notes)
    unknown = [t for t in tokens if t not in footnotes]
    if unknown:
        raise WorkbookLayoutError(
            f"{where}: notes {notes!r} use footnote(s) {', '.join(map(repr, unknown))} that the "
            "Footnotes sheet does not define"
        )


def _number(value, where: str, stats: Counter) -> float | None:
    """A data cell: a number, or ``None`` for the 'not data' markers (counted); else an error."""
    if value is None:
        stats["cells_blank"] += 1
        return None
    if isinstance(value, str):
        text = value.strip()
        if text == "":
            stats["cells_blank"] += 1
        elif text in UNAVAILABLE:
            stats["cells_unavailable"] += 1
        elif text in NOT_INDEPENDENT:
            stats["cells_not_independent"] += 1
        else:
            raise WorkbookLayoutError(
                f"{where}: expected a number, '...' (unavailable) or 'xxx' (not independent), "
                f"found text {value!r}"
            )
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise WorkbookLayoutError(f"{where}: expected a number, found {value!r}")
    return float(value)


def _flags(cell, palette: list[str], where: str) -> tuple[bool, bool]:
    """``(is_sipri_estimate, is_highly_uncertain)`` from the font colour: blue, red."""
    color = cell.font.color if cell.font is not None else None
    if color is None or color.type == "auto":
        return False, False
    if color.type == "theme" and color.theme == _THEME_TEXT_1 and not color.tint:
        return False, False  # 2026 edition, 21 figures: Excel's default text colour (black)
    if color.type == "indexed":
        index = color.indexed
        if index in (64, 65):  # system foreground / background: the default text colour
            return False, False
        if not 0 <= index < len(palette):
            raise WorkbookLayoutError(f"{where}: font colour index {index} is not in the palette")
        rgb = palette[index]
    elif color.type == "rgb" and isinstance(color.rgb, str):
        rgb = color.rgb
    else:
        raise WorkbookLayoutError(
            f"{where}: font colour {color.type} {getattr(color, color.type, None)!r} not "
            "recognised; the legend reads blue = SIPRI estimate, red = highly uncertain"
        )
    rgb = rgb[-6:].upper()
    if rgb == _BLACK:
        return False, False
    if rgb == _BLUE:
        return True, False
    if rgb == _RED:
        return False, True
    raise WorkbookLayoutError(
        f"{where}: font colour #{rgb} on a figure; expected black, blue #{_BLUE} (SIPRI "
        f"estimate) or red #{_RED} (highly uncertain)"
    )


def _to_frame(records: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(records, columns=COLUMNS)
    frame["year"] = frame["year"].astype("int64")
    frame["price_base_year"] = frame["price_base_year"].astype("Int64")
    frame["value"] = frame["value"].astype("float64")
    frame["is_sipri_estimate"] = frame["is_sipri_estimate"].astype("bool")
    frame["is_highly_uncertain"] = frame["is_highly_uncertain"].astype("bool")
    # All-NULL in SIPRI's current files; typed as text so every edition gives the same schema.
    frame["reporting_year_basis"] = frame["reporting_year_basis"].astype("str")
    return frame
