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


@dataclass(frozen=True)
class Measure:
    """One series: the block of rows under a section heading (or a whole table)."""

    pattern: str  # regex on the lower-cased heading; empty for a table without headings
    measure: str
    unit: str
    uses_price_base: bool = False

    def matches(self, heading: str) -> bool:
        return re.search(self.pattern, heading.strip().lower()) is not None


@dataclass(frozen=True)
class ColumnRule:
    """A non-year header cell (Table 4): its measure, and how to read the year from the header."""

    pattern: str  # regex on the lower-cased header; group ``year`` gives the year
    measure: str
    unit: str
    uses_price_base: bool = False


@dataclass(frozen=True)
class TableSpec:
    table_id: str
    sections: tuple[Measure, ...]
    columns: tuple[ColumnRule, ...] = field(default_factory=tuple)
    required: bool = True  # a release without this table is not a complete release

    @property
    def has_sections(self) -> bool:
        return not (len(self.sections) == 1 and self.sections[0].pattern == "")


_M_NAC = "million national currency units"
_M_USD = "million US dollars"
_PCT_DEF = "percent of defence expenditure"

TABLES: dict[str, TableSpec] = {
    spec.table_id: spec
    for spec in (
        TableSpec(
            "1",
            (
                Measure(r"^current prices$", "defence_exp_nac_current_m", _M_NAC),
                Measure(r"^constant \d{4} prices$", "defence_exp_nac_const_m", _M_NAC, True),
            ),
        ),
        TableSpec(
            "2",
            (
                Measure(
                    r"^current prices and exchange rates$", "defence_exp_usd_current_m", _M_USD
                ),
                Measure(
                    r"^constant \d{4} prices and exchange rates$",
                    "defence_exp_usd_const_m",
                    _M_USD,
                    True,
                ),
            ),
        ),
        TableSpec(
            "3",
            (
                Measure(
                    r"^share of real gdp \(%\)$",
                    "defence_exp_share_gdp_pct",
                    "percent of real GDP",
                    True,
                ),
                Measure(
                    r"^annual real change \(%\)$",
                    "defence_exp_real_change_pct",
                    "percent change on previous year, constant prices",
                    True,
                ),
            ),
        ),
        TableSpec(
            "4",
            (Measure("", "defence_exp_usd_const_m", _M_USD, True),),
            (
                ColumnRule(
                    r"^real change (?P<first>\d{4})-(?P<year>\d{4})e? \(%\)$",
                    "defence_exp_real_change_cumulative_pct",
                    "percent change since the table's first year, constant prices",
                    True,
                ),
                ColumnRule(
                    r"^share of real gdp (?P<year>\d{4})e? \(%\)$",
                    "defence_exp_share_gdp_pct",
                    "percent of real GDP",
                    True,
                ),
            ),
            required=False,
        ),
        TableSpec(
            "5",
            (
                Measure(r"^current prices and exchange rates$", "gdp_usd_current_m", _M_USD),
                Measure(
                    r"^constant \d{4} prices and exchange rates$", "gdp_usd_const_m", _M_USD, True
                ),
            ),
        ),
        TableSpec(
            "6",
            (
                Measure(
                    r"^gdp per capita \(thousand us dollars\)$",
                    "gdp_per_capita_usd_const_k",
                    "thousand US dollars per person, constant prices",
                    True,
                ),
                Measure(
                    # 2026 says "Core defence expenditure per capita": same series, new definition.
                    r"^(core )?defence expenditure per capita \(us dollars\)$",
                    "defence_exp_per_capita_usd_const",
                    "US dollars per person, constant prices",
                    True,
                ),
            ),
        ),
        TableSpec("7", (Measure("", "military_personnel_k", "thousand persons"),)),
        TableSpec(
            "8a",
            (
                Measure(r"^equipment \(a\)$", "equipment_share_pct", _PCT_DEF),
                Measure(r"^personnel \(b\)$", "personnel_share_pct", _PCT_DEF),
            ),
        ),
        TableSpec(
            "8b",
            (
                Measure(r"^infrastructure \(c\)$", "infrastructure_share_pct", _PCT_DEF),
                Measure(r"^other \(d\)$", "other_share_pct", _PCT_DEF),
            ),
        ),
    )
}

REQUIRED_TABLES = tuple(table_id for table_id, spec in TABLES.items() if spec.required)
