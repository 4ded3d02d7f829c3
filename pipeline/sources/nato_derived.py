"""Parsers for NATO releases that survive only as derived tables (no original workbook).

They produce the same long frame as :func:`pipeline.sources.nato.parse_release`, so every NATO
vintage flows through one staging model. ``sheet`` holds the CSV column (or block) a value came
from and ``cell`` its line number, so an error or a figure still traces back to the file.

- ``nato_country_year_csv``: the June 2019 release, one row per ally-year, as reshaped from the R
  package passport (see the file's sidecar). Two unit scalings undo passport's: GDP per capita
  dollars -> thousand dollars, personnel persons -> thousands, to match NATO's own tables.
- ``nato_2023_extract_csv``: a third party's partial extract of the July 2023 release: UK rows
  2014-2023 and a block of 2023e shares of GDP for 30 allies.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from pipeline.sources.nato_blocks import label_country_fields
from pipeline.sources.nato_frame import ParseResult, to_frame
from pipeline.sources.workbook import WorkbookLayoutError, check_size, parse_year, read_number

_PCT_DEF = "percent of defence expenditure"
# CSV column -> (NATO table, measure, unit, scale, uses price base)
PASSPORT_COLUMNS = {
    "defence_exp_current_million_usd": (
        "2",
        "defence_exp_usd_current_m",
        "million US dollars",
        1,
        False,
    ),
    "defence_exp_const2015_million_usd": (
        "2",
        "defence_exp_usd_const_m",
        "million US dollars",
        1,
        True,
    ),
    "defence_exp_share_real_gdp_pct": (
        "3",
        "defence_exp_share_gdp_pct",
        "percent of real GDP",
        1,
        True,
    ),
    "defence_exp_annual_real_change_pct": (
        "3",
        "defence_exp_real_change_pct",
        "percent change on previous year, constant prices",
        1,
        True,
    ),
    "gdp_const2015_million_usd": ("5", "gdp_usd_const_m", "million US dollars", 1, True),
    "gdp_per_capita_const2015_usd": (
        "6",
        "gdp_per_capita_usd_const_k",
        "thousand US dollars per person, constant prices",
        1e-3,
        True,
    ),
    "defence_exp_per_capita_const2015_usd": (
        "6",
        "defence_exp_per_capita_usd_const",
        "US dollars per person, constant prices",
        1,
        True,
    ),
    "military_personnel_persons": ("7", "military_personnel_k", "thousand persons", 1e-3, False),
    "equipment_share_of_defence_exp_pct": ("8a", "equipment_share_pct", _PCT_DEF, 1, False),
    "personnel_share_of_defence_exp_pct": ("8a", "personnel_share_pct", _PCT_DEF, 1, False),
    "infrastructure_share_of_defence_exp_pct": (
        "8b",
        "infrastructure_share_pct",
        _PCT_DEF,
        1,
        False,
    ),
    "other_share_of_defence_exp_pct": ("8b", "other_share_pct", _PCT_DEF, 1, False),
}


def parse_country_year_csv(path: Path, release_id: str, meta: dict) -> ParseResult:
    """The 2019 release as reshaped from passport: one row per ally-year, one column per series."""
    check_size(path)
    rows = _read_csv(path)
    header, body = rows[0], rows[1:]
    missing = sorted({"country", "year", "estimate_flag", *PASSPORT_COLUMNS} - set(header))
    if missing:
        raise WorkbookLayoutError(f"{path.name}: header lacks column(s) {', '.join(missing)}")
    base_year = int(meta["price_base_year"])
    records = []
    for line, values in enumerate(body, start=2):
        row = dict(zip(header, values, strict=False))
        where = f"{path.name}, line {line}"
        country = label_country_fields(row["country"], where)
        year = parse_year(row["year"])
        if year is None:
            raise WorkbookLayoutError(f"{where}: year {row['year']!r} is not a year")
        for column, (table, measure, unit, scale, priced) in PASSPORT_COLUMNS.items():
            value, status = _csv_number(row[column], f"{where}, column {column}")
            records.append(
                _record(
                    release_id,
                    path,
                    column,
                    line,
                    table,
                    country,
                    year.year,
                    row["estimate_flag"] == "true",
                    measure,
                    unit,
                    base_year if priced else None,
                    None if value is None else value * scale,
                    status,
                )
            )
    return ParseResult(frame=_finish(records), stats={"rows": len(records), "lines": len(body)})


def parse_2023_extract_csv(path: Path, release_id: str, meta: dict) -> ParseResult:
    """The July 2023 extract: a UK block by year, then a block of 2023e shares for 30 allies."""
    check_size(path)
    rows = _read_csv(path)
    estimate_years = set(meta.get("estimate_years") or [])
    unknown_years = set(meta.get("unknown_estimate_years") or [])
    uk_rows = {
        "UK defence spending": (
            "1",
            "defence_exp_nac_current_m",
            "million national currency units",
            False,
        ),
        "Real  UK defence spending": (
            "1",
            "defence_exp_nac_const_m",
            "million national currency units",
            True,
        ),
        "UK defence spending as % Real GDP": (
            "3",
            "defence_exp_share_gdp_pct",
            "percent of real GDP",
            True,
        ),
        "Equipment": ("8a", "equipment_share_pct", _PCT_DEF, False),
        "Personnel": ("8a", "personnel_share_pct", _PCT_DEF, False),
        "Infrastructure": ("8b", "infrastructure_share_pct", _PCT_DEF, False),
        "Other": ("8b", "other_share_pct", _PCT_DEF, False),
    }
    uk = label_country_fields("United Kingdom", path.name)
    records, years, in_share_block = [], None, False
    base_year = int(meta["price_base_year"])

    def is_estimate(year: int) -> bool | None:
        return None if year in unknown_years else year in estimate_years

    for line, values in enumerate(rows, start=1):
        label = (values[0] if values else "").strip()
        where = f"{path.name}, line {line}"
        if label == "Spending":
            years = [parse_year(v) for v in values[1:] if v.strip()]
            continue
        if label == "Country" and values[1].strip() == "DFS%":
            in_share_block = True
            continue
        if not label or label in ("Nato target % GDP spend", "NATO target"):
            continue
        if in_share_block:
            value, status = _csv_number(values[1], f"{where}, column DFS%")
            records.append(
                _record(
                    release_id,
                    path,
                    "DFS%",
                    line,
                    "3",
                    label_country_fields(label, where),
                    2023,
                    is_estimate(2023),
                    "defence_exp_share_gdp_pct",
                    "percent of real GDP",
                    base_year,
                    value,
                    status,
                )
            )
        elif label in uk_rows and years:
            table, measure, unit, priced = uk_rows[label]
            for year, raw in zip(years, values[1:], strict=False):
                value, status = _csv_number(raw, f"{where}, year {year.year}")
                records.append(
                    _record(
                        release_id,
                        path,
                        label,
                        line,
                        table,
                        uk,
                        year.year,
                        is_estimate(year.year),
                        measure,
                        unit,
                        base_year if priced else None,
                        value,
                        status,
                    )
                )
        else:
            raise WorkbookLayoutError(f"{where}: unexpected row {label!r}")
    if not in_share_block:
        raise WorkbookLayoutError(f"{path.name}: no 'Country, DFS%' block of 2023 shares found")
    return ParseResult(frame=_finish(records), stats={"rows": len(records)})


def _read_csv(path: Path) -> list[list[str]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise WorkbookLayoutError(f"{path.name}: not UTF-8 text ({exc})") from exc
    return list(csv.reader(io.StringIO(text)))


def _csv_number(raw: str, where: str) -> tuple[float | None, str]:
    text = raw.strip()
    if text in ("", "NA"):
        return None, "blank"
    try:
        return float(text), "value"
    except ValueError:
        return read_number(text, where)  # raises, naming the cell


def _record(
    release_id,
    path,
    sheet,
    line,
    table,
    country,
    year,
    is_estimate,
    measure,
    unit,
    price_base_year,
    value,
    status,
) -> dict:
    return {
        "release_id": release_id,
        "source_file": path.name,
        "sheet": sheet,
        "table_id": table,
        "table_title": None,
        "section": sheet,
        "cell": f"line {line}",
        **country,
        "year": year,
        "is_estimate": is_estimate,
        "measure": measure,
        "unit": unit,
        "price_base_year": price_base_year,
        "value": value,
        "cell_status": status,
    }


def _finish(records: list[dict]) -> pd.DataFrame:
    return to_frame(records)
