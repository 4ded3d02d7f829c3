"""Parsers for NATO releases that survive only as derived tables (no original workbook).

They produce the same long frame as :func:`pipeline.sources.nato.workbook.parse_release`, so every
NATO vintage flows through one staging model. ``sheet`` holds the CSV column (or block) a value came
from and ``cell`` its line number, so an error or a figure still traces back to the file.

- ``nato_country_year_csv``: the June 2019 release, one row per ally-year, as reshaped from the R
  package passport (see the file's sidecar). Two unit scalings undo passport's: GDP per capita
  dollars -> thousand dollars, personnel persons -> thousands, to match NATO's own tables.
- ``nato_2023_extract_csv``: a third party's partial extract of the July 2023 release: UK rows
  2014-2023 and a block of 2023e shares of GDP for 30 allies.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.sources.csv_rows import csv_number, read_csv
from pipeline.sources.nato.blocks import label_country_fields
from pipeline.sources.nato.frame import ParseResult, series_fields, to_frame
from pipeline.sources.workbook import WorkbookLayoutError, parse_year

# CSV column -> (measure, scale): the table, unit and price base come from ``nato_frame.MEASURES``.
PASSPORT_COLUMNS = {
    "defence_exp_current_million_usd": ("defence_exp_usd_current_m", 1),
    "defence_exp_const2015_million_usd": ("defence_exp_usd_const_m", 1),
    "defence_exp_share_real_gdp_pct": ("defence_exp_share_gdp_pct", 1),
    "defence_exp_annual_real_change_pct": ("defence_exp_real_change_pct", 1),
    "gdp_const2015_million_usd": ("gdp_usd_const_m", 1),
    "gdp_per_capita_const2015_usd": ("gdp_per_capita_usd_const_k", 1e-3),
    "defence_exp_per_capita_const2015_usd": ("defence_exp_per_capita_usd_const", 1),
    "military_personnel_persons": ("military_personnel_k", 1e-3),
    "equipment_share_of_defence_exp_pct": ("equipment_share_pct", 1),
    "personnel_share_of_defence_exp_pct": ("personnel_share_pct", 1),
    "infrastructure_share_of_defence_exp_pct": ("infrastructure_share_pct", 1),
    "other_share_of_defence_exp_pct": ("other_share_pct", 1),
}
# The 2023 extract's UK block: row label -> measure.
UK_ROWS = {
    "UK defence spending": "defence_exp_nac_current_m",
    "Real  UK defence spending": "defence_exp_nac_const_m",
    "UK defence spending as % Real GDP": "defence_exp_share_gdp_pct",
    "Equipment": "equipment_share_pct",
    "Personnel": "personnel_share_pct",
    "Infrastructure": "infrastructure_share_pct",
    "Other": "other_share_pct",
}
_SHARE_BLOCK_COLUMN = "DFS%"  # the extract's 2023e shares of GDP: "Country, DFS%"
_SHARE_BLOCK_YEAR = 2023
_IGNORED_ROWS = ("Nato target % GDP spend", "NATO target")


def parse_country_year_csv(path: Path, release_id: str, meta: dict) -> ParseResult:
    """The 2019 release as reshaped from passport: one row per ally-year, one column per series."""
    rows = read_csv(path)
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
        for column, (measure, scale) in PASSPORT_COLUMNS.items():
            value, status = _number(row[column], f"{where}, column {column}")
            records.append(
                derived_record(
                    release_id=release_id,
                    source_file=path.name,
                    block=column,
                    line=line,
                    country=country,
                    year=year.year,
                    is_estimate=row["estimate_flag"] == "true",
                    series=series_fields(measure, base_year, where),
                    value=None if value is None else value * scale,
                    status=status,
                )
            )
    return ParseResult(frame=to_frame(records), stats={"rows": len(records), "lines": len(body)})


def parse_2023_extract_csv(path: Path, release_id: str, meta: dict) -> ParseResult:
    """The July 2023 extract: a UK block by year, then a block of 2023e shares for 30 allies."""
    rows = read_csv(path)
    reader = _ExtractReader(path, release_id, meta)
    records, in_share_block = [], False
    for line, values in enumerate(rows, start=1):
        label = (values[0] if values else "").strip()
        where = f"{path.name}, line {line}"
        if label == "Spending":
            reader.years = [parse_year(v) for v in values[1:] if v.strip()]
        elif label == "Country" and values[1].strip() == _SHARE_BLOCK_COLUMN:
            in_share_block = True
        elif not label or label in _IGNORED_ROWS:
            continue
        elif in_share_block:
            records.append(reader.share_record(line, label, values[1], where))
        elif label in UK_ROWS and reader.years:
            records.extend(reader.uk_records(line, label, values[1:], where))
        else:
            raise WorkbookLayoutError(f"{where}: unexpected row {label!r}")
    if not in_share_block:
        raise WorkbookLayoutError(f"{path.name}: no 'Country, DFS%' block of 2023 shares found")
    return ParseResult(frame=to_frame(records), stats={"rows": len(records)})


class _ExtractReader:
    """Builds the 2023 extract's records: the release's facts and the UK block's year header."""

    def __init__(self, path: Path, release_id: str, meta: dict) -> None:
        self.path, self.release_id = path, release_id
        self.base_year = int(meta["price_base_year"])
        self.estimate_years = set(meta.get("estimate_years") or [])
        self.unknown_years = set(meta.get("unknown_estimate_years") or [])
        self.uk = label_country_fields("United Kingdom", path.name)
        self.years = None  # the "Spending" row's years, once read

    def is_estimate(self, year: int) -> bool | None:
        """As the sidecar records it; ``None`` for a year it says the extract leaves unknown."""
        return None if year in self.unknown_years else year in self.estimate_years

    def share_record(self, line: int, label: str, raw: str, where: str) -> dict:
        """One ally's 2023e share of GDP from the ``Country, DFS%`` block."""
        value, status = _number(raw, f"{where}, column {_SHARE_BLOCK_COLUMN}")
        series = series_fields("defence_exp_share_gdp_pct", self.base_year, where)
        country = label_country_fields(label, where)
        return self._record(
            block=_SHARE_BLOCK_COLUMN,
            line=line,
            country=country,
            year=_SHARE_BLOCK_YEAR,
            series=series,
            value=value,
            status=status,
        )

    def uk_records(self, line: int, label: str, raws: list[str], where: str) -> list[dict]:
        """One record per year of a UK row (years from the ``Spending`` row above)."""
        series = series_fields(UK_ROWS[label], self.base_year, where)
        records = []
        for year, raw in zip(self.years, raws, strict=False):
            value, status = _number(raw, f"{where}, year {year.year}")
            records.append(
                self._record(
                    block=label,
                    line=line,
                    country=self.uk,
                    year=year.year,
                    series=series,
                    value=value,
                    status=status,
                )
            )
        return records

    def _record(self, **fields) -> dict:
        """:func:`derived_record` with this release's id, file and estimate years filled in."""
        return derived_record(
            release_id=self.release_id,
            source_file=self.path.name,
            is_estimate=self.is_estimate(fields["year"]),
            **fields,
        )


def _number(raw: str, where: str) -> tuple[float | None, str]:
    """passport's R export writes ``NA`` for a missing figure; a copied ``#REF!`` keeps its status.
    (An error quotes the field stripped, as this parser always has.)"""
    return csv_number(raw.strip(), where, missing=("", "NA"), excel_errors=True)


def derived_record(
    *,
    release_id: str,
    source_file: str,
    block: str,
    line: int,
    country: dict,
    year: int,
    is_estimate: bool | None,
    series: dict,
    value: float | None,
    status: str,
) -> dict:
    """One record of the long frame from a derived CSV: ``block`` (the CSV column or row label the
    figure sits under) is both ``sheet`` and ``section``; ``cell`` is the line number."""
    return {
        "release_id": release_id,
        "source_file": source_file,
        "sheet": block,
        "table_title": None,
        "section": block,
        "cell": f"line {line}",
        **country,
        "year": year,
        "is_estimate": is_estimate,
        **series,
        "value": value,
        "cell_status": status,
    }
