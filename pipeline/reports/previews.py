"""Markdown previews and charts for each published mart, as plain data for the Dagster UI."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from pipeline.warehouse.build import count_rows


def markdown_image(png: bytes, alt: str) -> str:
    return f"![{alt}](data:image/png;base64,{base64.b64encode(png).decode()})"


@dataclass(frozen=True)
class Preview:
    """What a mart's preview in the UI answers, and the query that answers it."""

    question: str
    sql: str


# The question each main mart's preview answers first (the others show their first rows by
# grain). Presentation only: every figure is the mart's own, unrounded.
PREVIEWS = {
    "fct_target_status": Preview(
        "The newest year's verdict for each ally, highest share of GDP first",
        "select country_code, year, share_gdp_pct, meets_2pct, meets_3_5pct_core, meets_5pct, "
        "gap_to_2pct_pp, gap_to_3_5pct_pp, is_estimate from marts.fct_target_status "
        "where year = (select max(year) from marts.fct_target_status) "
        "order by share_gdp_pct desc nulls last, country_code",
    ),
    "fct_path_to_2035": Preview(
        "Who must speed up most to reach 3.5% core by 2035 (percentage points a year)",
        "select country_code, base_year, base_share_gdp_pct, historical_pp_per_year, "
        "required_pp_per_year_to_3_5pct, is_on_track_3_5pct, projected_share_gdp_pct_2035 "
        "from marts.fct_path_to_2035 "
        "order by required_pp_per_year_to_3_5pct desc nulls last, country_code",
    ),
    "agg_path_to_2035": Preview(
        "What 3.5% and 5% of GDP in 2035 take, by group of allies (million USD, NATO's prices)",
        "select cohort_name, allies, base_spending_usd_const_m, "
        "required_core_spending_2035_usd_const_m, spending_increase_needed_3_5pct_usd_const_m, "
        "spending_increase_needed_5pct_usd_const_m from marts.agg_path_to_2035 "
        "order by spending_increase_needed_3_5pct_usd_const_m desc",
    ),
    "fct_spending_path_2035": Preview(
        "The path to 3.5% core in money, year by year, for the largest ally in 2035",
        "select country_code, year, gdp_basis, projected_gdp_usd_const_m, share_path_3_5pct, "
        "spending_path_3_5pct_usd_const_m from marts.fct_spending_path_2035 "
        "where country_code = (select arg_max(country_code, spending_path_3_5pct_usd_const_m) "
        "from marts.fct_spending_path_2035) order by year",
    ),
    "agg_alliance_year": Preview(
        "NATO Europe and Canada in the latest release: share of GDP and allies at 2%, by year",
        "select year, release_id, share_gdp_pct_published, share_gdp_pct_recomputed, "
        "allies_meeting_2pct, allies_with_data, is_estimate from marts.agg_alliance_year "
        "where is_latest_release and aggregate_name = 'NATO Europe and Canada' order by year",
    ),
    "fct_two_percent_milestones": Preview(
        "When each ally first reached 2% of GDP, earliest first",
        "select * from marts.fct_two_percent_milestones "
        "order by first_year_at_2pct nulls last, country_code",
    ),
    "dim_release": Preview(
        "Every release, newest first: the latest of each source is the default",
        "select source, release_id, strftime(release_date, '%Y-%m-%d') as release_date, "
        "is_latest, is_available, defence_definition, "
        "price_base_year from marts.dim_release order by release_date desc",
    ),
    "fct_revisions": Preview(
        "The largest revisions into the latest release",
        "select country_code, year, release_id_from, share_gdp_pct_from, share_gdp_pct_to, "
        "revision_pp, revision_kind from marts.fct_revisions where is_to_latest "
        "and is_consecutive_pair order by abs(revision_pp) desc nulls last limit 15",
    ),
}
DEFAULT_ROWS = 10


def mart_previews(db_path: Path) -> dict[str, dict]:
    """For each mart: its row count and a Markdown preview that answers a question
    (:data:`PREVIEWS`), or its first rows."""
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
            if name in PREVIEWS:
                title, preview = PREVIEWS[name].question, con.sql(PREVIEWS[name].sql).df()
            else:
                title = f"The first {DEFAULT_ROWS} rows"
                preview = con.table(f"marts.{name}").limit(DEFAULT_ROWS).df()
            preview = preview.astype(object).where(preview.notna(), "NULL")  # tabulate: no pd.NA
            reports[name] = {
                "rows": count_rows(con, "marts", name),
                "question": title,
                "preview": f"**{title}**\n\n{preview.to_markdown(index=False)}",
            }
    return reports


def mart_charts(db_path: Path) -> dict[str, dict[str, bytes]]:
    """The charts of the marts that have some, drawn from the warehouse at ``db_path``: by mart,
    chart name -> PNG bytes (matplotlib is imported only here)."""
    from pipeline.reports import charts

    with duckdb.connect(str(db_path), read_only=True) as con:
        frames = {
            name: _plain_numbers(con.table(f"marts.{name}").df())
            for name in (
                "fct_target_status",
                "agg_alliance_year",
                "fct_path_to_2035",
                "fct_spending_path_2035",
            )
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
        "fct_spending_path_2035": {
            "spending_paths_2035": charts.spending_paths_2035(frames["fct_spending_path_2035"])
        },
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
