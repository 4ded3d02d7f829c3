"""Reading the publishers' CSV copies: the file as rows of text, a field as a number.

Shared by every CSV parser (:mod:`pipeline.sources.nato.edition_csv`,
:mod:`pipeline.sources.nato.derived`) so a figure is read one way whichever copy it came from.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection
from pathlib import Path

from pipeline.sources.workbook import EXCEL_ERRORS, WorkbookLayoutError, check_size


def read_csv(path: Path) -> list[list[str]]:
    """Every row of the CSV at ``path`` (size checked; UTF-8, with or without a BOM)."""
    check_size(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise WorkbookLayoutError(f"{path.name}: not UTF-8 text ({exc})") from exc
    return list(csv.reader(io.StringIO(text)))


def csv_number(
    raw: str, where: str, *, missing: Collection[str] = ("",), excel_errors: bool = False
) -> tuple[float | None, str]:
    """A CSV figure as ``(value, status)``: status is ``value``, ``blank`` or ``excel_error``.

    A field in ``missing`` (after stripping) is ``blank``; with ``excel_errors`` a copied
    ``#REF!`` keeps its status as in the workbook. Any other text is an error at ``where``:
    guessing would publish a wrong number.
    """
    text = raw.strip()
    if text in missing:
        return None, "blank"
    if excel_errors and text in EXCEL_ERRORS:
        return None, "excel_error"
    try:
        return float(text), "value"
    except ValueError:
        raise WorkbookLayoutError(f"{where}: expected a number, found text {raw!r}") from None
