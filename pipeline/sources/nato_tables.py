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

from pipeline.sources.nato_frame import MEASURES


@dataclass(frozen=True)
class Measure:
    """One series: the block of rows under a section heading (or a whole table). Its unit and
    price basis are declared once, in :data:`pipeline.sources.nato_frame.MEASURES`."""

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
TABLES: dict[str, TableSpec] = {
    spec.table_id: spec
    for spec in (
        TableSpec(
            "1",
            (
                Measure(r"^current prices$", "defence_exp_nac_current_m"),
                Measure(rf"^{_PRICES}$", "defence_exp_nac_const_m"),
            ),
        ),
        TableSpec(
            "2",
            (
                Measure(r"^current prices and exchange rates$", "defence_exp_usd_current_m"),
                Measure(rf"^{_PRICES} and exchange rates$", "defence_exp_usd_const_m"),
            ),
        ),
        TableSpec(
            "3",
            (
                Measure(r"^share of real gdp \(%\)$", "defence_exp_share_gdp_pct"),
                Measure(r"^annual real change \(%\)$", "defence_exp_real_change_pct"),
            ),
        ),
        TableSpec(
            "4",
            (Measure("", "defence_exp_usd_const_m"),),
            (
                ColumnRule(
                    r"^real change (?P<first>\d{4})-(?P<year>\d{4})e? \(%\)$",
                    "defence_exp_real_change_cumulative_pct",
                ),
                ColumnRule(
                    r"^share of real gdp (?P<year>\d{4})e? \(%\)$", "defence_exp_share_gdp_pct"
                ),
            ),
            required=False,
        ),
        TableSpec(
            "5",
            (
                Measure(r"^current prices and exchange rates$", "gdp_usd_current_m"),
                Measure(rf"^{_PRICES} and exchange rates$", "gdp_usd_const_m"),
            ),
        ),
        TableSpec(
            "6",
            (
                Measure(r"^gdp per capita \(thousand us dollars\)$", "gdp_per_capita_usd_const_k"),
                # "Core defence expenditure per capita" from the 2026 edition: the same series.
                Measure(
                    r"^(core )?defence expenditure per capita \(us dollars\)$",
                    "defence_exp_per_capita_usd_const",
                ),
            ),
        ),
        TableSpec("7", (Measure("", "military_personnel_k"),)),
        TableSpec(
            "8a",
            (
                Measure(r"^equipment \(a\)$", "equipment_share_pct"),
                Measure(r"^personnel \(b\)$", "personnel_share_pct"),
            ),
        ),
        TableSpec(
            "8b",
            (
                Measure(r"^infrastructure \(c\)$", "infrastructure_share_pct"),
                Measure(r"^other \(d\)$", "other_share_pct"),
            ),
        ),
    )
}

REQUIRED_TABLES = tuple(table_id for table_id, spec in TABLES.items() if spec.required)
