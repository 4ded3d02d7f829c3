"""The long frame every NATO parser produces, and the public pieces to build it.

Whatever a release looks like (NATO's own workbook, a derived CSV of one table, a long export of
all of them), its parser yields one record per printed figure in these ``COLUMNS``, so every
vintage flows through one staging model. ``MEASURES`` declares each series once: its NATO table,
unit, and whether it is priced at the release's base year.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from pipeline.sources.countries import NATO_AGGREGATES, canonical_name, nato_country_code
from pipeline.sources.workbook import WorkbookLayoutError

COLUMNS = [
    "release_id",
    "source_file",
    "sheet",
    "table_id",
    "table_title",
    "section",
    "cell",
    "country_label",
    "country_name",
    "country_code",
    "is_aggregate",
    "has_national_2pct_law",
    "currency",
    "year",
    "is_estimate",
    "measure",
    "unit",
    "price_base_year",
    "value",
    "cell_status",
]


@dataclass(frozen=True)
class SeriesSpec:
    """One NATO series: the table that prints it, its unit, and whether it is in constant prices."""

    table_id: str
    unit: str
    uses_price_base: bool = False


_M_NAC = "million national currency units"
_M_USD = "million US dollars"
_PCT_DEF = "percent of defence expenditure"

MEASURES: dict[str, SeriesSpec] = {
    "defence_exp_nac_current_m": SeriesSpec("1", _M_NAC),
    "defence_exp_nac_const_m": SeriesSpec("1", _M_NAC, True),
    "defence_exp_usd_current_m": SeriesSpec("2", _M_USD),
    "defence_exp_usd_const_m": SeriesSpec("2", _M_USD, True),
    "defence_exp_share_gdp_pct": SeriesSpec("3", "percent of real GDP", True),
    "defence_exp_real_change_pct": SeriesSpec(
        "3", "percent change on previous year, constant prices", True
    ),
    # Table 4 only: real change since the table's first year, beside Tables 2 and 3's figures.
    "defence_exp_real_change_cumulative_pct": SeriesSpec(
        "4", "percent change since the table's first year, constant prices", True
    ),
    "gdp_usd_current_m": SeriesSpec("5", _M_USD),
    "gdp_usd_const_m": SeriesSpec("5", _M_USD, True),
    "gdp_per_capita_usd_const_k": SeriesSpec(
        "6", "thousand US dollars per person, constant prices", True
    ),
    "defence_exp_per_capita_usd_const": SeriesSpec(
        "6", "US dollars per person, constant prices", True
    ),
    "military_personnel_k": SeriesSpec("7", "thousand persons"),
    "equipment_share_pct": SeriesSpec("8a", _PCT_DEF),
    "personnel_share_pct": SeriesSpec("8a", _PCT_DEF),
    "infrastructure_share_pct": SeriesSpec("8b", _PCT_DEF),
    "other_share_pct": SeriesSpec("8b", _PCT_DEF),
}


@dataclass
class ParseResult:
    """The tidy frame and what the load should report about it."""

    frame: pd.DataFrame
    stats: dict = field(default_factory=dict)


def country_fields(name: str, label: str, where: str, **extra) -> dict:
    """The country columns of a record for an ally or aggregate printed as ``name``.

    ``label`` is the text as the file prints it (kept for tracing); an unknown name is an error
    naming ``where``, never a guess. The name is taken in Unicode's composed form (NFC).
    """
    name = canonical_name(name)
    try:
        code = nato_country_code(name)
    except KeyError:
        raise WorkbookLayoutError(
            f"{where}: unknown country {name!r}; rule: every row must be a NATO ally or aggregate "
            "listed in pipeline/sources/countries.py"
        ) from None
    return {
        "country_label": label,
        "country_name": name,
        "country_code": code,
        "is_aggregate": name in NATO_AGGREGATES,
        # NULL unless the parser reads NATO's '*': derived copies without it say nothing.
        "has_national_2pct_law": None,
        "currency": None,
        **extra,
    }


def series_fields(measure: str, price_base_year: int | None, where: str) -> dict:
    """The table, measure, unit and price base columns of a record of ``measure``."""
    spec = MEASURES.get(measure)
    if spec is None:
        raise WorkbookLayoutError(
            f"{where}: unknown measure {measure!r}; expected one of {', '.join(MEASURES)}"
        )
    return {
        "table_id": spec.table_id,
        "measure": measure,
        "unit": spec.unit,
        "price_base_year": price_base_year if spec.uses_price_base else None,
    }


def to_frame(records: list[dict]) -> pd.DataFrame:
    """The records as the typed long frame (``COLUMNS``, in order)."""
    frame = pd.DataFrame.from_records(records, columns=COLUMNS)
    # The '*' is printed only in Tables 1-3; it is a fact about the ally in this release. A file
    # that never says (every record NULL) leaves it unknown.
    stars = frame["has_national_2pct_law"].astype("boolean")
    if stars.notna().any():
        starred = set(frame.loc[stars.fillna(False), "country_name"])
        stars = frame["country_name"].isin(starred).astype("boolean")
    frame["has_national_2pct_law"] = stars
    frame["year"] = frame["year"].astype("int64")
    frame["is_estimate"] = frame["is_estimate"].astype("boolean")
    frame["price_base_year"] = frame["price_base_year"].astype("Int64")
    frame["value"] = frame["value"].astype("float64")
    return frame[COLUMNS]
