"""The IMF's World Economic Outlook copy: GDP growth and levels of the 32 allies, as a long frame.

Two files make a WEO release (``data/raw/imf_weo/<date>/``):

- ``weo_allies.csv``: ``iso3,year,variable,value,edition``, one row per ally, year and WEO code
  (``NGDP_RPCH`` real growth in percent, ``NGDPD`` GDP in billions of current US dollars,
  ``NGDP_R`` / ``NGDP`` GDP in billions of national currency at constant / current prices,
  ``NGDP_D`` the deflator);
- ``projection_start.csv``: ``iso3,first_non_actual_year_NGDP_RPCH,...``, the first year that is
  an IMF estimate or projection for each ally, read as one row per ally with the measure
  ``first_projection_year`` (its year is that year).

Pure functions, no Dagster: every value is the file's text read as a number, nothing rounded. A
header, an ally, a code, a year or a number that is not what the WEO prints is refused, naming the
file, the line and the rule; so is an ``edition`` column that is not the sidecar's edition.
"""

from __future__ import annotations

import pandas as pd

from pipeline.provenance import Release
from pipeline.sources.countries import NATO_ALLY_CODES
from pipeline.sources.csv_rows import csv_number, read_csv
from pipeline.sources.nato.frame import ParseResult
from pipeline.sources.workbook import WorkbookLayoutError

VARIABLES = {
    "NGDP_RPCH": "real_gdp_growth_pct",
    "NGDPD": "gdp_usd_bn",
    "NGDP_R": "gdp_nac_const_bn",
    "NGDP": "gdp_nac_bn",
    "NGDP_D": "gdp_deflator_index",
}
FIRST_PROJECTION_YEAR = "first_projection_year"
ALLIES = frozenset(NATO_ALLY_CODES.values())
COLUMNS = ["release_id", "source_file", "line", "country_code", "year", "measure", "value"]
LONG_HEADER = ["iso3", "year", "variable", "value", "edition"]
START_HEADER = "first_non_actual_year_NGDP_RPCH"


def _frame(records: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(records, columns=COLUMNS)
    frame["line"] = frame["line"].astype("int64")
    frame["year"] = frame["year"].astype("int64")
    frame["value"] = frame["value"].astype("float64")
    return frame


def _ally(code: str, where: str) -> str:
    if code not in ALLIES:
        raise WorkbookLayoutError(f"{where}: {code!r} is not one of the 32 allies' ISO codes")
    return code


def _year(text: str, where: str) -> int:
    if not (text.isdigit() and len(text) == 4):
        raise WorkbookLayoutError(f"{where}: expected a year, found {text!r}")
    return int(text)


def parse_long_csv(release: Release) -> ParseResult:
    """``weo_allies.csv`` as the long frame (:data:`COLUMNS`), measures as :data:`VARIABLES`."""
    path, name = release.path, release.path.name
    rows = read_csv(path)
    if not rows or rows[0] != LONG_HEADER:
        raise WorkbookLayoutError(
            f"{name}:1: header {rows[0] if rows else []} is not {LONG_HEADER} (rule: the WEO "
            "copy's columns, in order)"
        )
    edition = str(release.meta.get("edition", "")).strip()
    records, seen = [], set()
    for number, row in enumerate(rows[1:], start=2):
        where = f"{name}:{number}"
        if len(row) != len(LONG_HEADER):
            raise WorkbookLayoutError(f"{where}: {len(row)} fields, expected {len(LONG_HEADER)}")
        iso3, year_text, variable, raw, row_edition = row
        if variable not in VARIABLES:
            raise WorkbookLayoutError(
                f"{where}: WEO code {variable!r} is not one of {', '.join(VARIABLES)}"
            )
        if edition and row_edition.strip() != edition:
            raise WorkbookLayoutError(
                f"{where}: edition {row_edition!r} is not the sidecar's {edition!r} (rule: one "
                "release is one WEO edition)"
            )
        value, status = csv_number(raw, where)
        if status != "value":
            raise WorkbookLayoutError(f"{where}: no figure for {iso3} {year_text} {variable}")
        key = (_ally(iso3, where), _year(year_text, where), VARIABLES[variable])
        if key in seen:
            raise WorkbookLayoutError(f"{where}: {iso3} {year_text} {variable} is listed twice")
        seen.add(key)
        records.append(
            {
                "release_id": release.release_id,
                "source_file": name,
                "line": number,
                "country_code": key[0],
                "year": key[1],
                "measure": key[2],
                "value": value,
            }
        )
    return ParseResult(_frame(records), {"rows": len(records), "edition": edition})


def parse_projection_start_csv(release: Release) -> ParseResult:
    """``projection_start.csv``: per ally, the first estimate or projection year, as a row of the
    long frame with the measure :data:`FIRST_PROJECTION_YEAR`."""
    path, name = release.path, release.path.name
    rows = read_csv(path)
    if not rows or rows[0][:2] != ["iso3", START_HEADER]:
        raise WorkbookLayoutError(
            f"{name}:1: header {rows[0] if rows else []} does not start with iso3,{START_HEADER}"
        )
    records = []
    for number, row in enumerate(rows[1:], start=2):
        where = f"{name}:{number}"
        year = _year(row[1].strip(), where)
        records.append(
            {
                "release_id": release.release_id,
                "source_file": name,
                "line": number,
                "country_code": _ally(row[0].strip(), where),
                "year": year,
                "measure": FIRST_PROJECTION_YEAR,
                "value": float(year),
            }
        )
    return ParseResult(_frame(records), {"rows": len(records)})


def empty_frame() -> pd.DataFrame:
    """The raw table's columns when no WEO release is at hand."""
    return _frame([])
