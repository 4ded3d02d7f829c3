"""What each table of NATO's release workbook holds, found by titles rather than cell positions.

A table is recognised by its title (``Table 3 : ...`` in 2024, ``Table 3: ...`` from 2025); within
it, each block of rows by its section heading (``Share of real GDP (%)``). Patterns ignore the
price base year, so a release rebased to 2021 prices parses the same way; the year is read from
the heading and kept as data. A heading that matches nothing here stops the load: a changed layout
must fail loudly. Table 4 (a summary reprinting Tables 2 and 3 for two years) is optional, as no
source shows whether the 2025/2026 workbooks still print it; when present it is parsed as before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.sources.nato.frame import MEASURES


@dataclass(frozen=True)
class Measure:
    """One series: the block of rows under a section heading (or a whole table). Its unit and
    price basis are declared once, in :data:`pipeline.sources.nato.frame.MEASURES`."""

    pattern: str  # regex on the lower-cased heading; empty for a table without headings
    measure: str

    def matches(self, heading: str) -> bool:
        return re.search(self.pattern, heading.strip().lower()) is not None

    @property
    def unit(self) -> str:
        return MEASURES[self.measure].unit

    @property
    def uses_price_base(self) -> bool:
        return MEASURES[self.measure].uses_price_base


@dataclass(frozen=True)
class ColumnRule(Measure):
    """A non-year header cell (Table 4): its measure, and how to read the year from the header
    (``pattern`` is a regex on the lower-cased header whose group ``year`` gives the year)."""


@dataclass(frozen=True)
class TableSpec:
    table_id: str
    sections: tuple[Measure, ...]
    columns: tuple[ColumnRule, ...] = field(default_factory=tuple)
    required: bool = True  # a release without this table is not a complete release

    @property
    def has_sections(self) -> bool:
        return not (len(self.sections) == 1 and self.sections[0].pattern == "")


_PRICES = r"constant \d{4} prices"
_EXCHANGE = "and exchange rates"
# Each table's blocks: (regex on the lower-cased section heading, measure), in NATO's order.
_SECTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "1": (
        (r"^current prices$", "defence_exp_nac_current_m"),
        (rf"^{_PRICES}$", "defence_exp_nac_const_m"),
    ),
    "2": (
        (rf"^current prices {_EXCHANGE}$", "defence_exp_usd_current_m"),
        (rf"^{_PRICES} {_EXCHANGE}$", "defence_exp_usd_const_m"),
    ),
    "3": (
        (r"^share of real gdp \(%\)$", "defence_exp_share_gdp_pct"),
        (r"^annual real change \(%\)$", "defence_exp_real_change_pct"),
    ),
    "4": (("", "defence_exp_usd_const_m"),),
    "5": (
        (rf"^current prices {_EXCHANGE}$", "gdp_usd_current_m"),
        (rf"^{_PRICES} {_EXCHANGE}$", "gdp_usd_const_m"),
    ),
    "6": (
        (r"^gdp per capita \(thousand us dollars\)$", "gdp_per_capita_usd_const_k"),
        # "Core defence expenditure per capita" from the 2026 edition: the same series.
        (
            r"^(core )?defence expenditure per capita \(us dollars\)$",
            "defence_exp_per_capita_usd_const",
        ),
    ),
    "7": (("", "military_personnel_k"),),
    "8a": (
        (r"^equipment \(a\)$", "equipment_share_pct"),
        (r"^personnel \(b\)$", "personnel_share_pct"),
    ),
    "8b": (
        (r"^infrastructure \(c\)$", "infrastructure_share_pct"),
        (r"^other \(d\)$", "other_share_pct"),
    ),
}
# Table 4's non-year header cells (real change since the first year, share in a year).
_TABLE4_COLUMNS = (
    ColumnRule(
        r"^real change (?P<first>\d{4})-(?P<year>\d{4})e? \(%\)$",
        "defence_exp_real_change_cumulative_pct",
    ),
    ColumnRule(r"^share of real gdp (?P<year>\d{4})e? \(%\)$", "defence_exp_share_gdp_pct"),
)

TABLES: dict[str, TableSpec] = {
    table_id: TableSpec(
        table_id,
        tuple(Measure(pattern, measure) for pattern, measure in sections),
        _TABLE4_COLUMNS if table_id == "4" else (),
        required=table_id != "4",
    )
    for table_id, sections in _SECTIONS.items()
}

REQUIRED_TABLES = tuple(table_id for table_id, spec in TABLES.items() if spec.required)
