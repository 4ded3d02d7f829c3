"""The long frame SIPRI's parser produces: one record per figure, built by keyword only.

A record is the sheet's fields (release, file, measure, unit, price base), the country row's
fields (name, code, region, notes) and the figure's own (cell, year, value, colour flags).
"""

from __future__ import annotations

import pandas as pd

COLUMNS = [
    "release_id",
    "source_file",
    "sheet",
    "cell",
    "country_name",
    "country_code",
    "region",
    "subregion",
    "year",
    "measure",
    "unit",
    "price_base_year",
    "value",
    "is_sipri_estimate",
    "is_highly_uncertain",
    "notes",
    "reporting_year_basis",
]


def sheet_fields(
    *,
    release_id: str,
    source_file: str,
    sheet: str,
    measure: str,
    unit: str,
    price_base_year: int | None,
) -> dict:
    """The columns every figure of one country sheet shares."""
    return {
        "release_id": release_id,
        "source_file": source_file,
        "sheet": sheet,
        "measure": measure,
        "unit": unit,
        "price_base_year": price_base_year,
    }


def country_fields(
    *,
    name: str,
    code: str,
    region: str,
    subregion: str | None,
    notes: str | None,
    reporting_year_basis: str | None,
) -> dict:
    """The columns every figure of one country row shares (``notes`` as printed)."""
    return {
        "country_name": name,
        "country_code": code,
        "region": region,
        "subregion": subregion,
        "notes": notes,
        "reporting_year_basis": reporting_year_basis,
    }


def figure_record(
    *,
    sheet: dict,
    country: dict,
    cell: str,
    year: int,
    value: float,
    is_sipri_estimate: bool,
    is_highly_uncertain: bool,
) -> dict:
    """One record of the frame: a figure with its sheet's and its row's fields."""
    return {
        **sheet,
        **country,
        "cell": cell,
        "year": year,
        "value": value,
        "is_sipri_estimate": is_sipri_estimate,
        "is_highly_uncertain": is_highly_uncertain,
    }


def to_frame(records: list[dict]) -> pd.DataFrame:
    """The records as the typed long frame (``COLUMNS``, in order)."""
    frame = pd.DataFrame.from_records(records, columns=COLUMNS)
    frame["year"] = frame["year"].astype("int64")
    frame["price_base_year"] = frame["price_base_year"].astype("Int64")
    frame["value"] = frame["value"].astype("float64")
    frame["is_sipri_estimate"] = frame["is_sipri_estimate"].astype("bool")
    frame["is_highly_uncertain"] = frame["is_highly_uncertain"].astype("bool")
    # All-NULL in SIPRI's current files; typed as text so every edition gives the same schema.
    frame["reporting_year_basis"] = frame["reporting_year_basis"].astype("str")
    return frame
