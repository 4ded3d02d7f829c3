"""Parsers for NATO editions that reach us as faithful text copies of their tables.

NATO's own 2025 and 2026 workbooks could not be obtained; copies of their tables could (see each
file's sidecar and ``../shared/data/SOURCES.md``). Both parsers yield the long frame of
:mod:`pipeline.sources.nato.frame`, so these vintages flow through the same staging model as the
workbook. ``cell`` is ``line N, column C`` of the CSV, so every figure traces back to the file.

- ``nato_wide_csv``: one NATO series per file (the August 2025 edition is seven such files), a
  ``country`` column then one column per year, ``2024e``-style headers for estimates. The sidecar
  names the series (``measure``) and the NATO block it reproduces (``section``).
- ``nato_long_csv``: every series of an edition in one long file (``geo``, ``country``, ``year``,
  ``estimate``, ``measure``, ``value``), as exported from the July 2026 workbook with Eurostat geo
  codes and Italian country names; ``SOURCE_MEASURES`` maps its series names to ours.

An empty cell is NULL (NATO printed nothing: Germany's 2025 estimate in the 2025 edition); text
where a number belongs, an unknown country, series or header is an error naming file and line.
"""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.sources.countries import EUROSTAT_GEO_NAMES
from pipeline.sources.csv_rows import csv_number, read_csv
from pipeline.sources.nato.frame import ParseResult, country_fields, series_fields, to_frame
from pipeline.sources.workbook import WorkbookLayoutError, parse_year

# The 2026 export's series (Table 1-8b of the core-defence edition) -> our measure names. The
# export spells the price base into the name (``_2021_``); it must equal the sidecar's.
SOURCE_MEASURES = {
    "core_nat_currency_current_m": "defence_exp_nac_current_m",
    "core_nat_currency_2021_m": "defence_exp_nac_const_m",
    "core_usd_current_m": "defence_exp_usd_current_m",
    "core_usd_2021_m": "defence_exp_usd_const_m",
    "core_share_gdp": "defence_exp_share_gdp_pct",
    "core_real_change_pct": "defence_exp_real_change_pct",
    "gdp_usd_current_m": "gdp_usd_current_m",
    "gdp_usd_2021_m": "gdp_usd_const_m",
    "gdp_per_capita_2021_kusd": "gdp_per_capita_usd_const_k",
    "core_per_capita_2021_usd": "defence_exp_per_capita_usd_const",
    "personnel_k": "military_personnel_k",
    "equipment_share_pct": "equipment_share_pct",
    "personnel_share_pct": "personnel_share_pct",
    "infrastructure_share_pct": "infrastructure_share_pct",
    "other_share_pct": "other_share_pct",
}
_NAMED_BASE_YEAR = re.compile(r"_(\d{4})_")
_LONG_HEADER = ["geo", "country", "year", "estimate", "measure", "value"]


def parse_wide_csv(path: Path, release_id: str, meta: dict) -> ParseResult:
    """One series of an edition: ``country`` then a column per year (``2025e`` = estimate)."""
    header, body = _read_rows(path)
    if not header or header[0] != "country":
        raise WorkbookLayoutError(f"{path.name}, line 1: first column must be 'country'")
    years = [
        _year_header(value, f"{path.name}, line 1, column {c + 1}")
        for c, value in enumerate(header[1:], start=1)
    ]
    _check_estimate_years(path, meta, {y.year for y in years if y.is_estimate})
    series = series_fields(meta["measure"], int(meta["price_base_year"]), path.name)
    base = _base(path, release_id, meta, section=meta.get("section") or meta["measure"])
    records = []
    for line, row in enumerate(body, start=2):
        where = f"{path.name}, line {line}"
        if len(row) != len(header):
            raise WorkbookLayoutError(f"{where}: {len(row)} fields, header has {len(header)}")
        country = country_fields(row[0].strip(), row[0], where)
        for column, (year, raw) in enumerate(zip(years, row[1:], strict=True), start=1):
            value, status = csv_number(raw, f"{where}, column {column + 1} ({header[column]})")
            records.append(
                {
                    **base,
                    **country,
                    **series,
                    "cell": f"line {line}, column {column + 1}",
                    "year": year.year,
                    "is_estimate": year.is_estimate,
                    "value": value,
                    "cell_status": status,
                }
            )
    return ParseResult(frame=to_frame(records), stats={"rows": len(records), "lines": len(body)})


def parse_long_csv(path: Path, release_id: str, meta: dict) -> ParseResult:
    """Every series of an edition in long form, with Eurostat geo codes (see the docstring)."""
    header, body = _read_rows(path)
    if header != _LONG_HEADER:
        raise WorkbookLayoutError(
            f"{path.name}, line 1: header {header} is not {_LONG_HEADER} (rule: known layout)"
        )
    base_year = int(meta["price_base_year"])
    base = _base(path, release_id, meta, section=None)
    records, estimate_years = [], set()
    for line, row in enumerate(body, start=2):
        where = f"{path.name}, line {line}"
        if len(row) != len(_LONG_HEADER):
            raise WorkbookLayoutError(f"{where}: {len(row)} fields, header has {len(header)}")
        geo, label, year_text, estimate, source_measure, raw = row
        name = EUROSTAT_GEO_NAMES.get(geo)
        if name is None:
            raise WorkbookLayoutError(f"{where}: unknown geo code {geo!r}")
        year = _year_header(year_text, where)
        is_estimate = _bool(estimate, where)
        if is_estimate:
            estimate_years.add(year.year)
        value, status = csv_number(raw, f"{where}, column value")
        records.append(
            {
                **base,
                **country_fields(name, label, where),
                "section": source_measure,
                **series_fields(_measure(source_measure, base_year, where), base_year, where),
                "cell": f"line {line}",
                "year": year.year,
                "is_estimate": is_estimate,
                "value": value,
                "cell_status": status,
            }
        )
    _check_estimate_years(path, meta, estimate_years)
    return ParseResult(frame=to_frame(records), stats={"rows": len(records), "lines": len(body)})


def _read_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    rows = [row for row in read_csv(path) if row]
    if len(rows) < 2:
        raise WorkbookLayoutError(f"{path.name}: no data rows")
    return rows[0], rows[1:]


def _base(path: Path, release_id: str, meta: dict, section: str | None) -> dict:
    return {
        "release_id": release_id,
        "source_file": path.name,
        "sheet": path.stem,
        "table_title": meta.get("table_title"),
        "section": section,
    }


def _year_header(value: str, where: str):
    year = parse_year(value)
    if year is None:
        raise WorkbookLayoutError(f"{where}: {value!r} is not a year like 2024 or 2025e")
    return year


def _bool(text: str, where: str) -> bool:
    if text not in ("True", "False"):
        raise WorkbookLayoutError(f"{where}: estimate {text!r} is not True or False")
    return text == "True"


def _measure(source_measure: str, base_year: int, where: str) -> str:
    measure = SOURCE_MEASURES.get(source_measure)
    if measure is None:
        raise WorkbookLayoutError(
            f"{where}: unknown series {source_measure!r}; expected one of "
            f"{', '.join(SOURCE_MEASURES)}"
        )
    named = _NAMED_BASE_YEAR.search(source_measure)
    if named and int(named.group(1)) != base_year:
        raise WorkbookLayoutError(
            f"{where}: series {source_measure!r} is in {named.group(1)} prices, but the sidecar "
            f"says price_base_year {base_year} (rule: one price base per release)"
        )
    return measure


def _check_estimate_years(path: Path, meta: dict, found: set[int]) -> None:
    """The years the file marks as estimates must be the ones the sidecar records."""
    recorded = set(meta.get("estimate_years") or [])
    if found != recorded:
        raise WorkbookLayoutError(
            f"{path.name}: estimate years {sorted(found)} differ from the sidecar's "
            f"estimate_years {sorted(recorded)} (rule: estimates as published)"
        )
