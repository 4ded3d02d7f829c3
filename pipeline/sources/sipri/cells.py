"""Read one cell of a SIPRI country sheet: label text, footnote symbols, a figure, its font colour.

``is_sipri_estimate`` / ``is_highly_uncertain`` come from the font colour of the cell, per the
sheet legend "Figures in blue are SIPRI estimates. Figures in red indicate highly uncertain
data." SIPRI's files use the indexed colours 12 (``0000FF``) and 10 (``FF0000``); colours are
resolved to RGB through the workbook's palette, and any other colour on a number is an error.
Black (indexed 8), the theme's text colour (theme 1, untinted) and no colour mean an ordinary
figure.
"""

from __future__ import annotations

from openpyxl.styles.colors import COLOR_INDEX

from pipeline.sources.workbook import WorkbookLayoutError

# "data unavailable": the legend prints "..." (2024, 2025 editions) or ". ." (2026 edition v1.2,
# which also types 85 cells as the one-character ellipsis U+2026 on two of its sheets).
UNAVAILABLE = frozenset({"...", ". .", "..", ". . .", "\u2026"})
NOT_INDEPENDENT = frozenset({"xxx"})  # "country did not exist or was not independent"

# What a data cell can hold; ``cells_<kind>`` is its count in the parse stats.
CELL_KINDS = ("value", "unavailable", "not_independent", "blank")

_BLUE, _RED, _BLACK = "0000FF", "FF0000", "000000"
_THEME_TEXT_1 = 1  # theme colour "Text 1" (dk1, the system window text colour: black)


def cell_value(row, col: int | None):
    """The value at column ``col`` of a row of cells; ``None`` past its end or for no column."""
    if col is None or col >= len(row):
        return None
    return row[col].value


def text(value) -> str | None:
    """A label cell as stripped text; ``None`` when empty."""
    if value is None:
        return None
    stripped = str(value).strip()
    return stripped or None


def notes_text(value) -> str | None:
    """A Notes cell as text (``"§‖1"``); ``None`` when empty."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a bare footnote number stored as a number
    return text(value)


def markers_only(values) -> bool:
    """True when every cell is blank or a 'not data' marker (``...``, ``xxx``)."""
    return all((t := text(v)) is None or t in UNAVAILABLE or t in NOT_INDEPENDENT for v in values)


def classify(value, where: str) -> tuple[str, float | None]:
    """A data cell as ``(kind, number)``: kind is one of :data:`CELL_KINDS`; the number is set
    only for ``value``. Text other than a 'not data' marker is an error naming ``where``."""
    if value is None:
        return "blank", None
    if isinstance(value, str):
        stripped = value.strip()
        if stripped == "":
            return "blank", None
        if stripped in UNAVAILABLE:
            return "unavailable", None
        if stripped in NOT_INDEPENDENT:
            return "not_independent", None
        raise WorkbookLayoutError(
            f"{where}: expected a number, '...' (unavailable) or 'xxx' (not independent), "
            f"found text {value!r}"
        )
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise WorkbookLayoutError(f"{where}: expected a number, found {value!r}")
    return "value", float(value)


def palette(book) -> list[str]:
    """The workbook's indexed colours (its own palette if it has one, else Excel's default)."""
    return list(getattr(book, "_colors", None) or COLOR_INDEX)


def flags(cell, colours: list[str], where: str) -> tuple[bool, bool]:
    """``(is_sipri_estimate, is_highly_uncertain)`` from the font colour: blue, red."""
    rgb = _font_rgb(cell, colours, where)
    if rgb is None or rgb == _BLACK:
        return False, False
    if rgb == _BLUE:
        return True, False
    if rgb == _RED:
        return False, True
    raise WorkbookLayoutError(
        f"{where}: font colour #{rgb} on a figure; expected black, blue #{_BLUE} (SIPRI "
        f"estimate) or red #{_RED} (highly uncertain)"
    )


def _font_rgb(cell, colours: list[str], where: str) -> str | None:
    """The font colour as ``RRGGBB``; ``None`` for the default text colour."""
    color = cell.font.color if cell.font is not None else None
    if color is None or color.type == "auto":
        return None
    if color.type == "theme" and color.theme == _THEME_TEXT_1 and not color.tint:
        return None  # 2026 edition, 21 figures: Excel's default text colour (black)
    if color.type == "indexed":
        index = color.indexed
        if index in (64, 65):  # system foreground / background: the default text colour
            return None
        if not 0 <= index < len(colours):
            raise WorkbookLayoutError(f"{where}: font colour index {index} is not in the palette")
        return colours[index][-6:].upper()
    if color.type == "rgb" and isinstance(color.rgb, str):
        return color.rgb[-6:].upper()
    raise WorkbookLayoutError(
        f"{where}: font colour {color.type} {getattr(color, color.type, None)!r} not "
        "recognised; the legend reads blue = SIPRI estimate, red = highly uncertain"
    )
