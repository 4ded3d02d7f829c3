"""Markdown previews and charts for each published mart, as plain data for the Dagster UI."""

from __future__ import annotations

import base64
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from pipeline.warehouse.build import count_rows


def markdown_image(png: bytes, alt: str) -> str:
    return f"![{alt}](data:image/png;base64,{base64.b64encode(png).decode()})"


def mart_previews(db_path: Path) -> dict[str, dict]:
    """For each mart: its row count and a Markdown preview of its first rows."""
    reports: dict[str, dict] = {}
    with duckdb.connect(str(db_path), read_only=True) as con:
        marts = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' "
                "order by table_name"
            ).fetchall()
        ]
        for name in marts:
            preview = con.table(f"marts.{name}").limit(10).df()
            preview = preview.astype(object).where(preview.notna(), "NULL")  # tabulate: no pd.NA
            reports[name] = {
                "rows": count_rows(con, "marts", name),
                "preview": preview.to_markdown(index=False),
            }
    return reports


def mart_charts(db_path: Path) -> dict[str, dict[str, bytes]]:
    """The charts of the marts that have some, drawn from the warehouse at ``db_path``: by mart,
    chart name -> PNG bytes (matplotlib is imported only here)."""
    from pipeline.reports import charts

    with duckdb.connect(str(db_path), read_only=True) as con:
        frames = {
            name: _plain_numbers(con.table(f"marts.{name}").df())
            for name in ("fct_target_status", "agg_alliance_year", "fct_path_to_2035")
        }
    latest_alliance = frames["agg_alliance_year"].query("is_latest_release")
    return {
        "fct_target_status": {
            "shares_against_targets": charts.shares_against_targets(frames["fct_target_status"])
        },
        "agg_alliance_year": {
            "allies_meeting_2pct": charts.allies_meeting_two_percent(latest_alliance),
            "europe_and_canada_vs_us": charts.europe_and_canada_against_us(
                latest_alliance, frames["fct_target_status"]
            ),
        },
        "fct_path_to_2035": {"path_to_2035": charts.path_to_2035(frames["fct_path_to_2035"])},
    }


def _plain_numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """Nullable numbers as float64 with NaN: matplotlib cannot place ``pd.NA`` on an axis (an
    edition without 2014 has no pace since 2014, and its path chart raised ConversionError); a NaN
    is simply not drawn."""
    numeric = [
        c
        for c in frame.columns
        if pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
    ]
    return frame.assign(**{c: frame[c].to_numpy(dtype="float64", na_value=np.nan) for c in numeric})


def write_charts(
    drawn: dict[str, dict[str, bytes]], chart_dir: Path
) -> dict[str, dict[str, tuple[Path, bytes]]]:
    """Write each chart to ``chart_dir/<chart>.png``: by mart, chart name -> (file, bytes)."""
    chart_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, dict[str, tuple[Path, bytes]]] = {}
    for mart, pngs in drawn.items():
        for chart_name, png in pngs.items():
            path = chart_dir / f"{chart_name}.png"
            path.write_bytes(png)
            written.setdefault(mart, {})[chart_name] = (path, png)
    return written
