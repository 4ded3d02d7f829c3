"""What a SIPRI Military Expenditure workbook holds: its five country sheets and their regions.

Sheets are found by title pattern, not by name, so ``Constant (2024) US$`` (2026 edition) is found
where ``Constant (2023) US$`` was; the year in that title is the constant measure's price base,
and the sheet's own description must agree with it (:func:`check_price_base`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.sources.workbook import WorkbookLayoutError

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

_CONSTANT_TEXT = re.compile(r"constant\s*\(?\s*(\d{4})\s*\)?", re.IGNORECASE)


@dataclass(frozen=True)
class SheetSpec:
    """One country sheet: its title pattern, the measure it holds, and how to scale its cells."""

    title: re.Pattern
    description: str  # what the error says was expected
    measure: str
    unit: str
    scale: float  # shares are stored as fractions formatted 0.00%: x 100
    has_price_base: bool = False


SHEETS = (
    SheetSpec(
        re.compile(r"^\s*constant\s*\(\s*(?P<base>\d{4})\s*\)\s*US\s*\$\s*$", re.IGNORECASE),
        "'Constant (YYYY) US$'",
        "spending_usd_const_m",
        "million US dollars, constant prices",
        1.0,
        has_price_base=True,
    ),
    SheetSpec(
        re.compile(r"^\s*current\s+US\s*\$\s*$", re.IGNORECASE),
        "'Current US$'",
        "spending_usd_m",
        "million US dollars, current prices",
        1.0,
    ),
    SheetSpec(
        re.compile(r"^\s*share\s+of\s+GDP\s*$", re.IGNORECASE),
        "'Share of GDP'",
        "share_gdp_pct",
        "percent of GDP",
        100.0,
    ),
    SheetSpec(
        re.compile(r"^\s*per\s+capita\s*$", re.IGNORECASE),
        "'Per capita'",
        "per_capita_usd",
        "US dollars per person, current prices",
        1.0,
    ),
    SheetSpec(
        re.compile(r"^\s*share\s+of\s+govt\.?\s+spending\s*$", re.IGNORECASE),
        "'Share of Govt. spending'",
        "share_govt_spending_pct",
        "percent of general government expenditure",
        100.0,
    ),
)


@dataclass(frozen=True)
class FoundSheet:
    """A workbook sheet matched to its spec, with the price base its title names (constant only)."""

    spec: SheetSpec
    sheet: object  # openpyxl worksheet
    base_year: int | None


def find_sheets(book, path: Path) -> list[FoundSheet]:
    """Each of :data:`SHEETS`, in that order; a missing or ambiguous sheet is an error."""
    return [_find_sheet(book, spec, path) for spec in SHEETS]


def _find_sheet(book, spec: SheetSpec, path: Path) -> FoundSheet:
    titles = [sheet.title for sheet in book.worksheets]
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
    base_year = int(spec.title.match(sheet.title).group("base")) if spec.has_price_base else None
    return FoundSheet(spec, sheet, base_year)


def check_price_base(preamble_rows, base_year: int | None, where: str) -> None:
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
