"""SIPRI's footnotes: the ``Footnotes`` sheet read into symbol -> meaning, and notes checked.

A country row's Notes cell holds footnote symbols as printed (``"§‖1"``); every symbol must be one
the Footnotes sheet defines, so a new footnote cannot pass unexplained.
"""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.sources.workbook import WorkbookLayoutError, cell_ref, open_workbook

_FOOTNOTES_TITLE = re.compile(r"^\s*foot\s*notes\s*$", re.IGNORECASE)
_NOTE_TOKEN = re.compile(r"\d+|\S")


def read_footnotes(path: Path) -> dict[str, str]:
    """SIPRI's footnotes, symbol (``"§"``) or number (``"16"``) -> meaning, from sheet Footnotes."""
    path = Path(path)
    with open_workbook(path) as book:
        return book_footnotes(book, path)


def book_footnotes(book, path: Path) -> dict[str, str]:
    """The footnotes of an open workbook; the ``Footnotes`` sheet is required."""
    return _sheet_footnotes(_footnotes_sheet(book, path), path)


def check_notes(notes: str | None, footnotes: dict[str, str], where: str) -> None:
    """Every symbol in a Notes cell must be defined on the Footnotes sheet."""
    if notes is None:
        return
    tokens = _NOTE_TOKEN.findall(notes)
    unknown = [t for t in tokens if t not in footnotes]
    if unknown:
        raise WorkbookLayoutError(
            f"{where}: notes {notes!r} use footnote(s) {', '.join(map(repr, unknown))} that the "
            "Footnotes sheet does not define"
        )


def _footnotes_sheet(book, path: Path):
    for sheet in book.worksheets:
        if _FOOTNOTES_TITLE.match(sheet.title):
            return sheet
    raise WorkbookLayoutError(
        f"{path.name}: required sheet 'Footnotes' not found; sheets present: "
        f"{', '.join(repr(s.title) for s in book.worksheets)}"
    )


def _sheet_footnotes(sheet, path: Path) -> dict[str, str]:
    """Rows ``symbol | meaning`` (``†``) or ``number | | text`` (``16``), up to the country list."""
    where = f"{path.name}, sheet {sheet.title}"
    notes: dict[str, str] = {}
    for r, row in enumerate(sheet.iter_rows(values_only=True)):
        if not row:
            continue
        key = row[0]
        if isinstance(key, str) and key.strip().lower() == "country":
            break  # the list of countries and their symbols that closes the sheet
        symbol = _symbol(key, f"{where}, cell {cell_ref(r, 0)}")
        if symbol is None:
            continue  # titles and running text ("The following special notes are used ...")
        texts = [v.strip() for v in row[1:] if isinstance(v, str) and v.strip()]
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


def _symbol(key, where: str) -> str | None:
    """A footnote's symbol from column A: a whole number or up to three characters; else None."""
    if isinstance(key, int | float) and not isinstance(key, bool):
        if not float(key).is_integer():
            raise WorkbookLayoutError(f"{where}: footnote {key!r}")
        return str(int(key))
    if isinstance(key, str) and 0 < len(key.strip()) <= 3:
        return key.strip()
    return None
