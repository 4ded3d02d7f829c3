"""Small helpers for reading publisher workbooks: opening one, year headers, labels, cell values.

Kept apart from any one publisher so each parser reads as a description of its source.
"""

from __future__ import annotations

import re
import warnings
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import openpyxl
from openpyxl.utils import get_column_letter

# NATO's workbook is 0.2 MB and SIPRI's under 1 MB; anything far larger is not a release.
MAX_WORKBOOK_BYTES = 25 * 1024 * 1024
# An .xlsx is a zip: cap what it would expand to, so a zip bomb never reaches openpyxl.
# SIPRI's 0.9 MB workbook expands to 3.7 MB.
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
EXCEL_ERRORS = frozenset({"#REF!", "#N/A", "#DIV/0!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!"})
_YEAR = re.compile(r"^\s*(\d{4})\s*(e?)\s*$", re.IGNORECASE)


class WorkbookLayoutError(ValueError):
    """The workbook is not laid out as its parser expects; the message names file, sheet, cell."""


@dataclass(frozen=True)
class YearHeader:
    year: int
    is_estimate: bool


def cell_ref(row_index: int, col_index: int) -> str:
    """Excel reference ("D42") of a 0-based row and column."""
    return f"{get_column_letter(col_index + 1)}{row_index + 1}"


def parse_year(value: object) -> YearHeader | None:
    """``2014`` -> 2014; ``"2023e"`` -> 2023 estimate; anything else -> ``None``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and float(value).is_integer() and 1900 <= value <= 2100:
        return YearHeader(int(value), False)
    if isinstance(value, str) and (match := _YEAR.match(value)):
        year = int(match.group(1))
        return YearHeader(year, match.group(2) != "") if 1900 <= year <= 2100 else None
    return None


def is_blank(value: object) -> bool:
    """An empty cell (``None`` or whitespace): the one kind of missing figure read as NULL."""
    return value is None or (isinstance(value, str) and value.strip() == "")


def read_number(value: object, where: str) -> tuple[float | None, str]:
    """A numeric cell as ``(value, status)``: status is ``value``, ``blank`` or ``excel_error``.

    Text in a numeric cell (``"2,1"``, ``"n/a"``) is an error, not a NULL: it means the layout or
    the locale changed, and guessing would publish a wrong number. That holds for markers such as
    ``..`` or ``-`` too: NATO may print ``-`` for nil (zero), so reading it as NULL is a guess.
    """
    if is_blank(value):
        return None, "blank"
    if isinstance(value, str) and value.strip() in EXCEL_ERRORS:
        return None, "excel_error"
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise WorkbookLayoutError(f"{where}: expected a number, found text {value!r}")
    return float(value), "value"


def check_size(path: Path, limit: int = MAX_WORKBOOK_BYTES) -> None:
    """Refuse an empty or oversized file (or a zip that expands too far) before parsing."""
    size = path.stat().st_size
    if size == 0:
        raise WorkbookLayoutError(f"{path}: file is empty")
    if size > limit:
        raise WorkbookLayoutError(
            f"{path}: {size} bytes exceeds the {limit}-byte limit for a workbook"
        )
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            expanded = sum(member.file_size for member in archive.infolist())
        if expanded > MAX_UNCOMPRESSED_BYTES:
            raise WorkbookLayoutError(
                f"{path}: expands to {expanded} bytes, over the {MAX_UNCOMPRESSED_BYTES}-byte "
                "limit for a workbook (rule: no zip bombs)"
            )


@contextmanager
def open_workbook(path: Path) -> Iterator[openpyxl.Workbook]:
    """The workbook at ``path`` (cached values, not formulas), closed when the block ends.

    The size is checked first (:func:`check_size`); a file openpyxl cannot read (HTML saved as
    .xlsx, a truncated zip) is a :class:`WorkbookLayoutError` saying "not a readable .xlsx
    workbook". Read-only mode: rows are streamed, sheets not read are skipped, and each cell still
    has its font (SIPRI's flags are font colours).
    """
    book = _load(Path(path))
    try:
        yield book
    finally:
        book.close()


def _load(path: Path) -> openpyxl.Workbook:
    check_size(path)
    try:
        with warnings.catch_warnings():
            # SIPRI's files have no default cell style; openpyxl says so and applies its own.
            warnings.filterwarnings("ignore", message="Workbook contains no default style")
            return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise WorkbookLayoutError(f"{path}: not a readable .xlsx workbook ({exc})") from exc
